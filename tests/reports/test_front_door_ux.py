"""What the people at the front door need to see, so they do not retype or hunt for it."""

from __future__ import annotations

from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.access.models import AccessAction, AccessLog
from kawal.outreach.models import Operation
from kawal.reports.models import Report, ReportStatus
from kawal.reports.services import child_name_keys
from tests.helpers import make_user, sign_in
from tests.identity.conftest import intake_form
from tests.reports.test_triage import report


def test_the_sign_in_page_leads_a_citizen_to_the_report_form(client, db):
    page = client.get(reverse("accounts:login")).content.decode()
    assert reverse("reports:new") in page and reverse("reports:track") in page


def test_the_public_form_speaks_plainly(client, db):
    page = client.get(reverse("reports:new"))
    html = page.content.decode()
    assert "Klandasan Ilir</option>" in html and "64.71.06.1004)" not in html
    assert page.context["form"].initial["seen_at"] is not None
    refused = client.post(reverse("reports:new"), {"children_count": "1"})
    assert "Pilih minimal satu." in refused.content.decode()


def test_the_report_page_says_what_was_seen_why_it_is_urgent_and_links_its_case(client, db):
    manager = make_user(Role.CASE_MANAGER)
    made = report("Simpang Rapak (sintetis)", hour=21, youngest=4)
    sign_in(client, manager)
    page = client.get(reverse("reports:detail", args=[made.uuid])).content.decode()
    assert "Menjual tisu" in page and "anak di bawah 6 tahun" in page and "malam" in page
    response = client.post(
        reverse("cases:open"), intake_form(full_name="Wulan Sintetis", report=str(made.uuid))
    )
    assert response.status_code == 302
    page = client.get(reverse("reports:detail", args=[made.uuid])).content.decode()
    case = made.cases.get()
    assert reverse("cases:detail", args=[case.uuid]) in page and case.number in page
    assert AccessLog.objects.filter(user=manager, action=AccessAction.LIST, case_id=case.pk)


def test_opening_a_case_from_a_report_starts_from_what_it_says(client, db):
    manager = make_user(Role.CASE_MANAGER)
    made = report("Pasar Klandasan (sintetis)", youngest=7)
    Report.objects.filter(pk=made.pk).update(
        oldest_age=8, child_names="Markerwulan", child_keys=child_name_keys("Markerwulan")
    )
    sign_in(client, manager)
    form = client.get(reverse("cases:open") + f"?laporan={made.uuid}").context["form"]
    assert form.initial["full_name"] == "Markerwulan"
    assert (form.initial["age_min"], form.initial["age_max"]) == (7, 8)
    assert form.initial["kelurahan"] == made.kelurahan
    entry = AccessLog.objects.filter(user=manager, action=AccessAction.VIEW).get()
    assert str(made.uuid) in entry.path and entry.data_classes == ["identity"]


def test_the_operation_page_lists_the_reports_it_follows_up(client, db):
    manager = make_user(Role.CASE_MANAGER)
    made = report("Taman Bekapai (sintetis)", hour=21)
    sign_in(client, manager)
    client.post(
        reverse("outreach:new"),
        {
            "report": str(made.uuid),
            "title": "Operasi taman (sintetis)",
            "starts_at": "2026-11-29T20:00",
            "area": made.kelurahan_id,
            "area_note": "Taman",
        },
    )
    operation = Operation.objects.get()
    page = client.get(reverse("outreach:detail", args=[operation.uuid])).content.decode()
    assert "Taman Bekapai (sintetis)" in page
    assert reverse("reports:detail", args=[made.uuid]) in page
    made.refresh_from_db()
    assert made.status == ReportStatus.IN_PROGRESS
    # The capture form offers that report already chosen.
    capture_form = client.get(reverse("outreach:capture", args=[operation.uuid])).context["form"]
    assert capture_form.initial["report"] == str(made.uuid)
