"""The candidate panel at case opening: who sees what, and what each choice does."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kawal.access.models import AccessLog
from kawal.cases.models import Case
from kawal.identity.index import lookup, query_record
from kawal.identity.models import DuplicatePair, IdentitySighting, PairStatus
from kawal.people.models import Person
from tests.helpers import sign_in
from tests.identity.conftest import close, found_again, intake_form, register


def form(**extra):
    return intake_form(**extra)


@pytest.fixture
def known(people):
    owner, boss, _stranger = people
    return register(
        owner, "Muhammad Riski bin Darman", supervisor=boss, birth_date=date(2015, 4, 9)
    )


def test_a_user_who_sees_the_child_gets_name_cases_and_explanation(client, people, known):
    owner, _, _ = people
    sign_in(client, owner)
    response = client.post(reverse("cases:open"), form())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Muhammad Riski bin Darman" in page and known.number in page
    panel = response.context["panel"]
    assert panel[0].visible and panel[0].band == "likely"
    assert {row["field"] for row in panel[0].explanation} >= {"name", "birth", "sex"}
    assert Case.objects.count() == 1  # nothing saved before a decision
    # Showing the candidate is a read of that child's identity, and logged.
    assert AccessLog.objects.filter(case_id=known.pk, action="search").exists()


def test_a_user_who_may_not_see_the_child_learns_only_whom_to_ask(client, people, known):
    _, _, stranger = people
    sign_in(client, stranger)
    response = client.post(reverse("cases:open"), form())
    page = response.content.decode()
    entry = response.context["panel"][0]
    assert not entry.visible and entry.explanation == [] and entry.child is None
    assert "Muhammad Riski" not in page and known.number not in page
    assert "Sari Sintetis" in page  # the case manager to ask
    # A hidden candidate cannot be chosen by guessing its value.
    answered = form(
        identity_check=response.context["signature"],
        identity_choice=f"link:{known.child.uuid}",
    )
    response = client.post(reverse("cases:open"), answered)
    assert response.status_code == 200 and Case.objects.count() == 1


def test_registering_a_new_child_over_a_hidden_match_queues_the_pair(client, people, known):
    _, _, stranger = people
    sign_in(client, stranger)
    first = client.post(reverse("cases:open"), form())
    response = client.post(
        reverse("cases:open"),
        form(identity_check=first.context["signature"], identity_choice="new"),
    )
    assert response.status_code == 302
    new = Case.objects.exclude(pk=known.pk).get()
    pair = DuplicatePair.objects.get()
    assert {pair.first_id, pair.second_id} == {known.child_id, new.child_id}
    assert pair.status == PairStatus.OPEN and pair.source == "intake"


def test_rejecting_a_likely_match_needs_a_reason_and_is_recorded(client, people, known):
    owner, _, _ = people
    sign_in(client, owner)
    first = client.post(reverse("cases:open"), form())
    signature = first.context["signature"]
    refused = client.post(
        reverse("cases:open"), form(identity_check=signature, identity_choice="new")
    )
    assert refused.status_code == 200 and "new_child_reason" in refused.context["form"].errors
    assert Case.objects.count() == 1
    done = client.post(
        reverse("cases:open"),
        form(
            identity_check=signature,
            identity_choice="new",
            new_child_reason="Different mother; checked with the RT head",
        ),
    )
    assert done.status_code == 302
    pair = DuplicatePair.objects.get()
    assert pair.status == PairStatus.DIFFERENT and "RT head" in pair.reason


def test_changing_the_details_shows_the_panel_again(client, people, known):
    owner, _, _ = people
    sign_in(client, owner)
    first = client.post(reverse("cases:open"), form())
    again = client.post(
        reverse("cases:open"),
        form(
            full_name="Muhamad Riski",
            identity_check=first.context["signature"],
            identity_choice="new",
            new_child_reason="x",
        ),
    )
    assert again.status_code == 200 and again.context["panel"]
    assert Case.objects.count() == 1


def test_an_open_case_cannot_be_doubled(client, people, known):
    owner, _, _ = people
    sign_in(client, owner)
    first = client.post(reverse("cases:open"), form())
    entry = first.context["panel"][0]
    assert entry.open_case == known
    page = first.content.decode()
    assert f'value="link:{known.child.uuid}"' not in page
    # Posting the link anyway (a crafted form) is refused by the service.
    assert entry.choice == f"link:{known.child.uuid}"
    response = client.post(
        reverse("cases:open"),
        form(identity_check=first.context["signature"], identity_choice=entry.choice),
    )
    assert response.status_code == 200 and Case.objects.count() == 1


def test_found_again_after_closure_opens_a_linked_repeat_case(client, people, known):
    owner, _, _ = people
    close(known)
    sign_in(client, owner)
    first = client.post(reverse("cases:open"), form(full_name="Kiki", aliases="Rizki"))
    entry = first.context["panel"][0]
    assert entry.reopenable == known  # the case manager is offered a reopen
    response = client.post(
        reverse("cases:open"),
        form(
            full_name="Kiki",
            aliases="Rizki",
            identity_check=first.context["signature"],
            identity_choice=entry.choice,
        ),
    )
    assert response.status_code == 302
    new = Case.objects.exclude(pk=known.pk).get()
    assert new.child_id == known.child_id and new.repeat_of == known
    assert new.events.filter(kind="case.repeat").exists()
    assert known.events.filter(kind="case.found_again").exists()


def test_the_case_manager_may_reopen_instead(client, people, known):
    owner, _, _ = people
    close(known)
    sign_in(client, owner)
    first = client.post(reverse("cases:open"), form())
    entry = first.context["panel"][0]
    response = client.post(
        reverse("cases:open"),
        form(
            identity_check=first.context["signature"],
            identity_choice=f"reopen:{known.uuid}",
            new_child_reason="Found again at the traffic light",
        ),
    )
    assert response.status_code == 302 and entry.reopenable == known
    known.refresh_from_db()
    assert known.status == "assessment" and Case.objects.count() == 1


def test_the_supervisor_who_leads_the_case_is_offered_a_reopen_too(client, people, known):
    _, boss, _ = people
    close(known)
    sign_in(client, boss)
    entry = client.post(reverse("cases:open"), form()).context["panel"][0]
    assert entry.visible and entry.reopenable == known


def test_a_known_child_found_again_is_then_found_by_the_name_written_that_day(
    client, people, known
):
    owner, _, _ = people
    close(known)
    later = query_record(full_name="Darmawan", birth_date=date(2015, 4, 9), sex="M")
    assert known.child_id not in {c.root_id for c in lookup(later)}
    sign_in(client, owner)
    first = client.post(reverse("cases:open"), form(full_name="Riski Darmawan", aliases="Wawan"))
    entry = first.context["panel"][0]
    assert entry.child == known.child
    response = client.post(
        reverse("cases:open"),
        form(
            full_name="Riski Darmawan",
            aliases="Wawan",
            identity_check=first.context["signature"],
            identity_choice=entry.choice,
        ),
    )
    assert response.status_code == 302
    new = Case.objects.exclude(pk=known.pk).get()
    seen = IdentitySighting.objects.get()
    assert (seen.person_id, seen.case_id, seen.created_by) == (known.child_id, new.pk, owner)
    assert (seen.full_name, seen.aliases, seen.birth_date) == (
        "Riski Darmawan",
        "Wawan",
        date(2015, 4, 9),
    )
    assert seen.kelurahan == "64.71.06.1004" and seen.sex == "M"
    # Not a child of its own: no second record to merge or undo.
    assert Person.objects.filter(is_child=True).count() == 1
    # The next intake meets the child by the name written that day.
    assert known.child_id in {c.root_id for c in lookup(later)}


def test_a_reopen_keeps_the_sighting_and_a_call_naming_only_the_child_keeps_none(
    client, people, known
):
    owner, _, _ = people
    close(known)
    sign_in(client, owner)
    first = client.post(reverse("cases:open"), form())
    client.post(
        reverse("cases:open"),
        form(
            identity_check=first.context["signature"],
            identity_choice=f"reopen:{known.uuid}",
            new_child_reason="Found again at the traffic light",
        ),
    )
    seen = IdentitySighting.objects.get()
    assert seen.case_id == known.pk and seen.full_name == "Moh. Rizky"
    close(Case.objects.get(pk=known.pk))
    found_again(known.child, owner)  # the service named the child, with no details
    assert IdentitySighting.objects.count() == 1


def _sighting(known, case, **details):
    """Test set-up: how ``case`` wrote the known child (the service is tested above)."""
    from django.utils import timezone

    from kawal.identity.index import identity_refresh

    seen = IdentitySighting.objects.create(
        person=known.child,
        case=case,
        as_of=timezone.localdate(),
        created_by=case.owner,
        **details,
    )
    identity_refresh(known.child)
    return seen


def _other_case(known, owner):
    """A later case of the known child, held by someone else (set-up only)."""
    return Case.objects.create(
        number="SYN-2026-0999",
        child=known.child,
        opened_on=date(2026, 3, 1),
        intake_channel="outreach",
        risk_level="medium",
        owner=owner,
    )


def test_a_match_made_by_a_case_the_user_does_not_see_explains_nothing_of_it(client, people, known):
    owner, _, stranger = people
    other = _other_case(close(known), stranger)
    _sighting(
        known,
        other,
        full_name="Bagas Wicaksono",
        birth_date=date(2015, 4, 9),
        sex="M",
        kelurahan="64.71.01.1001",
    )
    sign_in(client, owner)  # sees the child through their own case, not the other
    response = client.post(
        reverse("cases:open"),
        form(full_name="Bagas Wicaksono", kelurahan="64.71.01.1001"),
    )
    entry = response.context["panel"][0]
    assert entry.candidate.root_id == known.child_id
    # The child's own record is no match for that name: nothing the owner may
    # read explains it, so they learn only whom to ask.
    assert not entry.visible and entry.explanation == []
    assert entry.contact_name == "Lain Sintetis"
    # The other case's holder sees it with its explanation.
    sign_in(client, stranger)
    response = client.post(
        reverse("cases:open"),
        form(full_name="Bagas Wicaksono", kelurahan="64.71.01.1001"),
    )
    entry = response.context["panel"][0]
    assert entry.visible and {"name", "kelurahan"} <= {r["field"] for r in entry.explanation}


def test_a_pair_a_sighting_raised_at_intake_keeps_its_band_after_a_scan(client, people, known):
    from kawal.identity import dedupe

    _, _, stranger = people
    _sighting(known, known, full_name="Bagas Wicaksono", birth_date=date(2015, 4, 9), sex="M")
    sign_in(client, stranger)  # may not see the child: the match is queued
    details = {"full_name": "Bagas Wicaksono", "kelurahan": "64.71.01.1001"}
    first = client.post(reverse("cases:open"), form(**details))
    client.post(
        reverse("cases:open"),
        form(**details, identity_check=first.context["signature"], identity_choice="new"),
    )
    pair = DuplicatePair.objects.get()
    assert pair.band
    dedupe.run()
    pair.refresh_from_db()
    assert pair.status == PairStatus.OPEN and pair.band  # still in the review queue


def test_a_child_found_again_and_again_carries_each_key_once(people, known):
    from kawal.identity.index import record_from_sighting
    from kawal.identity.matching import block_keys
    from kawal.identity.models import IdentityBlock

    for ages in ((9, 10), (10, 12), (8, 9)):
        _sighting(known, known, full_name="Riski Darmawan", age_min=ages[0], age_max=ages[1])
    keys = list(IdentityBlock.objects.filter(person=known.child).values_list("key", flat=True))
    assert len(keys) == len(set(keys))
    # Over the years any of the three allows (ages 8 to 12, as of this year).
    darmawan = IdentityBlock.objects.get(person=known.child, key="n:TRMN")
    windows = [
        (low, high)
        for seen in IdentitySighting.objects.all()
        for key, low, high in block_keys(record_from_sighting(seen))
        if key == "n:TRMN"
    ]
    assert len(windows) == 3 and len(set(windows)) == 3
    assert (darmawan.year_min, darmawan.year_max) == (
        min(low for low, _ in windows),
        max(high for _, high in windows),
    )
