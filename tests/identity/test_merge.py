"""Merging two records of one child, and undoing it exactly; the review queue's scoping."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.cases.models import Case, CaseEvent
from kawal.core.models import AuditEvent
from kawal.identity import services as svc
from kawal.identity.index import lookup, query_record
from kawal.identity.matching import Scorer, make_record
from kawal.identity.models import DuplicatePair, IdentityRecord, Merge, PairStatus
from kawal.people.models import Household, Person, PersonAlias, PersonRelation
from tests.helpers import make_user, sign_in
from tests.identity.conftest import close, found_again, register

VOLATILE = {"version", "updated_at"}


def snapshot() -> dict:
    """Every row a merge could touch, without the concurrency counters."""

    def rows(model):
        return sorted(
            (
                {k: v for k, v in model_to_dict(obj).items() if k not in VOLATILE} | {"pk": obj.pk}
                for obj in model.objects.all()
            ),
            key=lambda row: row["pk"],
        )

    return {
        "people": rows(Person),
        "aliases": rows(PersonAlias),
        "relations": rows(PersonRelation),
        "households": rows(Household),
        "cases": rows(Case),
        "index": sorted(IdentityRecord.objects.values_list("person_id", "root_id")),
    }


@pytest.fixture
def twins(people):
    """One child registered twice: by Satpol PP's partner office and by the police."""
    owner, boss, _ = people
    earlier = register(
        owner,
        "Muhammad Riski bin Darman",
        supervisor=boss,
        aliases=["Kiki"],
        parents=[("mother", "Siti Aminah Sintetis")],
        birth_date=date(2015, 4, 9),
        kk_number="6471051203149001",
    )
    close(earlier)
    later = register(owner, "Moh. Rizky", supervisor=boss, age_min=10, age_max=11)
    pair = svc.pair_raise(
        earlier.child_id,
        later.child_id,
        Scorer().score(
            make_record(1, full_name="Muhammad Riski", birth_date=date(2015, 4, 9), sex="M"),
            make_record(2, full_name="Moh. Rizky", age_min=10, age_max=11, sex="M"),
        ),
        source="batch",
    )
    return earlier, later, pair


def test_merge_then_unmerge_restores_exactly(people, twins):
    _, boss, _ = people
    earlier, later, pair = twins
    before = snapshot()
    merge = svc.merge(
        survivor=earlier.child,
        absorbed=later.child,
        reason="Same mother",
        acting_user=boss,
        pair=pair,
    )
    after = snapshot()
    assert after != before
    later.refresh_from_db()
    assert later.child.merged_into_id == earlier.child_id
    assert later.repeat_of_id == earlier.pk  # found again after closure
    assert IdentityRecord.objects.get(person=later.child).root_id == earlier.child_id
    svc.unmerge(merge, reason="Wrong child after all", acting_user=boss)
    assert snapshot() == before
    pair.refresh_from_db()
    assert pair.status == PairStatus.OPEN  # back in the queue to decide again
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {"identity.merged", "identity.unmerged"} <= kinds
    assert CaseEvent.objects.filter(case=later, kind="identity.unmerged").exists()


def test_a_merged_child_is_found_under_the_survivor(people, twins):
    _, boss, _ = people
    earlier, later, _pair = twins
    svc.merge(survivor=earlier.child, absorbed=later.child, reason="Same", acting_user=boss)
    found = lookup(query_record(full_name="Moh. Rizky", age_min=10, age_max=11, sex="M"))
    assert [candidate.root_id for candidate in found] == [earlier.child_id]


def test_only_a_reviewer_who_sees_both_children_may_merge(people, twins):
    owner, boss, _stranger = people
    earlier, later, _pair = twins
    with pytest.raises(PermissionDenied):
        svc.merge(survivor=earlier.child, absorbed=later.child, reason="x", acting_user=owner)
    other_boss = make_user(Role.SUPERVISOR, username="other-boss")
    with pytest.raises(PermissionDenied):
        svc.merge(survivor=earlier.child, absorbed=later.child, reason="x", acting_user=other_boss)
    with pytest.raises(ValidationError):
        svc.merge(survivor=earlier.child, absorbed=later.child, reason=" ", acting_user=boss)
    assert not Merge.objects.exists()


def test_queue_shows_pairs_only_to_reviewers_who_see_both(client, people, twins):
    owner, boss, _ = people
    _earlier, _later, pair = twins
    sign_in(client, boss)
    page = client.get(reverse("identity:queue"))
    assert page.status_code == 200 and pair in page.context["pairs"]
    other_boss = make_user(Role.SUPERVISOR, username="other-boss")
    sign_in(client, other_boss)
    page = client.get(reverse("identity:queue"))
    assert page.context["pairs"] == [] and "Muhammad Riski" not in page.content.decode()
    assert client.get(reverse("identity:pair", args=[pair.uuid])).status_code == 404
    sign_in(client, owner)  # a case manager: no review capability at all
    assert client.get(reverse("identity:queue")).status_code == 403


def test_reviewer_merges_and_undoes_through_the_pages(client, people, twins):
    _, boss, _ = people
    _earlier, _later, pair = twins
    sign_in(client, boss)
    page = client.get(reverse("identity:pair", args=[pair.uuid]))
    assert "Muhammad Riski bin Darman" in page.content.decode()
    missing_reason = client.post(
        reverse("identity:pair", args=[pair.uuid]), {"action": "keep_first", "reason": ""}
    )
    assert missing_reason.status_code == 400 and not Merge.objects.exists()
    client.post(
        reverse("identity:pair", args=[pair.uuid]),
        {"action": "keep_first", "reason": "Same mother and KK"},
    )
    merge = Merge.objects.get()
    assert merge.survivor_id == pair.first_id
    client.post(reverse("identity:undo", args=[merge.uuid]), {"reason": "Mistake"})
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert Person.objects.get(pk=merge.absorbed_id).merged_into_id is None


