"""The home page is the day's work: per role, what needs them now, most urgent first,
each count scoped by the policy and the page's cost fixed whatever the caseload."""

from __future__ import annotations

import sys
import types
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from kawal.access.catalogue import ROLES, Capability, Role
from kawal.cases import services as svc
from kawal.cases.models import (
    Approval,
    ApprovalStatus,
    Referral,
    ReferralStatus,
    SharingBasis,
    Task,
)
from kawal.cases.selectors import approvals_waiting, task_counts
from kawal.regions.models import Region
from kawal.reports.models import Report, ReportChannel
from kawal.web import extensions, home
from kawal.web.extensions import HomeCard, Urgency, any_of, count_card
from kawal.web.views import reach_notes
from tests.cases.conftest import open_case, other_agency
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


def shared_case(owner, supervisor, name):
    """A case whose legal basis for sharing is recorded, so other agencies may join."""
    case = open_case(owner, supervisor, name=name)
    return svc.case_update(
        case,
        expected_version=case.version,
        changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
        acting_user=owner,
    )


def client_for(user) -> Client:
    client = Client()
    sign_in(client, user)
    # The texts below are checked in English (the source language); Indonesian is the default.
    client.cookies["kawal_language"] = "en"
    return client


def body_of(user) -> str:
    response = client_for(user).get(reverse("web:home"))
    assert response.status_code == 200
    return response.content.decode()


# --- The cards of every app on one page, most urgent first -------------------


@pytest.fixture
def probes(settings, tmp_path):
    (tmp_path / "probe.html").write_text("<p>PROBE-{{ card.name }}</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0].get("DIRS", []), tmp_path]}
    ]
    everyone = any_of(Capability.RECORD_CLINICAL)
    cards = [
        # Registered in this order on purpose: the page must not keep it.
        HomeCard("tests.info", 1, "probe.html", everyone, lambda r: {"name": "info"}),
        HomeCard(
            "tests.waiting",
            2,
            "probe.html",
            everyone,
            lambda r: {"name": "waiting", "count": 2, "urgency": Urgency.WAITING},
        ),
        HomeCard(
            "tests.nothing",
            0,
            "probe.html",
            everyone,
            lambda r: {"name": "nothing", "count": 0, "urgency": Urgency.OVERDUE},
        ),
        HomeCard(
            "tests.overdue",
            90,
            "probe.html",
            everyone,
            lambda r: {"name": "overdue", "count": 1},
            urgency=Urgency.OVERDUE,
        ),
        HomeCard(
            "tests.today",
            3,
            "probe.html",
            everyone,
            lambda r: {"name": "today", "count": 5, "urgency": Urgency.TODAY},
        ),
    ]
    for card in cards:
        extensions.register_home_card(card)
    yield
    for card in cards:
        del extensions._CARDS[card.key]


def test_cards_of_all_apps_are_sorted_by_urgency_then_order(client, probes):
    body = body_of(make_user(Role.PSYCHOLOGIST))
    order = [body.index(f"PROBE-{name}") for name in ("overdue", "today", "waiting")]
    assert order == sorted(order)
    # Nothing to do (count 0) and plain information come after the work, under their heading.
    state = body.index('id="h-state"')
    assert order[-1] < state < body.index("PROBE-info") and state < body.index("PROBE-nothing")
    # The account's facts come last, folded away.
    assert body.index("PROBE-info") < body.index('<details class="card account"')


def test_a_count_card_renders_from_its_context_alone(client, probes, settings):
    card = HomeCard(
        "tests.count",
        4,
        "web/home_count.html",
        any_of(Capability.RECORD_CLINICAL),
        lambda r: count_card(
            count=7,
            urgency=Urgency.WAITING,
            title="Exports to approve",
            text="7 exports wait.",
            url="/somewhere/",
            link="Approve",
        ),
    )
    extensions.register_home_card(card)
    try:
        body = body_of(make_user(Role.PSYCHOLOGIST))
    finally:
        del extensions._CARDS[card.key]
    assert "Exports to approve" in body and 'href="/somewhere/"' in body
    assert 'class="work-item urgency-waiting" data-card="tests.count"' in body


# --- What each count counts ----------------------------------------------------


@pytest.fixture
def desk(db):
    manager = make_user(Role.CASE_MANAGER, username="cm")
    boss = make_user(Role.SUPERVISOR, username="boss")
    return manager, boss


