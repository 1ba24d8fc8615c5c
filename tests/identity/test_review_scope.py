"""Who may review a child's records, and what the review and the cases tell of other cases."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.cases import services as case_svc
from kawal.identity import services as svc
from kawal.identity.matching import Scorer, make_record
from tests.helpers import make_user, sign_in
from tests.identity.conftest import close, found_again, intake_form, register

EMERGENCY = "Anak dilaporkan hilang dari rumah aman malam ini"


def _pair(first, second, name="Rafi Sintetis"):
    score = Scorer().score(
        make_record(1, full_name=name, birth_date=date(2014, 1, 2), sex="M"),
        make_record(2, full_name=name, birth_date=date(2014, 1, 2), sex="M"),
    )
    return svc.pair_raise(first.child_id, second.child_id, score, source="batch")


def test_emergency_access_neither_shows_nor_decides_a_pair(client, people):
    owner, boss, stranger = people
    mine = register(owner, "Rafi Sintetis", supervisor=boss, birth_date=date(2014, 1, 2))
    theirs = register(stranger, "Rafi Sintetis", birth_date=date(2014, 1, 2))
    pair = _pair(mine, theirs)
    case_svc.break_glass_open(theirs, reason=EMERGENCY, acting_user=boss)
    # The grant lets the supervisor read the other case...
    sign_in(client, boss)
    assert client.get(reverse("cases:detail", kwargs={"case_uuid": theirs.uuid})).status_code == 200
    # ...but not compare it, decide on it or see it queued: a merge would write
    # to that case and outlive the grant.
    assert pair not in svc.open_pairs_for(boss)
    url = reverse("identity:pair", kwargs={"pair_uuid": pair.uuid})
    assert client.get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        svc.merge(survivor=mine.child, absorbed=theirs.child, reason="x", acting_user=boss)
    with pytest.raises(PermissionDenied):
        svc.pair_mark_different(pair, reason="x", acting_user=boss)


def test_a_repeat_names_the_earlier_case_only_to_those_who_see_it(client, people):
    owner, boss, stranger = people
    earlier = close(register(owner, "Rafi Sintetis", supervisor=boss, birth_date=date(2014, 1, 2)))
    later = register(stranger, "Rafi S.", supervisor=boss, birth_date=date(2014, 1, 2))
    svc.merge(survivor=earlier.child, absorbed=later.child, reason="Same", acting_user=boss)
    later.refresh_from_db()
    assert later.repeat_of_id == earlier.pk
    page = reverse("cases:detail", kwargs={"case_uuid": later.uuid})
    sign_in(client, stranger)
    assert (
        client.get(reverse("cases:detail", kwargs={"case_uuid": earlier.uuid})).status_code == 404
    )
    body = client.get(page).content.decode()
    assert earlier.number not in body
    assert "ditangani tim lain" in body  # "held by another team"
    sign_in(client, boss)
    assert earlier.number in client.get(page).content.decode()


def test_the_repeat_event_names_the_earlier_case_only_to_those_who_see_it(client, people):
    owner, boss, stranger = people
    earlier = close(register(owner, "Rafi Sintetis", supervisor=boss, birth_date=date(2014, 1, 2)))
    later = register(stranger, "Rafi S.", birth_date=date(2014, 1, 2))
    # As the case service writes them when a known child is found again.
    case_svc._event(later, "case.repeat", stranger, earlier=earlier.number)
    case_svc._event(earlier, "case.found_again", stranger, later=later.number)
    sign_in(client, stranger)
    body = client.get(reverse("cases:detail", kwargs={"case_uuid": later.uuid})).content.decode()
    assert earlier.number not in body
    assert "ditangani tim lain" in body
    # The earlier case's manager is told the new number on purpose: whom to ask.
    sign_in(client, owner)
    body = client.get(reverse("cases:detail", kwargs={"case_uuid": earlier.uuid})).content.decode()
    assert later.number in body


def _unrelated_pairs(count: int, probability: float) -> None:
    """Open pairs of children with no case at all, scored above anything else."""
    from kawal.identity.models import DuplicatePair
    from kawal.people.models import Person

    size = 2
    while size * (size - 1) // 2 < count:
        size += 1
    children = Person.objects.bulk_create(
        Person(is_child=True, full_name=f"Anak Sintetis {n}") for n in range(size)
    )
    pairs = [(a, b) for i, a in enumerate(children) for b in children[i + 1 :]][:count]
    DuplicatePair.objects.bulk_create(
        DuplicatePair(
            first=a,
            second=b,
            probability=probability,
            band="likely",
            explanation=[],
            source="batch",
        )
        for a, b in pairs
    )


def test_the_queue_finds_the_reviewers_pairs_behind_other_agencies_pairs(people):
    owner, boss, stranger = people
    # More than the old code read before it filtered (500), all above the reviewer's.
    _unrelated_pairs(501, probability=0.99)
    elsewhere = make_user(Role.SUPERVISOR, username="boss2")
    theirs = [
        register(stranger, f"Bayu Sintetis {n}", supervisor=elsewhere, birth_date=date(2014, 1, 2))
        for n in range(4)
    ]
    higher = [_pair(theirs[0], theirs[1]), _pair(theirs[2], theirs[3])]
    for pair in higher:
        type(pair).objects.filter(pk=pair.pk).update(probability=0.98)
    mine = [
        register(owner, "Rafi Sintetis", supervisor=boss, birth_date=date(2014, 1, 2)),
        register(owner, "Rafi S.", supervisor=boss, birth_date=date(2014, 1, 2)),
    ]
    lower = _pair(*mine)
    type(lower).objects.filter(pk=lower.pk).update(probability=0.5)
    assert svc.open_pairs_for(boss) == [lower]
    assert svc.open_pairs_for(elsewhere) == higher
    merge = svc.merge(survivor=mine[0].child, absorbed=mine[1].child, reason="x", acting_user=boss)
    svc.merge(survivor=theirs[0].child, absorbed=theirs[1].child, reason="x", acting_user=elsewhere)
    svc.merge(survivor=theirs[2].child, absorbed=theirs[3].child, reason="x", acting_user=elsewhere)
    assert svc.recent_merges_for(boss) == [merge]


def test_pairs_already_one_child_do_not_fill_the_page(people):
    owner, boss, _ = people
    same = [
        register(owner, "Rafi Sintetis", supervisor=boss, birth_date=date(2014, 1, 2))
        for _ in range(4)
    ]
    inside = [_pair(a, b) for i, a in enumerate(same) for b in same[i + 1 :]]
    for pair in inside:
        type(pair).objects.filter(pk=pair.pk).update(probability=0.99)
    for other in same[1:]:
        svc.merge(survivor=same[0].child, absorbed=other.child, reason="x", acting_user=boss)
    apart = [
        register(owner, "Dimas Sintetis", supervisor=boss, birth_date=date(2013, 5, 6)),
        register(owner, "Dimas S.", supervisor=boss, birth_date=date(2013, 5, 6)),
    ]
    waiting = _pair(*apart, name="Dimas Sintetis")
    type(waiting).objects.filter(pk=waiting.pk).update(probability=0.6)
    # Merged without their pairs: all six are still open, and all one child now.
    assert svc.open_pairs_for(boss, limit=1) == [waiting]


def test_emergency_access_opens_no_lasting_case_for_the_child(client, people):
    owner, _, _ = people
    other_boss = make_user(Role.SUPERVISOR, username="boss2", full_name="Dewi Sintetis")
    known = close(register(owner, "Muhammad Riski bin Darman", birth_date=date(2015, 4, 9)))
    case_svc.break_glass_open(known, reason=EMERGENCY, acting_user=other_boss)
    sign_in(client, other_boss)
    response = client.post(reverse("cases:open"), intake_form())
    entry = response.context["panel"][0]
    assert entry.visible and not entry.linkable and entry.choice == ""
    page = response.content.decode()
    assert f'value="link:{known.child.uuid}"' not in page
    assert "akses darurat" in page  # "through emergency access only": whom to ask instead
    # Forcing it through the service is refused: the case would outlive the grant.
    with pytest.raises(PermissionDenied):
        found_again(known.child, other_boss)


def test_the_panel_compares_the_school_only_for_a_reader_of_whereabouts(client, people):
    owner, _, _ = people
    known = register(owner, "Muhammad Riski bin Darman", birth_date=date(2015, 4, 9))
    member = make_user(Role.CASE_MANAGER, username="member", full_name="Tim Sintetis")
    case_svc.member_add(
        known, user=member, case_role="x", data_classes=["identity"], acting_user=owner
    )

    def fields(user):
        sign_in(client, user)
        response = client.post(reverse("cases:open"), intake_form(school_name="SD Sintetis 1"))
        return {row["field"] for row in response.context["panel"][0].explanation}

    assert "school" in fields(owner)
    member_fields = fields(member)
    assert "name" in member_fields and "school" not in member_fields
