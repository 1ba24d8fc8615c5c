"""The kinds of table a user may export, registered by the apps that own the data.

An app registers an :class:`ExportKind` from its ``ready()``; the exports app
gives every kind the same flow at ``exports:request`` (``/ekspor/<kind>/``):
what will be exported, the policy check, a supervisor's approval when the
table holds more than ``KAWAL_EXPORT_APPROVAL_CHILDREN`` children, a CSV or
XLSX file that is safe to open in a spreadsheet, a download for the requester
only for ``KAWAL_EXPORT_TTL_HOURS`` hours, and the access log throughout.

``build`` must scope what it reads to the user (``cases_visible_to`` /
``case_access``) and put in the table only the data classes the user may read
on each case; ``data_classes`` and ``case_ids`` say what it holds, for the
approval count and the access log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class ExportTable:
    headers: list[str]  # already translated for the requester
    rows: list[list[Any]]  # str | int | date | None cells
    data_classes: frozenset[str]  # what the table contains (DataClass values)
    case_ids: tuple[int, ...]  # the cases (children) it contains, for the log and the count


@dataclass(frozen=True)
class ExportKind:
    key: str  # e.g. "case_list", "simfoni"
    label: str | Promise
    allowed: Callable[[Any], bool]  # user -> may request this kind at all (capability)
    build: Callable[[Any, Mapping[str, str]], ExportTable]  # (user, params) -> table, scoped
    filename: str  # stem, e.g. "simfoni"; the date and extension are added


_KINDS: dict[str, ExportKind] = {}


def register_export_kind(kind: ExportKind) -> None:
    """Register ``kind``; registering the same key again replaces it (reloads, tests)."""
    if not kind.key or not kind.key.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"export kind key {kind.key!r} must be a slug")
    _KINDS[kind.key] = kind


def export_kind(key: str) -> ExportKind | None:
    return _KINDS.get(key)


def export_kinds() -> list[ExportKind]:
    return list(_KINDS.values())
