"""Keep the child's whereabouts out of the parent programme.

The programme is work with the parents, and a parent may be the alleged
perpetrator (``Case.parent_is_alleged_perpetrator``). Its pages, home-visit
records, the RT head's list, its timeline events and its reminder tasks are
built without any whereabouts field, whoever reads them. Free text is the one
way a place could still slip in, so every text written into a programme is
checked against the places known for the child: their school and the names
of the child-care institutions (LKSA, pesantren). Later apps that know more
places (a shelter, a placement) register a provider here.

The check applies to every programme alike. Applying it only where a parent
is the alleged perpetrator would tell a facilitator, by a refusal, a fact of
the investigation they may not read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kawal.access.catalogue import AgencyKind
from kawal.accounts.models import Agency

# Shorter names would match ordinary words ("SD", "PP").
MIN_TERM_LENGTH = 5

TermProvider = Callable[[Any], Iterable[str]]
_PROVIDERS: dict[str, TermProvider] = {}


def register_whereabouts_terms(key: str, provider: TermProvider) -> None:
    """Add a source of place names where a case's child may be (called from ``ready()``)."""
    if key in _PROVIDERS and _PROVIDERS[key] is not provider:
        raise ValueError(f"{key!r} is registered twice as a whereabouts source")
    _PROVIDERS[key] = provider


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def _clean_name(name: str) -> str:
    # "LKSA Harapan Bunda (sintetis)" is written as "LKSA Harapan Bunda".
    return re.sub(r"\s*\([^)]*\)", "", name).strip()


def whereabouts_terms(case: Any) -> set[str]:
    """Place names that would tell where this case's child is, normalised."""
    child = case.child
    names: list[str] = [child.school_name]
    institutions = Agency.objects.filter(kind=AgencyKind.CHILD_CARE_INSTITUTION).values_list(
        "name", "short_name"
    )
    for name, short_name in institutions:
        names += [name, short_name]
    for provider in _PROVIDERS.values():
        names += list(provider(case))
    terms = set()
    for name in names:
        for variant in (name or "", _clean_name(name or "")):
            normal = _normal(variant)
            if len(normal) >= MIN_TERM_LENGTH:
                terms.add(normal)
    return terms


def check_free_text(case: Any, fields: Mapping[str, str]) -> None:
    """Refuse free text of a programme that names a place where the child may be."""
    terms = whereabouts_terms(case)
    if not terms:
        return
    errors = {}
    for field, value in fields.items():
        text = _normal(value or "")
        if text and any(term in text for term in terms):
            errors[field] = _(
                "Do not write where the child is staying or goes to school in the parent "
                "programme: it is about the parents and their home. Remove the name of the "
                "place and save again."
            )
    if errors:
        raise ValidationError(errors)
