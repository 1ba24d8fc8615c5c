"""Scoring, NIK handling, siblings and EM of the identity matcher (no database)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kawal.identity.batch import (
    candidate_pairs,
    found_repeats,
    train_and_link,
    train_unlabelled,
)
from kawal.identity.matching import (
    FIELD_NAMES,
    FIELDS,
    NAME_SAME,
    NAME_SOUNDS_SAME,
    Model,
    Scorer,
    compare,
    estimate,
    make_record,
    name_weight,
    nik_implied,
    score_levels,
)

LEVEL_TUPLES = st.tuples(*(st.integers(-1, len(spec.levels) - 1) for spec in FIELDS))
PROBABILITIES = st.floats(0.001, 0.999)


def random_model(rng: random.Random) -> Model:
    """A model with arbitrary (not monotone) m and u, as a bad EM run might give."""
    model = Model()
    for spec in FIELDS:
        for part in (model.m, model.u):
            raw = [rng.random() + 1e-3 for _ in spec.levels]
            part[spec.name] = [x / sum(raw) for x in raw]
    model.prior = rng.uniform(1e-6, 0.5)
    return model


@settings(max_examples=300, deadline=None)
@given(levels=LEVEL_TUPLES, field=st.integers(0, len(FIELDS) - 1), seed=st.integers(0, 10**6))
def test_raising_a_level_never_lowers_the_score(levels, field, seed):
    model = random_model(random.Random(seed))
    weights = Model.weights(model)
    top = len(FIELDS[field].levels) - 1
    if not 0 <= levels[field] < top:
        return  # missing is no level: a field turning up may well lower the score
    raised = list(levels)
    raised[field] += 1
    before = score_levels(levels, model, weights)
    after = score_levels(tuple(raised), model, weights)
    assert after.total >= before.total - 1e-9


@settings(max_examples=200, deadline=None)
@given(freq=st.floats(1e-6, 0.5), seed=st.integers(0, 10**6), base=LEVEL_TUPLES)
def test_name_frequency_adjustment_keeps_levels_ordered(freq, seed, base):
    model = random_model(random.Random(seed))
    model.name_freq = {"RSK": freq}
    weights = model.weights()
    totals = []
    for name_level in range(len(FIELDS[0].levels)):
        levels = (name_level, *base[1:])
        totals.append(score_levels(levels, model, weights, "RSK").total)
    assert totals == sorted(totals)


@settings(max_examples=200, deadline=None)
@given(
    records=st.integers(2, 10**7),
    others=st.integers(1, 1000),
    seed=st.integers(0, 10**6),
    base=LEVEL_TUPLES,
)
def test_a_name_no_other_child_carries_never_weighs_less_than_a_shared_one(
    records, others, seed, base
):
    # "RSK" is carried by ``others`` other children; "ZBT" by nobody else, so
    # it is not in the table. The model's own weight comes from random pairs
    # and does not grow with the registry, while a shared name's does.
    model = random_model(random.Random(seed))
    model.records = records
    model.name_freq = {"RSK": min(others / records, 1.0)}
    weights = model.weights()
    for level in (NAME_SOUNDS_SAME, NAME_SAME):
        unique = name_weight(level, model, weights, "ZBT")
        assert unique >= name_weight(level, model, weights, "RSK") - 1e-9
        assert unique >= weights["name"][level] - 1e-9
    totals = [
        score_levels((level, *base[1:]), model, weights, "ZBT").total
        for level in range(len(FIELDS[0].levels))
    ]
    assert totals == sorted(totals)


def test_only_a_whole_name_missing_from_the_table_counts_as_rare():
    # "Rizki" said twice compares as the same name, under a token's key, which
    # is never in the table: it is not a name nobody else carries.
    twice = make_record(1, full_name="Muhammad Rizki Rizki", birth_date=date(2010, 3, 4), sex="M")
    once = make_record(2, full_name="Muhammad Rizki", birth_date=date(2015, 8, 9), sex="M")
    common = {" ".join(once.info_keys): 0.01}
    model = Model(records=100_000, name_freq=common, token_counts={"rizki": 1000}, source="em")
    score = Scorer(model).score(twice, once)
    assert score.name_key.startswith("t:")
    assert score.weights[0] == pytest.approx(model.weights()["name"][NAME_SAME])
    assert score.band != "likely"
    # A model whose name table is missing adjusts no name.
    bare = Model(records=100_000, source="em")
    rare = make_record(3, full_name="Gilang Ramadhan", birth_date=date(2012, 1, 9))
    again = make_record(4, full_name="Gilang Ramadhan", birth_date=date(2014, 6, 2))
    assert Scorer(bare).score(rare, again).weights[0] == pytest.approx(
        bare.weights()["name"][NAME_SAME]
    )


def test_a_better_agreeing_record_never_scores_lower():
    scorer = Scorer()
    a = make_record(1, full_name="Muhammad Rizki", birth_date=date(2012, 3, 4), sex="M")
    worse = make_record(2, full_name="Rizal", birth_date=date(2010, 1, 1), sex="M")
    steps = [
        worse,
        make_record(3, full_name="Rizki", birth_date=date(2010, 1, 1), sex="M"),
        make_record(4, full_name="Moh. Rizky", birth_date=date(2010, 1, 1), sex="M"),
        make_record(5, full_name="Moh. Rizky", birth_date=date(2012, 4, 3), sex="M"),
        make_record(6, full_name="Moh. Rizky", birth_date=date(2012, 3, 4), sex="M"),
    ]
    totals = [scorer.score(a, b).total for b in steps]
    assert totals == sorted(totals)
    assert totals[0] < totals[-1]


# --- NIK ---------------------------------------------------------------------------------

NIK = "6471054403120007"  # a girl born 4 March 2012 (day 04 + 40)


def nik_pair(other: str) -> tuple[int, ...]:
    a = make_record(1, full_name="Rizka", nik=NIK)
    b = make_record(2, full_name="Rizka", nik=other)
    return compare(a, b)


def test_nik_exact_one_digit_and_adjacent_swap():
    nik_index = [spec.name for spec in FIELDS].index("nik")
    assert nik_pair(NIK)[nik_index] == 2
    assert nik_pair("6471054403120008")[nik_index] == 1  # one digit
    assert nik_pair("6471054430120007")[nik_index] == 1  # adjacent digits swapped
    assert nik_pair("6471054403121070")[nik_index] == 0  # two digits apart
    assert nik_pair("9971054403120099")[nik_index] == 0


def test_nik_with_separators_is_read():
    record = make_record(1, full_name="Rizka", nik="647105.440312.0007")
    assert record.nik == NIK


def test_nik_implies_birth_date_and_sex_women_plus_40():
    assert nik_implied(NIK) == (date(2012, 3, 4), "F")
    assert nik_implied("6471050403120007") == (date(2012, 3, 4), "M")
    assert nik_implied("6471053203120007") == (None, "")  # day 32 is no date


@pytest.mark.parametrize("bad", ["647105440312000", "64710544031200071", "6471O54403120007", ""])
def test_malformed_nik_is_ignored(bad):
    record = make_record(1, full_name="Rizka", nik=bad)
    assert record.nik == ""
    other = make_record(2, full_name="Rizka", nik=NIK)
    levels = compare(record, other)
    assert levels[[spec.name for spec in FIELDS].index("nik")] == -1


def test_nik_implied_date_counts_when_the_holder_has_no_birth_date():
    implies = [spec.name for spec in FIELDS].index("nik_implies")
    holder = make_record(1, full_name="Rizka", nik=NIK)
    same = make_record(2, full_name="Rizka", birth_date=date(2012, 3, 4), sex="F")
    other = make_record(3, full_name="Rizka", birth_date=date(2013, 3, 4), sex="F")
    assert compare(holder, same)[implies] == 1
    assert compare(holder, other)[implies] == 0
    # With both dates recorded the birth field decides; the NIK is not counted twice.
    dated = make_record(4, full_name="Rizka", nik=NIK, birth_date=date(2012, 3, 4))
    assert compare(dated, same)[implies] == -1


# --- Siblings and nicknames --------------------------------------------------------------


def family() -> list:
    shared = {
        "parent_names": ["Darman"],
        "kelurahan": "64.71.05.1002",
        "school": "SDN 012 Balikpapan Selatan",
    }
    return [
        make_record(1, full_name="Muhammad Rizki", birth_date=date(2012, 3, 4), sex="M", **shared),
        make_record(2, full_name="Rizka Putri", birth_date=date(2014, 7, 1), sex="F", **shared),
        make_record(3, full_name="Fajar Putra", birth_date=date(2016, 5, 9), sex="M", **shared),
        make_record(4, full_name="Fajri Putra", birth_date=date(2016, 5, 9), sex="M", **shared),
        make_record(5, full_name="Hasan", birth_date=date(2018, 1, 2), sex="M", **shared),
        make_record(6, full_name="Husein", birth_date=date(2018, 1, 2), sex="M", **shared),
    ]


def test_siblings_score_below_possible():
    children = family()
    scorer = Scorer()
    for i, a in enumerate(children):
        for b in children[i + 1 :]:
            score = scorer.score(a, b)
            assert score.band == "", (a.tokens, b.tokens, score.explain())


def test_kiki_is_found_as_muhammad_riski():
    scorer = Scorer()
    kiki = make_record(1, full_name="Kiki", birth_date=date(2012, 3, 4), sex="M")
    riski = make_record(
        2, full_name="Muhammad Riski bin Darman", birth_date=date(2012, 3, 4), sex="M"
    )
    assert (0, 1) in candidate_pairs([kiki, riski])
    score = scorer.score(kiki, riski)
    assert score.band in {"likely", "possible"}
    assert score.explain()[0]["level"] == "nickname"


def test_batch_links_a_repeat_child_and_not_the_sibling():
    records = [
        *family(),
        make_record(7, full_name="Moh. Rizky bin Darman", birth_date=date(2012, 3, 4), sex="M"),
    ]
    _model, linked, _stats = train_and_link(records, model=Model())
    likely = {(a, b) for a, b, s in linked if s.band == "likely"}
    assert (0, 6) in likely
    assert not any(a < 6 and b < 6 for a, b in likely)


# --- EM ----------------------------------------------------------------------------------


def test_em_recovers_m_from_a_synthetic_pattern_set():
    """Patterns drawn from known m and u; EM with u fixed must find m and the share."""
    rng = random.Random(3)
    true_m = {
        spec.name: [0.02] * (len(spec.levels) - 1) + [1 - 0.02 * (len(spec.levels) - 1)]
        for spec in FIELDS
    }
    u = {spec.name: list(spec.u) for spec in FIELDS}
    share = 0.2
    patterns: Counter[tuple[int, ...]] = Counter()
    for _ in range(20000):
        source = true_m if rng.random() < share else u
        patterns[
            tuple(rng.choices(range(len(spec.levels)), source[spec.name])[0] for spec in FIELDS)
        ] += 1
    model = estimate(patterns, u=u)
    assert model.prior == pytest.approx(share, abs=0.02)
    for spec in FIELDS:
        assert model.m[spec.name][-1] == pytest.approx(true_m[spec.name][-1], abs=0.05)


def test_a_field_every_pair_shows_at_one_level_does_not_move_the_fit():
    """The city in one city's registry: every pair shows "the same city". EM must
    fit the other fields as if the field were missing, not nudged by its pseudo-counts."""
    rng = random.Random(11)
    city = FIELD_NAMES.index("city")
    drawn = []
    for _ in range(5000):
        match = rng.random() < 0.2
        drawn.append(
            tuple(
                rng.choices(range(len(spec.levels)), spec.m if match else spec.u)[0]
                for spec in FIELDS
            )
        )
    missing = Counter((*levels[:city], -1, *levels[city + 1 :]) for levels in drawn)
    constant = Counter((*levels[:city], 1, *levels[city + 1 :]) for levels in drawn)
    without, with_city = estimate(missing), estimate(constant)
    assert with_city.prior == without.prior
    assert with_city.m == without.m


# --- The city of two kelurahan -------------------------------------------------------------

CITY = FIELD_NAMES.index("city")


def test_two_kelurahan_of_one_city_compare_as_the_same_city():
    def child(index: int, kelurahan: str):
        return make_record(index, full_name="Andi Saputra", kelurahan=kelurahan)

    home = child(1, "64.71.01.1001")
    assert compare(home, child(2, "64.71.05.1002"))[CITY] == 1
    assert compare(home, child(3, "40.01.01.1001"))[CITY] == 0
    # Only where the kelurahan differ, and only between region codes.
    assert compare(home, child(4, "64.71.01.1001"))[CITY] == -1
    assert compare(home, child(5, ""))[CITY] == -1
    assert compare(child(6, "noble park"), child(7, "noble parks"))[CITY] == -1


def test_a_level_no_pair_showed_does_not_lift_the_levels_above_it():
    """Smoothing gives a level never seen (another city, in a registry of one
    city) a ratio of pseudo-counts, which may be large; it must not raise "the
    same city", which every pair of that registry shows, above nothing."""
    model = Model()
    model.m["city"], model.u["city"] = [0.0004, 0.9996], [0.00001, 0.99999]
    assert model.weights()["city"] == [0.0, 0.0]


