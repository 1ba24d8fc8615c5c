"""A child whose records were merged is one child: one bed at a time.

Regression tests for the review finding L1: a merge rewrites no stay, so a
stay admitted under record A stayed invisible to the admission check of
record B once A was merged into B, and the child could be in two beds.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import override

from kawal.cases import services as case_svc
from kawal.cases.models import Case, SharingBasis
from kawal.identity import services as identity
from kawal.people.models import Person
from kawal.shelters import services as svc
from kawal.shelters.models import Stay
from tests.cases.conftest import open_case
from tests.shelters.conftest import ShelterWorld, admit, staff_on

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Service messages are asserted in English (the Indonesian catalogue is merged later).
    with override("en"):
        yield


def second_record(sw: ShelterWorld, name: str = "Zulaikha Duplikat Sintetis") -> Case:
    """Another case of the same (synthetic) child under a second record, shelter staff on it."""
    world = sw.world
    case = open_case(world.owner, world.supervisor, name=name)
    case = case_svc.case_update(
        case,
        expected_version=case.version,
        changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
        acting_user=world.owner,
    )
    staff_on(case, world.owner, staff=sw.staff)
    return case


def merge(sw: ShelterWorld, *, survivor: Person, absorbed: Person):
    return identity.merge(
        survivor=survivor,
        absorbed=absorbed,
        reason="Same child (synthetic)",
        acting_user=sw.world.supervisor,
    )


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_a_child_merged_after_admission_is_not_admitted_again(shelter_world):
    """Admit A, merge A into B, admit B's case: refused, the child sleeps in one bed."""
    a_stay = shelter_world.stay  # record A, admitted before the merge
    b_case = second_record(shelter_world)
    merge(shelter_world, survivor=b_case.child, absorbed=a_stay.case.child)
    assert a_stay.child_id == a_stay.case.child_id  # the merge did not rewrite the stay

    with pytest.raises(ValidationError) as error:
        admit(b_case, shelter_world.bed(shelter_world.girls, "G2"), shelter_world.staff)
    assert "already staying in a shelter" in messages_of(error.value)
    assert Stay.objects.active().count() == 1


def test_the_check_covers_chains_of_merges_both_ways(shelter_world):
    a_stay = shelter_world.stay
    b_case = second_record(shelter_world, "Zulaikha Kedua Sintetis")
    c_case = second_record(shelter_world, "Zulaikha Ketiga Sintetis")
    merge(shelter_world, survivor=b_case.child, absorbed=a_stay.case.child)
    merge(shelter_world, survivor=c_case.child, absorbed=b_case.child)
    # The root's case, and a sibling record's case, are both the same child.
    for case, bed in ((c_case, "G2"), (b_case, "G3")):
        with pytest.raises(ValidationError):
            admit(case, shelter_world.bed(shelter_world.girls, bed), shelter_world.staff)
    assert Stay.objects.active().count() == 1
    assert sorted(svc.merge_group(c_case.child_id)) == sorted(
        [a_stay.case.child_id, b_case.child_id, c_case.child_id]
    )


def test_an_earlier_stay_of_a_merged_record_blocks_overlapping_times(shelter_world):
    a_stay = shelter_world.stay  # admitted two days ago
    svc.stay_discharge(
        a_stay,
        expected_version=a_stay.version,
        at=timezone.now(),
        reason="home",
        destination="Rumah (sintetis)",
        acting_user=shelter_world.staff,
    )
    b_case = second_record(shelter_world)
    merge(shelter_world, survivor=b_case.child, absorbed=a_stay.case.child)
    with pytest.raises(ValidationError) as error:
        admit(b_case, shelter_world.bed(shelter_world.girls, "G2"), shelter_world.staff, days_ago=1)
    assert "still staying in a shelter at that time" in messages_of(error.value)
    # After the discharge, the child may come again under either record.
    stay = admit(
        b_case, shelter_world.bed(shelter_world.girls, "G2"), shelter_world.staff, days_ago=0
    )
    assert stay.child_id == b_case.child_id


def test_once_unmerged_the_two_records_are_two_children_again(shelter_world):
    a_stay = shelter_world.stay
    b_case = second_record(shelter_world)
    record = merge(shelter_world, survivor=b_case.child, absorbed=a_stay.case.child)
    identity.unmerge(
        record, reason="Two children after all", acting_user=shelter_world.world.supervisor
    )
    stay = admit(b_case, shelter_world.bed(shelter_world.girls, "G2"), shelter_world.staff)
    assert stay.is_active and Stay.objects.active().count() == 2


def test_a_move_checks_the_whole_group(shelter_world):
    """Two records each staying, then merged (the registry allows it): neither moves
    until one stay is ended, and the message says why."""
    a_stay = shelter_world.stay
    b_case = second_record(shelter_world)
    b_stay = admit(b_case, shelter_world.bed(shelter_world.girls, "G2"), shelter_world.staff)
    merge(shelter_world, survivor=b_case.child, absorbed=a_stay.case.child)
    with pytest.raises(ValidationError) as error:
        svc.stay_transfer(
            b_stay,
            expected_version=b_stay.version,
            bed=shelter_world.bed(shelter_world.girls, "G3"),
            at=timezone.now(),
            reason="Pindah kamar",
            acting_user=shelter_world.staff,
        )
    assert "already staying in a shelter" in messages_of(error.value)
    svc.stay_discharge(
        a_stay,
        expected_version=a_stay.version,
        at=timezone.now(),
        reason="home",
        destination="Rumah (sintetis)",
        acting_user=shelter_world.staff,
    )
    b_stay.refresh_from_db()
    moved = svc.stay_transfer(
        b_stay,
        expected_version=b_stay.version,
        bed=shelter_world.bed(shelter_world.girls, "G3"),
        at=timezone.now(),
        reason="Pindah kamar",
        acting_user=shelter_world.staff,
    )
    assert moved.is_active and Stay.objects.active().count() == 1


def test_a_merge_committed_after_the_root_was_read_is_followed_under_the_lock(
    shelter_world, monkeypatch
):
    """The admission read A as its own root; before it locked A, A was merged into B and
    B's case admitted. Locking A then finds A merged: the check follows to B and refuses."""
    a_stay = shelter_world.stay
    a_case = a_stay.case
    b_case = second_record(shelter_world)
    svc.stay_discharge(
        a_stay,
        expected_version=a_stay.version,
        at=timezone.now(),
        reason="home",
        destination="Rumah (sintetis)",
        acting_user=shelter_world.staff,
    )
    a_case = Case.objects.select_related("child").get(pk=a_case.pk)  # A read as a root
    real_root_of = svc.root_of
    raced = []

    def root_of_then_race(person):
        root = real_root_of(person)
        if not raced:
            raced.append(True)
            merge(shelter_world, survivor=b_case.child, absorbed=Person.objects.get(pk=root.pk))
            admit(
                b_case,
                shelter_world.bed(shelter_world.girls, "G2"),
                shelter_world.staff,
                days_ago=0,
            )
        return root

    monkeypatch.setattr(svc, "root_of", root_of_then_race)
    with pytest.raises(ValidationError) as error:
        admit(a_case, shelter_world.bed(shelter_world.girls, "G3"), shelter_world.staff, days_ago=0)
    assert "already staying in a shelter" in messages_of(error.value)
    assert raced
    # (The race ran inside the refused admission's transaction here, so it was rolled
    # back with it; on a server it commits on its own.) Nothing of A's was admitted.
    assert not Stay.objects.active().filter(case=a_case).exists()
