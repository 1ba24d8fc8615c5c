"""Scoring rules: an edge table, and properties that hold for any answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kawal.assessments.scoring import (
    MEAN,
    SUM,
    BandRule,
    ItemRule,
    Rules,
    SubscaleRule,
    item_score,
    result_json,
    score,
)

D = Decimal
V = frozenset(D(n) for n in range(4))  # a 0-3 scale

# a, b in sub-scale x (mean); c, d in sub-scale y (sum); b and d reverse-scored;
# "note" is a written answer; total is a sum, 75% of items needed.
RULES = Rules(
    method=SUM,
    min_answered_percent=75,
    items=(
        ItemRule("a", V, subscale="x"),
        ItemRule("b", V, reverse=True, subscale="x"),
        ItemRule("c", V, subscale="y"),
        ItemRule("d", V, reverse=True, subscale="y", required=False),
        ItemRule("note"),
    ),
    subscales=(SubscaleRule("x", MEAN), SubscaleRule("y", SUM)),
    bands=(
        BandRule("", "medium", D(4)),  # given out of order on purpose
        BandRule("", "low", D(0)),
        BandRule("", "high", D(8)),
        BandRule("x", "ok", D(0)),
        BandRule("x", "concern", D("1.5")),
    ),
)

# answers -> (total, total band, x score, x band, y score)
EDGE_TABLE = [
    # All zeros: the reverse items count 3 each.
    ({"a": "0", "b": "0", "c": "0", "d": "0"}, "6.00", "medium", "1.50", "concern", "3.00"),
    # All threes: the reverse items count 0.
    ({"a": "3", "b": "3", "c": "3", "d": "3"}, "6.00", "medium", "1.50", "concern", "3.00"),
    # Exactly at the "medium" limit (4), and just below it (3).
    ({"a": "1", "b": "2", "c": "1", "d": "2"}, "4.00", "medium", "1.00", "ok", "2.00"),
    ({"a": "1", "b": "3", "c": "1", "d": "2"}, "3.00", "low", "0.50", "ok", "2.00"),
    # Exactly at the "high" limit (8).
    ({"a": "2", "b": "1", "c": "2", "d": "1"}, "8.00", "high", "2.00", "concern", "4.00"),
    # Exactly at the lowest limit (0).
    ({"a": "0", "b": "3", "c": "0", "d": "3"}, "0.00", "low", "0.00", "ok", "0.00"),
    # One of four missing (75%, exactly the minimum): the sum is prorated.
    ({"a": "2", "b": "1", "c": "2"}, "8.00", "high", "2.00", "concern", None),
    ({"a": "1", "b": "2", "c": "2"}, "5.33", "medium", "1.00", "ok", None),
    # Two of four missing (50%): not scorable; sub-scale x still is.
    ({"a": "3", "b": "0"}, None, "", "3.00", "concern", None),
    # Half of sub-scale x missing (50%): x is not scorable, the total still is.
    ({"a": "3", "c": "1", "d": "2"}, "6.67", "medium", None, "", "2.00"),
    # A value the scale does not offer counts as unanswered, never as a number.
    ({"a": "7", "b": "0", "c": "0", "d": "0"}, "8.00", "high", None, "", "3.00"),
    ({"a": "x", "b": "1.5", "c": None, "d": True}, None, "", None, "", None),
    # Nothing answered.
    ({}, None, "", None, "", None),
    # Written answers are never scored.
    ({"note": "5", "a": "0", "b": "3", "c": "0", "d": "3"}, "0.00", "low", "0.00", "ok", "0.00"),
]


def _text(value):
    return None if value is None else str(value)


@pytest.mark.parametrize(("answers", "total", "band", "x", "x_band", "y"), EDGE_TABLE)
def test_edge_table(answers, total, band, x, x_band, y):
    scored = score(RULES, answers)
    assert _text(scored.total.value) == total
    assert (scored.total.band.code if scored.total.band else "") == band
    assert _text(scored.subscales["x"].value) == x
    assert (scored.subscales["x"].band.code if scored.subscales["x"].band else "") == x_band
    assert _text(scored.subscales["y"].value) == y


def test_required_items_left_open_are_listed():
    assert score(RULES, {"a": "1", "c": "1"}).missing_required == ("b", "note")
    # An optional item (d) may stay open; a blank written answer counts as open.
    full = {"a": "1", "b": "1", "c": "1", "note": "Catatan"}
    assert score(RULES, full).missing_required == ()
    assert score(RULES, {**full, "note": "   "}).missing_required == ("note",)


def test_mean_total_and_a_score_below_every_band():
    rules = Rules(
        method=MEAN,
        min_answered_percent=100,
        items=(ItemRule("a", V), ItemRule("b", V, reverse=True)),
        bands=(BandRule("", "some", D(1)),),
    )
    scored = score(rules, {"a": "0", "b": "2"})
    assert scored.total.value == D("0.50")
    assert scored.total.band is None  # below the lowest cut-off: no band
    assert score(rules, {"a": "2"}).total.value is None  # 100% needed


def test_reverse_scoring_uses_the_scale_ends_not_zero():
    halves = frozenset({D("1"), D("1.5"), D("2"), D("5")})
    rule = ItemRule("a", halves, reverse=True)
    assert item_score(rule, "1") == D("5")
    assert item_score(rule, "1.5") == D("4.5")
    assert item_score(rule, "1.50") == D("4.5")  # the same value, spelt otherwise
    assert item_score(rule, "5") == D("1")
    assert item_score(rule, "3") is None  # not on the scale


def test_rounding_is_half_up_to_cents():
    rules = Rules(method=MEAN, min_answered_percent=1, items=tuple(ItemRule(c, V) for c in "abc"))
    assert score(rules, {"a": "0", "b": "0", "c": "2"}).total.value == D("0.67")
    assert score(rules, {"a": "1", "b": "0", "c": "0"}).total.value == D("0.33")


def test_no_scored_items_is_not_scorable():
    rules = Rules(method=SUM, min_answered_percent=1, items=(ItemRule("note"),))
    assert score(rules, {"note": "x"}).total.value is None


def test_the_stored_result_keeps_numbers_as_text_and_the_band_texts():
    scored = score(RULES, {"a": "2", "b": "1", "c": "2", "d": "1"})
    stored = result_json(RULES, scored)
    assert stored["total"] == "8.00"
    assert stored["band"]["code"] == "high"
    assert [entry["score"] for entry in stored["subscales"]] == ["2.00", "4.00"]


ANSWER = st.one_of(st.none(), st.sampled_from(["0", "1", "2", "3"]))


@given(st.fixed_dictionaries(dict.fromkeys("abcd", ANSWER)))
def test_scores_stay_within_the_scale(answers):
    scored = score(RULES, answers)
    total = scored.total.value
    if total is not None:
        assert D(0) <= total <= D(12)
        # The band is the one with the highest lower limit at or under the score.
        limits = [D(0), D(4), D(8)]
        assert scored.total.band.from_score == max(limit for limit in limits if limit <= total)
    answered = [code for code in "abcd" if answers[code] is not None]
    assert (total is not None) == (len(answered) >= 3)
    if len(answered) == 4:
        plain = sum((D(3) - D(answers[c])) if c in "bd" else D(answers[c]) for c in "abcd")
        assert total == plain


@given(st.fixed_dictionaries({code: st.sampled_from(["0", "1", "2", "3"]) for code in "abcd"}))
def test_reversing_every_item_mirrors_the_total(answers):
    mirrored = Rules(
        method=SUM,
        min_answered_percent=100,
        items=tuple(
            ItemRule(rule.code, rule.values, reverse=not rule.reverse) for rule in RULES.items[:4]
        ),
    )
    plain = Rules(method=SUM, min_answered_percent=100, items=RULES.items[:4])
    assert score(plain, answers).total.value + score(mirrored, answers).total.value == D(12)
