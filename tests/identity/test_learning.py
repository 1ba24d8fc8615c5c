"""Reviewers' decisions as labels in ``kawal dedupe``; model versions; one-edit lookups."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from kawal.identity import dedupe
from kawal.identity.index import current_scorer, lookup, query_record
from kawal.identity.matching import BLOCK_KEYS_VERSION, Model
from kawal.identity.models import DuplicatePair, IdentityBlock, IdentitySighting, PairStatus
from tests.identity.conftest import register

TWICE = [
    ("Muhammad Riski bin Darman", "Moh. Rizky"),
    ("Siti Rahmawati", "Siti Rachmawati"),
    ("Achmad Djunaedi", "Ahmad Junaedi"),
]


def registry(owner) -> list:
    """Three children registered twice each."""
    cases = []
    for index, (first, second) in enumerate(TWICE):
        born = date(2012 + index, 3, 4)
        sex = "F" if first.startswith("Siti") else "M"
        cases.append(register(owner, first, birth_date=born, sex=sex))
        cases[-1].__class__.objects.filter(pk=cases[-1].pk).update(status="closed")
        cases.append(register(owner, second, birth_date=born, sex=sex))
    return cases


def test_pairs_raised_by_a_scan_carry_the_model_version(people):
    owner, _, _ = people
    registry(owner)
    call_command("dedupe", "--full", stdout=io.StringIO())
    versions = set(DuplicatePair.objects.values_list("model_version", flat=True))
    assert versions == {current_scorer().version}
    assert next(iter(versions)).startswith("defaults-")


@override_settings(KAWAL_MATCH_MIN_LABELS=2)
def test_dedupe_learns_from_decided_pairs_and_reports_the_weights_moved(people):
    owner, _, _ = people
    registry(owner)
    call_command("dedupe", "--full", stdout=io.StringIO())
    pairs = list(DuplicatePair.objects.order_by("pk"))
    assert len(pairs) == 3
    # Test set-up: the review pages are tested in test_merge.py.
    DuplicatePair.objects.filter(pk__in=[p.pk for p in pairs[:2]]).update(status=PairStatus.MERGED)
    DuplicatePair.objects.filter(pk=pairs[2].pk).update(status=PairStatus.DIFFERENT)
    assert len(dedupe.labelled_pairs(list(_person_ids()))) == 3
    out = io.StringIO()
    call_command("dedupe", "--full", stdout=out)
    text = out.getvalue()
    assert "3 reviewers' decisions" in text
    assert "Weights the decisions moved" in text
    state = dedupe.state()
    assert state.parameters["source"] == "labelled" and state.parameters["labels_used"] == 3
    # The same decisions do not call for another fit.
    again = io.StringIO()
    call_command("dedupe", "--full", stdout=again)
    assert "reviewers' decisions" not in again.getvalue()


def test_too_few_decisions_leave_the_model_alone(people):
    owner, _, _ = people
    registry(owner)
    call_command("dedupe", "--full", stdout=io.StringIO())
    DuplicatePair.objects.update(status=PairStatus.MERGED)
    out = io.StringIO()
    call_command("dedupe", "--full", stdout=out)
    assert "re-estimated" not in out.getvalue()
    assert dedupe.state().parameters == {}


def _person_ids():
    from kawal.identity.models import IdentityRecord

    return IdentityRecord.objects.order_by("person_id").values_list("person_id", flat=True)


def test_an_index_built_by_older_keys_is_rebuilt_by_the_next_scan(people):
    owner, _, _ = people
    registry(owner)
    IdentityBlock.objects.filter(key__startswith="e:").delete()  # as the old scheme left it
    state = dedupe.state()
    state.keys_version = 1
    state.save()
    out = io.StringIO()
    call_command("dedupe", stdout=out)
    assert "Matching index rebuilt for 6 children" in out.getvalue()
    assert dedupe.state().keys_version == BLOCK_KEYS_VERSION
    assert IdentityBlock.objects.filter(key__startswith="e:").exists()


def test_lookup_finds_a_one_letter_typo_and_a_year_typed_one_off(people):
    owner, _, _ = people
    case = register(owner, "Farhunnisa", birth_date=date(2016, 9, 21), sex="F")
    register(owner, "Suwarni", birth_date=date(2016, 9, 21), sex="F")
    found = lookup(query_record(full_name="Farhunniso", birth_date=date(2017, 9, 21), sex="F"))
    assert found and found[0].root_id == case.child_id
    typo = lookup(query_record(full_name="Farhunisza", birth_date=date(2016, 9, 21), sex="F"))
    assert typo and typo[0].root_id == case.child_id


def test_lookup_finds_a_child_whose_birth_year_was_typed_wrong(people):
    owner, _, _ = people
    case = register(owner, "Siti Dewi Kurniawati", birth_date=date(2015, 4, 9), sex="F")
    register(owner, "Dewi Lestari", birth_date=date(2012, 4, 9), sex="F")
    # Three years off, outside every year window; day and month swapped as well.
    for born in (date(2012, 4, 9), date(2012, 9, 4)):
        found = lookup(query_record(full_name="Siti Dewi Kurniawati", birth_date=born, sex="F"))
        assert found and found[0].root_id == case.child_id
    # A birthday alone, without a name, finds nobody.
    assert not lookup(query_record(full_name="Nur Aini", birth_date=date(2012, 4, 9), sex="F"))


def test_a_model_fitted_with_older_levels_is_fitted_again(people):
    owner, _, _ = people
    registry(owner)
    state = dedupe.state()
    old = Model().as_json()
    old["m"]["birth"] = old["m"]["birth"][:5]  # five birth levels, before "same year"
    state.parameters = old
    state.save()
    result = dedupe.run(full=True)
    assert result.fitted
    assert len(dedupe.state().parameters["m"]["birth"]) == len(Model().m["birth"])


def test_a_documented_placeholder_date_stays_a_date_in_the_index(people):
    from kawal.identity.index import record_from_row
    from kawal.identity.models import IdentityRecord

    owner, _, _ = people
    told = register(owner, "Nabila Putri", birth_date=date(2015, 7, 1), sex="F")
    papers = register(
        owner, "Nabila Rahma", birth_date=date(2015, 7, 1), birth_date_documented=True, sex="F"
    )
    rows = {row.person_id: row for row in IdentityRecord.objects.all()}
    assert rows[papers.child_id].birth_date_documented
    assert record_from_row(rows[papers.child_id]).birth_precision == "exact"
    assert record_from_row(rows[told.child_id]).birth_precision == "year"


def test_a_birthday_key_that_many_children_share_does_not_rank(people):
    from kawal.identity.batch import SMALL_BLOCK
    from kawal.identity.index import _best_hits
    from kawal.identity.models import IdentityBlock

    owner, _, _ = people
    child = register(owner, "Nur Aini", birth_date=date(2015, 4, 9), sex="F").child
    key = "d:4:9:F:TEST"
    IdentityBlock.objects.create(person=child, key=key, year_min=0, year_max=9999)
    assert _best_hits([key], 2012, 2012) == [child.pk]
    # With the child looked up, as many as the batch pairs whole: no longer telling.
    others = [
        register(owner, f"Anak Sintetis {n}", birth_date=date(2015, 4, 9), sex="F").child
        for n in range(SMALL_BLOCK - 1)
    ]
    IdentityBlock.objects.bulk_create(
        IdentityBlock(person=other, key=key, year_min=0, year_max=9999) for other in others
    )
    assert _best_hits([key], 2012, 2012) == []


def test_each_scan_counts_the_frequency_tables_again_without_fitting(people):
    owner, _, _ = people
    registry(owner)
    dedupe.run(full=True, refit=True)
    fitted = dedupe.state()
    assert fitted.parameters["records"] == 6 and fitted.counted_at == fitted.fitted_at
    before = current_scorer().model
    # A name brought in after the fit, on three children born on other days.
    for day in (5, 6, 7):
        register(owner, "Yohanes Pasaribu", birth_date=date(2011, 2, day), sex="M")
    result = dedupe.run()
    assert not result.fitted
    state = dedupe.state()
    assert state.fitted_at == fitted.fitted_at and state.counted_at > fitted.counted_at
    scorer = current_scorer()
    assert scorer.model.records == 9
    key = " ".join(query_record(full_name="Yohanes Pasaribu").info_keys)
    assert scorer.model.name_freq[key] == 2 / 9
    assert key not in before.name_freq
    # Counting is not fitting: m and u stay as fitted. The prior, that two
    # records are one child, falls as the records grow (its odds by 6/9).
    assert (scorer.model.m, scorer.model.u) == (before.m, before.u)
    odds = before.prior / (1 - before.prior) * 6 / 9
    assert scorer.model.prior == pytest.approx(odds / (1 + odds))
    assert result.model_version == scorer.version  # the scan scored with the tables counted
    # Counted again on the same registry, nothing changes.
    dedupe.run()
    assert current_scorer().model.as_json() == scorer.model.as_json()


def test_counting_does_not_overwrite_a_fit_saved_meanwhile(people, monkeypatch):
    owner, _, _ = people
    registry(owner)
    dedupe.run(full=True, refit=True)
    register(owner, "Yohanes Pasaribu", birth_date=date(2011, 2, 5), sex="M")
    other = Model(prior=0.25, records=7, source="em").as_json()
    counting = dedupe.count_frequencies

    def fit_saved_meanwhile(model, records):
        # Another run (``kawal dedupe --fit``) saves its fit while this one counts.
        state = dedupe.state()
        state.parameters, state.fitted_at = other, timezone.now()
        state.save()
        return counting(model, records)

    monkeypatch.setattr(dedupe, "count_frequencies", fit_saved_meanwhile)
    result = dedupe.run()
    assert dedupe.state().parameters == other
    assert result.model_version == Model.from_json(other).version


def test_a_resumed_scan_scores_its_pairs_with_the_tables_it_started_with(people, monkeypatch):
    owner, _, _ = people
    registry(owner)
    dedupe.run(full=True, refit=True)
    monkeypatch.setattr(dedupe, "CHUNK", 1)
    register(owner, "Yohanes Pasaribu", birth_date=date(2011, 2, 5), sex="M")
    dedupe.run(full=True, stop_after_chunks=1)
    counted = dedupe.state()
    register(owner, "Yohanes Pasaribu", birth_date=date(2011, 2, 6), sex="M")
    rest = dedupe.run()
    assert rest.resumed_from == 1
    state = dedupe.state()
    assert state.counted_at == counted.counted_at and state.parameters == counted.parameters


def test_a_fit_that_finds_no_child_recorded_twice_is_not_kept(people, monkeypatch):
    """EM on a registry where every child is recorded once learns its weights from
    brothers and sisters; the model in use stays, and the scan says why."""
    owner, _, _ = people
    monkeypatch.setattr(dedupe, "FIT_AT_LEAST", 8)  # eight children stand for 2,000
    # Twins (one birthday, two names) and namesakes (one name, years apart): the
    # pairs EM looks at, and none of them one child.
    twins = [
        ("Bayu", "Dimas", "Pratama"),
        ("Putri", "Dewi", "Lestari"),
        ("Rafi", "Rafa", "Hidayat"),
    ]
    for index, (first, second, family) in enumerate(twins):
        born = date(2012 + index, 3, 4)
        register(owner, f"{first} {family}", birth_date=born, sex="M")
        register(owner, f"{second} {family}", birth_date=born, sex="F" if index == 1 else "M")
    for year in (2009, 2014):
        register(owner, "Yohanes Pasaribu", birth_date=date(year, 6, 2), sex="M")
    before = dedupe.state().parameters
    out = io.StringIO()
    call_command("dedupe", "--full", "--fit", stdout=out)
    assert "too few children recorded twice" in out.getvalue()
    assert dedupe.state().parameters == before


def test_the_sightings_of_children_found_again_are_the_repeats_a_fit_learns_from(
    people, monkeypatch
):
    """The registry above, each child written once more when found again (a
    case opened for them): EM now finds children recorded twice, and the fit
    is kept, with the tables counted on the children's own records."""
    owner, _, _ = people
    monkeypatch.setattr(dedupe, "FIT_AT_LEAST", 8)
    children = []
    for index, (first, second, family) in enumerate(
        [("Bayu", "Dimas", "Pratama"), ("Putri", "Dewi", "Lestari"), ("Rafi", "Rafa", "Hidayat")]
    ):
        born = date(2012 + index, 3, 4)
        children.append(register(owner, f"{first} {family}", birth_date=born, sex="M"))
        children.append(register(owner, f"{second} {family}", birth_date=born, sex="M"))
    for year in (2009, 2014):
        children.append(register(owner, "Yohanes Pasaribu", birth_date=date(year, 6, 2), sex="M"))
    for index, case in enumerate(children):
        child = case.child
        # As the intake form wrote them the second time: mostly the same, once a letter slipped.
        IdentitySighting.objects.create(
            person=child,
            case=case,
            full_name=child.full_name.replace("a", "o", 1) if index == 0 else child.full_name,
            birth_date=child.birth_date,
            sex="M",
            as_of=timezone.localdate(),
            created_by=owner,
        )
    out = io.StringIO()
    call_command("dedupe", "--full", "--fit", stdout=out)
    assert "too few children recorded twice" not in out.getvalue()
    model = Model.from_json(dedupe.state().parameters)
    assert model.source == "em" and model.records == len(children)
    # Without the sightings the same registry's fit is refused (the test above).
    IdentitySighting.objects.all().delete()
    out = io.StringIO()
    call_command("dedupe", "--full", "--fit", stdout=out)
    assert "too few children recorded twice" in out.getvalue()


def test_a_refused_fit_keeps_the_model_in_use_and_labels_get_the_tables(people, monkeypatch):
    """A fit refused for want of repeats leaves the stored model in place; with
    enough reviewers' decisions the model they give has the registry's tables."""
    owner, _, _ = people
    registry(owner)
    dedupe.run(full=True, refit=True)
    kept = dedupe.state().parameters
    monkeypatch.setattr(dedupe, "FIT_AT_LEAST", 6)
    monkeypatch.setattr(dedupe, "found_repeats", lambda model: False)
    result = dedupe.run(full=True, refit=True)
    assert result.no_repeats and not result.fitted
    assert dedupe.state().parameters == kept
    labels = [(0, 1, True), (2, 3, True), (4, 5, False)]
    with override_settings(KAWAL_MATCH_MIN_LABELS=3):
        model = dedupe.fit(_records(), labels)
    assert model.source == "labelled" and model.records == 6 and model.year_freq


def _records() -> list:
    from kawal.identity.index import record_from_row
    from kawal.identity.models import IdentityRecord

    return [record_from_row(row) for row in IdentityRecord.objects.order_by("person_id")]
