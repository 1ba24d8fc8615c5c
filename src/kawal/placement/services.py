"""Every write to placement decisions and placements: policy, validation, one transaction.

Who decides: a Dinas Sosial social worker (``MANAGE_PLACEMENT``) who writes
the case's whereabouts (on its team or through an accepted referral). Who
overrides a soft rule: the case's supervisor (``CaseAccess.approves``), never
the person who prepared the decision. Nobody overrides a hard rule: a decision
that fails one is stored as refused, with the rules as evaluated, and places
no child.

A child has one active placement: the database's partial unique index says
so, and every commit locks the child's record (the root of its merge group)
first, so two decisions racing for one child are served one after the other
and the second is refused with a form error, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from kawal.access.catalogue import DataClass
from kawal.cases.models import Case, CaseStatus
from kawal.cases.policy import CaseAccess, case_access
from kawal.cases.services import case_event_add, reminders_resolve, task_remind
from kawal.core.models import StaleVersion
from kawal.core.uploads import UploadRejected, clean_upload, store_private
from kawal.families.selectors import reunification_readiness
from kawal.identity.index import root_of
from kawal.institutions.models import Institution
from kawal.people.models import Person
from kawal.placement import rules
from kawal.placement.models import (
    TYPE_OF_KIND,
    ContactFrequency,
    ContactSupervision,
    DecisionStatus,
    ExitReason,
    Placement,
    PlacementDecision,
    PlacementType,
    RestrictionBasis,
)
from kawal.placement.selectors import manages_placement

WH = DataClass.WHEREABOUTS
AGREEMENT_ROOT = "placement-agreements"
BACKDATE_LIMIT = timedelta(days=366)
START_AHEAD_LIMIT = timedelta(days=60)
MAX_DISTANCE_TENTHS = 5000


class PreviewChanged(Exception):
    """The rules give another result than the preview the user saw: show it again."""

    def __init__(self, verdict: rules.Verdict) -> None:
        super().__init__("the rules changed since the preview")
        self.verdict = verdict


class OverrideReasonsMissing(ValidationError):
    """A soft rule asking for a reason has none; ``rules_asking`` lists every soft
    rule failing now (the re-check may find one the preview did not), so the
    form can offer a reason field for each."""

    def __init__(self, message: Any, *, rules_asking: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.rules_asking = rules_asking


# --- Policy -------------------------------------------------------------------------


def _preparer(user: Any, case: Case) -> CaseAccess:
    access = case_access(user, case)
    if access is None or not manages_placement(user, access):
        raise PermissionDenied
    return access


def may_override(user: Any, decision: PlacementDecision) -> bool:
    """The case's supervisor, who did not prepare the decision."""
    access = case_access(user, decision.case)
    return (
        access is not None
        and access.approves
        and access.can_write(WH)
        and user.pk != decision.decided_by_id
    )


# --- The draft ------------------------------------------------------------------------


@dataclass
class DecisionDraft:
    """What the decision form gives; ``transfer_from`` makes it a transfer."""

    case: Case
    institution: Institution
    decided_on: date
    starts_on: date
    document_number: str = ""
    document_date: date | None = None
    conference_participants: str = ""
    child_views: str = ""
    placement_type: str = ""
    last_resort_parents: str = ""
    last_resort_kinship: str = ""
    last_resort_foster: str = ""
    religion_respect: str = ""
    temporary_until: date | None = None
    contact_frequency: str = ""
    contact_supervision: str = ""
    contact_restriction: str = ""
    court_order_reference: str = ""
    contact_note: str = ""
    care_allergies: str = ""
    care_health_needs: str = ""
    school_distance_tenths_km: int | None = None
    agreement_signed_on: date | None = None
    transfer_from: Placement | None = None


def _text(value: str) -> str:
    return (value or "").strip()


def _child_of(case: Case) -> Person:
    return root_of(case.child)


def facts_of(draft: DecisionDraft, child: Person | None = None, *, viewer: Any) -> rules.Facts:
    return rules.Facts(
        case=draft.case,
        child=child if child is not None else _child_of(draft.case),
        institution=draft.institution,
        decided_on=draft.decided_on,
        starts_on=draft.starts_on,
        last_resort_parents=draft.last_resort_parents,
        last_resort_kinship=draft.last_resort_kinship,
        last_resort_foster=draft.last_resort_foster,
        school_distance_tenths_km=draft.school_distance_tenths_km,
        contact_frequency=draft.contact_frequency,
        contact_supervision=draft.contact_supervision,
        contact_restriction=draft.contact_restriction,
        religion_respect=draft.religion_respect,
        transfer_from=draft.transfer_from,
        viewer=viewer,
    )


