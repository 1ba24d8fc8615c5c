"""What the parent programme adds to the case file, registered from ``FamiliesConfig.ready()``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kawal.access.catalogue import DataClass
from kawal.cases.extensions import (
    CaseSection,
    ReminderRule,
    TimelineKind,
    register_reminder_rule,
    register_section,
    register_timeline_kind,
)
from kawal.families.models import (
    RtConfirmation,
    SessionKind,
    SessionStatus,
    SupportKind,
    SupportOutcome,
)
from kawal.families.reminders import HOME_VISIT_OVERDUE, home_visit_overdue
from kawal.families.selectors import case_programme_section, case_readiness_section
from kawal.people.models import Relation

Describe = Callable[[Mapping[str, Any], Mapping[str, bool]], str]


def _day(value: Any) -> str:
    try:
        return date_format(date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return ""


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _fixed(label: str) -> Describe:
    def describe(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
        return _(label)

    return describe


def _parent_enrolled(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Parent joined the parent programme: %(relation)s") % {
        "relation": _label(Relation, payload.get("relation"))
    }


def _session_recorded(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("%(kind)s session recorded: %(day)s, %(status)s") % {
        "kind": _label(SessionKind, payload.get("session_kind")),
        "day": _day(payload.get("held_on")),
        "status": _label(SessionStatus, payload.get("status")).lower(),
    }


def _session_updated(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("%(kind)s session of %(day)s updated: %(status)s") % {
        "kind": _label(SessionKind, payload.get("session_kind")),
        "day": _day(payload.get("held_on")),
        "status": _label(SessionStatus, payload.get("status")).lower(),
    }


def _visit_recorded(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    found = _("home found safe") if payload.get("found_safe") else _("home found unsafe")
    return _("Home visit on %(day)s: %(found)s") % {
        "day": _day(payload.get("visited_on")),
        "found": found,
    }


def _visit_confirmed(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("RT head answered on the home visit of %(day)s: %(outcome)s") % {
        "day": _day(payload.get("visited_on")),
        "outcome": _label(RtConfirmation, payload.get("outcome")),
    }


def _undertaking(label: str) -> Describe:
    def describe(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
        return _(label) % {"day": _day(payload.get("on") or payload.get("signed_on"))}

    return describe


def _support_referred(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Family referred for support: %(kind)s") % {
        "kind": _label(SupportKind, payload.get("support"))
    }


def _support_outcome(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Support referral %(kind)s: %(outcome)s") % {
        "kind": _label(SupportKind, payload.get("support")),
        "outcome": _label(SupportOutcome, payload.get("outcome")).lower(),
    }


# Labels are marked for extraction here and translated when an event is shown.
gettext_lazy("Parent programme started")
gettext_lazy("Parent programme changed")
gettext_lazy("Parent programme closed")
gettext_lazy("Undertaking signed on %(day)s")
gettext_lazy("Undertaking kept (%(day)s)")
gettext_lazy("Undertaking broken (%(day)s)")

# Built once, so that registering again (a second ``ready()``) registers the same objects.
TIMELINE_KINDS: dict[str, Describe] = {
    "families.programme_started": _fixed("Parent programme started"),
    "families.programme_updated": _fixed("Parent programme changed"),
    "families.programme_closed": _fixed("Parent programme closed"),
    "families.parent_enrolled": _parent_enrolled,
    "families.session_recorded": _session_recorded,
    "families.session_updated": _session_updated,
    "families.visit_recorded": _visit_recorded,
    "families.visit_confirmed": _visit_confirmed,
    "families.undertaking_signed": _undertaking("Undertaking signed on %(day)s"),
    "families.undertaking_kept": _undertaking("Undertaking kept (%(day)s)"),
    "families.undertaking_broken": _undertaking("Undertaking broken (%(day)s)"),
    "families.support_referred": _support_referred,
    "families.support_outcome": _support_outcome,
}
SECTIONS = (
    CaseSection(
        key="families.programme",
        order=60,
        template="families/case_programme.html",
        data_class=DataClass.PROGRESS,
        context=case_programme_section,
    ),
    CaseSection(
        key="families.readiness",
        order=61,
        template="families/case_readiness.html",
        data_class=DataClass.PROGRESS,
        context=case_readiness_section,
    ),
)
REMINDER = ReminderRule(
    HOME_VISIT_OVERDUE,
    gettext_lazy("Overdue home visits of parent programmes"),
    home_visit_overdue,
)


def register() -> None:
    for section in SECTIONS:
        register_section(section)
    for kind, describe in TIMELINE_KINDS.items():
        register_timeline_kind(TimelineKind(kind, describe))
    register_reminder_rule(REMINDER)
