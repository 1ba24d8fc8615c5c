"""The matching index follows the registry, and lookups find the same child written differently."""

from __future__ import annotations

from datetime import date

from kawal.cases import services as svc
from kawal.identity.index import lookup, query_record
from kawal.identity.models import IdentityBlock, IdentityRecord
from tests.identity.conftest import register


def test_opening_a_case_indexes_the_child_with_parents_and_aliases(people):
    owner, _boss, _ = people
    case = register(
        owner,
        "Muhammad Riski bin Darman",
        aliases=["Kiki"],
        parents=[("mother", "Siti Aminah Sintetis")],
        birth_date=date(2015, 4, 9),
        nik_status="known",
        nik="6471050904150001",
    )
    row = IdentityRecord.objects.get(person=case.child)
    assert row.aliases == "Kiki" and row.parent_names == "Siti Aminah Sintetis"
    assert row.nik == "6471050904150001" and row.root_id == case.child_id
    keys = set(IdentityBlock.objects.filter(person=case.child).values_list("key", flat=True))
    assert "i:6471050904150001" in keys
    assert any(key.startswith("p:") for key in keys)  # bin Darman and the mother


def test_lookup_finds_the_forms_of_one_name(people):
    owner, _, _ = people
    case = register(owner, "Muhammad Riski bin Darman", birth_date=date(2015, 4, 9))
    for written in ("Moh. Rizky", "M. Rizki", "MOCH. RISKI", "Rizki Muhamad"):
        found = lookup(query_record(full_name=written, age_min=10, age_max=12, sex="M"))
        assert found and found[0].root_id == case.child_id, written


def test_lookup_finds_a_nickname_recorded_as_an_alias_and_the_reverse(people):
    owner, _, _ = people
    case = register(owner, "Muhammad Riski", aliases=["Kiki"], birth_date=date(2015, 4, 9))
    found = lookup(query_record(full_name="Kiki", birth_date=date(2015, 4, 9), sex="M"))
    assert found and found[0].root_id == case.child_id


def test_lookup_keeps_a_stranger_out(people):
    owner, _, _ = people
    register(owner, "Muhammad Riski", birth_date=date(2015, 4, 9))
    found = lookup(query_record(full_name="Dewi Lestari", birth_date=date(2009, 1, 2), sex="F"))
    assert found == []


def test_editing_the_child_reindexes(people):
    owner, _, _ = people
    case = register(owner, "Budi Santoso", birth_date=date(2015, 4, 9))
    child = case.child
    svc.child_update(
        case,
        expected_version=child.version,
        changes={"full_name": "Bayu Pratama"},
        aliases=None,
        acting_user=owner,
    )
    assert lookup(query_record(full_name="Bayu Pratama", birth_date=date(2015, 4, 9)))
    assert not lookup(query_record(full_name="Budi Santoso", birth_date=date(2015, 4, 9), sex="M"))


def test_a_relative_added_later_feeds_the_parents_names(people):
    owner, _, _ = people
    case = register(owner, "Ahmad Fauzi", birth_date=date(2014, 1, 5))
    svc.relative_add(
        case,
        person={"full_name": "Darmawan Sintetis"},
        relation="father",
        is_guardian=True,
        acting_user=owner,
    )
    assert IdentityRecord.objects.get(person=case.child).parent_names == "Darmawan Sintetis"
