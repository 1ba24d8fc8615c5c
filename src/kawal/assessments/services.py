"""Every write of assessments and instruments: policy, validation, one transaction, a record.

Assessments are case content: each step (start, sign, correct, discard) is a
typed event on the case timeline, of class progress. Autosaves of a draft
are not events (there would be one a minute); the draft row keeps who saved
it and when. Instrument changes are configuration: audited, never on a case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kawal.access.catalogue import ROLES, Capability, DataClass, Role
from kawal.access.policy import may
from kawal.assessments.models import (
    ANSWER_CLASSES,
    AnswerScale,
    Assessment,
    AssessmentStatus,
    Band,
    Instrument,
    InstrumentStatus,
    Item,
    ScaleOption,
    Section,
    Subscale,
    value_key,
)
from kawal.assessments.policy import may_fill
from kawal.assessments.reminders import RULE_KEY
from kawal.assessments.scoring import parse_value, result_json, rules_for, score
from kawal.cases.models import Case, CaseStatus
from kawal.cases.policy import CaseAccess, case_access
from kawal.cases.services import case_event_add, reminders_resolve
from kawal.core.audit import AuditContext, audit_record
from kawal.core.models import StaleVersion

# A written answer is a paragraph or two, typed on a phone.
TEXT_MAX = 4000
P = DataClass.PROGRESS


def _access(user: Any, case: Case) -> CaseAccess:
    access = case_access(user, case)
    if access is None:
        raise PermissionDenied
    return access


def _require_open(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed: reopen it before starting an assessment."))


def _event_fields(assessment: Assessment) -> dict[str, Any]:
    """What the timeline says of an assessment: the instrument, never an answer."""
    instrument = assessment.instrument
    return {
        "assessment": str(assessment.uuid),
        "instrument": instrument.code,
        "name_id": instrument.name_id,
        "name_en": instrument.name_en,
        "version": instrument.version_number,
    }


def published_instrument(code: str) -> Instrument | None:
    """The version of an instrument new assessments start on, if one is published."""
    return Instrument.objects.filter(code=code, status=InstrumentStatus.PUBLISHED).first()


# --- Filling in ----------------------------------------------------------------


def assessment_start(
    case: Case, *, instrument_code: str, acting_user: Any
) -> tuple[Assessment, bool]:
    """Start an assessment on the published version, or resume the user's draft of it.

    Returns (assessment, created).
    """
    access = _access(acting_user, case)
    instrument = published_instrument(str(instrument_code)[:40])
    if instrument is None:
        raise ValidationError(_("This instrument is not in use."))
    if not may_fill(acting_user, access, instrument):
        raise PermissionDenied
    _require_open(case)
    mine = Assessment.objects.filter(
        case=case,
        instrument_code=instrument.code,
        assessor=acting_user,
        status=AssessmentStatus.DRAFT,
        supersedes__isnull=True,
    )
    with transaction.atomic():
        existing = mine.first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                assessment = Assessment.objects.create(
                    case=case,
                    instrument=instrument,
                    instrument_code=instrument.code,
                    answers_class=instrument.answers_class,
                    assessor=acting_user,
                )
        except IntegrityError:
            # The same user started it in another window a moment ago.
            return mine.get(), False
        case_event_add(
            case, "assessments.started", acting_user, data_class=P, **_event_fields(assessment)
        )
    return assessment, True


def _own_draft(assessment: Assessment, acting_user: Any) -> CaseAccess:
    """A draft is its assessor's alone, while they may still fill in that instrument."""
    access = _access(acting_user, assessment.case)
    if assessment.assessor_id != acting_user.pk or not may_fill(
        acting_user, access, assessment.instrument
    ):
        raise PermissionDenied
    return access


def clean_answers(instrument: Instrument, posted: Mapping[str, Any]) -> dict[str, str]:
    """The answers as stored: a scale value ("2") or written text per item code.

    Unanswered items are left out; a value the item's scale does not offer is
    an error on that item, never stored.
    """
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}
    items = instrument.items.prefetch_related("scale__options")
    for item in items:
        raw = posted.get(item.code)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if item.scale is not None:
            value = parse_value(raw)
            offered = {option.value for option in item.scale.options.all()}
            if value is None or value not in offered:
                errors[item.code] = _("Choose one of the answers offered.")
            else:
                answers[item.code] = value_key(value)
        else:
            text = str(raw).replace("\x00", "").strip()
            if len(text) > TEXT_MAX:
                errors[item.code] = _("Keep the answer under %(max)s characters.") % {
                    "max": TEXT_MAX
                }
            elif text:
                answers[item.code] = text
    if errors:
        raise ValidationError(errors)
    return answers


