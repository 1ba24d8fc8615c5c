"""The matching index follows the registry, and lookups find the same child written differently."""

from __future__ import annotations

from datetime import date

from kawal.cases import services as svc
from kawal.identity import index
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


def test_a_common_key_is_counted_only_up_to_the_cap_and_the_rare_name_still_ranks_first(
    people, monkeypatch
):
    owner, _, _ = people
    for given in ("Bayu", "Dimas", "Eko", "Fajar"):
        register(owner, f"{given} Saputra", birth_date=date(2015, 4, 9))
    wanted = register(owner, "Wibisono Saputra", birth_date=date(2015, 4, 9))
    common = "n:" + query_record(full_name="Saputra").key
    assert index._key_sizes([common, "n:nothing"]) == {common: 5}
    monkeypatch.setattr(index, "COUNT_AT_MOST", 2)
    assert index._key_sizes([common]) == {common: 3}  # one past the cap: "more than 2"
    monkeypatch.setattr(index, "COUNT_AT_MOST", 5)
    assert index._key_sizes([common]) == {common: 5}  # exactly at the cap: its true size
    found = lookup(query_record(full_name="Wibisono Saputra", birth_date=date(2015, 4, 9)))
    assert found and found[0].root_id == wanted.child_id


def test_keys_counted_only_to_the_cap_do_not_outweigh_a_rarer_key_together(people, monkeypatch):
    # Eight children share two keys, one child a key of its own. Weighed at the
    # cap (here 3 rows) the two common keys together would outrank the rare one;
    # weighed at the registry's size they do not, as when counted whole.
    owner, _, _ = people
    kids = [
        register(owner, f"Anak {given} Sintetis", birth_date=date(2015, 4, 9)).child
        for given in ("Ayu", "Bima", "Cici", "Dodi", "Eka", "Fani", "Gita", "Hadi", "Indra")
    ]
    wanted, others = kids[0], kids[1:]
    rows = [IdentityBlock(person=wanted, key="n:RARE", year_min=2015, year_max=2015)]
    for child in others:
        rows += [
            IdentityBlock(person=child, key=key, year_min=2015, year_max=2015)
            for key in ("n:COMMON1", "n:COMMON2")
        ]
    IdentityBlock.objects.bulk_create(rows)
    keys = ["n:COMMON1", "n:COMMON2", "n:RARE"]
    monkeypatch.setattr(index, "SCORE_AT_MOST", 1)
    assert index._best_hits(keys, 2014, 2016) == [wanted.pk]  # counted whole
    monkeypatch.setattr(index, "COUNT_AT_MOST", 3)
    assert index._best_hits(keys, 2014, 2016, registry=1_000_000) == [wanted.pk]


def test_the_count_cap_stays_above_the_one_edit_cutoff():
    # One-edit keys are left out by their counted size: a cap below the cutoff would keep them all.
    assert index.COUNT_AT_MOST > index.EDIT_KEY_AT_MOST
