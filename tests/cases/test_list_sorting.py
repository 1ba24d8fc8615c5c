"""The case list and "my tasks": sortable columns (whitelisted), the export link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.cases import lists
from kawal.cases import selectors as sel
from kawal.cases import services as svc
from kawal.cases.models import Case, CaseStatus
from kawal.web.sorting import sort_keys
from tests.cases.conftest import open_case
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


@pytest.fixture
def listed(db):
    owner = make_user(Role.CASE_MANAGER, username="sorter", full_name="Budi Pemilik")
    other = make_user(Role.CASE_MANAGER, username="sorter2", full_name="Andi Pemilik")
    boss = make_user(Role.SUPERVISOR, username="sortboss")
    today = timezone.localdate()
    cases = []
    for index, (risk, status, days) in enumerate(
        [("low", CaseStatus.PLAN, 3), ("high", CaseStatus.IDENTIFIED, 9), ("medium", "closed", 1)]
    ):
        case = open_case(owner, boss, name=f"Anak Sintetis Urut {index}")
        Case.objects.filter(pk=case.pk).update(
            risk_level=risk, status=status, opened_on=today - timedelta(days=days)
        )
        cases.append(case)
    # Two overdue tasks on the first case, one on the second.
    for case, n in ((cases[0], 2), (cases[1], 1)):
        for _ in range(n):
            svc.task_create(
                case,
                title="t",
                assignee=owner,
                assignee_agency=None,
                due_on=today - timedelta(days=1),
                acting_user=owner,
            )
    # The supervisor sees another owner's case too, so the owner column can be sorted.
    cases.append(open_case(other, boss, name="Anak Sintetis Urut 3"))
    return owner, boss, cases


def numbers(client, sort) -> list[str]:
    response = client.get(reverse("cases:list"), {"sort": sort})
    assert response.status_code == 200
    return [row.case.number for row in response.context["page"].object_list]


def test_every_column_sorts_both_ways(listed):
    _owner, boss, (low, high, closed, others) = listed
    client = client_for(boss)
    assert numbers(client, "-opened_on")[:3] == [others.number, closed.number, low.number]
    assert numbers(client, "-risk")[0] == high.number
    assert numbers(client, "risk")[0] == low.number
    assert numbers(client, "status")[0] in {high.number, others.number}  # identified first
    assert numbers(client, "-status")[0] == closed.number  # closed last in the workflow
    assert numbers(client, "-overdue")[:2] == [low.number, high.number]
    assert numbers(client, "number") == sorted(numbers(client, "number"))
    assert numbers(client, "-number") == sorted(numbers(client, "number"), reverse=True)
    assert numbers(client, "owner")[0] == others.number  # Andi before Budi
    assert numbers(client, "-owner")[-1] == others.number


def test_header_links_sort_and_say_which_column_is_sorted(listed):
    _owner, boss, _cases = listed
    body = client_for(boss).get(reverse("cases:list"), {"sort": "-risk", "status": "plan"})
    text = body.content.decode()
    assert 'aria-sort="descending"' in text
    assert "?status=plan&amp;sort=risk" in text  # the filter stays, the direction flips
    assert "<table" in text and "<thead>" in text


def test_an_unknown_sort_falls_back_to_the_default_never_an_error(listed):
    _owner, boss, _cases = listed
    client = client_for(boss)
    default = numbers(client, "-opened_on")
    for bad in ("child__full_name", "-child__full_name", "nonsense", "' or 1=1", "x" * 300):
        assert numbers(client, bad) == default
        assert client.get(reverse("cases:my_tasks"), {"sort": bad}).status_code == 200


def test_there_is_no_sorting_by_the_childs_name(listed):
    # Ordering by a name a reader may not see would tell them the name's initial.
    assert not any("child" in key or "name" in key for key in sel.SORTS)
    assert all(key in sel.SORTS for key in sort_keys(lists.CASE_COLUMNS))


def test_my_tasks_sorts_by_due_title_and_case(listed):
    owner, _boss, (low, high, _closed, _others) = listed
    today = timezone.localdate()
    svc.task_create(
        high,
        title="Aaa first",
        assignee=owner,
        assignee_agency=None,
        due_on=None,
        acting_user=owner,
    )
    svc.task_create(
        low, title="Zzz last", assignee=owner, assignee_agency=None, due_on=today, acting_user=owner
    )
    client = client_for(owner)

    def titles(sort):
        response = client.get(reverse("cases:my_tasks"), {"sort": sort})
        assert response.status_code == 200
        return [task.title for task, _access in response.context["listing"].page.object_list]

    assert titles("due")[-1] == "Aaa first"  # undated last
    assert titles("due")[-2] == "Zzz last"  # today after the overdue ones
    assert titles("-due")[0] == "Aaa first"
    assert titles("title")[0] == "Aaa first" and titles("-title")[0] == "Zzz last"
    by_case = [
        task.case.number
        for task, _a in client.get(reverse("cases:my_tasks"), {"sort": "case"})
        .context["listing"]
        .page.object_list
    ]
    assert by_case == sorted(by_case)


def test_export_link_only_for_exporters_and_only_when_the_export_page_exists(listed, monkeypatch):
    owner, _boss, _cases = listed
    query = {"status": "plan", "risk": "low", "sort": "-risk"}
    # Before the exports app serves the page, nobody gets the link.
    monkeypatch.setattr(
        lists, "reverse", lambda *a, **k: (_ for _ in ()).throw(NoReverseMatch("no"))
    )
    assert (
        "Export this list"
        not in client_for(owner).get(reverse("cases:list"), query).content.decode()
    )
    monkeypatch.setattr(lists, "reverse", lambda name, kwargs: f"/ekspor/{kwargs['kind']}/")
    text = client_for(owner).get(reverse("cases:list"), query).content.decode()
    assert 'href="/ekspor/case_list/?status=plan&amp;risk=low"' in text
    # A role without the export capability (the finance officer) never sees it.
    finance = make_user(Role.FINANCE_OFFICER)
    assert lists.export_url(finance, "status=plan") is None
    assert lists.export_url(owner, "status=plan") == "/ekspor/case_list/?status=plan"