def _facts_of_decision(decision: PlacementDecision, child: Person, *, viewer: Any) -> rules.Facts:
    return rules.Facts(
        case=decision.case,
        child=child,
        institution=Institution.objects.get(pk=decision.institution_id),
        decided_on=decision.decided_on,
        starts_on=decision.starts_on,
        last_resort_parents=decision.last_resort_parents,
        last_resort_kinship=decision.last_resort_kinship,
        last_resort_foster=decision.last_resort_foster,
        school_distance_tenths_km=decision.school_distance_tenths_km,
        contact_frequency=decision.contact_frequency,
        contact_supervision=decision.contact_supervision,
        contact_restriction=decision.contact_restriction,
        religion_respect=decision.religion_respect,
        transfer_from=decision.transfer_from,
        viewer=viewer,
    )


def _validate(draft: DecisionDraft) -> DecisionDraft:
    """Check the form's facts (not the rules) and return the draft cleaned."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if draft.case.status == CaseStatus.CLOSED:
        add("__all__", _("This case is closed."))
    if not _text(draft.document_number):
        add("document_number", _("Give the number of the SK or berita acara."))
    if draft.document_date is None:
        add("document_date", _("Give the date of the SK or berita acara."))
    elif draft.document_date > today:
        add("document_date", _("This date has not come yet."))
    if draft.decided_on > today:
        add("decided_on", _("This date has not come yet."))
    elif draft.decided_on < today - BACKDATE_LIMIT:
        add("decided_on", _("Give a date within the last year."))
    if draft.starts_on < draft.decided_on:
        add("starts_on", _("A placement starts on or after the day it is decided."))
    elif draft.starts_on > today + START_AHEAD_LIMIT:
        add("starts_on", _("A placement starts within 60 days."))
    if not _text(draft.conference_participants):
        add("conference_participants", _("List who took part in the case conference."))
    if not _text(draft.child_views):
        add("child_views", _("Record what the child said about the placement."))
    if draft.placement_type and draft.placement_type not in PlacementType.values:
        add("placement_type", _("Choose a placement type from the list."))
    if draft.temporary_until is not None and draft.temporary_until <= draft.starts_on:
        add("temporary_until", _("A temporary placement ends after it starts."))
    if draft.contact_frequency and draft.contact_frequency not in ContactFrequency.values:
        add("contact_frequency", _("Choose from the list."))
    if draft.contact_supervision and draft.contact_supervision not in ContactSupervision.values:
        add("contact_supervision", _("Choose from the list."))
    if draft.contact_restriction not in RestrictionBasis.values:
        add("contact_restriction", _("Choose from the list."))
    if draft.contact_restriction == RestrictionBasis.COURT_ORDER and not _text(
        draft.court_order_reference
    ):
        add("court_order_reference", _("Give the court order's reference."))
    if draft.contact_restriction and not _text(draft.contact_note):
        add("contact_note", _("Say how contact is restricted and why."))
    if draft.school_distance_tenths_km is not None and not (
        0 <= draft.school_distance_tenths_km <= MAX_DISTANCE_TENTHS
    ):
        add("school_distance_km", _("Give the distance in km, between 0 and 500."))
    if draft.agreement_signed_on is not None and draft.agreement_signed_on > today:
        add("agreement_signed_on", _("This date has not come yet."))
    previous = draft.transfer_from
    if previous is not None:
        if previous.case_id != draft.case.pk or not previous.is_active:
            add("__all__", _("This placement has ended; it cannot be transferred."))
        elif previous.institution_id == draft.institution.pk:
            add("institution", _("Choose another institution than the current one."))
        elif draft.starts_on <= previous.started_on:
            add("starts_on", _("A transfer starts after the current placement began."))
    if errors:
        raise ValidationError(errors)
    return replace(
        draft,
        placement_type=draft.placement_type
        or TYPE_OF_KIND.get(draft.institution.kind, PlacementType.OTHER),
    )


def decision_preview(draft: DecisionDraft, *, acting_user: Any) -> rules.Verdict:
    """Every rule's result for this draft, before anything is written."""
    _preparer(acting_user, draft.case)
    draft = _validate(draft)
    return rules.verdict(facts_of(draft, viewer=acting_user))


# --- Locks ----------------------------------------------------------------------------


def _merge_group(root_id: int) -> list[int]:
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


def _lock_child(child: Person) -> tuple[Person, list[int]]:
    """Lock the root of the child's merge group; return it and the group's ids.

    Every commit and exit of a placement locks this row first, so two
    decisions for one child (under any of its merged records) never interleave.
    """
    root = root_of(child)
    while True:
        locked = Person.objects.select_for_update(no_key=True).get(pk=root.pk)
        if locked.merged_into_id is None:
            return locked, _merge_group(locked.pk)
        root = root_of(locked)


