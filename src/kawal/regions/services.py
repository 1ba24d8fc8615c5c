"""Writes to the region table: loading official code lists."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kawal.access.catalogue import Capability
from kawal.access.policy import may
from kawal.core.audit import AuditContext, audit_record
from kawal.regions.models import CODE_PATTERNS, LEVEL_DEPTH, PARENT_LEVELS, Region, RegionLevel

BALIKPAPAN_CSV = Path(__file__).resolve().parent / "data" / "balikpapan.csv"
BALIKPAPAN_SOURCE = "Kepmendagri 300.2.2-2138/2025 (amended 300.2.2-2430/2025)"
REQUIRED_COLUMNS = ("code", "name", "level")
MAX_ROWS = 200_000


@dataclass(frozen=True)
class RegionRow:
    line: int
    code: str
    name: str
    level: str
    parent: str
    postal_code: str = ""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def regions_read_csv(path: Path) -> list[RegionRow]:
    """Parse a region CSV (code, name, level, parent[, postal_code]) into rows.

    Raises ValidationError with every problem found, each naming its line.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip().lower() for name in (reader.fieldnames or [])]
            missing = [name for name in REQUIRED_COLUMNS if name not in header]
            if missing:
                raise ValidationError(
                    _("Missing column(s): %(columns)s") % {"columns": ", ".join(missing)}
                )
            reader.fieldnames = header
            rows: list[RegionRow] = []
            for record in reader:
                if len(rows) >= MAX_ROWS:
                    raise ValidationError(
                        _("The file has more than %(max)d rows.") % {"max": MAX_ROWS}
                    )
                rows.append(
                    RegionRow(
                        line=reader.line_num,
                        code=(record.get("code") or "").strip(),
                        name=" ".join((record.get("name") or "").split()),
                        level=(record.get("level") or "").strip().lower(),
                        parent=(record.get("parent") or "").strip(),
                        postal_code=(record.get("postal_code") or "").strip(),
                    )
                )
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is not UTF-8 text.")) from exc
    except csv.Error as exc:
        raise ValidationError(_("The file is not valid CSV: %(error)s") % {"error": exc}) from exc
    return rows


def _validate(rows: list[RegionRow]) -> list[str]:
    errors: list[str] = []
    by_code: dict[str, RegionRow] = {}
    for row in rows:
        if row.code in by_code:
            errors.append(
                _("Line %(line)d: code %(code)s appears twice.")
                % {"line": row.line, "code": row.code}
            )
        by_code[row.code] = row
    known_levels = {
        region.code: region.level
        for region in Region.objects.filter(
            code__in={row.parent for row in rows if row.parent} - by_code.keys()
        )
    }
    for row in rows:
        where = {"line": row.line, "code": row.code or "?"}
        if row.level not in RegionLevel.values:
            errors.append(
                _("Line %(line)d: unknown level %(level)r.") % {**where, "level": row.level}
            )
            continue
        if not CODE_PATTERNS[row.level].match(row.code):
            errors.append(
                _("Line %(line)d: %(code)s is not a valid %(level)s code.")
                % {**where, "level": row.level}
            )
            continue
        if not row.name or len(row.name) > 100:
            errors.append(_("Line %(line)d: the name must have 1 to 100 characters.") % where)
        if row.postal_code and not (len(row.postal_code) == 5 and row.postal_code.isdigit()):
            errors.append(_("Line %(line)d: a postal code has 5 digits.") % where)
        expected_parents = PARENT_LEVELS[row.level]
        if not expected_parents:
            if row.parent:
                errors.append(_("Line %(line)d: a province has no parent.") % where)
            continue
        if not row.parent:
            errors.append(_("Line %(line)d: %(code)s needs a parent.") % where)
            continue
        if not row.code.startswith(row.parent + "."):
            errors.append(
                _("Line %(line)d: %(code)s does not lie under its parent %(parent)s.")
                % {**where, "parent": row.parent}
            )
            continue
        parent_level = by_code[row.parent].level if row.parent in by_code else None
        parent_level = parent_level or known_levels.get(row.parent)
        if parent_level is None:
            errors.append(
                _("Line %(line)d: parent %(parent)s is neither in the file nor in the database.")
                % {**where, "parent": row.parent}
            )
        elif parent_level not in expected_parents:
            errors.append(
                _("Line %(line)d: a %(level)s cannot lie under a %(parent_level)s.")
                % {**where, "level": row.level, "parent_level": parent_level}
            )
    return errors


def regions_import(
    rows: Iterable[RegionRow],
    *,
    acting_user: Any = None,
    context: AuditContext | None = None,
    source: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Validate every row, then create or update them all in one transaction.

    Idempotent: importing the same file twice changes nothing the second time.
    Nothing is written when any row is invalid. A web caller must hold the
    configuration capability; the command line (no acting user) is trusted as
    the server operator.
    """
    if acting_user is not None and not may(acting_user, Capability.MANAGE_CONFIGURATION):
        raise PermissionDenied
    ordered = sorted(rows, key=lambda row: (LEVEL_DEPTH.get(row.level, 9), row.code))
    errors = _validate(ordered)
    if errors:
        raise ValidationError(errors)

    result = ImportResult()
    existing = {
        region.code: region for region in Region.objects.filter(code__in=[r.code for r in ordered])
    }
    with transaction.atomic():
        for index, row in enumerate(ordered, start=1):
            values = {
                "name": row.name,
                "level": row.level,
                "parent_id": row.parent or None,
                "postal_code": row.postal_code,
                "is_active": True,
            }
            if source:
                values["source"] = source
            region = existing.get(row.code)
            if region is None:
                Region.objects.create(code=row.code, **values)
                result.created += 1
                result.codes.append(row.code)
            elif any(getattr(region, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(region, key, value)
                region.save()
                result.updated += 1
                result.codes.append(row.code)
            else:
                result.unchanged += 1
            if progress is not None:
                progress(index, len(ordered))
        if result.created or result.updated:
            audit_record(
                "regions.imported",
                actor=acting_user,
                context=context,
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
            )
    return result


def regions_load_balikpapan() -> ImportResult:
    return regions_import(
        regions_read_csv(BALIKPAPAN_CSV),
        context=AuditContext.command("load_balikpapan"),
        source=BALIKPAPAN_SOURCE,
    )
