"""An administrator alone can never open case content to an account (review finding 1)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from kawal.access.catalogue import Role
from kawal.accounts.models import AccountChange, AccountChangeStatus, User
from kawal.accounts.services import (
    account_change_approve,
    account_change_reject,
    user_create,
    user_update,
)
from kawal.core.models import AuditEvent
from kawal.notify.models import OutboxMessage
from tests.helpers import agency_for, make_user, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins():
    return make_user(Role.SYSTEM_ADMIN, username="admin-a"), make_user(
        Role.SYSTEM_ADMIN, username="admin-b"
    )


@pytest.fixture
def dpo():
    return make_user(Role.DATA_PROTECTION_OFFICER, username="dpo")


def dpo_mail(dpo):
    return list(OutboxMessage.objects.filter(recipient=dpo.email))


@pytest.mark.parametrize("role", list(Role))
def test_every_new_account_waits_for_a_second_admin(admins, dpo, role):
    # A new administrator too: it could approve its creator's requests.
    admin, _ = admins
    user = user_create(
        username=f"new-{role.value}",
        full_name="Synthetic",
        email=f"new-{role.value}@example.invalid",
        agency=agency_for(role),
        role=role,
        acting_user=admin,
    )
    assert not user.is_active
    assert user.pending_change.changes == {"is_active": True}
    assert not OutboxMessage.objects.filter(recipient=user.email).exists()


def test_the_reported_attack_admin_makes_self_psychologist_in_the_console(client, admins, dpo):
    admin, _ = admins
    uptd = agency_for(Role.PSYCHOLOGIST)
    sign_in(client, admin)
    response = client.post(
        f"/admin/accounts/user/{admin.pk}/change/",
        {
            "full_name": admin.full_name,
            "email": admin.email,
            "agency": uptd.pk,
            "role": Role.PSYCHOLOGIST,
            "is_active": "on",
            "expected_version": admin.version,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "peran atau instansi Anda sendiri" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.SYSTEM_ADMIN
    assert not AccountChange.objects.exists()


def test_own_role_or_agency_is_refused_even_without_case_content(admins):
    admin, _ = admins
    with pytest.raises(ValidationError):
        user_update(
            admin,
            expected_version=admin.version,
            acting_user=admin,
            agency=agency_for(Role.PSYCHOLOGIST),
        )


def test_role_change_waits_for_a_second_admin_and_tells_the_dpo(admins, dpo):
    admin, other = admins
    user = make_user(Role.SCHOOL_LIAISON, username="guru")
    updated = user_update(
        user,
        expected_version=user.version,
        acting_user=admin,
        role=Role.PSYCHOLOGIST,
        agency=agency_for(Role.PSYCHOLOGIST),
        full_name="Renamed at once",
    )
    user.refresh_from_db()
    assert user.role == Role.SCHOOL_LIAISON  # not applied
    assert user.full_name == "Renamed at once"  # harmless fields are
    change = updated.pending_change
    assert change.status == AccountChangeStatus.PENDING
    assert change.changes == {"role": "psychologist", "agency": agency_for(Role.PSYCHOLOGIST).pk}
    assert len(dpo_mail(dpo)) == 1
    assert "guru" in dpo_mail(dpo)[0].body

    with pytest.raises(ValidationError):
        account_change_approve(change, acting_user=admin)  # the requester
    with pytest.raises(PermissionDenied):
        account_change_approve(change, acting_user=user)  # not an admin at all
    account_change_approve(change, acting_user=other)
    user.refresh_from_db()
    assert user.role == Role.PSYCHOLOGIST
    assert user.agency == agency_for(Role.PSYCHOLOGIST)
    change.refresh_from_db()
    assert change.status == AccountChangeStatus.APPROVED and change.decided_by == other
    assert len(dpo_mail(dpo)) == 2
    kinds = set(AuditEvent.objects.filter(subject_user=user).values_list("kind", flat=True))
    assert {"account.change_requested", "account.change_approved", "account.updated"} <= kinds


def test_email_of_a_case_content_account_is_held_too(admins, dpo):
    # Otherwise an admin points a colleague's account at their own mailbox and
    # sends themselves its set-password link.
    admin, _ = admins
    user = make_user(Role.PSYCHOLOGIST, username="psi")
    updated = user_update(
        user, expected_version=user.version, acting_user=admin, email="admin@example.invalid"
    )
    user.refresh_from_db()
    assert user.email == "psi@example.invalid"
    assert updated.pending_change.changes == {"email": "admin@example.invalid"}


def test_a_subject_admin_cannot_approve_a_change_to_their_own_account(admins):
    admin, _other = admins
    change = user_update(
        make_user(Role.CASE_MANAGER, username="cm"),
        expected_version=1,
        acting_user=admin,
        role=Role.SUPERVISOR,
    ).pending_change
    third = make_user(Role.SYSTEM_ADMIN, username="admin-c")
    AccountChange.objects.filter(pk=change.pk).update(user=third)
    with pytest.raises(ValidationError):
        account_change_approve(change, acting_user=third)


def test_removing_case_content_is_applied_at_once(admins, dpo):
    admin, _ = admins
    user = make_user(Role.PSYCHOLOGIST, username="psi")
    user_update(user, expected_version=user.version, acting_user=admin, is_active=False)
    user.refresh_from_db()
    assert not user.is_active
    assert not AccountChange.objects.exists()


def test_new_case_content_account_stays_inactive_until_approved(
    admins, dpo, django_capture_on_commit_callbacks
):
    admin, other = admins
    with django_capture_on_commit_callbacks(execute=True):
        user = user_create(
            username="psi-baru",
            full_name="Synthetic Psychologist",
            email="psi-baru@example.invalid",
            agency=agency_for(Role.PSYCHOLOGIST),
            role=Role.PSYCHOLOGIST,
            acting_user=admin,
        )
    assert not user.is_active
    assert not OutboxMessage.objects.filter(recipient="psi-baru@example.invalid").exists()
    assert len(dpo_mail(dpo)) == 1
    account_change_approve(user.pending_change, acting_user=other)
    user.refresh_from_db()
    assert user.is_active
    assert OutboxMessage.objects.filter(recipient="psi-baru@example.invalid").count() == 1


def test_the_command_line_operator_applies_directly(admins):
    user = make_user(Role.SCHOOL_LIAISON)
    user_update(user, expected_version=user.version, acting_user=None, role=Role.SCHOOL_LIAISON)
    created = user_create(
        username="op",
        full_name="",
        email="op@example.invalid",
        agency=agency_for(Role.CASE_MANAGER),
        role=Role.CASE_MANAGER,
        acting_user=None,
        send_link=False,
    )
    assert created.is_active
    assert not AccountChange.objects.exists()


def test_approval_of_an_outdated_request_is_withdrawn(admins):
    admin, other = admins
    user = make_user(Role.CASE_MANAGER, username="cm")
    change = user_update(
        user, expected_version=user.version, acting_user=admin, role=Role.SUPERVISOR
    ).pending_change
    user_update(user, expected_version=user.version, acting_user=other, is_active=False)
    with pytest.raises(ValidationError):
        account_change_approve(change, acting_user=other)
    change.refresh_from_db()
    user.refresh_from_db()
    assert change.status == AccountChangeStatus.WITHDRAWN
    assert user.role == Role.CASE_MANAGER


def test_reject_and_withdraw(admins, dpo):
    admin, other = admins
    user = make_user(Role.CASE_MANAGER, username="cm")
    change = user_update(
        user, expected_version=user.version, acting_user=admin, role=Role.SUPERVISOR
    ).pending_change
    account_change_reject(change, acting_user=other, note="not requested by the agency")
    change.refresh_from_db()
    assert change.status == AccountChangeStatus.REJECTED
    with pytest.raises(ValidationError):
        account_change_approve(change, acting_user=other)
    user.refresh_from_db()
    assert user.role == Role.CASE_MANAGER
    again = user_update(
        user, expected_version=user.version, acting_user=admin, role=Role.SUPERVISOR
    ).pending_change
    account_change_reject(again, acting_user=admin)
    again.refresh_from_db()
    assert again.status == AccountChangeStatus.WITHDRAWN


def test_second_admin_approves_in_the_console(admins, dpo):
    admin, other = admins
    user = make_user(Role.CASE_MANAGER, username="cm")
    change = user_update(
        user, expected_version=user.version, acting_user=admin, role=Role.SUPERVISOR
    ).pending_change
    requester, approver = Client(), Client()
    sign_in(requester, admin)
    sign_in(approver, other)
    listing = approver.get("/admin/accounts/accountchange/", follow=True)
    assert listing.status_code == 200
    assert "Synthetic Manajer kasus" in listing.content.decode()
    payload = {"action": "approve", "_selected_action": [change.pk]}
    refused = requester.post("/admin/accounts/accountchange/?status__exact=pending", payload)
    assert refused.status_code == 302
    user.refresh_from_db()
    assert user.role == Role.CASE_MANAGER
    approver.post("/admin/accounts/accountchange/?status__exact=pending", payload)
    user.refresh_from_db()
    assert user.role == Role.SUPERVISOR
    # Nobody can add or edit a request by hand.
    assert approver.get("/admin/accounts/accountchange/add/").status_code == 403
    assert User.objects.get(pk=admin.pk).role == Role.SYSTEM_ADMIN


def test_ticking_active_on_a_pending_account_is_held_too(client, admins, dpo):
    admin, other = admins
    sign_in(client, admin)
    user = user_create(
        username="sock",
        full_name="Synthetic",
        email="sock@example.invalid",
        agency=agency_for(Role.PSYCHOLOGIST),
        role=Role.PSYCHOLOGIST,
        acting_user=admin,
    )
    client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "full_name": "Synthetic",
            "email": user.email,
            "agency": user.agency_id,
            "role": user.role,
            "is_active": "on",
            "expected_version": user.version,
        },
    )
    user.refresh_from_db()
    assert not user.is_active
    # A rejected activation leaves the account as it was: inactive.
    pending = AccountChange.objects.get(user=user, status=AccountChangeStatus.PENDING)
    account_change_reject(pending, acting_user=other)
    user.refresh_from_db()
    assert not user.is_active


def test_reactivating_an_old_account_is_held(admins):
    admin, _ = admins
    user = make_user(Role.PSYCHOLOGIST, username="old", is_active=False)
    updated = user_update(user, expected_version=user.version, acting_user=admin, is_active=True)
    user.refresh_from_db()
    assert not user.is_active
    assert updated.pending_change.changes == {"is_active": True}


def test_an_email_cannot_be_swapped_through_a_detour_via_administrator(admins):
    admin, _ = admins
    user = make_user(Role.PSYCHOLOGIST, username="psi")
    user_update(user, expected_version=user.version, acting_user=admin, role=Role.SYSTEM_ADMIN)
    user.refresh_from_db()
    assert user.role == Role.PSYCHOLOGIST  # held: an administrator is an approver


def test_the_last_data_protection_officer_cannot_be_removed(admins, dpo):
    admin, other = admins
    with pytest.raises(ValidationError):
        user_update(dpo, expected_version=dpo.version, acting_user=admin, is_active=False)
    second = make_user(Role.DATA_PROTECTION_OFFICER, username="dpo2")
    user_update(dpo, expected_version=dpo.version, acting_user=admin, is_active=False)
    dpo.refresh_from_db()
    assert not dpo.is_active
    change = user_update(
        second, expected_version=second.version, acting_user=admin, role=Role.SYSTEM_ADMIN
    ).pending_change
    with pytest.raises(ValidationError):
        account_change_approve(change, acting_user=other)
    second.refresh_from_db()
    assert second.role == Role.DATA_PROTECTION_OFFICER


def test_members_of_a_retired_agency_can_still_be_deactivated(client, admins):
    admin, _ = admins
    user = make_user(Role.PSYCHOLOGIST, username="psi")
    agency = user.agency
    agency.is_active = False
    agency.save()
    sign_in(client, admin)
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "full_name": "Synthetic",
            "email": user.email,
            "agency": agency.pk,
            "role": user.role,
            "expected_version": user.version,
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active


@pytest.mark.parametrize("value", ["999999999999999999999999", "1e5", "0x10", "abc", ""])
@pytest.mark.parametrize("listing", ["user", "accountchange", "agency"])
def test_bulk_actions_with_impossible_ids_are_not_a_500(client, admins, value, listing):
    admin, _ = admins
    sign_in(client, admin)
    action = {"user": "end_sessions", "accountchange": "approve", "agency": "delete_selected"}
    response = client.post(
        f"/admin/accounts/{listing}/?status__exact=pending",
        {"action": action[listing], "_selected_action": [value], "index": "0"},
    )
    assert response.status_code in (200, 302)
