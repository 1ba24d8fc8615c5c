"""Every write to a shelter stay: policy, validation, one transaction, timeline events.

Who may write: shelter staff (``RECORD_CARE``) of the UPTD PPA that runs the
shelter, on a case whose team gives them the whereabouts class (the case's
owner or supervisor adds the UPTD PPA, or the staff member, to the team; an
accepted referral does too). A stay never grants access by itself: the case
team stays the one answer to "who sees this child" (docs/care.md).

Two admissions racing for one bed or one child are serialised by row locks
(child first, then bed, always in that order) and, should anything get past
them, refused by the database's partial unique indexes; either way the loser
gets a form error, never a 500. A child whose records were merged is one
child: the check covers every record of the merge group, under the lock of
the group's root (``_lock_child``), since no index can see a merge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kawal.access.catalogue import Capability, DataClass
from kawal.access.policy import may
from kawal.cases.models import Case
from kawal.cases.policy import CaseAccess, case_access
from kawal.cases.services import case_event_add, task_remind
from kawal.core.models import StaleVersion
from kawal.identity.index import root_of
from kawal.people.models import Person
from kawal.shelters.models import (
    ArrivedFrom,
    Bed,
    Belonging,
    DischargeReason,
    Room,
    RoomSex,
    Shelter,
    Stay,
)

WH = DataClass.WHEREABOUTS
# A phone's clock may run a few minutes ahead of the server's.
CLOCK_SLACK = timedelta(minutes=10)
# A stay kept on paper may be typed in later, but not years later.
BACKDATE_LIMIT = timedelta(days=366)
TEMPERATURE_RANGE = (Decimal("30.0"), Decimal("45.0"))
MAX_BELONGINGS = 60
DEFAULT_STAY_LIMIT_DAYS = 30


def stay_limit_days() -> int:
    """Days after which a stay counts as long: ``KAWAL_SHELTER_STAY_LIMIT_DAYS`` (30)."""
    value = getattr(settings, "KAWAL_SHELTER_STAY_LIMIT_DAYS", DEFAULT_STAY_LIMIT_DAYS)
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return DEFAULT_STAY_LIMIT_DAYS


# --- Who may write -------------------------------------------------------------


def runs_shelter(user: Any, shelter: Shelter) -> bool:
    """Shelter staff of the UPTD PPA that runs this shelter."""
    agency_id = getattr(user, "agency_id", None)
    return (
        may(user, Capability.RECORD_CARE)
        and agency_id is not None
        and agency_id == shelter.agency_id
    )


def reads_stay(user: Any, access: CaseAccess | None, shelter: Shelter) -> bool:
    """Whether the user may read a stay of this case in this shelter.

    The case's leads (owner, supervisor) and those on the case who read its
    whereabouts, except two kinds of staff whose part in a case does not call
    for the shelter, room, bed, health check and belongings:

    - shelter staff (``RECORD_CARE``) read only the stays in their own
      agency's shelters: another UPTD PPA's shelter is not theirs to know;
    - institution staff (``CARE_FOR_PLACED``, a licensed LKSA caring for a
      placed child) read none: their whereabouts are the placement's.
    """
    if access is None or not access.can_read(WH):
        return False
    if access.leads:
        return True
    if may(user, Capability.RECORD_CARE):
        return runs_shelter(user, shelter)
    return not may(user, Capability.CARE_FOR_PLACED)


def staff_access(user: Any, case: Case, shelter: Shelter) -> CaseAccess:
    """The user's access to the case, if they may record a stay of it in this shelter."""
    if not runs_shelter(user, shelter):
        raise PermissionDenied
    access = case_access(user, case)
    if access is None or not access.can_write(WH):
        raise PermissionDenied
    return access


# --- What a room accepts --------------------------------------------------------


@dataclass(frozen=True)
class Fit:
    """How a child fits a room: refused (the sexes never share a room), outside its
    ages (allowed with a reason), and what could not be checked."""

    refusals: tuple[str, ...] = ()
    outside_ages: bool = False
    unchecked: tuple[str, ...] = ()


def child_age_range(child: Person, on: date) -> tuple[int | None, int | None]:
    """The child's age on a day: exact from a birth date, else the estimated range."""
    if child.birth_date is not None:
        age = child.age_on(on)
        return age, age
    if child.age_min is not None:
        return child.age_min, child.age_max if child.age_max is not None else child.age_min
    return None, None


