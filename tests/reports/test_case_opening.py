"""Opening a case from a report or a child found: no silent loss, no double case, logged."""

from __future__ import annotations

from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.access.models import AccessAction, AccessLog
from kawal.cases.models import Case
from kawal.core.models import StaleVersion
from kawal.outreach.models import Capture
from kawal.reports import services as report_svc
from kawal.reports.models import ReportStatus
from tests.helpers import make_user, sign_in
from tests.identity.conftest import (
    intake_form,
    people,  # noqa: F401
)
from tests.outreach.test_captures import capture_form, plan, scene  # noqa: F401
from tests.reports.test_triage import report


def open_from_capture(client, capture, name="Wulan Sari"):
    return client.post(
        reverse("cases:open"),
        {
            "capture": str(capture.uuid),
            "full_name": name,
            "sex": "F",
            "age_min": "6",
            "age_max": "8",
            "nik_status": "unknown",
            "school_status": "never_enrolled",
            "intake_channel": "outreach",
            "forms_": ["forced_begging"],
            "risk_level": "medium",
        },
    )


def test_a_second_case_for_the_same_child_found_is_refused(client, scene):  # noqa: F811
    owner, _boss, patrol, _known = scene
    operation = plan(client, owner)
    sign_in(client, patrol)
    client.post(
        reverse("outreach:capture", args=[operation.uuid]),
        capture_form(name_as_told="Wulan", sex="F", age_estimate="7"),
    )
    capture = Capture.objects.get()
    sign_in(client, owner)
    assert open_from_capture(client, capture).status_code == 302
    # The same form sent again (a second tab, a double tap): no second case.
    again = open_from_capture(client, capture)
    assert again.status_code == 200
    assert "sudah dibuka" in again.content.decode()
    assert Case.objects.filter(child=capture.child).count() == 1


def test_the_prefilled_name_of_a_child_found_is_logged(client, scene):  # noqa: F811
    owner, _boss, patrol, _known = scene
    operation = plan(client, owner)
    sign_in(client, patrol)
    client.post(
        reverse("outreach:capture", args=[operation.uuid]),
        capture_form(name_as_told="Wulan", sex="F", age_estimate="7"),
    )
    capture = Capture.objects.get()
    sign_in(client, owner)
    before = AccessLog.objects.filter(user=owner, action=AccessAction.VIEW).count()
    page = client.get(reverse("cases:open") + f"?temuan={capture.uuid}")
    assert "Wulan" in page.content.decode()
    entries = AccessLog.objects.filter(user=owner, action=AccessAction.VIEW)
    assert entries.count() == before + 1 and entries.first().data_classes == ["identity"]


def test_opening_a_case_changes_the_reports_version(db):
    manager = make_user(Role.CASE_MANAGER)
    made = report("Pasar Klandasan (sintetis)")
    seen_version = made.version
    from django.db import transaction

    with transaction.atomic():
        report_svc.report_case_opened(made, acting_user=manager)
    made.refresh_from_db()
    assert made.status == ReportStatus.IN_PROGRESS and made.version == seen_version + 1
    # A colleague who still holds the old version cannot close it unseen.
    try:
        report_svc.report_close(
            made, reason="Sudah ditangani", expected_version=seen_version, acting_user=manager
        )
    except StaleVersion:
        pass
    else:
        raise AssertionError("a stale close went through")


def test_a_report_closed_meanwhile_stops_the_opening_with_a_message(client, db):
    manager = make_user(Role.CASE_MANAGER)
    made = report("Pasar Klandasan (sintetis)")
    sign_in(client, manager)
    made.status = ReportStatus.HANDLED
    made.save()
    response = client.post(
        reverse("cases:open"),
        intake_form(full_name="Wulan Sintetis", sex="F", report=str(made.uuid)),
    )
    assert response.status_code == 200
    assert "sudah ditutup" in response.content.decode()
    assert not Case.objects.exists()


def test_a_link_to_a_report_closed_meanwhile_says_so_without_an_error(client, db):
    manager = make_user(Role.CASE_MANAGER)
    made = report("Pasar Klandasan (sintetis)")
    made.status = ReportStatus.HANDLED
    made.save()
    sign_in(client, manager)
    for query in (f"?laporan={made.uuid}", "?laporan=not-a-uuid", "?temuan=not-a-uuid"):
        page = client.get(reverse("cases:open") + query)
        assert page.status_code == 200, query
        assert 'role="alert"' in page.content.decode(), query


def test_with_the_cache_down_a_report_is_still_accepted(client, db):
    from django.test import override_settings

    from kawal.reports.models import Report
    from tests.reports.test_public import data

    # A closed port: the cache cannot be reached at all.
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.post(reverse("reports:new"), data())
    assert response.status_code == 302
    assert Report.objects.count() == 1
