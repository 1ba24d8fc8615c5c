from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kawal.cases import services as svc
from kawal.cases.models import Case, Task
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def edit_data(case, **changes):
    data = {
        "intake_channel": case.intake_channel,
        "risk_level": case.risk_level,
        "risk_rationale": case.risk_rationale,
        "supervisor": case.supervisor_id or "",
        "sharing_basis": case.sharing_basis,
        "sharing_basis_note": case.sharing_basis_note,
        "expected_version": case.version,
    }
    data.update(changes)
    return data


def test_stale_case_edit_shows_both_versions_and_overwrites_nothing(world):
    url = reverse("cases:edit", kwargs={"case_uuid": world.case.uuid})
    first, second = Client(), Client()
    sign_in(first, world.owner)
    sign_in(second, world.supervisor)
    loaded = Case.objects.get(pk=world.case.pk)
    ok = first.post(url, edit_data(loaded, risk_rationale="Versi Rina"))
    assert ok.status_code == 302
    conflict = second.post(url, edit_data(loaded, risk_rationale="Versi Hendra"))
    assert conflict.status_code == 409
    body = conflict.content.decode()
    assert "Versi Rina" in body and "Versi Hendra" in body
    assert Case.objects.get(pk=world.case.pk).risk_rationale == "Versi Rina"


def test_stale_child_edit_is_refused(world):
    child = world.case.child
    version = child.version
    svc.child_update(
        world.case,
        expected_version=version,
        changes={"religion": "Islam"},
        aliases=None,
        acting_user=world.owner,
    )
    with pytest.raises(svc.StaleVersion):
        svc.child_update(
            world.case,
            expected_version=version,
            changes={"religion": "Kristen"},
            aliases=None,
            acting_user=world.owner,
        )
    child.refresh_from_db()
    assert child.religion == "Islam"


def test_stale_task_status_is_refused(world):
    task = svc.task_create(
        world.case,
        title="Kunjungan",
        assignee=world.owner,
        assignee_agency=None,
        due_on=None,
        acting_user=world.owner,
    )
    svc.task_set_status(task, status="done", expected_version=task.version, acting_user=world.owner)
    with pytest.raises(svc.StaleVersion):
        svc.task_set_status(
            task, status="cancelled", expected_version=task.version, acting_user=world.owner
        )
    assert Task.objects.get(pk=task.pk).status == "done"


def test_field_history_records_old_and_new(world):
    case = world.case
    svc.case_update(
        case,
        expected_version=case.version,
        changes={"risk_rationale": "baru"},
        acting_user=world.owner,
    )
    event = case.events.filter(kind="case.updated").first()
    assert event.payload["changes"]["risk_rationale"] == ["—", "baru"]
    assert event.actor == world.owner
