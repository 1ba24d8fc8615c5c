from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kawal.access.catalogue import AgencyKind, Role
from kawal.accounts.models import Agency
from kawal.cases import services as svc
from kawal.cases.models import ReferralStatus
from kawal.people.models import Person
from tests.cases.conftest import MARKERS, open_case
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Service messages are matched in English; pages are tested in Indonesian elsewhere."""
    with translation.override("en"):
        yield


@pytest.fixture
def fresh():
    owner, boss = make_user(Role.CASE_MANAGER), make_user(Role.SUPERVISOR)
    return open_case(owner, boss), owner


def test_sharing_with_another_agency_needs_a_recorded_basis(fresh):
    case, owner = fresh
    cop = make_user(Role.INVESTIGATOR)
    with pytest.raises(ValidationError, match="consent or legal basis"):
        svc.member_add(case, user=cop, case_role="penyidik", data_classes=[], acting_user=owner)
    dinsos = Agency.objects.create(name="Dinsos (synthetic)", kind=AgencyKind.DINAS_SOSIAL)
    with pytest.raises(ValidationError):
        svc.referral_request(
            case, to_agency=dinsos, data_classes=[], reason="penempatan", acting_user=owner
        )
    # Colleagues of the owner's own agency need no basis.
    colleague = make_user(Role.CASE_MANAGER)
    svc.member_add(case, user=colleague, case_role="cadangan", data_classes=[], acting_user=owner)
    case.refresh_from_db()
    svc.case_update(
        case,
        expected_version=case.version,
        acting_user=owner,
        changes={"sharing_basis": "legal_obligation"},
    )
    svc.member_add(
        case, user=cop, case_role="penyidik", data_classes=["investigation"], acting_user=owner
    )


def test_referral_accept_opens_the_case_to_the_agency_and_decline_needs_a_reason(world):
    dinsos_worker = make_user(Role.SOCIAL_WORKER)
    agency = dinsos_worker.agency
    referral = svc.referral_request(
        world.case,
        to_agency=agency,
        data_classes=["identity", "whereabouts"],
        reason="Penempatan di LKSA",
        acting_user=world.owner,
    )
    client = Client()
    sign_in(client, dinsos_worker)
    url = reverse("cases:detail", kwargs={"case_uuid": world.case.uuid})
    assert client.get(url).status_code == 404  # requested is not accepted
    assert world.case.number in client.get(reverse("cases:referral_inbox")).content.decode()
    with pytest.raises(PermissionDenied):
        svc.referral_decide(
            referral, accept=True, reason="", acting_user=world.owner
        )  # not their agency
    with pytest.raises(ValidationError):
        svc.referral_decide(referral, accept=False, reason="", acting_user=dinsos_worker)
    client.post(
        reverse("cases:referral_inbox"),
        {"referral": str(referral.uuid), "decision": "yes", "comment": ""},
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    body = client.get(url).content.decode()
    assert MARKERS["identity"] in body and MARKERS["whereabouts"] in body
    assert MARKERS["clinical"] not in body and MARKERS["financial"] not in body


def test_transfer_of_ownership(world):
    new_owner = make_user(Role.CASE_MANAGER)
    with pytest.raises(PermissionDenied):
        svc.case_transfer(world.case, new_owner=new_owner, acting_user=world.psychologist)
    svc.case_transfer(world.case, new_owner=new_owner, acting_user=world.owner)
    world.case.refresh_from_db()
    assert world.case.owner == new_owner
    old = Client()
    sign_in(old, world.owner)
    assert (
        old.get(reverse("cases:detail", kwargs={"case_uuid": world.case.uuid})).status_code == 404
    )


def test_parent_as_alleged_perpetrator_is_flagged(world):
    link = svc.relative_add(
        world.case,
        person={"full_name": "Bapak Sintetis"},
        relation="father",
        is_guardian=True,
        acting_user=world.owner,
    )
    svc.perpetrator_add(
        world.case, person=link.relative, relationship="orang_tua", acting_user=world.investigator
    )
    world.case.refresh_from_db()
    assert world.case.parent_is_alleged_perpetrator
    with pytest.raises(PermissionDenied):
        svc.perpetrator_add(
            world.case,
            person=Person.objects.get(pk=link.relative_id),
            relationship="tetangga",
            acting_user=world.psychologist,
        )


def test_notes_are_append_only_and_corrections_supersede(world):
    note = svc.note_add(world.case, data_class="basic", body="Salah tulis", acting_user=world.owner)
    fixed = svc.note_add(
        world.case,
        data_class="basic",
        body="Sudah dibetulkan",
        supersedes=note,
        acting_user=world.owner,
    )
    assert fixed.supersedes == note
    note.refresh_from_db()
    assert note.body == "Salah tulis"  # the original stays
    with pytest.raises(ValidationError):
        svc.note_add(
            world.case, data_class="basic", body="lagi", supersedes=note, acting_user=world.owner
        )
    with pytest.raises(ValidationError):
        svc.note_add(
            world.case, data_class="identity", body="x", supersedes=fixed, acting_user=world.owner
        )
    with pytest.raises(PermissionDenied):
        svc.note_add(world.case, data_class="clinical", body="x", acting_user=world.owner)


def test_my_tasks_lists_overdue_first(world):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    svc.task_create(
        world.case,
        title="Nanti",
        assignee=world.psychologist,
        assignee_agency=None,
        due_on=today + timedelta(days=5),
        acting_user=world.owner,
    )
    svc.task_create(
        world.case,
        title="Terlambat",
        assignee=world.psychologist,
        assignee_agency=None,
        due_on=today - timedelta(days=2),
        acting_user=world.owner,
    )
    client = Client()
    sign_in(client, world.psychologist)
    body = client.get(reverse("cases:my_tasks")).content.decode()
    assert body.index("Terlambat") < body.index("Nanti")
    with pytest.raises(ValidationError):
        svc.task_create(
            world.case,
            title="x",
            assignee=make_user(Role.CASE_MANAGER),
            assignee_agency=None,
            due_on=None,
            acting_user=world.owner,
        )