def test_tasks_count_overdue_and_today_only_on_cases_the_user_sees(desk):
    manager, boss = desk
    today = timezone.localdate()
    case = open_case(manager, boss, name="Anak Sintetis Satu")
    for due in (today - timedelta(days=2), today - timedelta(days=1), today, today + timedelta(3)):
        svc.task_create(
            case, title="t", assignee=manager, assignee_agency=None, due_on=due, acting_user=manager
        )
    # A task assigned to the manager on a case they are no longer related to is not counted.
    stranger = make_user(Role.CASE_MANAGER, username="other")
    hidden = open_case(stranger, None, name="Anak Sintetis Dua")
    Task.objects.create(case=hidden, title="x", assignee=manager, due_on=today, created_by=stranger)
    counts = task_counts(manager)
    assert (counts.open, counts.overdue, counts.due_today) == (4, 2, 1)
    body = body_of(manager)
    assert "4 open tasks: 2 overdue, 1 due today." in body
    assert 'data-card="cases.tasks"' in body and "urgency-overdue" in body


def test_approvals_waiting_are_the_supervisors_not_their_own(desk):
    manager, boss = desk
    case = open_case(manager, boss, name="Anak Sintetis Tiga")
    svc.approval_request(case, kind="plan", comment="", acting_user=manager)
    # Four eyes: a request the supervisor made on a case they supervise is not theirs to decide.
    own = open_case(manager, boss, name="Anak Sintetis Empat")
    svc.approval_request(own, kind="plan", comment="", acting_user=boss)
    assert approvals_waiting(boss).count() == 1
    assert approvals_waiting(manager).count() == 0  # no APPROVE capability
    body = body_of(boss)
    assert "1 case plan or closure waits for your approval." in body
    listing = client_for(boss).get(reverse("cases:list") + "?approval=1").content.decode()
    assert case.number in listing and own.number not in listing
    Approval.objects.update(status=ApprovalStatus.APPROVED)
    assert "waits for your approval" not in body_of(boss)


def test_referrals_waiting_for_the_agency(desk):
    manager, boss = desk
    case = shared_case(manager, boss, "Anak Sintetis Lima")
    agency = other_agency()
    social = make_user(Role.SOCIAL_WORKER, agency=agency)
    svc.referral_request(
        case, to_agency=agency, data_classes=["basic"], reason="Penempatan", acting_user=manager
    )
    assert "1 referral to your agency waits for an answer." in body_of(social)
    Referral.objects.update(status=ReferralStatus.ACCEPTED)
    assert "waits for an answer" not in body_of(social)


def test_triage_card_counts_reports_past_the_standard(desk):
    manager, _boss = desk
    now = timezone.now()
    for days in (0, 1, 12, 20):
        made = Report.objects.create(
            channel=ReportChannel.PUBLIC_WEB,
            children_count=1,
            seen_at=now - timedelta(days=days),
            kelurahan=Region.objects.get(code="64.71.06.1004"),
            landmark=f"Simpang Sintetis {days}",
        )
        Report.objects.filter(pk=made.pk).update(created_at=now - timedelta(days=days))
    body = body_of(manager)
    assert "2 reports are past the 3-working-day standard (4 open)." in body
    assert reverse("reports:triage") + "?sort=due" in body
    # Roles outside the triage team do not get the card.
    assert 'data-card="reports.triage"' not in body_of(make_user(Role.PSYCHOLOGIST))


def test_nothing_to_do_says_so(desk):
    manager, _boss = desk
    body = body_of(manager)
    assert "Nothing needs you right now." in body


# --- Unread notifications: the card and the header badge ------------------------


def test_notifications_stay_away_until_the_inbox_exists(desk, monkeypatch):
    manager, _boss = desk
    monkeypatch.setattr(home, "inbox_url", lambda: None)
    import kawal.web.context_processors as processors

    monkeypatch.setattr(processors, "inbox_url", lambda: None)
    body = body_of(manager)
    assert 'class="inbox-link' not in body and 'data-card="web.notifications"' not in body