def _require_not_placed(group: list[int], transfer_from: Placement | None) -> None:
    active = Placement.objects.active().filter(child_id__in=group)
    if transfer_from is not None:
        active = active.exclude(pk=transfer_from.pk)
    if active.exists():
        raise ValidationError(
            _("This child is already placed. End or transfer that placement first.")
        )


def _insert(placement: Placement) -> None:
    try:
        with transaction.atomic():
            placement.save()
    except IntegrityError as exc:
        raise ValidationError(_("This child was placed a moment ago by someone else.")) from exc


# --- Commit ------------------------------------------------------------------------------


def _store_agreement(decision: PlacementDecision, upload: UploadedFile) -> None:
    try:
        clean = clean_upload(upload, max_bytes=settings.KAWAL_ATTACHMENT_MAX_MB * 1024 * 1024)
    except UploadRejected as rejected:
        raise ValidationError({"agreement": rejected.messages}) from rejected
    decision.agreement_file = store_private(
        clean, root=settings.KAWAL_PRIVATE_MEDIA_ROOT / AGREEMENT_ROOT
    )
    decision.agreement_name = clean.original_name[:150]
    decision.agreement_content_type = clean.content_type
    decision.agreement_size = clean.size
    decision.agreement_sha256 = clean.sha256


def decision_commit(
    draft: DecisionDraft,
    *,
    upload: UploadedFile | None,
    fingerprint: str | None,
    acting_user: Any,
) -> PlacementDecision:
    """Record the decision with the rules as evaluated now, and place the child if they pass.

    - a hard rule fails: stored as refused, no placement (the agreement is optional);
    - a soft rule asks for an override: stored as waiting, a task for the case's
      supervisor;
    - all pass: the placement is made.
    ``fingerprint`` is the preview the user saw: if the rules now say something
    else, ``PreviewChanged`` carries the new verdict and nothing is written.
    """
    _preparer(acting_user, draft.case)
    draft = _validate(draft)
    if draft.document_date is None:  # _validate refuses it; for the type checker
        raise ValidationError({"document_date": _("Give the date of the SK or berita acara.")})
    with transaction.atomic():
        child, group = _lock_child(draft.case.child)
        verdict = rules.verdict(facts_of(draft, child, viewer=acting_user))
        if fingerprint is not None and fingerprint != verdict.fingerprint():
            raise PreviewChanged(verdict)
        if not verdict.refused:
            _require_not_placed(group, draft.transfer_from)
            if upload is None:
                raise ValidationError(
                    {
                        "agreement": _(
                            "Attach the agreement signed by the child, the parent or "
                            "guardian and the institution."
                        )
                    }
                )
            if draft.agreement_signed_on is None:
                raise ValidationError({"agreement_signed_on": _("Give the date it was signed.")})
        decision = PlacementDecision(
            case=draft.case,
            child=child,
            institution=draft.institution,
            placement_type=draft.placement_type,
            transfer_from=draft.transfer_from,
            decided_by=acting_user,
            decided_on=draft.decided_on,
            starts_on=draft.starts_on,
            document_number=_text(draft.document_number)[:100],
            document_date=draft.document_date,
            conference_participants=_text(draft.conference_participants),
            child_views=_text(draft.child_views),
            last_resort_parents=_text(draft.last_resort_parents),
            last_resort_kinship=_text(draft.last_resort_kinship),
            last_resort_foster=_text(draft.last_resort_foster),
            religion_respect=_text(draft.religion_respect),
            temporary_until=draft.temporary_until,
            contact_frequency=draft.contact_frequency,
            contact_supervision=draft.contact_supervision,
            contact_restriction=draft.contact_restriction,
            court_order_reference=_text(draft.court_order_reference)[:120],
            contact_note=_text(draft.contact_note),
            care_allergies=_text(draft.care_allergies),
            care_health_needs=_text(draft.care_health_needs),
            school_distance_tenths_km=draft.school_distance_tenths_km,
            agreement_signed_on=draft.agreement_signed_on,
            rule_results=verdict.snapshot(),
        )
        if upload is not None:
            _store_agreement(decision, upload)
        if verdict.refused:
            decision.status = DecisionStatus.REFUSED
            decision.save()
        elif verdict.needs_override:
            decision.status = DecisionStatus.AWAITING_OVERRIDE
            decision.save()
            _ask_supervisor(decision)
        else:
            decision.status = DecisionStatus.PLACED
            decision.save()
            _place(decision, acting_user)
        _decided_events(decision, verdict, acting_user)
    return decision


