"""Query budgets: the assessments on a case cost the same with 2 or 20 of them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kawal.assessments import services as svc
from kawal.assessments.models import BIOPSYCHOSOCIAL_CODE, SAFETY_RISK_CODE, Instrument
from kawal.cases.extensions import case_sections
from kawal.cases.policy import case_access
from tests.assessments.builders import complete_answers, fill_and_sign
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add(world, n):
    bio = Instrument.objects.get(code=BIOPSYCHOSOCIAL_CODE)
    safety = Instrument.objects.get(code=SAFETY_RISK_CODE)
    for index in range(n):
        signed = fill_and_sign(
            world.case, world.psychologist, BIOPSYCHOSOCIAL_CODE, complete_answers(bio)
        )
        if index % 2:
            correction, _ = svc.assessment_correct(signed, acting_user=world.psychologist)
            svc.assessment_sign(
                correction, expected_version=correction.version, acting_user=world.psychologist
            )
        fill_and_sign(world.case, world.owner, SAFETY_RISK_CODE, complete_answers(safety))


def section_queries(world, user):
    from django.test import RequestFactory

    section = next(s for s in case_sections("main") if s.key == "assessments.case")
    request = RequestFactory().get("/")
    request.user = user
    access = case_access(user, world.case)
    with CaptureQueriesContext(connection) as queries:
        section.context(request, world.case, access)
    return len(queries)


@pytest.mark.parametrize("who", ["owner", "psychologist"])
def test_the_case_page_and_section_do_not_grow_with_assessments(world, who):
    user = getattr(world, who)
    client = Client()
    sign_in(client, user)
    case_page = reverse("cases:detail", kwargs={"case_uuid": world.case.uuid})
    listing = reverse("assessments:case", kwargs={"case_uuid": world.case.uuid})
    add(world, 1)
    small = (count(client, case_page), count(client, listing), section_queries(world, user))
    add(world, 10)
    large = (count(client, case_page), count(client, listing), section_queries(world, user))
    assert large == small
    assert small[2] == 2  # the case's assessments with own drafts, instruments offered


def test_the_section_costs_nothing_for_who_reads_no_care_class(world):
    add(world, 2)
    assert section_queries(world, world.investigator) == 0


def test_the_assessment_page_does_not_grow_with_items(world):
    bio = Instrument.objects.get(code=BIOPSYCHOSOCIAL_CODE)
    signed = fill_and_sign(
        world.case, world.psychologist, BIOPSYCHOSOCIAL_CODE, complete_answers(bio)
    )
    client = Client()
    sign_in(client, world.psychologist)
    keys = {"case_uuid": world.case.uuid, "assessment_uuid": signed.uuid}
    detail = count(client, reverse("assessments:detail", kwargs=keys))
    draft, _ = svc.assessment_start(
        world.case, instrument_code=BIOPSYCHOSOCIAL_CODE, acting_user=world.psychologist
    )
    keys["assessment_uuid"] = draft.uuid
    fill = count(client, reverse("assessments:fill", kwargs=keys))
    sign = count(client, reverse("assessments:sign", kwargs=keys))
    # 20 items with their options and sections, in a handful of queries.
    assert detail <= 20 and fill <= 20 and sign <= 22, (detail, fill, sign)
