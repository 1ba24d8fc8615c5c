"""Registration expiry alerts: thresholds, idempotency, renewal, the list and the home card."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.cases.extensions import reminder_rules
from kawal.institutions import services as svc
from kawal.institutions.models import InstitutionKind, RegistrationAlert
from kawal.institutions.reminders import RULE_KEY, reached_threshold, registration_alerts
from tests.helpers import make_user, sign_in
from tests.institutions.conftest import lksa

pytestmark = pytest.mark.django_db

END = date(2026, 9, 30)


def open_thresholds() -> list[int]:
    return sorted(
        RegistrationAlert.objects.filter(done_at__isnull=True).values_list("threshold", flat=True)
    )


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(90, None), (61, None), (60, 60), (31, 60), (30, 30), (8, 30), (7, 7), (0, 7), (-1, 0)],
)
def test_the_most_urgent_threshold_reached(days_left, expected):
    assert reached_threshold(days_left, (60, 30, 7)) == expected


def test_running_twice_makes_the_same_alerts_and_each_threshold_replaces_the_last(db):
    home = lksa("LKSA Alarm (sintetis)", end=END)
    assert registration_alerts(END - timedelta(days=61)) == 0
    assert registration_alerts(END - timedelta(days=60)) == 1
    assert registration_alerts(END - timedelta(days=60)) == 0
    assert registration_alerts(END - timedelta(days=45)) == 0
    assert open_thresholds() == [60]
    assert registration_alerts(END - timedelta(days=30)) == 1
    assert open_thresholds() == [30]
    assert registration_alerts(END - timedelta(days=7)) == 1
    assert registration_alerts(END + timedelta(days=1)) == 1
    assert registration_alerts(END + timedelta(days=20)) == 0
    assert open_thresholds() == [RegistrationAlert.EXPIRED]
    alerts = RegistrationAlert.objects.filter(institution=home).order_by("-threshold")
    assert [(a.threshold, a.due_on) for a in alerts] == [
        (60, END - timedelta(days=60)),
        (30, END - timedelta(days=30)),
        (7, END - timedelta(days=7)),
        (0, END + timedelta(days=1)),
    ]


def test_a_renewed_registration_is_reminded_afresh(db):
    home = lksa("LKSA Perpanjang (sintetis)", end=END)
    registration_alerts(END - timedelta(days=10))
    assert open_thresholds() == [30]
    worker = make_user(Role.SOCIAL_WORKER)
    renewed = END + timedelta(days=365 * 3)
    data = {name: getattr(home, name) for name in svc.FIELDS}
    data["registration_end"] = renewed
    svc.institution_update(worker, home, data, expected_version=1)
    # The old end's alert closed itself; nothing new is due for years.
    assert open_thresholds() == []
    assert RegistrationAlert.objects.get().superseded
    assert registration_alerts(renewed - timedelta(days=30)) == 1
    assert RegistrationAlert.objects.filter(registration_end=renewed).count() == 1


def test_no_alerts_for_pesantren_families_or_missing_registrations(db):
    lksa("Tanpa Nomor (sintetis)", end=END, registration_number="")
    lksa("Keluarga (sintetis)", end=END, kind=InstitutionKind.FOSTER_FAMILY)
    lksa("Pesantren (sintetis)", end=END, kind=InstitutionKind.PESANTREN, nsp_number="1")
    assert registration_alerts(END) == 0


def test_the_thresholds_are_a_setting(db, settings):
    settings.KAWAL_REGISTRATION_ALERT_DAYS = (90, 14)
    lksa("LKSA Setelan (sintetis)", end=END)
    assert registration_alerts(END - timedelta(days=80)) == 1
    assert open_thresholds() == [90]


def test_the_rule_is_registered_and_runs_in_kawal_remind(db):
    assert RULE_KEY in {rule.key for rule in reminder_rules()}
    lksa("LKSA Perintah (sintetis)", end=timezone.localdate() + timedelta(days=5))
    call_command("remind")
    assert open_thresholds() == [7]


def test_social_workers_see_the_card_and_mark_alerts_done(db):
    home = lksa("LKSA Kartu (sintetis)", end=timezone.localdate() + timedelta(days=20))
    registration_alerts(timezone.localdate())
    worker = make_user(Role.SOCIAL_WORKER)
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, worker)
    body = client.get(reverse("web:home")).content.decode()
    assert "Registrations running out" in body and home.name in body
    listing = client.get(reverse("institutions:alerts")).content.decode()
    assert home.name in listing
    alert = RegistrationAlert.objects.get()
    done = client.post(reverse("institutions:alert_done", args=[alert.uuid]))
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.done_by == worker and alert.done_at is not None
    # Done twice: the second is told, nothing changes.
    client.post(reverse("institutions:alert_done", args=[alert.uuid]))
    alert.refresh_from_db()
    assert alert.done_by == worker
    assert "Registrations running out" not in client.get(reverse("web:home")).content.decode()
    assert client.post(reverse("institutions:alert_done", args=["x"])).status_code == 404


def test_others_never_see_the_card(db):
    lksa("LKSA Rahasia (sintetis)", end=timezone.localdate() + timedelta(days=20))
    registration_alerts(timezone.localdate())
    for role in (Role.FINANCE_OFFICER, Role.CASE_MANAGER, Role.INSTITUTION_STAFF):
        client = Client()
        client.cookies["kawal_language"] = "en"
        sign_in(client, make_user(role))
        assert "Registrations running out" not in client.get(reverse("web:home")).content.decode()
        alert = RegistrationAlert.objects.get()
        assert client.post(reverse("institutions:alert_done", args=[alert.uuid])).status_code == 403