def _ask_supervisor(decision: PlacementDecision) -> None:
    case = decision.case
    with override(settings.LANGUAGE_CODE):
        title = _("Placement decision waits for your override")
    task_remind(
        case,
        key=f"placement.override:{decision.uuid}",
        title=title,
        assignee=case.supervisor,
        due_on=timezone.localdate(),
    )


def _place(decision: PlacementDecision, acting_user: Any) -> Placement:
    """Make the placement of a decision that passed (or was overridden); in its transaction."""
    previous = decision.transfer_from
    if previous is not None:
        current = Placement.objects.select_for_update().get(pk=previous.pk)
        if not current.is_active:
            raise ValidationError(_("This placement has ended; it cannot be transferred."))
        # The last day at the old institution is the day before the new one.
        current.ended_on = decision.starts_on - timedelta(days=1)
        current.exit_reason = ExitReason.TRANSFER
        current.ended_by = acting_user
        current.version += 1
        current.save()
        reminders_resolve(decision.case, key_prefix=f"placement.temporary:{current.uuid}")
        case_event_add(decision.case, "placement.transferred", acting_user)
    placement = Placement(
        case=decision.case,
        child=decision.child,
        institution=decision.institution,
        started_on=decision.starts_on,
        temporary_until=decision.temporary_until,
        previous=previous,
        placed_by=decision.decided_by,
    )
    _insert(placement)
    decision.placement = placement
    decision.save(update_fields=["placement", "updated_at"])
    if placement.temporary_until is not None:
        with override(settings.LANGUAGE_CODE):
            title = _("Temporary placement ends: decide the next step")
        task_remind(
            decision.case,
            key=f"placement.temporary:{placement.uuid}",
            title=title,
            assignee=decision.decided_by,
            due_on=placement.temporary_until,
        )
    return placement


def _failed_codes(verdict: rules.Verdict) -> list[str]:
    return [r.code for r in verdict.results if not r.passed]


def _decided_events(decision: PlacementDecision, verdict: rules.Verdict, acting_user: Any) -> None:
    # The basic line says that a decision was taken; where, and which rules
    # failed (a religion refusal tells the child's religion), is whereabouts.
    case_event_add(decision.case, "placement.decided", acting_user, status=decision.status)
    case_event_add(
        decision.case,
        "placement.decided_where",
        acting_user,
        data_class=WH,
        status=decision.status,
        institution=decision.institution.name,
        institution_agency=decision.institution.agency_id,
        failed=_failed_codes(verdict),
        transfer=decision.transfer_from_id is not None,
    )


# --- The supervisor's part -----------------------------------------------------------


def _settle_lock(decision: PlacementDecision, expected_version: int) -> PlacementDecision:
    current = PlacementDecision.objects.select_for_update().get(pk=decision.pk)
    if current.version != expected_version:
        raise StaleVersion(current)
    if current.status != DecisionStatus.AWAITING_OVERRIDE:
        raise ValidationError(_("This decision is no longer waiting for an override."))
    return current


def decision_override(
    decision: PlacementDecision,
    *,
    reasons: dict[str, str],
    expected_version: int,
    acting_user: Any,
) -> PlacementDecision:
    """The supervisor places the child despite soft rules, with a written reason for each.

    The rules are evaluated again first: a hard rule failing now (the last
    place taken meanwhile) refuses the decision, whoever asks.
    """
    if not may_override(acting_user, decision):
        raise PermissionDenied
    with transaction.atomic():
        child, group = _lock_child(decision.case.child)
        current = _settle_lock(decision, expected_version)
        # The commit refuses a closed case; the override, later, must too.
        if Case.objects.filter(pk=current.case_id, status=CaseStatus.CLOSED).exists():
            raise ValidationError(_("This case is closed."))
        # The supervisor sees the siblings with their own eyes, not the preparer's.
        verdict = rules.verdict(_facts_of_decision(current, child, viewer=acting_user))
        current.rule_results = verdict.snapshot()
        current.settled_by = acting_user
        current.settled_at = timezone.now()
        current.version += 1
        if verdict.refused:
            current.status = DecisionStatus.REFUSED
            current.save()
            reminders_resolve(current.case, key_prefix=f"placement.override:{current.uuid}")
            _decided_events(current, verdict, acting_user)
            return current
        missing = [
            r for r in verdict.needs_override if len(" ".join(reasons.get(r.code, "").split())) < 10
        ]
        if missing:
            raise OverrideReasonsMissing(
                {
                    f"reason_{r.code}": _("Write why the child is placed despite this rule.")
                    for r in missing
                },
                rules_asking=[(r.code, r.title) for r in verdict.needs_override],
            )
        _require_not_placed(group, current.transfer_from)
        now = timezone.now()
        current.overrides = [
            {
                "code": r.code,
                "reason": " ".join(reasons[r.code].split()),
                "by_id": acting_user.pk,
                "by_name": acting_user.get_full_name() or acting_user.get_username(),
                "at": now.isoformat(),
            }
            for r in verdict.needs_override
        ]
        current.status = DecisionStatus.PLACED
        current.save()
        _place(current, acting_user)
        reminders_resolve(current.case, key_prefix=f"placement.override:{current.uuid}")
        case_event_add(
            current.case,
            "placement.overridden",
            acting_user,
            rules=[r.code for r in verdict.needs_override],
        )
        _decided_events(current, verdict, acting_user)
    return current


