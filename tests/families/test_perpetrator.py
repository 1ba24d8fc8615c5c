"""A parent is the alleged perpetrator: nothing of the child's whereabouts appears anywhere
in the parent programme — pages, home-visit records, the RT list, timeline, tasks."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kawal.accounts.models import Agency
from kawal.cases import services as case_svc
from kawal.cases.extensions import timeline_kind
from kawal.cases.models import PerpetratorRelation, Task
from kawal.families import services as svc
from kawal.families.reminders import home_visit_overdue
from tests.cases.conftest import MARKERS
from tests.families.conftest import PP, days_ago
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

PLACE = "LKSA Markerpanti"  # a child-care institution: where a placed child lives


@pytest.fixture
def accused(family):
    """The father is recorded as alleged perpetrator; the child is placed in an LKSA."""
    case_svc.perpetrator_add(
        family.case,
        person=family.father,
        relationship=PerpetratorRelation.ORANG_TUA,
        acting_user=family.world.investigator,
    )
    family.case.refresh_from_db()
    assert family.case.parent_is_alleged_perpetrator
    Agency.objects.create(
        name=f"{PLACE} (sintetis)", short_name=PLACE, kind="child_care_institution"
    )
    case_svc.note_add(
        family.case,
        data_class="whereabouts",
        body=f"Anak ditempatkan di {PLACE} (sintetis)",
        acting_user=family.world.owner,
    )
    return family


def secrets() -> tuple[str, ...]:
    return (PP["school"], MARKERS["whereabouts"], PLACE, "Markersekolah", "Markerpanti")


def assert_clean(body: str, where: str) -> None:
    for secret in secrets():
        assert secret not in body, (where, secret)


def programme_pages(family) -> dict[str, str]:
    programme = family.programme
    p = {"programme_uuid": programme.uuid}
    return {
        "detail": reverse("families:programme", kwargs=p),
        "edit": reverse("families:programme_edit", kwargs=p),
        "close": reverse("families:programme_close", kwargs=p),
        "session_new": reverse("families:session_new", kwargs=p),
        "session_edit": reverse(
            "families:session_edit", kwargs={**p, "session_uuid": family.session.uuid}
        ),
        "visit_new": reverse("families:visit_new", kwargs=p),
        "undertaking_new": reverse("families:undertaking_new", kwargs=p),
        "support_new": reverse("families:support_new", kwargs=p),
        "support_outcome": reverse(
            "families:support_outcome", kwargs={**p, "referral_uuid": family.referral.uuid}
        ),
        "list": reverse("families:programmes"),
    }


def case_sections(body: str) -> str:
    """Only the cards the families app adds to the case page."""
    found = re.findall(
        r'<section class="card" aria-labelledby="h-(?:parent-programme|readiness)".*?</section>',
        body,
        flags=re.S,
    )
    assert found
    return "".join(found)


def test_no_page_of_the_programme_shows_whereabouts_to_anyone(accused):
    world = accused.world
    # Everyone who reads the programme, including the owner who may read whereabouts.
    for user in (world.owner, world.supervisor, world.psychologist, accused.social_worker):
        client = Client(raise_request_exception=False)
        sign_in(client, user)
        for name, url in programme_pages(accused).items():
            response = client.get(url)
            assert response.status_code in (200, 403, 404), (user, name)
            assert_clean(response.content.decode(), f"{user.username}:{name}")
        case_page = client.get(reverse("cases:detail", kwargs={"case_uuid": accused.case.uuid}))
        assert_clean(case_sections(case_page.content.decode()), f"{user.username}:case")
    # The owner may read the child's whereabouts on the case page itself: the markers
    # exist in the data and the page, and still never in the programme.
    owner = Client()
    sign_in(owner, world.owner)
    whole = owner.get(reverse("cases:detail", kwargs={"case_uuid": accused.case.uuid}))
    assert PP["school"] in whole.content.decode()


def test_the_rt_list_and_confirmation_show_no_whereabouts(accused):
    client = Client()
    sign_in(client, accused.rt_head)
    listing = client.get(reverse("families:rt_visits"))
    assert PP["identity"] in listing.content.decode()
    assert_clean(listing.content.decode(), "rt list")
    page = client.get(reverse("families:rt_confirm", kwargs={"visit_uuid": accused.visit.uuid}))
    assert_clean(page.content.decode(), "rt confirm")


def test_timeline_events_and_tasks_carry_no_whereabouts(accused):
    svc.visit_confirm(accused.visit, outcome="confirmed", note="", acting_user=accused.rt_head)
    svc.undertaking_set_state(
        accused.undertaking,
        state="kept",
        on=days_ago(0),
        note="",
        expected_version=accused.undertaking.version,
        acting_user=accused.world.owner,
    )
    home_visit_overdue(days_ago(-60))  # far ahead: every running programme is overdue
    events = accused.case.events.filter(kind__startswith="families.")
    assert events.count() >= 7
    for event in events:
        assert event.data_class in ("progress", "financial"), event.kind
        assert_clean(str(event.payload), event.kind)
        described = str(timeline_kind(event.kind).describe(event.payload, {}))
        assert_clean(described, event.kind)
    tasks = Task.objects.filter(case=accused.case, reminder_key__startswith="families.")
    assert tasks.exists()
    for task in tasks:
        assert_clean(task.title, "task")


def test_free_text_is_never_compared_with_where_the_child_is(accused):
    """A refusal would tell whoever typed a guess that it was the child's place (see
    test_review_fixes): the same text is kept on a programme with an accused parent as
    on any other, and the forms say instead what not to write."""
    visit = svc.visit_record(
        accused.programme,
        visited_on=days_ago(1),
        visitors=[accused.world.psychologist],
        other_visitors="",
        findings=f"Ibu menanyakan anak di {PLACE}",
        found_safe=True,
        confirming_agency=None,
        acting_user=accused.world.psychologist,
    )
    assert PLACE in visit.findings
