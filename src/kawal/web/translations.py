"""Compile the translation catalogues without GNU gettext.

Fresh machines have only Python, so the compiled ``.mo`` files are committed;
``make messages`` refreshes them from the ``.po`` files with polib.
"""

from __future__ import annotations

import sys
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compile_all() -> list[Path]:
    import polib

    written = []
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


if __name__ == "__main__":
    if sys.argv[1:] != ["compile"]:
        raise SystemExit("usage: python -m kawal.web.translations compile")
    for path in compile_all():
        print(f"wrote {path}")
