"""Instruments and assessments for tests, built as the console and the services would."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kawal.access.catalogue import DataClass, Role
from kawal.assessments import services as svc
from kawal.assessments.models import (
    AnswerScale,
    Assessment,
    Band,
    Instrument,
    Item,
    ScaleOption,
    Section,
    Subscale,
)
from tests.helpers import make_user


def admin_user() -> Any:
    from kawal.accounts.models import User

    return User.objects.filter(role=Role.SYSTEM_ADMIN).first() or make_user(Role.SYSTEM_ADMIN)


def build_instrument(
    code: str = "test-instrument",
    *,
    answers_class: str = DataClass.CLINICAL,
    roles: tuple[str, ...] = (Role.PSYCHOLOGIST,),
    band_label: str = "High band",
    option_label: str = "Often",
    publish: bool = True,
    required: bool = True,
    method: str = "sum",
    min_answered_percent: int = 75,
) -> Instrument:
    """A small instrument: four 0-3 items (two reverse-scored) in two sub-scales, a note.

    Total bands: low from 0, medium from 4, high from 8 (labelled ``band_label``).
    """
    instrument = Instrument.objects.create(
        code=code,
        name_id=f"Instrumen uji {code}",
        name_en=f"Test instrument {code}",
        roles=list(roles),
        answers_class=answers_class,
        method=method,
        min_answered_percent=min_answered_percent,
    )
    section = Section.objects.create(
        instrument=instrument, order=1, title_id="Bagian", title_en="Part"
    )
    scale = AnswerScale.objects.create(instrument=instrument, code="freq", name_id="Frekuensi")
    for value, label in enumerate(["Never", "Sometimes", option_label, "Always"]):
        ScaleOption.objects.create(
            scale=scale, order=value, value=Decimal(value), label_id=label, label_en=label
        )
    first = Subscale.objects.create(instrument=instrument, code="first", name_id="Pertama", order=1)
    second = Subscale.objects.create(instrument=instrument, code="second", name_id="Kedua", order=2)
    for order, (item_code, reverse, subscale) in enumerate(
        [("a", False, first), ("b", True, first), ("c", False, second), ("d", True, second)], 1
    ):
        Item.objects.create(
            instrument=instrument,
            section=section,
            order=order,
            code=item_code,
            text_id=f"Pertanyaan {item_code}",
            text_en=f"Question {item_code}",
            scale=scale,
            reverse=reverse,
            subscale=subscale,
            required=required,
        )
    Item.objects.create(
        instrument=instrument,
        section=section,
        order=9,
        code="note",
        text_id="Catatan",
        text_en="Note",
        required=required,
    )
    for band_code, start, label in [
        ("low", 0, "Low band"),
        ("medium", 4, "Medium band"),
        ("high", 8, band_label),
    ]:
        Band.objects.create(
            instrument=instrument,
            code=band_code,
            from_score=Decimal(start),
            label_id=label,
            label_en=label,
            attention=band_code == "high",
        )
    Band.objects.create(
        instrument=instrument,
        subscale=first,
        code="concern",
        from_score=Decimal("1.5"),
        label_id="Perhatian",
    )
    if publish:
        instrument = svc.instrument_publish(instrument, acting_user=admin_user())
    return instrument


def fill_and_sign(case: Any, user: Any, code: str, answers: dict[str, str]) -> Assessment:
    assessment, _created = svc.assessment_start(case, instrument_code=code, acting_user=user)
    assessment = svc.assessment_save_draft(
        assessment, answers=answers, expected_version=assessment.version, acting_user=user
    )
    return svc.assessment_sign(assessment, expected_version=assessment.version, acting_user=user)


def complete_answers(
    instrument: Instrument, *, value: str = "1", text: str = "Catatan sintetis"
) -> dict[str, str]:
    """Every item answered: scored ones with ``value`` (or the nearest offered), written
    ones with ``text``."""
    answers = {}
    for item in instrument.items.prefetch_related("scale__options"):
        if item.scale_id is None:
            answers[item.code] = text
        else:
            offered = sorted(option.value for option in item.scale.options.all())
            wanted = Decimal(value)
            chosen = min(offered, key=lambda option: abs(option - wanted))
            answers[item.code] = format(chosen.normalize(), "f")
    return answers
