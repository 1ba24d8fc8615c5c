"""What each of the matcher's safety rules costs, on the development data only.

Three rules keep pairs below "likely" that the weights alone would link:

- **date-only cap**: names that disagree leave a birth date, which never
  makes a pair "likely" on its own (issue 13's own rule; ``_likely_cap``);
- **sibling rule**: names that sound alike but end as a brother's and a
  sister's do (Putra/Putri, Febrian/Febriana), or are spelled far apart,
  count as different names (``_sex_marked_pair``);
- **placeholder dates**: 1 January, 1 July, 31 December and the 15th say only
  the year unless the date is from a document (``placeholder_days``).

Two variants of the sibling rule are measured too: its ending test skipped
when both records carry the same sex (a brother's and a sister's endings
cannot be both children's when the sex is one), and "spelled far apart" read
as more than two edits apart as well as less than 70 % alike.

Each is switched off (or changed) here, in this process only, and the
unsupervised matcher run as ``run.py`` runs it: F1 at "likely" and the brothers and sisters linked
(generator only). The data is the development data (generator seed 99, FEBRL1,
FEBRL2): what a rule costs is read there, never on the reported data.

    .venv/bin/python bench/identity/rule_costs.py --records 20000
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "src"))

import run  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402
from rapidfuzz.distance import OSA  # noqa: E402

from kawal.identity import matching  # noqa: E402


def _same_sex_endings() -> Callable[[matching.Record, matching.Record], bool]:
    """The sibling rule without its ending test when both records carry one sex."""
    rule = matching._sex_marked_pair

    def pair(a: matching.Record, b: matching.Record) -> bool:
        if not (a.sex and a.sex == b.sex):
            return rule(a, b)
        ending = matching._sex_marked_ending
        matching._sex_marked_ending = lambda x, y: False
        try:
            return rule(a, b)
        finally:
            matching._sex_marked_ending = ending

    return pair


class _NearIsNotFar:
    """``fuzz`` as the sibling rule sees it: two edits apart is not "spelled far apart"."""

    @staticmethod
    def ratio(x: str, y: str) -> float:
        return 100.0 if OSA.distance(x, y) <= 2 else fuzz.ratio(x, y)


def _far_by_edits() -> Callable[[matching.Record, matching.Record], bool]:
    rule = matching._sex_marked_pair

    def pair(a: matching.Record, b: matching.Record) -> bool:
        matching.fuzz = _NearIsNotFar  # type: ignore[assignment]
        try:
            return rule(a, b)
        finally:
            matching.fuzz = fuzz

    return pair


RULES: dict[str, tuple[str, Callable[[], Any]]] = {
    "cap": ("_likely_cap", lambda: lambda model: float("inf")),
    "sibling": ("_sex_marked_pair", lambda: lambda a, b: False),
    "placeholder": ("_placeholder_days", lambda: lambda: ()),
    # Variants of the sibling rule rather than the rule switched off.
    "sibling-endings-same-sex": ("_sex_marked_pair", _same_sex_endings),
    "sibling-far-by-edits": ("_sex_marked_pair", _far_by_edits),
}
SETS = (
    "",
    "cap",
    "sibling",
    "placeholder",
    "cap,sibling,placeholder",
    "sibling-endings-same-sex",
    "sibling-far-by-edits",
)


def measure(names: list[str], records: int, off: str) -> list[str]:
    saved = {attr: getattr(matching, attr) for attr, _make in RULES.values()}
    try:
        for rule in filter(None, off.split(",")):
            attr, make = RULES[rule]
            setattr(matching, attr, make())
        lines = []
        for name in names:
            data = run.load_dataset(name, records, run.DEV_SEED)
            row = run.summarise(name, run.Truth.of(data.rows), run.run_kawal(data))
            lines.append(
                f"| {name} | {off or 'none (as shipped)'} | {row['likely_p']} | {row['likely_r']} "
                f"| {row['likely_f1']} | {row['siblings']} |"
            )
        return lines
    finally:
        for attr, value in saved.items():
            setattr(matching, attr, value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000, help="per generator profile")
    parser.add_argument("--data", default=",".join(run.DEV_DATA))
    parser.add_argument(
        "--sets", default=";".join(SETS), help="';'-separated rule sets ('' = none off)"
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    started = time.perf_counter()
    lines = [
        "| data (development) | rules switched off or changed | P likely | R likely | F1 likely "
        "| sibling links |",
        "|---|---|---|---|---|---|",
    ]
    names = args.data.split(",")
    for off in args.sets.split(";"):
        lines.extend(measure(names, args.records, off))
        print(f"done: {off or 'none'} ({time.perf_counter() - started:.0f} s)", flush=True)
    print("\n".join(lines))
    print(f"\n`python bench/identity/rule_costs.py {' '.join(sys.argv[1:])}`".rstrip())
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
