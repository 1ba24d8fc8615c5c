"""The schooling pages: refusals and bad input are 4xx with the input kept, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kawal.access.models import AccessLog
from kawal.schooling.models import AttendanceFollowUp, Enrolment
from tests.schooling.conftest import (
    SCHOOL,
    clear,
    english_client,
    enrol,
    months_back,
    revoke,
)

pytestmark = pytest.mark.django_db


def enrol_data(**overrides):
    data = {
        "school_name": SCHOOL,
        "npsn": "30405060",
        "level": "sd",
        "grade": "4",
        "enrolled_on": timezone.localdate().isoformat(),
        "notes": "",
        "current_version": "",
    }
    data.update(overrides)
    return data


def test_enrolment_refused_before_confirmation_keeps_the_input(school):
    client = english_client(school.liaison)
    url = reverse("schooling:enrol", kwargs={"case_uuid": school.case.uuid})
    page = client.get(url)
    assert page.status_code == 200
    assert "not yet cleared as safe" in page.content.decode()
    response = client.post(url, enrol_data())
    assert response.status_code == 409
    body = response.content.decode()
    assert "not yet cleared as safe" in body and SCHOOL in body
    assert not Enrolment.objects.exists()


def test_enrolment_refused_after_revocation(school):
    decision = clear(school.case, school.psychologist, school.supervisor)
    revoke(decision, school.supervisor)
    response = english_client(school.liaison).post(
        reverse("schooling:enrol", kwargs={"case_uuid": school.case.uuid}), enrol_data()
    )
    assert response.status_code == 409
    assert "was revoked" in response.content.decode()
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("npsn", "1234567"),
        ("npsn", "ABCDEFGH"),
        ("npsn", "123456789"),
        ("grade", "9"),
        ("grade", "x"),
        ("grade", "99999999999999999999999"),
        ("level", "university"),
        ("enrolled_on", "2025-02-30"),
        ("enrolled_on", "not a date"),
        ("school_name", ""),
        ("school_name", "x" * 500),
        ("current_version", "-3"),
        ("current_version", "abc"),
    ],
)
def test_bad_enrolment_input_is_a_form_error(cleared, field, value):
    client = english_client(cleared.liaison)
    response = client.post(
        reverse("schooling:enrol", kwargs={"case_uuid": cleared.case.uuid}),
        enrol_data(**{field: value}),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="error"' in body or 'role="alert"' in body
    assert not Enrolment.objects.exists()


def test_enrolment_through_the_page_then_a_stale_change_is_a_conflict(cleared):
    client = english_client(cleared.liaison)
    url = reverse("schooling:enrol", kwargs={"case_uuid": cleared.case.uuid})
    day = timezone.localdate() - timedelta(days=20)
    assert client.post(url, enrol_data(enrolled_on=day.isoformat())).status_code == 302
    enrolment = Enrolment.objects.get()
    assert enrolment.arranged_by == cleared.liaison
    # A second tab still showing "no school": the change is refused, not applied.
    stale = client.post(url, enrol_data(npsn="30405061"))
    assert stale.status_code == 409
    assert "Changed by someone else" in stale.content.decode()
    assert Enrolment.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"month": "2025-13"},
        {"month": "garbage"},
        {"school_days": "0"},
        {"school_days": "40"},
        {"days_absent": "21"},
        {"days_absent": "-1"},
        {"reason": "holiday"},
        {"reason": "other", "reason_text": ""},
        {"school_days": "1" * 30},
    ],
)
def test_bad_follow_up_input_is_a_form_error(cleared, changes):
    enrol(cleared)
    data = {
        "month": f"{months_back(1):%Y-%m}",
        "school_days": "20",
        "days_absent": "2",
        "reason": "illness",
        "reason_text": "",
    }
    data.update(changes)
    response = english_client(cleared.liaison).post(
        reverse("schooling:follow_up", kwargs={"case_uuid": cleared.case.uuid}), data
    )
    assert response.status_code == 400
    assert not AttendanceFollowUp.objects.exists()


def test_second_follow_up_of_a_month_is_a_400(cleared):
    enrol(cleared)
    client = english_client(cleared.liaison)
    url = reverse("schooling:follow_up", kwargs={"case_uuid": cleared.case.uuid})
    data = {
        "month": f"{months_back(1):%Y-%m}",
        "school_days": "20",
        "days_absent": "6",
        "reason": "work",
    }
    first = client.post(url, data, follow=True)
    assert first.status_code == 200
    assert "under the minimum" in first.content.decode()
    again = client.post(url, data)
    assert again.status_code == 400
    assert "already recorded" in again.content.decode()
    assert AttendanceFollowUp.objects.count() == 1


def test_correcting_a_follow_up_with_a_stale_version_is_a_conflict(cleared):
    enrol(cleared)
    client = english_client(cleared.liaison)
    client.post(
        reverse("schooling:follow_up", kwargs={"case_uuid": cleared.case.uuid}),
        {
            "month": f"{months_back(1):%Y-%m}",
            "school_days": "20",
            "days_absent": "1",
            "reason": "illness",
        },
    )
    row = AttendanceFollowUp.objects.get()
    url = reverse(
        "schooling:follow_up_edit",
        kwargs={"case_uuid": cleared.case.uuid, "follow_up_uuid": row.uuid},
    )
    assert client.get(url).status_code == 200
    data = {"school_days": "20", "days_absent": "2", "reason": "illness", "expected_version": "1"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 409
    data["expected_version"] = "garbage"
    assert client.post(url, data).status_code == 409
    row.refresh_from_db()
    assert (row.days_absent, row.version) == (2, 2)


def test_unknown_ids_are_404_not_500(cleared):
    client = english_client(cleared.liaison)
    assert client.get("/kasus/not-a-uuid/sekolah/").status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/kasus/{missing}/sekolah/").status_code == 404
    url = reverse(
        "schooling:follow_up_edit",
        kwargs={"case_uuid": cleared.case.uuid, "follow_up_uuid": missing},
    )
    assert client.get(url).status_code == 404


def test_follow_up_without_a_school_sends_back(cleared):
    response = english_client(cleared.liaison).get(
        reverse("schooling:follow_up", kwargs={"case_uuid": cleared.case.uuid})
    )
    assert response.status_code == 302


def test_the_liaison_list_and_home_card(cleared):
    client = english_client(cleared.liaison)
    home = client.get(reverse("web:home")).content.decode()
    assert "1 child is cleared for school and waiting to be enrolled." in home
    assert "Children to enrol / follow" in home
    listing = client.get(reverse("schooling:children")).content.decode()
    assert "to enrol" in listing and "Cleared for school" in listing
    assert AccessLog.objects.filter(user=cleared.liaison, action="list").exists()
    enrol(cleared)
    home = client.get(reverse("web:home")).content.decode()
    assert "waiting to be enrolled" not in home
    if timezone.localdate().day >= 5:
        assert "1 monthly attendance follow-up is due." in home
    listing = client.get(reverse("schooling:children")).content.decode()
    assert SCHOOL in listing


def test_pages_are_logged(cleared):
    enrol(cleared)
    client = english_client(cleared.liaison)
    client.get(reverse("schooling:case", kwargs={"case_uuid": cleared.case.uuid}))
    row = AccessLog.objects.filter(user=cleared.liaison, action="view").latest("at")
    assert set(row.data_classes) >= {"identity", "whereabouts"}


def test_enrolment_in_the_future_is_a_field_error_not_a_500(cleared):
    """A dict of field errors has no single code: it was read as one and crashed."""
    client = english_client(cleared.liaison)
    url = reverse("schooling:enrol", kwargs={"case_uuid": cleared.case.uuid})
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url, enrol_data(enrolled_on=tomorrow))
    assert response.status_code == 400
    body = response.content.decode()
    assert "The date cannot be in the future." in body
    assert f'value="{tomorrow}"' in body and SCHOOL in body
    assert not Enrolment.objects.exists()


def test_the_date_pickers_offer_no_future(cleared):
    client = english_client(cleared.liaison)
    page = client.get(reverse("schooling:enrol", kwargs={"case_uuid": cleared.case.uuid}))
    assert f'max="{timezone.localdate().isoformat()}"' in page.content.decode()
    enrol(cleared)
    page = client.get(reverse("schooling:follow_up", kwargs={"case_uuid": cleared.case.uuid}))
    assert f'max="{timezone.localdate():%Y-%m}"' in page.content.decode()


def test_the_month_picker_is_a_44px_tap_target(cleared):
    """app.css sizes the other input types; the month picker stayed at 21 px.
    (A phone-sized Playwright check is in /tmp/requests for tests/browser.)"""
    import re

    from django.contrib.staticfiles import finders

    enrol(cleared)
    page = english_client(cleared.liaison).get(
        reverse("schooling:follow_up", kwargs={"case_uuid": cleared.case.uuid})
    )
    body = page.content.decode()
    assert 'type="month"' in body and "schooling/css/schooling.css" in body
    path = finders.find("schooling/css/schooling.css")
    assert path
    with open(path, encoding="utf-8") as css:
        rule = re.search(r"input\[type=month\][^{]*\{([^}]*)\}", css.read())
    assert rule and re.search(r"min-height:\s*(2\.75rem|44px)", rule.group(1))