def test_marking_different_keeps_the_pair_out_of_later_scans(people, twins):
    _, boss, _ = people
    _earlier, _later, pair = twins
    svc.pair_mark_different(pair, reason="Different mothers", acting_user=boss)
    again = svc.pair_raise(
        pair.first_id,
        pair.second_id,
        Scorer().score(make_record(1, full_name="A"), make_record(2, full_name="A")),
        source="batch",
    )
    assert again is not None and again.status == PairStatus.DIFFERENT
    assert DuplicatePair.objects.count() == 1


def test_repeat_rate_counts_cases_of_children_found_again(people, twins):
    _, boss, _ = people
    earlier, later, _pair = twins
    assert svc.repeat_rate()["repeats"] == 0
    svc.merge(survivor=earlier.child, absorbed=later.child, reason="Same", acting_user=boss)
    rate = svc.repeat_rate()
    assert rate == {"cases": 2, "repeats": 1, "rate": 0.5}


def test_nested_merges_undo_last_first_and_each_undo_restores_exactly(people, twins):
    owner, boss, _ = people
    earlier, later, _pair = twins
    third = register(owner, "Rizki Darman", supervisor=boss, age_min=10, age_max=11)
    before_inner = snapshot()
    inner = svc.merge(survivor=later.child, absorbed=third.child, reason="x", acting_user=boss)
    before_outer = snapshot()
    outer = svc.merge(survivor=earlier.child, absorbed=later.child, reason="y", acting_user=boss)
    # The outer merge linked the third record's case too (opened after the
    # earlier one closed): undone first, the inner merge would leave that link
    # between two children the undo says are different.
    assert Case.objects.get(pk=third.pk).repeat_of_id == earlier.pk
    with pytest.raises(ValidationError):
        svc.unmerge(inner, reason="z", acting_user=boss)
    assert Merge.objects.get(pk=inner.pk).undone_at is None
    svc.unmerge(outer, reason="z", acting_user=boss)
    assert snapshot() == before_outer
    svc.unmerge(inner, reason="z", acting_user=boss)
    assert snapshot() == before_inner
    assert IdentityRecord.objects.get(person=third.child).root_id == third.child_id
    with pytest.raises(ValidationError):
        svc.unmerge(inner, reason="again", acting_user=boss)


def test_a_merge_into_the_same_survivor_is_undone_before_an_older_one(people, twins):
    owner, boss, _ = people
    earlier, later, _pair = twins
    third = register(owner, "Rizki Darman", supervisor=boss, age_min=10, age_max=11)
    older = svc.merge(survivor=earlier.child, absorbed=later.child, reason="x", acting_user=boss)
    before_newer = snapshot()
    newer = svc.merge(survivor=earlier.child, absorbed=third.child, reason="y", acting_user=boss)
    with pytest.raises(ValidationError):
        svc.unmerge(older, reason="z", acting_user=boss)
    svc.unmerge(newer, reason="z", acting_user=boss)
    assert snapshot() == before_newer
    svc.unmerge(older, reason="z", acting_user=boss)
    assert IdentityRecord.objects.get(person=later.child).root_id == later.child_id


def test_a_decided_pair_cannot_be_merged_by_a_crafted_post(client, people, twins):
    _, boss, _ = people
    _earlier, _later, pair = twins
    svc.pair_mark_different(pair, reason="Different mothers", acting_user=boss)
    sign_in(client, boss)
    response = client.post(
        reverse("identity:pair", args=[pair.uuid]), {"action": "keep_first", "reason": "x"}
    )
    assert response.status_code == 400 and not Merge.objects.exists()


def test_listing_the_queue_is_an_identity_read_in_the_access_log(client, people, twins):
    from kawal.access.models import AccessLog

    _, boss, _ = people
    earlier, later, _pair = twins
    sign_in(client, boss)
    client.get(reverse("identity:queue"))
    logged = set(AccessLog.objects.filter(action="list").values_list("case_id", flat=True))
    assert {earlier.pk, later.pk} <= logged


def test_an_undo_mends_a_repeat_link_made_while_the_merge_was_in_force(people):
    owner, boss, _ = people
    first = close(register(owner, "Rafi Sintetis", supervisor=boss, birth_date=date(2014, 1, 2)))
    second = close(register(owner, "Rafi S.", supervisor=boss, birth_date=date(2014, 1, 2)))
    merge = svc.merge(survivor=first.child, absorbed=second.child, reason="x", acting_user=boss)
    # Found again while the two records were one child: the new case repeats
    # the latest case of the pair, which is the other record's.
    found = found_again(first.child, owner, supervisor=boss)
    assert found.child_id == first.child_id and found.repeat_of_id == second.pk
    svc.unmerge(merge, reason="Two children after all", acting_user=boss)
    found.refresh_from_db()
    assert found.repeat_of_id == first.pk  # its own child's earlier case, not the other's
    assert Case.objects.get(pk=second.pk).repeat_of_id is None


def test_a_change_of_the_child_does_not_write_back_a_root_it_read_before_a_merge(people):
    from kawal.identity.index import identity_refresh

    owner, boss, _ = people
    first = register(owner, "Rafi Sintetis", supervisor=boss, birth_date=date(2014, 1, 2))
    second = register(owner, "Rafi S.", supervisor=boss, birth_date=date(2014, 1, 2))
    # A change read the child before the merge committed, and writes after it.
    stale = Person.objects.get(pk=second.child_id)
    svc.merge(survivor=first.child, absorbed=second.child, reason="x", acting_user=boss)
    identity_refresh(stale)
    assert IdentityRecord.objects.get(person=second.child).root_id == first.child_id