GIVEN = ["andi", "budi", "citra", "dewi", "eka", "fajar", "gita", "hadi", "indah", "joko"]
FAMILY = ["saputra", "lestari", "wibowo", "pratama", "hidayat", "kurnia", "santoso", "wati"]


def _registry(cities: int, seed: int, twice: float = 0.4) -> list:
    """Children with a second record now and then (``twice`` of them): in their own
    kelurahan, in another of their city, or (where there are several) in another city."""
    rng = random.Random(seed)
    records = []
    for child in range(1500):
        city = rng.randrange(cities)
        home = f"40.{city + 1:02d}.01.{1001 + rng.randrange(8)}"
        name = f"{rng.choice(GIVEN)} {rng.choice(GIVEN)} {rng.choice(FAMILY)}"
        born = date(2010, 1, 1).toordinal() + rng.randrange(6 * 365)
        copies = 2 if rng.random() < twice else 1
        for copy in range(copies):
            kelurahan = home
            roll = rng.random()
            if copy and roll < 0.3:
                kelurahan = f"40.{city + 1:02d}.01.{1001 + rng.randrange(8)}"
            elif copy and roll < 0.4 and cities > 1:
                kelurahan = f"40.{rng.randrange(cities) + 1:02d}.01.1001"
            records.append(
                make_record(
                    len(records),
                    full_name=name,
                    birth_date=date.fromordinal(born),
                    sex="M" if child % 2 else "F",
                    kelurahan=kelurahan,
                )
            )
    return records


