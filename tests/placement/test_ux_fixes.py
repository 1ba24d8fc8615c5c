"""Fixes from the user walk-through: what the decision pages say and offer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kawal.people.models import PersonRelation
from kawal.placement.models import DecisionStatus
from tests.cases.conftest import open_case
from tests.placement.test_views import client_for

pytestmark = pytest.mark.django_db


def test_a_soft_rule_found_at_override_time_gets_its_own_reason_field(pw):
    decision = pw.commit(school_distance_tenths_km=300)
    assert decision.status == DecisionStatus.AWAITING_OVERRIDE
    # Meanwhile a sibling comes into care, on a case the supervisor sees.
    sibling = open_case(pw.world.owner, pw.supervisor, name="Kakak Sintetis")
    PersonRelation.objects.create(child=pw.case.child, relative=sibling.child, relation="sibling")
    boss = client_for(pw.supervisor)
    url = reverse("placement:override", args=[decision.uuid])
    reason = "Sekolah asal dipertahankan, ada antar jemput."
    stuck = boss.post(url, {"expected_version": decision.version, "reason_school_distance": reason})
    assert stuck.status_code == 400
    form = stuck.context["override_form"]
    assert "reason_siblings" in form.fields and form.errors["reason_siblings"]
    page = stuck.content.decode()
    assert 'name="reason_siblings"' in page and "another rule now needs a reason" in page
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.AWAITING_OVERRIDE
    done = boss.post(
        url,
        {
            "expected_version": decision.version,
            "reason_school_distance": reason,
            "reason_siblings": "Kakak sudah 17 tahun dan tinggal di asrama sekolah.",
        },
    )
    assert done.status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PLACED
    assert {o["code"] for o in decision.overrides} == {"school_distance", "siblings"}


def test_the_form_jumps_to_the_results_and_names_the_failing_rules(pw):
    from kawal.institutions.models import InstitutionKind
    from tests.cases.conftest import png_upload
    from tests.placement.conftest import make_institution, set_child
    from tests.placement.test_views import form_data

    set_child(pw.case, religion="Kristen")
    pesantren = make_institution("Pesantren Uji", kind=InstitutionKind.PESANTREN, nsp_number="5")
    client = client_for(pw.social_worker)
    url = reverse("placement:decide", args=[pw.case.uuid])
    empty = client.get(url).content.decode()
    # The agreement and its date are on the form from the start, marked as needed to place.
    assert 'name="agreement"' in empty and 'name="agreement_signed_on"' in empty
    assert "Required to place the child" in empty
    assert 'formaction="#rules-result"' in empty and "hx-preserve" in empty
    page = client.post(url, {**form_data(pesantren), "action": "preview"}).content.decode()
    assert 'id="rules-result"' in page
    summary = page.split('class="rule-summary">', 1)[1].split("</p>", 1)[0]
    assert (
        "Refused:" in summary and "The child&#x27;s religion and the institution&#x27;s" in summary
    )
    assert "(Law 23/2002 Article 37(3))" in summary
    assert "Registration" not in summary
    # A commit sent back (no agreement date) has lost the chosen file: the page says so.
    fingerprint = (
        client.post(url, {**form_data(pw.lksa), "action": "preview"})
        .context["form"]["fingerprint"]
        .value()
    )
    back = client.post(
        url,
        {
            **form_data(pw.lksa, agreement_signed_on=""),
            "action": "commit",
            "fingerprint": fingerprint,
            "agreement": png_upload(),
        },
    )
    assert back.status_code == 400
    assert "Choose the file again" in back.content.decode()
    plain = client.post(url, {**form_data(pw.lksa), "action": "preview"}).content.decode()
    assert "Choose the file again" not in plain


def test_the_override_record_names_the_rule_and_shows_local_time(pw):
    from datetime import datetime

    from django.utils import timezone, translation
    from django.utils.formats import date_format

    decision = pw.commit(school_distance_tenths_km=300)
    boss = client_for(pw.supervisor)
    reason = "Sekolah asal dipertahankan, ada antar jemput."
    boss.post(
        reverse("placement:override", args=[decision.uuid]),
        {"expected_version": decision.version, "reason_school_distance": reason},
    )
    decision.refresh_from_db()
    at = datetime.fromisoformat(decision.overrides[0]["at"])
    page = boss.get(reverse("placement:decision", args=[decision.uuid])).content.decode()
    record = page.split('<li data-rule="school_distance">', 1)[1].split("</li>", 1)[0]
    assert "<strong>Distance to school</strong>" in record
    with translation.override("en"):
        shown = date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")
    assert shown in record and decision.overrides[0]["at"][:16] not in record


def test_a_refused_decision_reads_as_not_placed_and_a_placed_one_offers_funding(pw):
    from kawal.institutions.models import Religion
    from tests.placement.conftest import make_institution

    church = make_institution("LKSA Gereja", religion=Religion.PROTESTANT)
    refused = pw.commit(church)
    assert refused.status == DecisionStatus.REFUSED
    worker = client_for(pw.social_worker)
    page = worker.get(reverse("placement:decision", args=[refused.uuid])).content.decode()
    assert "Placement would have started on" in page
    assert church.address not in page
    funding = reverse("funding:commit", kwargs={"case_uuid": pw.case.uuid})
    assert funding not in page

    placed = pw.commit()
    assert placed.status == DecisionStatus.PLACED
    url = reverse("placement:decision", args=[placed.uuid])
    page = worker.get(url).content.decode()
    assert "Placement starts on" in page and pw.lksa.address in page
    assert f'href="{funding}"' in page
    # The supervisor does not manage funding: no such offer.
    assert funding not in client_for(pw.supervisor).get(url).content.decode()
