"""Query budgets: the case page's programme cards and the programme page cost the same
with one session or thirty (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kawal.families import services as svc
from tests.families.conftest import days_ago, png_upload
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def grow(family, n: int) -> None:
    programme = family.programme
    parent = programme.parents.get()
    extra = (
        svc.programme_parent_add(programme, person=family.father, acting_user=family.world.owner)
        if not programme.parents.filter(person=family.father).exists()
        else None
    )
    parents = [parent] + ([extra] if extra else [])
    for index in range(n):
        svc.session_record(
            programme,
            kind="education" if index % 2 else "counselling",
            format="group",
            status="held",
            held_on=days_ago(index % 30),
            facilitator=family.world.psychologist,
            topic=f"Sesi {index}",
            summary="Ringkasan (sintetis)",
            clinical_note="Catatan (sintetis)",
            attended=parents[: 1 + index % 2],
            acting_user=family.world.psychologist,
        )
        svc.visit_record(
            programme,
            visited_on=days_ago(index % 30),
            visitors=[family.world.psychologist],
            other_visitors="",
            findings=f"Kunjungan {index} (sintetis)",
            found_safe=bool(index % 3),
            confirming_agency=family.rt_agency,
            acting_user=family.world.psychologist,
        )
        if index % 5 == 0:
            svc.undertaking_record(
                programme,
                text=f"Pernyataan {index}",
                signed_on=days_ago(index % 30),
                signed_by=parents,
                upload=png_upload(),
                acting_user=family.world.owner,
            )
            svc.support_refer(
                programme,
                kind="other",
                to_agency=None,
                to_other="Kelurahan (sintetis)",
                referred_on=days_ago(1),
                reason="Bantuan (sintetis)",
                acting_user=family.social_worker,
            )


@pytest.mark.parametrize("who", ["owner", "psychologist"])
def test_case_page_does_not_grow_with_the_programme(family, who):
    client = Client()
    sign_in(client, getattr(family.world, who))
    url = reverse("cases:detail", kwargs={"case_uuid": family.case.uuid})
    small = count(client, url)
    grow(family, 30)
    large = count(client, url)
    print(f"\ncase page as {who}: {small} queries, {large} after 30 more sessions and visits")
    assert large == small


def test_case_page_sections_cost_a_fixed_handful_of_queries(family):
    """The two cards together add at most 8 queries to the case page."""
    from kawal.cases import extensions

    client = Client()
    sign_in(client, family.world.owner)
    url = reverse("cases:detail", kwargs={"case_uuid": family.case.uuid})
    with_cards = count(client, url)
    saved = dict(extensions._SECTIONS)
    try:
        for key in ("families.programme", "families.readiness"):
            extensions._SECTIONS.pop(key)
        without = count(client, url)
    finally:
        extensions._SECTIONS.clear()
        extensions._SECTIONS.update(saved)
    print(f"\nfamilies cards add {with_cards - without} queries ({without} -> {with_cards})")
    assert with_cards - without <= 8, (with_cards, without)


def test_programme_page_and_list_do_not_grow(family):
    client = Client()
    sign_in(client, family.world.owner)
    detail = reverse("families:programme", kwargs={"programme_uuid": family.programme.uuid})
    listing = reverse("families:programmes")
    small_detail, small_list = count(client, detail), count(client, listing)
    grow(family, 20)
    assert count(client, detail) == small_detail
    assert count(client, listing) == small_list
