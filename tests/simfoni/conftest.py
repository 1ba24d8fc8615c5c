"""SIMFONI tests: cases built with the case service, the records behind each
service written straight to the tables (their own apps test how they are
made), and marker strings in every identity and whereabouts field so a test
can show none of them leaves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from kawal.access.catalogue import Role
from kawal.accounts.models import User
from kawal.cases import services as case_svc
from kawal.cases.models import AllegedPerpetrator, Case
from kawal.outreach.models import Capture, Operation
from kawal.people.models import Person
from kawal.regions.models import Region
from tests.helpers import make_user, sign_in

KELURAHAN = "64.71.06.1004"
CHILD_NAME = "Zulaikha Simfonimarker"
NIK = "6471064402150007"
STREET = "Jl. Penanda Simfoni 77 (sintetis)"
SCHOOL = "SD Negeri Simfonimarker (sintetis)"
PARENT_NAME = "Ayah Simfonimarker"
DISABILITY = "Tunarungu simfonimarker"
# Strings that name or locate the child: none may reach the page or the file.
MARKERS = (CHILD_NAME, "Simfonimarker", NIK, STREET, SCHOOL, PARENT_NAME, "simfonimarker")
OPENED = date(2025, 3, 10)
PERIOD = {"date_from": "2025-03-01", "date_to": "2025-03-31"}


@dataclass
class People:
    owner: User
    supervisor: User
    other_owner: User


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def people(db) -> People:
    return People(
        owner=make_user(Role.CASE_MANAGER, username="cm"),
        supervisor=make_user(Role.SUPERVISOR, username="spv"),
        other_owner=make_user(Role.CASE_MANAGER, username="cm-other"),
    )


def make_case(
    owner: User,
    *,
    forms: tuple[str, ...] = ("forced_selling",),
    opened_on: date = OPENED,
    supervisor: User | None = None,
    intake_channel: str = "outreach",
    name: str = CHILD_NAME,
    **child: Any,
) -> Case:
    details: dict[str, Any] = {
        "full_name": name,
        "sex": "F",
        "kelurahan": Region.objects.get(code=KELURAHAN),
        "street": STREET,
        "school_name": SCHOOL,
    }
    details.update(child)
    return case_svc.case_open(
        case_svc.NewCase(
            child=details,
            intake_channel=intake_channel,
            risk_level="medium",
            forms=list(forms),
            supervisor=supervisor,
            opened_on=opened_on,
            new_child_reason="Different child (synthetic test)",
        ),
        acting_user=owner,
    )


def add_perpetrator(case: Case, relationship: str, by: User, name: str = PARENT_NAME) -> None:
    # The investigator records perpetrators (their own tests cover how); the row is what counts.
    person = Person.objects.create(is_child=False, full_name=name, created_by=by)
    AllegedPerpetrator.objects.create(case=case, person=person, relationship=relationship)


def add_capture(case: Case, activity: str, at: datetime, by: User) -> Capture:
    operation = Operation.objects.create(
        title="Operasi sintetis",
        starts_at=at,
        area=Region.objects.get(code=KELURAHAN),
        lead=by,
        created_by=by,
    )
    capture = Capture.objects.create(
        operation=operation,
        name_as_told=CHILD_NAME,
        age_estimate=9,
        activity=activity,
        place="Simpang Simfonimarker",
        taken_to="uptd",
        child=case.child,
        outcome="linked",
        case=case,
        captured_by=by,
    )
    Capture.objects.filter(pk=capture.pk).update(created_at=at)
    return capture


def moment(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def client_for(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    return client


__all__ = ["OPENED", "PERIOD", "timedelta"]