def assessment_save_draft(
    assessment: Assessment,
    *,
    answers: Mapping[str, Any],
    expected_version: int,
    acting_user: Any,
) -> Assessment:
    """Save the answers of a draft (by hand or autosave); a stale version writes nothing."""
    _own_draft(assessment, acting_user)
    clean = clean_answers(assessment.instrument, answers)
    with transaction.atomic():
        current = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if current.status != AssessmentStatus.DRAFT:
            raise ValidationError(_("This assessment is no longer a draft."))
        if current.version != expected_version:
            raise StaleVersion(current)
        if current.answers == clean:
            return current
        current.answers = clean
        current.saved_at = timezone.now()
        current.version += 1
        current.save(update_fields=["answers", "saved_at", "version"])
    return current


def assessment_sign(
    assessment: Assessment, *, expected_version: int, acting_user: Any
) -> Assessment:
    """Score the draft on the server, sign it and make it immutable.

    Every required item must be answered. When the draft corrects an earlier
    assessment, that one is marked superseded in the same transaction.
    """
    _own_draft(assessment, acting_user)
    with transaction.atomic():
        current = (
            Assessment.objects.select_for_update()
            .select_related("instrument")
            .get(pk=assessment.pk)
        )
        if current.status != AssessmentStatus.DRAFT:
            raise ValidationError(_("This assessment is no longer a draft."))
        if current.version != expected_version:
            raise StaleVersion(current)
        rules = rules_for(current.instrument)
        scored = score(rules, current.answers)
        if scored.missing_required:
            raise ValidationError(missing_message(current.instrument, scored.missing_required))
        original = None
        if current.supersedes_id is not None:
            original = Assessment.objects.select_for_update().get(pk=current.supersedes_id)
            if original.status != AssessmentStatus.SIGNED or original.superseded_at is not None:
                raise ValidationError(_("The assessment this corrects was corrected meanwhile."))
        now = timezone.now()
        current.status = AssessmentStatus.SIGNED
        current.signed_at = now
        current.signed_by = acting_user
        current.saved_at = now
        current.total = scored.total.value
        current.band_code = scored.total.band.code if scored.total.band else ""
        current.result = result_json(rules, scored)
        current.version += 1
        current.save()
        fields = _event_fields(current)
        band = current.result.get("band") or {}
        fields.update(band_id=band.get("label_id", ""), band_en=band.get("label_en", ""))
        if original is not None:
            # The one change a signed assessment ever gets: a pointer to its correction.
            Assessment.objects.filter(pk=original.pk).update(superseded_at=now)
            case_event_add(
                current.case, "assessments.corrected", acting_user, data_class=P, **fields
            )
        else:
            case_event_add(current.case, "assessments.signed", acting_user, data_class=P, **fields)
        # A signed assessment settles the reminder that asked for it.
        reminders_resolve(
            current.case,
            key_prefix=f"{RULE_KEY}:{current.instrument.code}:{current.case_id}:",
        )
    return current


def missing_message(instrument: Instrument, codes: tuple[str, ...]) -> str:
    numbers = item_numbers(instrument)
    listed = ", ".join(str(numbers.get(code, code)) for code in codes)
    return _("Answer every required question before signing. Still open: %(items)s.") % {
        "items": listed
    }


def item_numbers(instrument: Instrument) -> dict[str, int]:
    """Items are numbered 1, 2, 3 ... across sections, as the form shows them."""
    return {
        code: index for index, code in enumerate(instrument.items.values_list("code", flat=True), 1)
    }


def assessment_correct(original: Assessment, *, acting_user: Any) -> tuple[Assessment, bool]:
    """Start (or resume) the correction of a signed assessment: a new draft with its answers.

    The correction keeps the original's instrument version, so every answer
    means what it meant; it supersedes the original only once it is signed.
    """
    access = _access(acting_user, original.case)
    if not may_fill(acting_user, access, original.instrument):
        raise PermissionDenied
    _require_open(original.case)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=original.pk)
        if locked.status != AssessmentStatus.SIGNED or locked.superseded_at is not None:
            raise ValidationError(_("Only the current signed assessment can be corrected."))
        live = (
            Assessment.objects.filter(supersedes=locked, status=AssessmentStatus.DRAFT)
            .select_related("assessor")
            .first()
        )
        if live is not None:
            if live.assessor_id == acting_user.pk:
                return live, False
            raise ValidationError(
                _("%(name)s is already correcting this assessment.") % {"name": live.assessor}
            )
        correction = Assessment.objects.create(
            case=locked.case,
            instrument=locked.instrument,
            instrument_code=locked.instrument_code,
            answers_class=locked.answers_class,
            assessor=acting_user,
            answers=dict(locked.answers),
            supersedes=locked,
        )
        case_event_add(
            locked.case,
            "assessments.started",
            acting_user,
            data_class=P,
            correction=True,
            **_event_fields(correction),
        )
    return correction, True