def decision_decline(
    decision: PlacementDecision, *, reason: str, expected_version: int, acting_user: Any
) -> PlacementDecision:
    if not may_override(acting_user, decision):
        raise PermissionDenied
    if not _text(reason):
        raise ValidationError({"decline_reason": _("Say why the placement is declined.")})
    with transaction.atomic():
        current = _settle_lock(decision, expected_version)
        current.status = DecisionStatus.DECLINED
        current.decline_reason = _text(reason)
        current.settled_by = acting_user
        current.settled_at = timezone.now()
        current.version += 1
        current.save()
        reminders_resolve(current.case, key_prefix=f"placement.override:{current.uuid}")
        case_event_add(current.case, "placement.declined", acting_user)
    return current


# --- Exits ------------------------------------------------------------------------------

EXIT_REASONS = (ExitReason.REUNIFICATION, ExitReason.AGE_18, ExitReason.RAN_AWAY)


def placement_exit(
    placement: Placement,
    *,
    reason: str,
    on: date,
    note: str,
    police_report_number: str = "",
    police_report_date: date | None = None,
    expected_version: int,
    acting_user: Any,
) -> Placement:
    """End a placement: reunification (when the family is ready), turning 18, or
    running away (reported to the police). A transfer is a new decision instead."""
    access = case_access(acting_user, placement.case)
    if not manages_placement(acting_user, access):
        raise PermissionDenied
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if reason not in EXIT_REASONS:
        errors["reason"] = [_("Choose why the placement ends (a transfer is a new decision).")]
    if on > today:
        errors["on"] = [_("This date has not come yet.")]
    elif on < placement.started_on:
        errors["on"] = [_("A placement ends on or after the day it started.")]
    if reason == ExitReason.RAN_AWAY:
        if not _text(police_report_number):
            errors["police_report_number"] = [_("Give the number of the police report.")]
        if police_report_date is None:
            errors["police_report_date"] = [_("Give the date of the police report.")]
        elif police_report_date > today:
            errors["police_report_date"] = [_("This date has not come yet.")]
        elif police_report_date < placement.started_on:
            errors["police_report_date"] = [
                _("The report cannot be older than the placement: it started on %(day)s.")
                % {"day": date_format(placement.started_on, "SHORT_DATE_FORMAT")}
            ]
    if reason == ExitReason.AGE_18 and "on" not in errors:
        # An estimated age counts when its upper end reaches 18.
        _low, high = rules.child_age_range(placement.child, on)
        if high is None or high < 18:
            errors["reason"] = [_("The child is not 18 on that day by the recorded age.")]
    if reason == ExitReason.REUNIFICATION:
        readiness = reunification_readiness(placement.case)
        if not readiness.ready:
            errors["reason"] = [
                _("The family is not ready for the child's return. Missing: %(items)s")
                % {
                    "items": "; ".join(
                        f"{item.label} ({item.detail})" for item in readiness.missing
                    )
                }
            ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock_child(placement.child)
        current = Placement.objects.select_for_update().get(pk=placement.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        if not current.is_active:
            raise ValidationError(_("This placement has already ended."))
        current.ended_on = on
        current.exit_reason = reason
        current.exit_note = _text(note)
        current.exit_police_report_number = _text(police_report_number)[:60]
        current.exit_police_report_date = police_report_date
        current.ended_by = acting_user
        current.version += 1
        current.save()
        reminders_resolve(current.case, key_prefix=f"placement.temporary:{current.uuid}")
        case_event_add(current.case, "placement.ended", acting_user, reason=reason)
        case_event_add(
            current.case,
            "placement.ended_where",
            acting_user,
            data_class=WH,
            reason=reason,
            institution=current.institution.name,
            institution_agency=current.institution.agency_id,
            on=on.isoformat(),
        )
    return current
