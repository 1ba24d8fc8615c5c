"""The decision page (every rule previewed before committing); decision, override and exit pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.access.models import AccessLog
from kawal.cases import services as case_svc
from kawal.cases.models import CaseEvent
from kawal.institutions.models import InstitutionKind
from kawal.placement.models import DecisionStatus, Placement, PlacementDecision, RuleSetting
from tests.cases.conftest import png_upload
from tests.helpers import make_user, sign_in
from tests.placement.conftest import institution_agency, make_institution, set_child

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    return client


def form_data(institution, **extra) -> dict:
    today = timezone.localdate().isoformat()
    data = {
        "institution": str(institution.pk),
        "decided_on": today,
        "starts_on": today,
        "document_number": "SK/01/2026",
        "document_date": today,
        "conference_participants": "Manajer kasus; psikolog; Dinas Sosial",
        "child_views": "Mau sekolah lagi.",
        "last_resort_parents": "Orang tua belum mampu walau dengan dukungan.",
        "last_resort_kinship": "Tidak ada kerabat yang bersedia mengasuh.",
        "last_resort_foster": "Belum ada orang tua asuh yang tersedia.",
        "contact_frequency": "weekly",
        "contact_supervision": "supervised",
        "school_distance_km": "2.5",
        "agreement_signed_on": today,
    }
    data.update(extra)
    return data


def test_preview_shows_every_rule_with_its_legal_basis_and_writes_nothing(pw):
    client = client_for(pw.social_worker)
    url = reverse("placement:decide", args=[pw.case.uuid])
    assert client.get(url).status_code == 200
    response = client.post(url, {**form_data(pw.lksa), "action": "preview"})
    assert response.status_code == 200
    page = response.content.decode()
    for setting in RuleSetting.objects.all():
        assert setting.title_en in page.replace("&#x27;", "'")
    assert "Law 35/2014 Article 14" in page
    assert "Place the child" in page
    assert not PlacementDecision.objects.exists()
    # Committing without a preview is only a preview.
    response = client.post(url, {**form_data(pw.lksa), "action": "commit"})
    assert response.status_code == 200 and not PlacementDecision.objects.exists()


def test_commit_after_preview_places_the_child(pw):
    client = client_for(pw.social_worker)
    url = reverse("placement:decide", args=[pw.case.uuid])
    preview = client.post(url, {**form_data(pw.lksa), "action": "preview"})
    fingerprint = preview.context["form"].data["fingerprint"]
    response = client.post(
        url,
        {
            **form_data(pw.lksa),
            "action": "commit",
            "fingerprint": fingerprint,
            "agreement": png_upload(),
        },
    )
    assert response.status_code == 302
    decision = PlacementDecision.objects.get()
    assert decision.status == DecisionStatus.PLACED and decision.placement.is_active
    page = client_for(pw.social_worker).get(response["Location"]).content.decode()
    assert "The rules as evaluated" in page
    case_page = client.get(reverse("cases:detail", args=[pw.case.uuid])).content.decode()
    assert pw.lksa.name in case_page and "Transfer to another institution" in case_page


def test_religion_refusal_shows_the_legal_basis_and_can_be_recorded(pw):
    set_child(pw.case, religion="Kristen")
    pesantren = make_institution(
        "Pondok Uji (sintetis)", kind=InstitutionKind.PESANTREN, nsp_number="5"
    )
    client = client_for(pw.social_worker)
    url = reverse("placement:decide", args=[pw.case.uuid])
    preview = client.post(url, {**form_data(pesantren), "action": "preview"})
    page = preview.content.decode()
    assert "Refused: a hard rule is not met" in page
    assert "Article 37(3)" in page
    assert "Record the refusal" in page
    fingerprint = preview.context["form"].data["fingerprint"]
    response = client.post(
        url, {**form_data(pesantren), "action": "commit", "fingerprint": fingerprint}
    )
    assert response.status_code == 302
    assert PlacementDecision.objects.get().status == DecisionStatus.REFUSED
    assert not Placement.objects.exists()


def test_bad_input_is_a_400_form_with_nothing_lost(pw):
    client = client_for(pw.social_worker)
    url = reverse("placement:decide", args=[pw.case.uuid])
    response = client.post(
        url,
        {
            **form_data(pw.lksa, document_number="", school_distance_km="x"),
            "institution": "99999999999999999999",
            "action": "preview",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert "Mau sekolah lagi." in response.content.decode()
    response = client.post(url, {**form_data(pw.lksa, starts_on="2000-01-01"), "action": "preview"})
    assert response.status_code == 400 and not PlacementDecision.objects.exists()


def test_who_may_open_the_pages(pw):
    decision = pw.commit(school_distance_tenths_km=300)
    decide = reverse("placement:decide", args=[pw.case.uuid])
    page = reverse("placement:decision", args=[decision.uuid])
    assert client_for(pw.world.owner).get(decide).status_code == 403
    assert client_for(pw.world.owner).get(page).status_code == 200
    stranger = make_user(Role.SOCIAL_WORKER, username="lain")
    assert client_for(stranger).get(decide).status_code == 404
    assert client_for(stranger).get(page).status_code == 404
    assert AccessLog.objects.filter(action="denied").exists()
    # Institution staff on the case read its whereabouts but not the decisions.
    agency = institution_agency("LKSA Staf (sintetis)")
    staff = make_user(Role.INSTITUTION_STAFF, username="lksa-staf", agency=agency)
    case_svc.member_add(
        pw.case,
        user=staff,
        case_role="pengasuh",
        data_classes=["identity", "whereabouts"],
        acting_user=pw.world.owner,
    )
    assert client_for(staff).get(page).status_code == 404
    assert client_for(pw.world.investigator).get(page).status_code == 404


def test_the_supervisor_overrides_on_the_decision_page(pw):
    decision = pw.commit(school_distance_tenths_km=300)
    url = reverse("placement:decision", args=[decision.uuid])
    mine = client_for(pw.social_worker).get(url).content.decode()
    assert "Override and place the child" not in mine
    boss = client_for(pw.supervisor)
    page = boss.get(url).content.decode()
    assert "Override and place the child" in page
    short = boss.post(
        reverse("placement:override", args=[decision.uuid]),
        {"expected_version": decision.version, "reason_school_distance": "no"},
    )
    assert short.status_code == 400
    done = boss.post(
        reverse("placement:override", args=[decision.uuid]),
        {
            "expected_version": decision.version,
            "reason_school_distance": "Sekolah asal dipertahankan, ada antar jemput.",
        },
    )
    assert done.status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PLACED
    stale = boss.post(
        reverse("placement:decline", args=[decision.uuid]),
        {"expected_version": 1, "decline_reason": "x"},
    )
    assert stale.status_code == 403 or stale.status_code == 409


def test_exit_page_and_timeline_never_holds_the_address(pw):
    decision = pw.commit()
    client = client_for(pw.social_worker)
    url = reverse("placement:exit", args=[decision.placement.uuid])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "expected_version": decision.placement.version,
            "reason": "ran_away",
            "on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    response = client.post(
        url,
        {
            "expected_version": decision.placement.version,
            "reason": "ran_away",
            "on": timezone.localdate().isoformat(),
            "police_report_number": "LP/1/2026",
            "police_report_date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    for event in CaseEvent.objects.filter(case=pw.case, kind__startswith="placement."):
        assert "Alamat Rahasia" not in str(event.payload)
    page = (
        client_for(pw.world.owner)
        .get(reverse("cases:detail", args=[pw.case.uuid]))
        .content.decode()
    )
    assert "Ran away" in page


def test_agreement_download_is_logged(pw):
    decision = pw.commit()
    response = client_for(pw.social_worker).get(
        reverse("placement:agreement", args=[decision.uuid])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert AccessLog.objects.filter(action="download").exists()


def test_rule_settings_in_the_console(pw):
    admin = make_user(Role.SYSTEM_ADMIN, username="admin")
    client = client_for(admin)
    setting = RuleSetting.objects.get(code="religion")
    url = reverse("admin:placement_rulesetting_change", args=[setting.pk])
    assert client.get(url).status_code == 200
    data = {
        "expected_version": setting.version,
        "title_id": setting.title_id,
        "title_en": setting.title_en,
        "parameters": "{}",
        "legal_basis_id": setting.legal_basis_id,
        "legal_basis_en": "Edited (synthetic)",
    }
    # A hard rule cannot be switched off (the box is unticked here).
    response = client.post(url, data)
    assert response.status_code == 200
    setting.refresh_from_db()
    assert setting.legal_basis_en != "Edited (synthetic)"
    response = client.post(url, {**data, "active": "on"})
    assert response.status_code == 302
    setting.refresh_from_db()
    assert setting.legal_basis_en == "Edited (synthetic)" and setting.version == 2
    capacity = RuleSetting.objects.get(code="capacity")
    bad = client.post(
        reverse("admin:placement_rulesetting_change", args=[capacity.pk]),
        {
            **data,
            "expected_version": capacity.version,
            "parameters": '{"capacity_margin": -1}',
            "active": "on",
        },
    )
    assert bad.status_code == 200
    assert client_for(pw.social_worker).get(url).status_code in (302, 403)
    assert timezone.localdate() - timedelta(days=1)