def assessment_discard(assessment: Assessment, *, acting_user: Any) -> None:
    """Discard one's own draft; the row stays (marked discarded), nothing is scored."""
    access = _access(acting_user, assessment.case)
    if assessment.assessor_id != acting_user.pk or access.via_break_glass:
        raise PermissionDenied
    with transaction.atomic():
        current = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if current.status != AssessmentStatus.DRAFT:
            raise ValidationError(_("This assessment is no longer a draft."))
        current.status = AssessmentStatus.DISCARDED
        current.discarded_at = timezone.now()
        current.version += 1
        current.save(update_fields=["status", "discarded_at", "version"])
        case_event_add(
            current.case,
            "assessments.discarded",
            acting_user,
            data_class=P,
            **_event_fields(current),
        )


# --- Instruments (configuration console) ---------------------------------------


def _require_configuration(acting_user: Any) -> None:
    if not may(acting_user, Capability.MANAGE_CONFIGURATION):
        raise PermissionDenied


def instrument_problems(instrument: Instrument) -> list[str]:
    """What stops a draft version from being published; empty when it is ready."""
    problems: list[str] = []
    if not instrument.name_id.strip():
        problems.append(_("Give the instrument an Indonesian name."))
    roles = instrument.roles if isinstance(instrument.roles, list) else []
    if not roles:
        problems.append(_("Name at least one role that may fill it in."))
    for role in roles:
        if role not in Role.values:
            problems.append(_("Unknown role: %(role)s.") % {"role": role})
        elif instrument.answers_class not in ROLES[Role(role)].read:
            problems.append(
                _("%(role)s may never read answers of this data class.")
                % {"role": Role(role).label}
            )
    if instrument.answers_class not in ANSWER_CLASSES:
        problems.append(_("Answers must be clinical or care progress data."))
    items = list(instrument.items.select_related("section", "scale", "subscale"))
    if not items:
        problems.append(_("Add at least one item."))
    for item in items:
        for part in (item.section, item.scale, item.subscale):
            if part is not None and part.instrument_id != instrument.pk:
                problems.append(
                    _("Item %(code)s uses a part of another instrument.") % {"code": item.code}
                )
        if item.scale_id is None and (item.reverse or item.subscale_id is not None):
            problems.append(
                _("Item %(code)s has a written answer: it cannot be scored.") % {"code": item.code}
            )
    for scale in instrument.scales.prefetch_related("options"):
        if len(scale.options.all()) < 2:
            problems.append(_("Scale %(code)s needs at least two options.") % {"code": scale.code})
    used = {item.subscale_id for item in items}
    for subscale in instrument.subscales.all():
        if subscale.pk not in used:
            problems.append(_("Sub-scale %(code)s has no items.") % {"code": subscale.code})
    seen: set[tuple[int | None, str]] = set()
    limits: set[tuple[int | None, Any]] = set()
    for band in instrument.bands.select_related("subscale"):
        if band.subscale is not None and band.subscale.instrument_id != instrument.pk:
            problems.append(
                _("Band %(code)s uses another instrument's sub-scale.") % {"code": band.code}
            )
        if (band.subscale_id, band.code) in seen:
            problems.append(_("Band code %(code)s is used twice.") % {"code": band.code})
        if (band.subscale_id, band.from_score) in limits:
            problems.append(
                _("Two bands start at the same score (%(score)s).")
                % {"score": value_key(band.from_score)}
            )
        seen.add((band.subscale_id, band.code))
        limits.add((band.subscale_id, band.from_score))
    return problems


def instrument_publish(
    instrument: Instrument, *, acting_user: Any, context: AuditContext | None = None
) -> Instrument:
    """Publish a draft version: new assessments start on it; the previous one is retired.

    Assessments already made keep pointing at the version they were made with.
    """
    _require_configuration(acting_user)
    with transaction.atomic():
        current = Instrument.objects.select_for_update().get(pk=instrument.pk)
        if current.status != InstrumentStatus.DRAFT:
            raise ValidationError(_("Only a draft version can be published."))
        problems = instrument_problems(current)
        if problems:
            raise ValidationError(problems)
        now = timezone.now()
        Instrument.objects.filter(code=current.code, status=InstrumentStatus.PUBLISHED).update(
            status=InstrumentStatus.RETIRED, retired_at=now
        )
        Instrument.objects.filter(pk=current.pk).update(
            status=InstrumentStatus.PUBLISHED, published_at=now, published_by=acting_user
        )
        audit_record(
            "assessments.instrument_published",
            actor=acting_user,
            target=f"assessments.Instrument:{current.pk}",
            context=context,
            code=current.code,
            version=current.version_number,
        )
    return Instrument.objects.get(pk=current.pk)


