"""The columns of the case list and of "my tasks": tables on a desk, cards on a phone.

Sorting is done by the server, from a whitelist (``kawal.web.sorting``); a
column is sortable only if sorting by it reveals nothing the row does not
show (never the child's name: some rows show initials only).
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import Capability
from kawal.access.policy import may
from kawal.web.sorting import Column

CASE_COLUMNS = [
    Column(_("Case number"), "number"),
    Column(_("Child")),
    Column(_("Status"), "status"),
    Column(_("Risk"), "risk", first="desc"),
    Column(_("Opened"), "opened_on", first="desc", css="num"),
    Column(_("Overdue tasks"), "overdue", first="desc", css="num"),
    Column(_("Owner"), "owner"),
]

TASK_COLUMNS = [
    Column(_("Task"), "title"),
    Column(_("Case"), "case"),
    Column(_("Due"), "due", css="num"),
    Column(_("Done?")),
]
TASK_DEFAULT_SORT = "due"


def export_url(user: Any, query: str) -> str | None:
    """The "export this list" link: for exporters only, once the exports app serves it."""
    if not may(user, Capability.EXPORT_CASE_DATA):
        return None
    try:
        url = reverse("exports:request", kwargs={"kind": "case_list"})
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url
