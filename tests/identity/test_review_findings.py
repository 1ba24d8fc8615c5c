"""Regression tests for holes an independent review found in identity resolution."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.access.models import AccessLog
from kawal.accounts.models import Agency
from kawal.cases import services as csvc
from kawal.cases.models import Case, CaseForm
from kawal.identity import services as svc
from kawal.identity.matching import Scorer, make_record
from kawal.identity.models import DuplicatePair, PairStatus
from kawal.outreach.models import Capture, Operation
from tests.helpers import make_user, sign_in
from tests.identity.conftest import close, intake_form, register

NIK = "6471050904150001"


def form(**extra):
    return intake_form(**{"full_name": "Muhammad Riski", **extra})


@pytest.fixture
def found_again(people):
    """The owner's case A is closed; the supervisor opens case B for the same child."""
    owner, boss, _ = people
    a = register(owner, "Muhammad Riski bin Darman", supervisor=boss, birth_date=date(2015, 4, 9))
    close(a)
    b = csvc.case_open(
        csvc.NewCase(
            child={},
            intake_channel="outreach",
            risk_level="medium",
            forms=[CaseForm.FORCED_SELLING],
            existing_child=a.child,
        ),
        acting_user=boss,
    )
    return a, b


def test_an_open_case_the_user_may_not_see_blocks_reopen_and_link(client, people, found_again):
    owner, _, _ = people
    a, b = found_again
    sign_in(client, owner)
    first = client.post(reverse("cases:open"), form())
    entry = first.context["panel"][0]
    assert entry.visible and entry.open_elsewhere and entry.reopenable is None
    assert entry.choice == "" and b.number not in first.content.decode()
    assert entry.contact_name == "Budi Sintetis"  # who holds the open case
    refused = client.post(
        reverse("cases:open"),
        form(identity_check=first.context["signature"], identity_choice=f"reopen:{a.uuid}"),
    )
    assert refused.status_code == 200 and Case.objects.count() == 2
    # The service refuses a reopen while another case of the child is open.
    with pytest.raises(csvc.ValidationError):
        csvc.case_transition(a, target="assessment", reason="found again", acting_user=owner)


def test_the_pair_page_masks_the_nik_and_hides_school_without_whereabouts(client, people):
    owner, boss, _ = people
    a = register(
        owner,
        "Muhammad Riski",
        supervisor=boss,
        birth_date=date(2015, 4, 9),
        nik_status="known",
        nik=NIK,
        school_name="SDN 001 Sintetis",
    )
    b = register(owner, "Moh. Rizky", supervisor=boss, age_min=10, age_max=11)
    score = Scorer().score(
        make_record(1, full_name="Muhammad Riski", birth_date=date(2015, 4, 9), sex="M"),
        make_record(2, full_name="Moh. Rizky", age_min=10, age_max=11, sex="M"),
    )
    pair = svc.pair_raise(a.child_id, b.child_id, score, source="batch")
    sign_in(client, boss)
    page = client.get(reverse("identity:pair", args=[pair.uuid])).content.decode()
    assert NIK not in page and NIK[-4:] in page
    assert "SDN 001 Sintetis" in page  # the supervisor reads whereabouts


def test_a_capture_never_closes_a_likely_pair_without_a_reason(client, people):
    owner, boss, _ = people
    register(owner, "Muhammad Riski bin Darman", supervisor=boss, birth_date=date(2015, 4, 9))
    sign_in(client, owner)
    client.post(
        reverse("outreach:new"),
        {"title": "Op", "starts_at": "2026-11-20T19:00", "area": "64.71.06.1004"},
    )
    url = reverse("outreach:capture", args=[Operation.objects.get().uuid])
    data = {
        "name_as_told": "Muhammad Riski",
        "age_estimate": "10",
        "sex": "M",
        "activity": "tissues",
        "taken_to": "home",
    }
    first = client.post(url, data)
    assert first.context["panel"][0].band == "likely"
    client.post(
        url, {**data, "identity_check": first.context["signature"], "identity_choice": "new"}
    )
    assert DuplicatePair.objects.get().status == PairStatus.OPEN


def test_opening_a_case_from_a_capture_needs_a_reason_to_decline_a_likely_match(client, people):
    owner, boss, _ = people
    register(owner, "Muhammad Riski bin Darman", supervisor=boss, birth_date=date(2015, 4, 9))
    satpol = Agency.objects.create(name="Satpol PP (synthetic)", kind="satpol_pp")
    patrol = make_user(Role.PATROL_OFFICER, username="satpol", agency=satpol)
    sign_in(client, owner)
    client.post(
        reverse("outreach:new"),
        {
            "title": "Op",
            "starts_at": "2026-11-20T19:00",
            "area": "64.71.06.1004",
            "agencies": [str(satpol.pk)],
        },
    )
    sign_in(client, patrol)
    url = reverse("outreach:capture", args=[Operation.objects.get().uuid])
    data = {
        "name_as_told": "Muhammad Riski",
        "age_estimate": "10",
        "sex": "M",
        "activity": "tissues",
        "taken_to": "home",
    }
    # The officer may not see the child: the capture is saved at once, for review.
    assert client.post(url, data).status_code == 302
    capture = Capture.objects.get()
    sign_in(client, owner)
    body = form(capture=str(capture.uuid), birth_date="", age_min="9", age_max="11")
    shown = client.post(reverse("cases:open"), body)
    assert shown.context["panel"][0].band == "likely"
    refused = client.post(
        reverse("cases:open"),
        {**body, "identity_check": shown.context["signature"], "identity_choice": "new"},
    )
    assert refused.status_code == 200 and "new_child_reason" in refused.context["form"].errors
    assert DuplicatePair.objects.get().status == PairStatus.OPEN


def test_hidden_matches_are_written_to_the_access_log(client, people):
    owner, boss, stranger = people
    known = register(
        owner, "Muhammad Riski bin Darman", supervisor=boss, birth_date=date(2015, 4, 9)
    )
    sign_in(client, stranger)
    response = client.post(reverse("cases:open"), form())
    assert not response.context["panel"][0].visible
    row = AccessLog.objects.get(case_id=known.pk, user=stranger)
    assert row.action == "search" and row.data_classes == ["basic"]


def test_merge_events_name_no_other_case(people):
    owner, boss, _ = people
    a = register(owner, "Muhammad Riski", supervisor=boss, birth_date=date(2015, 4, 9))
    close(a)
    b = register(owner, "Moh. Rizky", supervisor=boss, age_min=10, age_max=11)
    svc.merge(survivor=a.child, absorbed=b.child, reason="same", acting_user=boss)
    event = b.events.get(kind="identity.merged")
    assert a.number not in str(event.payload)
