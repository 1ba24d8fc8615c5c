"""What apps above the shell add to every page's menu and to the home page.

The shell (``web``) sits below every domain app, so it cannot import them.
Each app registers, in its ``AppConfig.ready()``, the menu entries and home
page cards it brings; the shell draws what is registered for the user.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class HomeCard:
    """A card on the home page, above the account's facts.

    ``shown_to`` decides from the role alone; ``context`` is the app's selector
    for this user and returns the template's context, or None to leave the card
    out. It is the place for "what is due today", so it must stay cheap: a
    fixed number of queries whatever the user's caseload.
    """

    key: str
    order: int
    template: str
    shown_to: Callable[[Any], bool]
    context: Callable[[HttpRequest], Mapping[str, Any] | None]


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


def home_cards_for(request: HttpRequest) -> list[tuple[HomeCard, Mapping[str, Any]]]:
    cards = []
    for card in sorted(_CARDS.values(), key=lambda c: (c.order, c.key)):
        if not card.shown_to(request.user):
            continue
        context = card.context(request)
        if context:
            cards.append((card, context))
    return cards
