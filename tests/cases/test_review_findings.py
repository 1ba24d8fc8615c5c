"""Regression tests for holes found in review: each names the scenario it closes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kawal.access.catalogue import Role
from kawal.access.models import AccessLog
from kawal.cases import services as svc
from kawal.cases.models import ApprovalKind, Case
from tests.cases.conftest import open_case
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def client_for(user):
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    return client


def test_a_team_member_cannot_make_themselves_supervisor(world):
    other_boss = make_user(Role.SUPERVISOR)
    svc.member_add(
        world.case, user=other_boss, case_role="x", data_classes=[], acting_user=world.owner
    )
    with pytest.raises(PermissionDenied):
        svc.case_update(
            world.case,
            expected_version=world.case.version,
            changes={"supervisor": other_boss},
            acting_user=other_boss,
        )
    assert (
        client_for(other_boss)
        .get(reverse("cases:edit", kwargs={"case_uuid": world.case.uuid}))
        .status_code
        == 403
    )


def test_shelter_staff_cannot_change_the_sharing_basis(world):
    shelter = make_user(Role.SHELTER_STAFF)
    svc.member_add(
        world.case,
        agency=shelter.agency,
        case_role="rumah aman",
        data_classes=["identity", "whereabouts"],
        acting_user=world.owner,
    )
    with pytest.raises(PermissionDenied):
        svc.case_update(
            world.case,
            expected_version=world.case.version,
            changes={"sharing_basis": "none"},
            acting_user=shelter,
        )


def test_child_form_shows_only_classes_the_user_may_change(world):
    svc.child_update(
        world.case,
        expected_version=world.case.child.version,
        changes={"school_status": "dropped_out"},
        aliases=None,
        acting_user=world.owner,
    )
    response = client_for(world.investigator).get(
        reverse("cases:child_edit", kwargs={"case_uuid": world.case.uuid})
    )
    assert response.status_code == 200
    assert "school_status" not in response.context["form"].fields
    assert "dropped_out" not in response.content.decode()


def test_kelurahan_filter_does_not_reveal_where_a_child_lives(world):
    psychologist = make_user(Role.PSYCHOLOGIST)
    svc.member_add(
        world.case, user=psychologist, case_role="x", data_classes=[], acting_user=world.owner
    )
    url = reverse("cases:list") + "?kelurahan=64.71.06.1004"
    assert world.case.number not in client_for(psychologist).get(url).content.decode()
    assert world.case.number in client_for(world.owner).get(url).content.decode()


def test_household_names_only_relatives_and_follows_kk_changes(world):
    other_owner = make_user(Role.CASE_MANAGER)
    other = open_case(other_owner, None, name="Rahasia Anaklain")
    kk = "6471051203149001"
    svc.child_update(
        other,
        expected_version=other.child.version,
        changes={"kk_number": kk},
        aliases=None,
        acting_user=other_owner,
    )
    svc.child_update(
        world.case,
        expected_version=world.case.child.version,
        changes={"kk_number": kk},
        aliases=None,
        acting_user=world.owner,
    )
    body = (
        client_for(world.owner)
        .get(reverse("cases:detail", kwargs={"case_uuid": world.case.uuid}))
        .content.decode()
    )
    assert "Rahasia Anaklain" not in body
    child = Case.objects.get(pk=world.case.pk).child
    svc.child_update(
        world.case,
        expected_version=child.version,
        changes={"kk_number": ""},
        aliases=None,
        acting_user=world.owner,
    )
    assert not child.households.exists()


def test_referral_inbox_is_for_roles_that_read_cases(world):
    patrol = make_user(Role.PATROL_OFFICER)
    referral = svc.referral_request(
        world.case, to_agency=patrol.agency, data_classes=[], reason="x", acting_user=world.owner
    )
    assert client_for(patrol).get(reverse("cases:referral_inbox")).status_code == 403
    with pytest.raises(PermissionDenied):
        svc.referral_decide(referral, accept=True, reason="", acting_user=patrol)
    worker = make_user(Role.SOCIAL_WORKER)
    svc.referral_request(
        world.case, to_agency=worker.agency, data_classes=[], reason="x", acting_user=world.owner
    )
    client_for(worker).get(reverse("cases:referral_inbox"))
    assert AccessLog.objects.filter(user=worker, action="list", case_id=world.case.pk).exists()


def test_transfer_and_supervision_across_agencies_need_a_basis():
    owner = make_user(Role.CASE_MANAGER)
    case = open_case(owner, None)
    from tests.cases.conftest import other_agency

    elsewhere = make_user(Role.CASE_MANAGER)
    elsewhere.agency = other_agency("uptd_ppa")
    elsewhere.agency.kind = "uptd_ppa"
    elsewhere.agency.save()
    elsewhere.save()
    with pytest.raises(ValidationError):
        svc.case_transfer(case, new_owner=elsewhere, acting_user=owner)
    boss_elsewhere = make_user(Role.SUPERVISOR)
    boss_elsewhere.agency = elsewhere.agency
    boss_elsewhere.save()
    with pytest.raises(ValidationError):
        open_case(owner, boss_elsewhere, name="Lain Lagi")


def test_nobody_approves_their_own_request(world):
    approval = svc.approval_request(
        world.case, kind=ApprovalKind.PLAN, comment="", acting_user=world.supervisor
    )
    with pytest.raises(PermissionDenied):
        svc.approval_decide(approval, approve=True, comment="", acting_user=world.supervisor)


def test_recording_a_parent_perpetrator_moves_the_version_forward_once(world):
    stale = Case.objects.get(pk=world.case.pk)
    svc.case_update(
        world.case,
        expected_version=world.case.version,
        changes={"risk_rationale": "baru"},
        acting_user=world.owner,
    )
    current_version = Case.objects.get(pk=world.case.pk).version
    link = svc.relative_add(
        stale,
        person={"full_name": "Ayah Sintetis"},
        relation="father",
        is_guardian=True,
        acting_user=world.owner,
    )
    svc.perpetrator_add(
        stale, person=link.relative, relationship="orang_tua", acting_user=world.investigator
    )
    after = Case.objects.get(pk=world.case.pk)
    assert after.version == current_version + 1 and after.parent_is_alleged_perpetrator
    assert after.events.filter(kind="case.updated", data_class="investigation").exists()
    with pytest.raises(ValidationError):
        svc.perpetrator_add(
            after, person=link.relative, relationship="orang_tua", acting_user=world.investigator
        )


def test_opening_a_note_for_correction_is_logged(world):
    note = world.case.notes.get(data_class="clinical")
    url = reverse("cases:note_add", kwargs={"case_uuid": world.case.uuid}) + f"?koreksi={note.uuid}"
    client_for(world.psychologist).get(url)
    rows = AccessLog.objects.filter(user=world.psychologist, action="view")
    assert any("clinical" in row.data_classes for row in rows)


def test_silly_filter_values_are_ignored_not_500(world):
    client = client_for(world.owner)
    for query in (
        "?agency=99999999999999999999999",
        "?agency=-4",
        "?status=x&risk=y&sort=z",
        "?page=999999",
        "?kelurahan=" + "9" * 50,
    ):
        assert client.get(reverse("cases:list") + query).status_code == 200


def test_linking_a_sibling_needs_write_access_to_that_case(world):
    reader = make_user(Role.CASE_MANAGER)
    svc.member_add(world.case, user=reader, case_role="x", data_classes=[], acting_user=world.owner)
    stranger_case_owner = make_user(Role.SUPERVISOR)
    hidden = open_case(stranger_case_owner, None, name="Tersembunyi Sintetis")
    with pytest.raises(ValidationError):
        svc.case_open(
            svc.NewCase(child={"full_name": "X", "age_min": 5}, sibling_of=hidden),
            acting_user=reader,
        )


def test_break_glass_review_only_from_ones_own_queue(world):
    cop = make_user(Role.INVESTIGATOR)
    grant = svc.break_glass_open(
        world.case, reason="Anak hilang dari rumah aman malam ini", acting_user=cop
    )
    unrelated_boss = make_user(Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        svc.break_glass_review(grant, outcome="ok", acting_user=unrelated_boss)
    svc.break_glass_review(grant, outcome="wajar", acting_user=world.supervisor)
    dpo = make_user(Role.DATA_PROTECTION_OFFICER)
    svc.break_glass_review(grant, outcome="ditimpa?", acting_user=dpo)
    grant.refresh_from_db()
    assert grant.review_outcome == "wajar"  # a review is never overwritten
