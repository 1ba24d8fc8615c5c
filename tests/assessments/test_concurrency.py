"""Two phones at once, on PostgreSQL: one draft, one signature, one correction.

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawal_assessments``;
on SQLite (one writer at a time by design) these tests are skipped. Each test
runs two real transactions in two threads, held at a barrier so that both
are past the same check before either goes on.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from kawal.access.catalogue import Role
from kawal.assessments import services as svc
from kawal.assessments.models import (
    BIOPSYCHOSOCIAL_CODE,
    SAFETY_RISK_CODE,
    Assessment,
    AssessmentStatus,
    Instrument,
)
from kawal.cases import services as case_svc
from kawal.cases.models import CaseEvent
from kawal.core.models import StaleVersion
from tests.assessments.builders import complete_answers, fill_and_sign
from tests.cases.conftest import open_case
from tests.helpers import CONCURRENT_WRITERS, make_user

pytestmark = CONCURRENT_WRITERS


@pytest.fixture(autouse=True)
def _data() -> None:
    """A transactional test flushes the tables, data migrations included."""
    from django.apps import apps

    if not Instrument.objects.filter(code=SAFETY_RISK_CODE).exists():
        importlib.import_module("kawal.assessments.migrations.0002_shipped_instruments").load(
            apps, None
        )


@pytest.fixture
def team():
    owner = make_user(Role.CASE_MANAGER)
    psychologist = make_user(Role.PSYCHOLOGIST)
    case = open_case(owner)
    case_svc.member_add(
        case,
        user=psychologist,
        case_role="psikolog",
        data_classes=["clinical", "progress"],
        acting_user=owner,
    )
    return case, owner, psychologist


def race(monkeypatch, hold_at: str, calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads; each waits for the others right after ``hold_at``."""
    barrier = threading.Barrier(len(calls), timeout=20)
    original = getattr(svc, hold_at)

    def held(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(svc, hold_at, held)
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            results[index] = calls[index]()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_starts_at_once_make_one_draft(monkeypatch, team):
    case, _owner, psychologist = team

    def start() -> Any:
        return svc.assessment_start(
            case, instrument_code=BIOPSYCHOSOCIAL_CODE, acting_user=psychologist
        )

    # Both are past every check, and look for a draft at the same moment.
    results = race(monkeypatch, "_require_open", [start, start])
    assert all(isinstance(result, tuple) for result in results), results
    assert results[0][0].pk == results[1][0].pk
    assert sorted(created for _a, created in results) == [False, True]
    assert Assessment.objects.filter(status=AssessmentStatus.DRAFT).count() == 1


def test_two_signatures_at_once_sign_once(monkeypatch, team):
    case, _owner, psychologist = team
    draft, _ = svc.assessment_start(
        case, instrument_code=BIOPSYCHOSOCIAL_CODE, acting_user=psychologist
    )
    answers = complete_answers(Instrument.objects.get(code=BIOPSYCHOSOCIAL_CODE))
    draft = svc.assessment_save_draft(
        draft, answers=answers, expected_version=1, acting_user=psychologist
    )

    def sign() -> Any:
        return svc.assessment_sign(draft, expected_version=draft.version, acting_user=psychologist)

    results = race(monkeypatch, "_own_draft", [sign, sign])
    signed = [r for r in results if isinstance(r, Assessment)]
    refused = [r for r in results if isinstance(r, (ValidationError, StaleVersion))]
    assert len(signed) == 1 and len(refused) == 1, results
    assert CaseEvent.objects.filter(kind="assessments.signed").count() == 1


def test_two_corrections_at_once_leave_one(monkeypatch, team):
    case, owner, psychologist = team
    original = fill_and_sign(
        case,
        owner,
        SAFETY_RISK_CODE,
        complete_answers(Instrument.objects.get(code=SAFETY_RISK_CODE)),
    )

    def correct(user: Any) -> Callable[[], Any]:
        return lambda: svc.assessment_correct(original, acting_user=user)

    results = race(monkeypatch, "_require_open", [correct(owner), correct(psychologist)])
    made = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert Assessment.objects.filter(supersedes=original).count() == 1