def room_fit(room: Room, child: Person, on: date) -> Fit:
    refusals: list[str] = []
    unchecked: list[str] = []
    if room.accepts_sex:
        if not child.sex:
            unchecked.append(_("The child's sex is not recorded: make sure the room is right."))
        elif child.sex != room.accepts_sex:
            refusals.append(
                _("This room is for girls only: choose a bed in another room.")
                if room.accepts_sex == RoomSex.FEMALE
                else _("This room is for boys only: choose a bed in another room.")
            )
    low, high = child_age_range(child, on)
    outside = False
    if low is None or high is None:
        unchecked.append(_("The child's age is not recorded: make sure the room is right."))
    else:
        # An estimated age fits when any age of its range fits.
        outside = high < room.age_min or low > room.age_max
    return Fit(tuple(refusals), outside, tuple(unchecked))


def _require_fit(room: Room, child: Person, at: datetime, age_exception: str) -> Fit:
    fit = room_fit(room, child, timezone.localdate(at))
    if fit.refusals:
        raise ValidationError({"bed": list(fit.refusals)})
    if fit.outside_ages and not age_exception.strip():
        low, high = child_age_range(child, timezone.localdate(at))
        raise ValidationError(
            {
                "age_exception": _(
                    "This room is for ages %(youngest)s-%(oldest)s and the child is "
                    "%(age)s. Choose a bed in another room, or say why the child must "
                    "sleep here."
                )
                % {
                    "youngest": room.age_min,
                    "oldest": room.age_max,
                    "age": low if low == high else f"{low}-{high}",
                }
            }
        )
    return fit


# --- Validation ---------------------------------------------------------------


@dataclass
class HealthCheck:
    """The first-night health check: simple findings, read with the stay."""

    temperature: Decimal | None = None
    injuries: str = ""
    illness: str = ""
    needs_doctor: bool = False
    notes: str = ""

    def is_empty(self) -> bool:
        return (
            self.temperature is None
            and not self.injuries.strip()
            and not self.illness.strip()
            and not self.needs_doctor
            and not self.notes.strip()
        )


def _check_health(health: HealthCheck | None) -> None:
    if health is None or health.temperature is None:
        return
    low, high = TEMPERATURE_RANGE
    if not low <= health.temperature <= high:
        raise ValidationError(
            {"temperature": _("Give the temperature in degrees Celsius, between 30 and 45.")}
        )


