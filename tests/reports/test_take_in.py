"""Reports taken by staff: channels, who took them, and who sees the reporter."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import Capability, Role
from kawal.access.policy import may
from kawal.reports.models import Report
from tests.helpers import make_user, sign_in


def data(**extra):
    seen_at = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    values = {
        "channel": "rt",
        "seen": ["begging"],
        "children_count": "1",
        "youngest_age": "5",
        "seen_at": seen_at,
        "kelurahan": "64.71.06.1004",
        "landmark": "Depan masjid (sintetis)",
        "reporter_name": "Pelapor Sintetis",
        "reporter_phone": "0812-0000-0000",
    }
    values.update(extra)
    return values


def test_an_rt_head_records_a_report_and_gets_its_code(client, db):
    rt = make_user(Role.RT_HEAD)
    sign_in(client, rt)
    response = client.post(reverse("reports:take_in"), data())
    assert response.status_code == 302 and response.url == reverse("reports:thanks")
    report = Report.objects.get()
    assert report.channel == "rt" and report.taken_by == rt
    assert report.tracking_code in client.get(response.url).content.decode()
    # The RT head may record reports, not triage them.
    assert client.get(reverse("reports:detail", args=[report.uuid])).status_code == 403


def test_the_public_channel_is_not_a_staff_channel(client, db):
    sign_in(client, make_user(Role.CASE_MANAGER))
    response = client.post(reverse("reports:take_in"), data(channel="public_web"))
    assert response.status_code == 400 and "channel" in response.context["form"].errors
    assert not Report.objects.exists()


def test_roles_without_take_report_cannot_record(client, db):
    for role in Role:
        user = make_user(role)
        sign_in(client, user)
        expected = 200 if may(user, Capability.TAKE_REPORT) else 403
        assert client.get(reverse("reports:take_in")).status_code == expected, role


def test_the_reporter_is_shown_to_the_triage_team(client, db):
    manager = make_user(Role.CASE_MANAGER)
    sign_in(client, manager)
    response = client.post(reverse("reports:take_in"), data(channel="phone"))
    report = Report.objects.get()
    assert response.url == reverse("reports:detail", args=[report.uuid])
    page = client.get(response.url).content.decode()
    assert "Pelapor Sintetis" in page and "0812-0000-0000" in page