def test_a_fit_weighs_the_city_only_in_a_registry_of_many_cities():
    one = train_unlabelled(_registry(1, seed=5)).weights()["city"]
    many = train_unlabelled(_registry(40, seed=5)).weights()["city"]
    assert one[1] == 0.0
    assert many[1] > 2.0 and many[0] < 0.0


def test_a_fit_on_children_each_recorded_once_finds_no_repeats():
    """With nobody recorded twice, what EM calls a match is brothers and sisters or
    namesakes; such a fit must be told from one that found repeats."""
    assert found_repeats(train_unlabelled(_registry(1, seed=5)))
    assert not found_repeats(train_unlabelled(_registry(1, seed=5, twice=0.0)))


def test_a_fit_whose_repeats_often_carry_another_name_still_found_them():
    """Village clerks write a nickname or the mother's name for the child: what
    EM calls a match may show "different" names as often as the same one."""
    model = Model()
    model.m["name"] = [0.353, 0.038, 0.036, 0.074, 0.017, 0.117, 0.047, 0.318]
    assert found_repeats(model)
    model.m["name"] = [0.125] * 8  # a session that found nothing
    assert not found_repeats(model)


def test_a_model_stored_before_the_city_field_scores_as_it_did():
    """The city's defaults weigh nothing, so a model stored without it still serves
    whole (its own m, u, prior and tables), not the defaults."""
    stored = Model(prior=0.002, records=50, name_freq={"ANT": 0.1}, source="em").as_json()
    stored["m"]["name"] = [0.1, 0.02, 0.03, 0.05, 0.05, 0.1, 0.2, 0.45]
    del stored["m"]["city"], stored["u"]["city"]
    model = Model.from_json(stored)
    assert model.prior == 0.002 and model.name_freq == {"ANT": 0.1}
    assert model.m["name"] == stored["m"]["name"] and model.source == "em"
    assert not Model.fits_levels(stored)  # so the next scan fits it again
    stored["m"]["birth"] = stored["m"]["birth"][:5]  # a field fitted with other levels
    assert Model.from_json(stored).source == "defaults"


def test_the_explanation_leaves_out_the_city_where_it_was_not_compared():
    home = make_record(1, full_name="Andi Saputra", kelurahan="64.71.01.1001")
    same = make_record(2, full_name="Andi Saputra", kelurahan="64.71.01.1001")
    near = make_record(3, full_name="Andi Saputra", kelurahan="64.71.02.1003")
    scorer = Scorer()
    assert "city" not in {row["field"] for row in scorer.score(home, same).explain()}
    assert {"field": "city", "level": "same", "weight": 0.0} in scorer.score(home, near).explain()
