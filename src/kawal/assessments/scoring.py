"""Scoring an assessment: pure functions over an instrument version's rules.

The server scores; a score typed or computed in the browser is never read.

- An item's score is the value of the chosen option; a reverse-scored item
  counts ``low + high - value`` (``low`` and ``high`` being the lowest and
  highest values its scale offers).
- Written answers are never scored.
- A total or sub-scale is computed only when at least
  ``min_answered_percent`` of its scored items are answered (and at least
  one); otherwise it is "not scorable" (None), never a guess from a few items.
- ``mean`` is the mean of the answered items. ``sum`` is the sum when every
  item is answered, and otherwise prorated: the mean of the answered items
  times the number of items, so skipping an item never lowers the score.
- Scores are rounded to two decimals (half up) and then compared with the
  cut-offs: a band applies from its ``from_score`` inclusive up to the next
  band's, so a score exactly at a limit belongs to the band that starts there.
  A score below the lowest band has no band.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
SUM = "sum"
MEAN = "mean"


@dataclass(frozen=True)
class ItemRule:
    code: str
    # The values the scale offers; empty for a written answer.
    values: frozenset[Decimal] = frozenset()
    reverse: bool = False
    subscale: str | None = None
    required: bool = True

    @property
    def scored(self) -> bool:
        return bool(self.values)


@dataclass(frozen=True)
class SubscaleRule:
    code: str
    method: str = MEAN
    name_id: str = ""
    name_en: str = ""


@dataclass(frozen=True)
class BandRule:
    # "" for a band of the total, else the sub-scale's code.
    target: str
    code: str
    from_score: Decimal
    label_id: str = ""
    label_en: str = ""
    meaning_id: str = ""
    meaning_en: str = ""
    attention: bool = False


@dataclass(frozen=True)
class Rules:
    method: str
    min_answered_percent: int
    items: tuple[ItemRule, ...]
    subscales: tuple[SubscaleRule, ...] = ()
    bands: tuple[BandRule, ...] = ()


@dataclass(frozen=True)
class Score:
    value: Decimal | None
    answered: int
    items: int
    band: BandRule | None = None


@dataclass(frozen=True)
class Scored:
    total: Score
    subscales: dict[str, Score] = field(default_factory=dict)
    missing_required: tuple[str, ...] = ()


def parse_value(raw: Any) -> Decimal | None:
    """A posted or stored score as a Decimal, or None if it is not a finite number."""
    if raw is None or isinstance(raw, bool):
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def item_score(rule: ItemRule, raw: Any) -> Decimal | None:
    """The item's contribution, or None when unanswered (or not one of its scale's values)."""
    if not rule.scored:
        return None
    value = parse_value(raw)
    if value is None or value not in rule.values:
        return None
    if rule.reverse:
        return min(rule.values) + max(rule.values) - value
    return value


def _combine(
    method: str, scores: list[Decimal | None], min_percent: int
) -> tuple[Decimal | None, int]:
    answered = [score for score in scores if score is not None]
    count, done = len(scores), len(answered)
    if count == 0 or done == 0 or done * 100 < count * min_percent:
        return None, done
    total = sum(answered, Decimal(0))
    if method == MEAN:
        value = total / done
    elif done == count:
        value = total
    else:
        value = total / done * count
    return value.quantize(CENT, rounding=ROUND_HALF_UP), done


def band_for(bands: tuple[BandRule, ...], target: str, value: Decimal | None) -> BandRule | None:
    if value is None:
        return None
    found = None
    for band in sorted((b for b in bands if b.target == target), key=lambda b: b.from_score):
        if value >= band.from_score:
            found = band
    return found


def score(rules: Rules, answers: Mapping[str, Any]) -> Scored:
    """Score answers ({item code: value}) with an instrument version's rules."""
    scored_items = [rule for rule in rules.items if rule.scored]
    values = {rule.code: item_score(rule, answers.get(rule.code)) for rule in scored_items}
    total, answered = _combine(
        rules.method, [values[rule.code] for rule in scored_items], rules.min_answered_percent
    )
    subscales: dict[str, Score] = {}
    for subscale in rules.subscales:
        members = [values[rule.code] for rule in scored_items if rule.subscale == subscale.code]
        value, done = _combine(subscale.method, members, rules.min_answered_percent)
        subscales[subscale.code] = Score(
            value, done, len(members), band_for(rules.bands, subscale.code, value)
        )
    missing = tuple(
        rule.code for rule in rules.items if rule.required and not _answered(rule, answers)
    )
    return Scored(
        total=Score(total, answered, len(scored_items), band_for(rules.bands, "", total)),
        subscales=subscales,
        missing_required=missing,
    )


def _answered(rule: ItemRule, answers: Mapping[str, Any]) -> bool:
    raw = answers.get(rule.code)
    if rule.scored:
        return item_score(rule, raw) is not None
    return isinstance(raw, str) and bool(raw.strip())


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _band_json(band: BandRule | None) -> dict[str, Any] | None:
    if band is None:
        return None
    return {
        "code": band.code,
        "from": str(band.from_score),
        "label_id": band.label_id,
        "label_en": band.label_en,
        "meaning_id": band.meaning_id,
        "meaning_en": band.meaning_en,
        "attention": band.attention,
    }


def result_json(rules: Rules, scored: Scored) -> dict[str, Any]:
    """The result as stored on a signed assessment: numbers and the texts they showed.

    The instrument version never changes after publication, but keeping the
    texts with the result makes a signed result self-contained.
    """
    return {
        "method": rules.method,
        "min_answered_percent": rules.min_answered_percent,
        "total": _decimal_text(scored.total.value),
        "answered": scored.total.answered,
        "items": scored.total.items,
        "band": _band_json(scored.total.band),
        "subscales": [
            {
                "code": subscale.code,
                "name_id": subscale.name_id,
                "name_en": subscale.name_en,
                "method": subscale.method,
                "score": _decimal_text(scored.subscales[subscale.code].value),
                "answered": scored.subscales[subscale.code].answered,
                "items": scored.subscales[subscale.code].items,
                "band": _band_json(scored.subscales[subscale.code].band),
            }
            for subscale in rules.subscales
        ],
    }


def rules_for(instrument: Any) -> Rules:
    """An instrument version's scoring rules, read from the database (four queries)."""
    items = instrument.items.select_related("subscale").prefetch_related("scale__options")
    subscales = list(instrument.subscales.all())
    codes = {subscale.pk: subscale.code for subscale in subscales}
    return Rules(
        method=instrument.method,
        min_answered_percent=instrument.min_answered_percent,
        items=tuple(
            ItemRule(
                code=item.code,
                values=frozenset(option.value for option in item.scale.options.all())
                if item.scale_id is not None
                else frozenset(),
                reverse=item.reverse,
                subscale=codes.get(item.subscale_id) if item.subscale_id else None,
                required=item.required,
            )
            for item in items
        ),
        subscales=tuple(SubscaleRule(s.code, s.method, s.name_id, s.name_en) for s in subscales),
        bands=tuple(
            BandRule(
                target=codes.get(band.subscale_id, "") if band.subscale_id else "",
                code=band.code,
                from_score=band.from_score,
                label_id=band.label_id,
                label_en=band.label_en,
                meaning_id=band.meaning_id,
                meaning_en=band.meaning_en,
                attention=band.attention,
            )
            for band in instrument.bands.all()
        ),
    )
