"""The "case_list" export: the case list, with the list's filters, as a file.

The filters are the case list's own (``kawal.cases.selectors.CaseFilters``,
read from the same query string as ``cases:list``), so the list's "Export
this list" link exports exactly the cases the list shows, all pages of it.

Children appear by initials and age, as on the list for those who may not
see identity. With ``names=1`` the file names the child (and their home
kelurahan) on each case whose identity the requester may read there, and
initials elsewhere; what emergency (break-glass) access gives is never
exported; such a file is identifiable and needs a supervisor's
approval whatever its size (``services.needs_approval``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kawal.access.catalogue import Capability, DataClass
from kawal.access.policy import may, reads_identity
from kawal.cases import selectors as case_selectors
from kawal.cases.models import Case, CaseClassification
from kawal.cases.policy import case_access_bulk
from kawal.exports.registry import ExportKind, ExportTable
from kawal.exports.selectors import export_access

KEY = "case_list"


def _cases(user: Any, params: Mapping[str, str]) -> QuerySet[Case]:
    """The list's own query (``cases:list``), all its pages, with what the file shows."""
    filters = case_selectors.case_filters_from(params)
    return (
        case_selectors.case_list_queryset(user, filters)
        .select_related("child__kelurahan")
        .prefetch_related(
            Prefetch("classifications", queryset=CaseClassification.objects.order_by("id"))
        )
    )


def build(user: Any, params: Mapping[str, str]) -> ExportTable:
    names = params.get("names") == "1" and reads_identity(user)
    cases = list(_cases(user, params))
    accesses = case_access_bulk(user, cases)
    headers = [
        _("Case number"),
        _("Status"),
        _("Risk"),
        _("Opened on"),
        _("Child"),
        _("Age"),
    ]
    if names:
        headers += [_("Sex"), _("Kelurahan")]
    headers += [_("Forms of exploitation"), _("Case manager"), _("Overdue tasks")]
    rows: list[list[Any]] = []
    ids: list[int] = []
    classes = {DataClass.BASIC}
    for case in cases:
        # Cases seen through emergency access only are left out (never copied).
        access = export_access(accesses.get(case.pk))
        if access is None:
            continue
        child = case.child
        named = names and access.sees_identity
        row: list[Any] = [
            case.number,
            case.get_status_display(),
            case.get_risk_level_display(),
            case.opened_on,
            child.full_name if named else child.initials,
            child.age_label,
        ]
        if names:
            row += [
                child.get_sex_display() if named else "",
                (child.kelurahan.name if child.kelurahan_id else "") if named else "",
            ]
            if named:
                classes.add(DataClass.IDENTITY)
        row += [
            "; ".join(str(item.get_form_display()) for item in case.classifications.all()),
            str(case.owner),
            getattr(case, "overdue_tasks", 0),
        ]
        rows.append(row)
        ids.append(case.pk)
    return ExportTable(
        headers=headers, rows=rows, data_classes=frozenset(classes), case_ids=tuple(ids)
    )


def allowed(user: Any) -> bool:
    return may(user, Capability.EXPORT_CASE_DATA)


KIND = ExportKind(
    key=KEY,
    label=gettext_lazy("Case list"),
    allowed=allowed,
    build=build,
    filename="daftar-kasus",
)