def _clean_belongings(items: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    cleaned: list[tuple[str, int]] = []
    for description, quantity in items:
        text = " ".join(description.split())
        if not text:
            continue
        if not 1 <= quantity <= 999:
            raise ValidationError(
                {"belongings": _("Give a quantity between 1 and 999 for each item.")}
            )
        cleaned.append((text[:200], quantity))
    if len(cleaned) > MAX_BELONGINGS:
        raise ValidationError({"belongings": _("List at most 60 items; group small things.")})
    return cleaned


def _check_moment(at: datetime, field_name: str) -> None:
    if timezone.is_naive(at):
        raise ValueError("shelter times must be aware datetimes")
    now = timezone.now()
    if at > now + CLOCK_SLACK:
        raise ValidationError({field_name: _("This time has not come yet.")})
    if at < now - BACKDATE_LIMIT:
        raise ValidationError({field_name: _("Give a time within the last year.")})


def _where(bed: Bed) -> dict[str, Any]:
    # The shelter's agency decides which shelter staff may read the line.
    return {
        "shelter": bed.room.shelter.name,
        "room": bed.room.name,
        "bed": bed.label,
        "shelter_agency": bed.room.shelter.agency_id,
    }


def bed_label(bed: Bed) -> str:
    return f"{bed.room.shelter.name} · {bed.room.name} · {bed.label}"


# --- Locks and the database's last word -----------------------------------------


def merge_group(root_id: int) -> list[int]:
    """Every record of one child: the root and the records merged into it, at any depth."""
    group = [root_id]
    frontier = [root_id]
    while frontier:
        frontier = list(
            Person.objects.filter(merged_into_id__in=frontier)
            .exclude(pk__in=group)
            .values_list("pk", flat=True)
        )
        group.extend(frontier)
    return group


def _lock_child(child: Person) -> list[int]:
    """Lock the child's merge group; return its records' ids, the root first.

    Records the identity registry merged are one child, but a stay keeps the
    record it was admitted under (a merge rewrites no stay), so the database's
    one-current-stay-per-child index sees two records and cannot refuse a
    second stay of the child under the other one. This check can, and the
    lock makes it hold: every admission and move of a child locks the row of
    its group's root, and a merge locks the two roots it joins, so whoever
    changes a group waits for whoever checks it. A root read before a merge
    committed is no longer a root once locked: then the new one is locked.
    Child first, then bed, in every service: two writers never wait on each
    other in a circle.
    """
    root = root_of(child)
    while True:
        locked = (
            Person.objects.select_for_update(no_key=True).only("pk", "merged_into").get(pk=root.pk)
        )
        if locked.merged_into_id is None:
            return merge_group(locked.pk)
        root = root_of(locked)


def _lock_bed(bed: Bed) -> Bed:
    return (
        Bed.objects.select_for_update(of=("self",)).select_related("room__shelter").get(pk=bed.pk)
    )


def _require_usable(bed: Bed) -> None:
    if not (bed.is_active and bed.room.is_active and bed.room.shelter.is_active):
        raise ValidationError({"bed": _("This bed is no longer in use. Choose another.")})


def _require_free(
    child_ids: list[int], bed: Bed, at: datetime, *, moving: Stay | None = None
) -> None:
    """The child (under any of its merged records) is not staying elsewhere and the
    bed is free, now and at that time."""
    stays = Stay.objects.all()
    if moving is not None:
        stays = stays.exclude(pk=moving.pk)
    if stays.active().filter(child_id__in=child_ids).exists():
        raise ValidationError(
            {
                "case": _(
                    "This child is already staying in a shelter. "
                    "Discharge or transfer that stay first."
                )
            }
        )
    if stays.active().filter(bed=bed).exists():
        raise ValidationError({"bed": _("This bed is taken. Choose a free bed.")})
    if stays.filter(child_id__in=child_ids, discharged_at__gt=at).exists():
        raise ValidationError(
            {"admitted_at": _("The child was still staying in a shelter at that time.")}
        )
    if stays.filter(bed=bed, discharged_at__gt=at).exists():
        raise ValidationError({"admitted_at": _("Another child slept in this bed at that time.")})


def _insert(stay: Stay) -> None:
    """Save a new stay; a clash the locks did not prevent becomes a form error."""
    try:
        with transaction.atomic():
            stay.save()
    except IntegrityError as exc:
        # Read again what won: the other admission has committed by now.
        if Stay.objects.active().filter(bed_id=stay.bed_id).exists():
            raise ValidationError({"bed": _("This bed is taken. Choose a free bed.")}) from exc
        if Stay.objects.active().filter(child_id=stay.child_id).exists():
            raise ValidationError(
                {"case": _("This child was admitted a moment ago by someone else.")}
            ) from exc
        raise


# --- Admission ----------------------------------------------------------------


@dataclass
class Admission:
    case: Case
    bed: Bed
    admitted_at: datetime
    arrived_from: str
    brought_by: str
    reason: str
    arrived_from_detail: str = ""
    age_exception: str = ""
    health: HealthCheck | None = None
    belongings: list[tuple[str, int]] = field(default_factory=list)


def _check_details(arrived_from: str, brought_by: str, reason: str) -> None:
    errors: dict[str, str] = {}
    if arrived_from not in ArrivedFrom.values:
        errors["arrived_from"] = _("Say where the child came from.")
    if not brought_by.strip():
        errors["brought_by"] = _("Say who brought the child.")
    if not reason.strip():
        errors["reason"] = _("Give the reason for the admission.")
    if errors:
        raise ValidationError(errors)


def _apply_health(stay: Stay, health: HealthCheck, acting_user: Any) -> None:
    stay.temperature = health.temperature
    stay.injuries = health.injuries.strip()
    stay.illness = health.illness.strip()
    stay.needs_doctor = health.needs_doctor
    stay.health_notes = health.notes.strip()
    if stay.health_checked_at is None:
        stay.health_checked_at = timezone.now()
        stay.health_checked_by = acting_user


def stay_admit(admission: Admission, *, acting_user: Any) -> Stay:
    """Admit the child of a case to a free bed of the acting user's shelter."""
    case = admission.case
    shelter = admission.bed.room.shelter
    staff_access(acting_user, case, shelter)
    _check_details(admission.arrived_from, admission.brought_by, admission.reason)
    _check_moment(admission.admitted_at, "admitted_at")
    _check_health(admission.health)
    belongings = _clean_belongings(admission.belongings)
    if case.status == "closed":
        raise ValidationError({"case": _("This case is closed.")})
    with transaction.atomic():
        group = _lock_child(case.child)
        bed = _lock_bed(admission.bed)
        _require_usable(bed)
        _require_free(group, bed, admission.admitted_at)
        _require_fit(bed.room, case.child, admission.admitted_at, admission.age_exception)
        stay = Stay(
            case=case,
            child_id=group[0],
            bed=bed,
            admitted_at=admission.admitted_at,
            began_at=admission.admitted_at,
            arrived_from=admission.arrived_from,
            arrived_from_detail=admission.arrived_from_detail.strip()[:200],
            brought_by=admission.brought_by.strip()[:200],
            admitted_by=acting_user,
            reason=admission.reason.strip(),
            age_exception=admission.age_exception.strip()[:300],
        )
        if admission.health is not None and not admission.health.is_empty():
            _apply_health(stay, admission.health, acting_user)
        _insert(stay)
        Belonging.objects.bulk_create(
            Belonging(stay=stay, description=text, quantity=quantity)
            for text, quantity in belongings
        )
        case_event_add(case, "shelters.admitted", acting_user)
        case_event_add(
            case,
            "shelters.admitted_where",
            acting_user,
            data_class=WH,
            came_from=stay.arrived_from,
            on=timezone.localdate(stay.admitted_at).isoformat(),
            age_exception=bool(stay.age_exception),
            **_where(bed),
        )
    return stay


# --- Corrections and the health check --------------------------------------------


@dataclass
class StayDetails:
    arrived_from: str
    arrived_from_detail: str
    brought_by: str
    reason: str
    health: HealthCheck | None
    belongings: list[tuple[str, int]]


def stay_update(
    stay: Stay, *, expected_version: int, details: StayDetails, acting_user: Any
) -> Stay:
    """Complete or correct what was recorded at admission: the health check, belongings."""
    staff_access(acting_user, stay.case, stay.bed.room.shelter)
    _check_details(details.arrived_from, details.brought_by, details.reason)
    _check_health(details.health)
    belongings = _clean_belongings(details.belongings)
    with transaction.atomic():
        current = Stay.objects.select_for_update().get(pk=stay.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        changed: list[str] = []
        simple = {
            "arrived_from": details.arrived_from,
            "arrived_from_detail": details.arrived_from_detail.strip()[:200],
            "brought_by": details.brought_by.strip()[:200],
            "reason": details.reason.strip(),
        }
        for name, value in simple.items():
            if getattr(current, name) != value:
                setattr(current, name, value)
                changed.append(name)
        health_before = _health_of(current)
        if details.health is not None and not details.health.is_empty():
            _apply_health(current, details.health, acting_user)
        elif current.health_checked_at is not None:
            # Emptied on purpose: the findings go, the fact that a check was made stays.
            _apply_health(current, HealthCheck(), acting_user)
        if _health_of(current) != health_before:
            changed.append("health")
        before = list(current.belongings.values_list("description", "quantity"))
        if before != belongings:
            current.belongings.all().delete()
            Belonging.objects.bulk_create(
                Belonging(stay=current, description=text, quantity=quantity)
                for text, quantity in belongings
            )
            changed.append("belongings")
        if not changed:
            return current
        current.version += 1
        current.save()
        case_event_add(
            current.case,
            "shelters.updated",
            acting_user,
            data_class=WH,
            changed=changed,
            shelter_agency=current.bed.room.shelter.agency_id,
        )
    return current


def _health_of(stay: Stay) -> tuple[Any, ...]:
    return (
        stay.health_checked_at is not None,
        stay.temperature,
        stay.injuries,
        stay.illness,
        stay.needs_doctor,
        stay.health_notes,
    )


# --- Leaving and moving -------------------------------------------------------------


def stay_discharge(
    stay: Stay,
    *,
    expected_version: int,
    at: datetime,
    reason: str,
    destination: str,
    note: str = "",
    acting_user: Any,
) -> Stay:
    """The child leaves the shelter: when, why and where to (the destination is whereabouts)."""
    staff_access(acting_user, stay.case, stay.bed.room.shelter)
    allowed = set(DischargeReason.values) - {DischargeReason.TRANSFER}
    if reason not in allowed:
        raise ValidationError({"reason": _("Choose why the child leaves.")})
    if reason != DischargeReason.LEFT and not destination.strip():
        raise ValidationError({"destination": _("Say where the child goes.")})
    _check_moment(at, "discharged_at")
    with transaction.atomic():
        current = (
            Stay.objects.select_for_update(of=("self",))
            .select_related("bed__room__shelter", "case")
            .get(pk=stay.pk)
        )
        if current.version != expected_version:
            raise StaleVersion(current)
        if current.discharged_at is not None:
            raise ValidationError(_("This stay has already ended."))
        if at < current.admitted_at:
            raise ValidationError(
                {"discharged_at": _("The child cannot leave before being admitted.")}
            )
        current.discharged_at = at
        current.discharge_reason = reason
        current.discharged_to = destination.strip()[:300]
        current.discharge_note = note.strip()
        current.discharged_by = acting_user
        current.version += 1
        current.save()
        case_event_add(current.case, "shelters.discharged", acting_user)
        case_event_add(
            current.case,
            "shelters.discharged_where",
            acting_user,
            data_class=WH,
            reason=reason,
            destination=current.discharged_to,
            days=current.days(),
            **_where(current.bed),
        )
    return current


def stay_transfer(
    stay: Stay,
    *,
    expected_version: int,
    bed: Bed,
    at: datetime,
    reason: str,
    age_exception: str = "",
    acting_user: Any,
) -> Stay:
    """Move a staying child to another bed or shelter: one stay ends, the next begins, linked."""
    staff_access(acting_user, stay.case, stay.bed.room.shelter)
    if not runs_shelter(acting_user, bed.room.shelter):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the move.")})
    _check_moment(at, "moved_at")
    with transaction.atomic():
        group = _lock_child(stay.child)
        current = (
            Stay.objects.select_for_update(of=("self",))
            .select_related("bed__room__shelter", "case__child")
            .get(pk=stay.pk)
        )
        if current.version != expected_version:
            raise StaleVersion(current)
        if current.discharged_at is not None:
            raise ValidationError(_("This stay has already ended."))
        target = _lock_bed(bed)
        _require_usable(target)
        if target.pk == current.bed_id:
            raise ValidationError({"bed": _("The child is already in this bed.")})
        if at < current.admitted_at:
            raise ValidationError({"moved_at": _("The move cannot be before the admission.")})
        try:
            _require_free(group, target, at, moving=current)
        except ValidationError as error:
            # The time on this form is called "moved at".
            raise ValidationError(
                {
                    ("moved_at" if k == "admitted_at" else k): v
                    for k, v in error.message_dict.items()
                }
            ) from error
        _require_fit(target.room, current.case.child, at, age_exception)
        old_bed = current.bed
        current.discharged_at = at
        current.discharge_reason = DischargeReason.TRANSFER
        current.discharged_to = bed_label(target)[:300]
        current.discharged_by = acting_user
        current.version += 1
        current.save()
        moved = Stay(
            case=current.case,
            child_id=current.child_id,
            bed=target,
            admitted_at=at,
            began_at=current.began_at,
            arrived_from=ArrivedFrom.OTHER_SHELTER,
            arrived_from_detail=bed_label(old_bed)[:200],
            brought_by=(acting_user.get_full_name() or acting_user.get_username())[:200],
            admitted_by=acting_user,
            reason=reason.strip(),
            age_exception=age_exception.strip()[:300],
            previous=current,
        )
        _insert(moved)
        Belonging.objects.bulk_create(
            Belonging(stay=moved, description=item.description, quantity=item.quantity)
            for item in current.belongings.all()
        )
        case_event_add(current.case, "shelters.transferred", acting_user)
        case_event_add(
            current.case,
            "shelters.transferred_where",
            acting_user,
            data_class=WH,
            before=bed_label(old_bed),
            after=bed_label(target),
            shelter_agency=target.room.shelter.agency_id,
            from_agency=old_bed.room.shelter.agency_id,
        )
    return moved


# --- Reminders ------------------------------------------------------------------------


def stay_long_reminders(today: date, lead_days: int | None = None) -> int:
    """Reminder rule ``shelters.long_stay``: a task for the case manager once a child
    has been in the shelters longer than the limit; once per continuous stay."""
    limit = stay_limit_days()
    # More than ``limit`` days on ``today`` means coming in before this midnight.
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=limit), time.min))
    stays = (
        Stay.objects.active()
        .filter(began_at__lt=cutoff)
        .select_related("case__owner")
        .order_by("began_at", "pk")
    )
    # Task titles are basic: they name what is due, never the child or the place.
    with override(settings.LANGUAGE_CODE):
        title = _("Shelter stay longer than %(days)s days: plan the next step") % {"days": limit}
    made = 0
    for stay in stays:
        began = timezone.localdate(stay.began_at)
        _task, created = task_remind(
            stay.case,
            # One reminder per continuous stay (transfers keep ``began_at``).
            key=f"shelters.long_stay:{stay.child_id}:{int(stay.began_at.timestamp())}",
            title=title,
            assignee=stay.case.owner,
            due_on=began + timedelta(days=limit + 1),
        )
        made += int(created)
    return made
