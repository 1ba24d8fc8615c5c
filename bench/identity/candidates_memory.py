"""Memory and time of gathering the batch's candidate pairs: one set against ``CandidateSet``.

``kawal dedupe`` and ``batch.train_and_link`` used to hold every candidate
pair as a tuple in one Python set; they now hold ``batch.CandidateSet``
(8-byte codes in parts, each part sorted and its repeats dropped in turn).
This runs each way in its own process on the same generated records and
reports the pairs, the seconds and the peak resident memory above the
process's memory once the records are loaded (the peak is reset there).
It reports numbers; it is not a test.

    .venv/bin/python bench/identity/candidates_memory.py --records 100000
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "src"))


def _status_mib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) // 1024
    return 0


def measure(way: str, records: int, seed: int, profile: int) -> dict[str, float]:
    from generate import generate
    from run import to_record

    from kawal.identity import batch

    rows = generate(records, seed, profile=profile)
    loaded = [to_record(row) for row in rows]
    del rows
    gc.collect()
    # Peak from here on (Linux: writing 5 resets VmHWM to the current RSS), so
    # memory freed by the generator cannot hide what the gathering takes.
    Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    before = _status_mib("VmRSS")
    start = time.perf_counter()
    found = batch.candidate_pairs(loaded) if way == "set" else batch.candidates(loaded)
    seconds = time.perf_counter() - start
    return {
        "pairs": len(found),
        "seconds": round(seconds, 1),
        "records_mib": before,
        "extra_mib": _status_mib("VmHWM") - before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--profile", type=int, default=1, choices=(1, 2))
    parser.add_argument("--way", choices=("set", "parts"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.way:
        print(json.dumps(measure(args.way, args.records, args.seed, args.profile)))
        return
    print(f"{args.records:,} records, generator profile {args.profile}, seed {args.seed}")
    for way in ("set", "parts"):
        out = subprocess.run(  # noqa: S603 - our own script
            [sys.executable, __file__, *sys.argv[1:], "--way", way],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        got = json.loads(out.strip().splitlines()[-1])
        label = "one set of tuples" if way == "set" else "CandidateSet (parts)"
        print(
            f"  {label:22} {got['pairs']:>12,} pairs  {got['seconds']:>7} s  "
            f"+{got['extra_mib']:,} MiB over the {got['records_mib']:,} MiB held with the records"
        )


if __name__ == "__main__":
    main()
