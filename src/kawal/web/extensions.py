"""What apps above the shell add to every page's menu and to the home page.

The shell (``web``) sits below every domain app, so it cannot import them.
Each app registers, in its ``AppConfig.ready()``, the menu entries and home
page cards it brings; the shell draws what is registered for the user.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from kawal.access.policy import may

if TYPE_CHECKING:
    from django.http import HttpRequest


def _everyone(user: Any) -> bool:
    return True


def any_of(*capabilities: Any) -> Callable[[Any], bool]:
    """Shown to a user holding any of these capabilities."""
    return lambda user: any(may(user, capability) for capability in capabilities)


@dataclass(frozen=True)
class NavItem:
    """One menu entry; ``order`` places it (the shell's own run from 0 to 100)."""

    url_name: str
    label: str | Promise
    shown_to: Callable[[Any], bool] = _everyone
    order: int = 50


class Urgency(enum.IntEnum):
    """How soon a home card's work is due; the page shows the most urgent first.

    Cards of different apps are sorted together by (urgency, order), so an app
    says how urgent its work is today, not where on the page it wants to be.
    """

    OVERDUE = 0  # past a deadline or a service standard
    TODAY = 1  # due today, or to be done today (children not yet seen)
    WAITING = 2  # someone waits for the user's answer (referrals, approvals)
    INFO = 3  # the state of things, nothing asked of the user now


@dataclass(frozen=True)
class HomeCard:
    """A card on the home page: what needs the user now, most urgent first.

    ``shown_to`` decides from the role alone; ``context`` is the app's selector
    for this user and returns the template's context, or None to leave the card
    out. It is the place for "what is due today", so it must stay cheap: a
    fixed number of queries whatever the user's caseload.

    The context may say, under two reserved keys, how much work waits and how
    urgent it is, so the shell can sort cards of every app on one page:
    ``"count"`` (an int: how many things need the user; 0 = nothing now, the
    card moves down with the quiet ones) and ``"urgency"`` (an ``Urgency``;
    when missing, the card's own ``urgency``). ``count_card()`` builds such a
    context for the shared ``web/home_count.html`` template, for an app that
    needs no template of its own.
    """

    key: str
    order: int
    template: str
    shown_to: Callable[[Any], bool]
    context: Callable[[HttpRequest], Mapping[str, Any] | None]
    urgency: Urgency = Urgency.INFO


@dataclass(frozen=True)
class ShownCard:
    """A card as the home page draws it, with its place in the day's work."""

    card: HomeCard
    context: Mapping[str, Any]
    count: int | None
    urgency: Urgency

    @property
    def needs_you(self) -> bool:
        return self.urgency < Urgency.INFO and self.count != 0


def count_card(
    *,
    count: int,
    urgency: Urgency,
    title: str | Promise,
    text: str | Promise,
    url: str,
    link: str | Promise,
) -> dict[str, Any]:
    """The context of a card that only counts (``web/home_count.html``).

    ``text`` is already translated and pluralised by the app (``ngettext``);
    it says what kind of thing waits, never which child.
    """
    return {
        "count": count,
        "urgency": urgency,
        "title": title,
        "text": text,
        "url": url,
        "link": link,
    }


_NAV: dict[str, NavItem] = {}
_CARDS: dict[str, HomeCard] = {}


def register_nav_item(item: NavItem) -> None:
    if item.url_name in _NAV and _NAV[item.url_name] != item:
        raise ValueError(f"{item.url_name!r} is in the menu twice")
    _NAV[item.url_name] = item


def register_home_card(card: HomeCard) -> None:
    if card.key in _CARDS and _CARDS[card.key] != card:
        raise ValueError(f"{card.key!r} is registered twice on the home page")
    _CARDS[card.key] = card


def nav_items() -> list[NavItem]:
    return sorted(_NAV.values(), key=lambda item: (item.order, item.url_name))


def home_cards_for(request: HttpRequest) -> list[ShownCard]:
    """The user's cards, those that need them first (most urgent, then most work)."""
    shown = []
    for card in _CARDS.values():
        if not card.shown_to(request.user):
            continue
        context = card.context(request)
        if not context:
            continue
        count = context.get("count")
        urgency = Urgency(context.get("urgency", card.urgency))
        shown.append(ShownCard(card, context, count if isinstance(count, int) else None, urgency))
    shown.sort(key=lambda item: (not item.needs_you, item.urgency, item.card.order, item.card.key))
    return shown