def test_unread_notifications_badge_and_card_ask_once(desk, monkeypatch):
    manager, _boss = desk
    asked = []

    def unread_count(user):
        asked.append(user.pk)
        return 3

    fake = types.ModuleType("kawal.notify.selectors")
    fake.unread_count = unread_count  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kawal.notify.selectors", fake)
    monkeypatch.setattr(home, "inbox_url", lambda: "/kotak-masuk/")
    import kawal.web.context_processors as processors

    monkeypatch.setattr(processors, "inbox_url", lambda: "/kotak-masuk/")
    body = body_of(manager)
    assert '<span class="badge">3</span>' in body
    assert "3 unread notifications." in body and 'href="/kotak-masuk/"' in body
    assert asked == [manager.pk]  # one query for the badge and the card together
    # Another page shows the badge too; before the second factor nothing is asked.
    client = client_for(manager)
    assert '<span class="badge">3</span>' in client.get(reverse("cases:list")).content.decode()
    half = Client()
    sign_in(half, manager, second_factor=False)
    asked.clear()
    half.get(reverse("accounts:verify"))
    assert asked == []


# --- The account's facts are honest about what each role sees -------------------


@translation.override("en")
def test_reach_notes_say_what_institution_staff_and_the_funding_desk_really_see(db):
    lksa = " ".join(str(note) for note in reach_notes(make_user(Role.INSTITUTION_STAFF)))
    assert "placed with your institution" in lksa and "Not their case file" in lksa
    assert "cases you own or supervise" not in lksa
    finance = " ".join(str(note) for note in reach_notes(make_user(Role.FINANCE_OFFICER)))
    assert "every funded child by case number" in finance
    assert reach_notes(make_user(Role.SYSTEM_ADMIN)) == []
    body = body_of(make_user(Role.INSTITUTION_STAFF, username="lksa"))
    assert "placed with your institution" in body


# --- A fixed number of queries per role, whatever the caseload ------------------


def _grow(manager, boss, people, n: int) -> None:
    """n more cases with everything the home page counts: tasks overdue and due today,
    approvals, referrals, team seats for every case role, reports past the standard."""
    today = timezone.localdate()
    now = timezone.now()
    for index in range(n):
        case = shared_case(manager, boss, f"Anak Sintetis Beban {Task.objects.count()}")
        for user, classes in people:
            svc.member_add(
                case, user=user, case_role="tim", data_classes=classes, acting_user=manager
            )
        for who in [manager, boss, *(user for user, _classes in people)]:
            for due in (today - timedelta(days=1), today):
                Task.objects.create(
                    case=case, title="t", assignee=who, due_on=due, created_by=manager
                )
        svc.approval_request(case, kind="plan", comment="", acting_user=manager)
        svc.referral_request(
            case,
            to_agency=other_agency(),
            data_classes=["basic"],
            reason="Rujukan",
            acting_user=manager,
        )
        made = Report.objects.create(
            channel=ReportChannel.PUBLIC_WEB,
            children_count=1,
            seen_at=now - timedelta(days=10 + index),
            kelurahan=Region.objects.get(code="64.71.06.1004"),
            landmark=f"Simpang Beban {index}",
        )
        Report.objects.filter(pk=made.pk).update(created_at=now - timedelta(days=10 + index))


def test_the_home_page_costs_the_same_for_every_role_whatever_the_caseload(db):
    manager = make_user(Role.CASE_MANAGER, username="load-cm")
    boss = make_user(Role.SUPERVISOR, username="load-boss")
    users = {Role.CASE_MANAGER: manager, Role.SUPERVISOR: boss}
    for role in ROLES:
        users.setdefault(role, make_user(role, username=f"load-{role.value}"))
    team = {
        Role.PSYCHOLOGIST: ["identity", "whereabouts", "clinical", "progress"],
        Role.INVESTIGATOR: ["identity", "investigation"],
        Role.SOCIAL_WORKER: ["identity", "whereabouts", "financial"],
        Role.FINANCE_OFFICER: ["financial"],
        Role.SCHOOL_LIAISON: ["basic"],
        Role.SHELTER_STAFF: ["identity", "whereabouts"],
    }
    people = [(users[role], classes) for role, classes in team.items()]
    clients = {role: client_for(user) for role, user in users.items()}

    def costs() -> dict[Role, int]:
        result = {}
        for role, client in clients.items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse("web:home"))
            assert response.status_code == 200, role
            result[role] = len(queries)
        return result

    _grow(manager, boss, people, 2)
    small = costs()
    _grow(manager, boss, people, 6)
    big = costs()
    assert big == small, {
        role: (small[role], big[role]) for role in small if small[role] != big[role]
    }
    # And a budget, so a card that adds a handful of queries is noticed.
    assert max(small.values()) <= 30, small
