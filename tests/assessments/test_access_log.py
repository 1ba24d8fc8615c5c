"""Every page showing answers or results is logged first, fail-closed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from kawal.access.models import AccessLog
from kawal.assessments import services as svc
from kawal.assessments.models import BIOPSYCHOSOCIAL_CODE, SAFETY_RISK_CODE, Instrument
from tests.assessments.builders import complete_answers, fill_and_sign
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db
SECRET = "Jawaban klinis sintetis 4471"


def client_for(user):
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    return client


@pytest.fixture
def signed(world):
    bio = Instrument.objects.get(code=BIOPSYCHOSOCIAL_CODE)
    return fill_and_sign(
        world.case, world.psychologist, BIOPSYCHOSOCIAL_CODE, complete_answers(bio, text=SECRET)
    )


def keys(assessment):
    return {"case_uuid": assessment.case.uuid, "assessment_uuid": assessment.uuid}


def test_pages_log_the_classes_they_show(world, signed):
    AccessLog.objects.all()  # append-only: count from here
    before = AccessLog.objects.count()
    client_for(world.psychologist).get(reverse("assessments:detail", kwargs=keys(signed)))
    row = AccessLog.objects.order_by("-id").first()
    assert AccessLog.objects.count() == before + 1
    assert row.action == "view" and row.case_id == world.case.pk
    assert set(row.data_classes) == {"clinical", "progress"}
    # The case manager reads the result only: the row says progress only.
    client_for(world.owner).get(reverse("assessments:detail", kwargs=keys(signed)))
    row = AccessLog.objects.order_by("-id").first()
    assert row.user == world.owner and set(row.data_classes) == {"progress"}
    client_for(world.owner).get(reverse("assessments:case", kwargs={"case_uuid": world.case.uuid}))
    row = AccessLog.objects.order_by("-id").first()
    assert row.path.endswith("/asesmen/") and set(row.data_classes) == {"progress"}


def test_the_fill_form_logs_the_answers_class(world):
    draft, _ = svc.assessment_start(
        world.case, instrument_code=SAFETY_RISK_CODE, acting_user=world.owner
    )
    client_for(world.owner).get(reverse("assessments:fill", kwargs=keys(draft)))
    row = AccessLog.objects.order_by("-id").first()
    assert row.user == world.owner and set(row.data_classes) == {"progress"}


def test_a_refused_assessment_is_logged_as_denied(world, signed):
    client = client_for(world.investigator)
    response = client.get(reverse("assessments:detail", kwargs=keys(signed)))
    assert response.status_code == 404
    assert AccessLog.objects.filter(
        action="denied", user=world.investigator, case_id=world.case.pk
    ).exists()


def test_fail_closed_when_the_log_cannot_be_written(world, signed):
    client = client_for(world.psychologist)
    url = reverse("assessments:detail", kwargs=keys(signed))
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE access_accesslog RENAME TO access_accesslog_gone")
    try:
        response = client.get(url)
        assert response.status_code == 503
        assert SECRET not in response.content.decode()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE access_accesslog_gone RENAME TO access_accesslog")
    assert SECRET in client.get(url).content.decode()