def instrument_retire(
    instrument: Instrument, *, acting_user: Any, context: AuditContext | None = None
) -> None:
    """Stop offering a published version (no new assessments); past ones keep it."""
    _require_configuration(acting_user)
    with transaction.atomic():
        updated = Instrument.objects.filter(
            pk=instrument.pk, status=InstrumentStatus.PUBLISHED
        ).update(status=InstrumentStatus.RETIRED, retired_at=timezone.now())
        if not updated:
            raise ValidationError(_("Only the published version can be retired."))
        audit_record(
            "assessments.instrument_retired",
            actor=acting_user,
            target=f"assessments.Instrument:{instrument.pk}",
            context=context,
            code=instrument.code,
            version=instrument.version_number,
        )


def instrument_new_version(
    instrument: Instrument, *, acting_user: Any, context: AuditContext | None = None
) -> Instrument:
    """Copy a published (or retired) version into a new draft version to edit.

    Sections, scales with their options, sub-scales, items and bands are
    copied; the source never changes.
    """
    _require_configuration(acting_user)
    with transaction.atomic():
        source = Instrument.objects.select_for_update().get(pk=instrument.pk)
        if source.status == InstrumentStatus.DRAFT:
            raise ValidationError(_("This version is a draft already: edit it."))
        if Instrument.objects.filter(code=source.code, status=InstrumentStatus.DRAFT).exists():
            raise ValidationError(_("A draft version of this instrument exists already: edit it."))
        latest = Instrument.objects.filter(code=source.code).aggregate(n=Max("version_number"))
        copy = Instrument.objects.create(
            code=source.code,
            version_number=(latest["n"] or 0) + 1,
            name_id=source.name_id,
            name_en=source.name_en,
            purpose_id=source.purpose_id,
            purpose_en=source.purpose_en,
            roles=list(source.roles),
            answers_class=source.answers_class,
            method=source.method,
            min_answered_percent=source.min_answered_percent,
            based_on=source,
        )
        _copy_parts(source, copy)
        audit_record(
            "assessments.instrument_copied",
            actor=acting_user,
            target=f"assessments.Instrument:{copy.pk}",
            context=context,
            code=copy.code,
            version=copy.version_number,
            based_on=source.version_number,
        )
    return copy


def _copy_parts(source: Instrument, copy: Instrument) -> None:
    sections = {}
    for section in source.sections.all():
        sections[section.pk] = Section.objects.create(
            instrument=copy,
            order=section.order,
            title_id=section.title_id,
            title_en=section.title_en,
            intro_id=section.intro_id,
            intro_en=section.intro_en,
        )
    scales = {}
    for scale in source.scales.prefetch_related("options"):
        scales[scale.pk] = AnswerScale.objects.create(
            instrument=copy, code=scale.code, name_id=scale.name_id, name_en=scale.name_en
        )
        for option in scale.options.all():
            ScaleOption.objects.create(
                scale=scales[scale.pk],
                order=option.order,
                value=option.value,
                label_id=option.label_id,
                label_en=option.label_en,
            )
    subscales = {}
    for subscale in source.subscales.all():
        subscales[subscale.pk] = Subscale.objects.create(
            instrument=copy,
            code=subscale.code,
            order=subscale.order,
            name_id=subscale.name_id,
            name_en=subscale.name_en,
            method=subscale.method,
        )
    for item in source.items.all():
        Item.objects.create(
            instrument=copy,
            section=sections[item.section_id],
            order=item.order,
            code=item.code,
            text_id=item.text_id,
            text_en=item.text_en,
            scale=scales.get(item.scale_id) if item.scale_id else None,
            reverse=item.reverse,
            subscale=subscales.get(item.subscale_id) if item.subscale_id else None,
            required=item.required,
        )
    for band in source.bands.all():
        Band.objects.create(
            instrument=copy,
            subscale=subscales.get(band.subscale_id) if band.subscale_id else None,
            code=band.code,
            from_score=band.from_score,
            label_id=band.label_id,
            label_en=band.label_en,
            meaning_id=band.meaning_id,
            meaning_en=band.meaning_en,
            attention=band.attention,
        )
