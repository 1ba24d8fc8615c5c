"""The case file's one extension point: what apps above ``cases`` add to a case.

``cases`` knows nothing of the domains that build on it (reports, outreach,
care, families, placement ...). Each of them registers, in its
``AppConfig.ready()``, what it contributes:

- ``CaseSection``: a card on the case page, drawn from the app's own selector;
- ``TimelineKind``: how the app's events read on the case timeline;
- ``OpeningSource``: something a case can be opened from (a report, a child
  found on outreach), with what it pre-fills and what happens when the case
  is opened;
- ``ReminderRule``: a daily rule that creates reminder tasks on cases
  (through ``cases.services.task_remind``) or notifications, run by
  ``kawal run_reminders`` (the ``reminders`` app).

The case page, the timeline and case opening ask this registry and nothing
else, so adding a domain never edits ``cases``. The registry is explicit and
typed (one small dataclass per contribution), not signals: the order is
declared, and a missing or duplicate key fails at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from kawal.access.catalogue import DataClass

if TYPE_CHECKING:
    from django.http import HttpRequest

    from kawal.cases.models import Case
    from kawal.cases.policy import CaseAccess


@dataclass(frozen=True)
class CaseSection:
    """A card an app adds to the case page.

    ``data_class`` is what the card shows at least: it is built only for users
    who may read that class on the case. ``context`` is the app's selector: it
    returns the template's context, or None when there is nothing to show
    (the card is then left out). The page's access-log row already covers
    every class the viewer may read, so a section never logs on its own.
    ``slot`` is "summary" for a line in the case's heading card, "main" for
    a card of its own; ``order`` places it among the others of its slot.
    """

    key: str
    order: int
    template: str
    data_class: DataClass
    context: Callable[[HttpRequest, Case, CaseAccess], Mapping[str, Any] | None]
    slot: str = "main"


def _shown_to_class_readers(user: Any, access: CaseAccess, payload: Mapping[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class TimelineKind:
    """How one kind of case event reads; ``describe`` gets the payload and the
    classes the viewer may read (an event row itself is already filtered by
    its data class). ``shown_to`` narrows who sees the event further, for an
    app whose rule is finer than a data class (a shelter's name is
    whereabouts, but not for staff of another shelter)."""

    kind: str
    describe: Callable[[Mapping[str, Any], Mapping[str, bool]], str | Promise]
    shown_to: Callable[[Any, CaseAccess, Mapping[str, Any]], bool] = _shown_to_class_readers


def _no_child(obj: Any) -> None:
    return None


def _no_fields(obj: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class OpeningSource:
    """Something a case can be opened from.

    ``field`` is the hidden form field (and ``param`` the link parameter)
    carrying the source's uuid. ``find`` returns the object the user may open
    a case from, or None. ``initial`` pre-fills the opening form (and logs a
    name it shows). ``child`` is the record the new case completes, when the
    source already registered the child. ``case_fields`` are set on the new
    case; ``opened`` runs inside the opening transaction. ``attached``, when
    given, runs instead in the transaction that adds the source to the
    child's open case (the child was known and already had one), so that
    the source does not stay apart for want of a second case.
    """

    key: str
    order: int
    field: str
    param: str
    find: Callable[[Any, str], Any]
    gone_message: str | Promise
    banner_template: str
    initial: Callable[[HttpRequest, Any], dict[str, Any]]
    opened: Callable[[Any, Case, Any], None]
    child: Callable[[Any], Any] = _no_child
    case_fields: Callable[[Any], dict[str, Any]] = _no_fields
    attached: Callable[[Any, Case, Any], None] | None = None


@dataclass(frozen=True)
class Origin:
    """An opening source and the object a case is being opened from."""

    source: OpeningSource
    obj: Any


def registered_children(origins: list[Origin]) -> list[Any]:
    """The child records the origins registered already (a child found in the street)."""
    return [child for o in origins if (child := o.source.child(o.obj)) is not None]


def attachable(origins: list[Origin]) -> bool:
    """Whether what the case is opened from can be added to an open case instead."""
    return bool(origins) and all(o.source.attached is not None for o in origins)


@dataclass(frozen=True)
class ReminderRule:
    """A daily rule of an app: ``run(today, lead_days)`` creates the reminders
    due that day (tasks through ``task_remind``, or notifications; idempotent
    by their keys) and returns how many were new.

    ``default_lead_days`` is for a rule that looks ahead (or back) a number of
    days: how far, unless an administrator set another number in the
    configuration console (``kawal.reminders``). ``run`` then receives the
    effective number; a rule without one (None) receives None.
    ``lead_help`` says what the number means for this rule.
    """

    key: str
    label: str | Promise
    run: Callable[[date, int | None], int]
    default_lead_days: int | None = None
    lead_help: str | Promise = ""


_SECTIONS: dict[str, CaseSection] = {}
_TIMELINE: dict[str, TimelineKind] = {}
_SOURCES: dict[str, OpeningSource] = {}
_REMINDERS: dict[str, ReminderRule] = {}


def _add(registry: dict[str, Any], key: str, item: Any) -> None:
    if key in registry and registry[key] != item:
        raise ValueError(f"{key!r} is registered twice on the case file")
    registry[key] = item


def register_section(section: CaseSection) -> None:
    if section.slot not in ("summary", "main"):
        raise ValueError(f"unknown case page slot {section.slot!r}")
    _add(_SECTIONS, section.key, section)


def register_timeline_kind(kind: TimelineKind) -> None:
    _add(_TIMELINE, kind.kind, kind)


def register_opening_source(source: OpeningSource) -> None:
    _add(_SOURCES, source.key, source)


def register_reminder_rule(rule: ReminderRule) -> None:
    _add(_REMINDERS, rule.key, rule)


def reminder_rules() -> list[ReminderRule]:
    return sorted(_REMINDERS.values(), key=lambda rule: rule.key)


def case_sections(slot: str) -> list[CaseSection]:
    return sorted((s for s in _SECTIONS.values() if s.slot == slot), key=lambda s: (s.order, s.key))


def timeline_kind(kind: str) -> TimelineKind | None:
    return _TIMELINE.get(kind)


def opening_sources() -> list[OpeningSource]:
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.key))


def origin_of(key: str, obj: Any) -> Origin:
    """The origin of a case opened from ``obj`` through the source ``key``."""
    return Origin(_SOURCES[key], obj)


@dataclass(frozen=True)
class RenderedSection:
    section: CaseSection
    context: Mapping[str, Any]


def sections_for(
    request: HttpRequest, case: Case, access: CaseAccess, slot: str
) -> list[RenderedSection]:
    """The registered cards of one slot that this viewer may see, with their context."""
    rendered = []
    for section in case_sections(slot):
        if not access.can_read(section.data_class):
            continue
        context = section.context(request, case, access)
        if context:
            rendered.append(RenderedSection(section, context))
    return rendered
