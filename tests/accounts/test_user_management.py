from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from kawal.access.catalogue import AgencyKind, Role
from kawal.accounts.models import Agency, User
from kawal.accounts.services import (
    StaleVersion,
    account_change_approve,
    user_create,
    user_update,
)
from kawal.core.models import AuditEvent
from kawal.notify.models import OutboxMessage, OutboxStatus
from tests.helpers import add_totp, current_code, make_user, sign_in

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def police():
    return Agency.objects.create(name="Polres (synthetic)", kind=AgencyKind.POLICE)


def test_admin_creates_an_account_and_a_set_password_link_is_sent(
    police, django_capture_on_commit_callbacks
):
    admin = make_user(Role.SYSTEM_ADMIN)
    second_admin = make_user(Role.SYSTEM_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        user = user_create(
            username="penyidik1",
            full_name="Synthetic Investigator",
            email="penyidik1@example.invalid",
            agency=police,
            role=Role.INVESTIGATOR,
            acting_user=admin,
        )
        # An investigator sees case content: the link goes out on a second admin's approval.
        assert not OutboxMessage.objects.exists()
        account_change_approve(user.pending_change, acting_user=second_admin)
    assert not user.has_usable_password()
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/akun/atur-sandi/\S+/", mail.outbox[0].body).group(0)
    kinds = list(AuditEvent.objects.filter(subject_user=user).values_list("kind", flat=True))
    assert "account.created" in kinds and "account.set_password_link_sent" in kinds

    client = Client()
    path = link.split("8000", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert "new_password1" in form_page.content.decode()
    short = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "pendek", "new_password2": "pendek"}
    )
    assert "new_password1" in short.content.decode()  # refused, form shown again
    phrase = "sungai mahakam mengalir tenang di pagi hari"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": phrase, "new_password2": phrase}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(phrase)
    # The link works once.
    assert "new_password1" not in Client().get(path, follow=True).content.decode()


def test_non_admins_cannot_create_accounts(police):
    manager = make_user(Role.CASE_MANAGER)
    with pytest.raises(PermissionDenied):
        user_create(
            username="x",
            full_name="",
            email="x@example.invalid",
            agency=police,
            role=Role.INVESTIGATOR,
            acting_user=manager,
        )


def test_role_must_fit_the_agency(police):
    admin = make_user(Role.SYSTEM_ADMIN)
    with pytest.raises(ValidationError) as error:
        user_create(
            username="psi",
            full_name="",
            email="psi@example.invalid",
            agency=police,
            role=Role.PSYCHOLOGIST,
            acting_user=admin,
        )
    assert "role" in error.value.message_dict
    assert not User.objects.filter(username="psi").exists()
    assert not OutboxMessage.objects.exists()


def test_stale_edit_is_refused_and_overwrites_nothing():
    admin = make_user(Role.SYSTEM_ADMIN)
    user = make_user(Role.CASE_MANAGER)
    loaded_version = user.version
    user_update(user, expected_version=loaded_version, acting_user=admin, full_name="First edit")
    with pytest.raises(StaleVersion):
        user_update(
            user, expected_version=loaded_version, acting_user=admin, full_name="Second edit"
        )
    user.refresh_from_db()
    assert user.full_name == "First edit"


def test_update_rejects_fields_outside_the_allowlist():
    admin = make_user(Role.SYSTEM_ADMIN)
    user = make_user(Role.CASE_MANAGER)
    with pytest.raises(ValidationError):
        user_update(user, expected_version=user.version, acting_user=admin, is_superuser=True)


def test_admin_console_is_for_system_admins_with_second_factor(client):
    for role in Role:
        user = make_user(role)
        viewer = Client()
        sign_in(viewer, user)
        response = viewer.get("/admin/", follow=True)
        if role == Role.SYSTEM_ADMIN:
            assert response.status_code == 200, role
        else:
            assert response.status_code == 403, role
            assert "Tidak diizinkan" in response.content.decode()


def test_admin_console_registers_configuration_only():
    from kawal.accounts.admin_site import admin_site

    registered = {model._meta.label for model in admin_site._registry}
    assert registered == {
        "accounts.Agency",
        "accounts.User",
        "accounts.AccountChange",
        "regions.Region",
        "assessments.Instrument",
        "assessments.AnswerScale",
        "care.Indicator",
        "shelters.Shelter",
        "shelters.Room",
        "placement.RuleSetting",
        "funding.Programme",
        "simfoni.MappingRow",
        "reminders.ReminderSetting",
        "reminders.ReminderRun",
    }


def test_admin_creates_user_through_the_console(client, police):
    admin = make_user(Role.SYSTEM_ADMIN)
    sign_in(client, admin)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "penyidik2",
            "full_name": "Synthetic",
            "email": "p2@example.invalid",
            "agency": police.pk,
            "role": Role.INVESTIGATOR,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(username="penyidik2")
    assert created.role == Role.INVESTIGATOR
    # Held for a second administrator: inactive, no link yet.
    assert not created.is_active
    assert created.account_changes.get().status == "pending"
    assert not OutboxMessage.objects.filter(recipient="p2@example.invalid").exists()


def test_admin_console_refuses_mismatched_role(client, police):
    admin = make_user(Role.SYSTEM_ADMIN)
    sign_in(client, admin)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "bad",
            "full_name": "",
            "email": "b@example.invalid",
            "agency": police.pk,
            "role": Role.SCHOOL_LIAISON,
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="bad").exists()


def test_admin_change_with_stale_version_saves_nothing(client):
    admin = make_user(Role.SYSTEM_ADMIN)
    user = make_user(Role.CASE_MANAGER)
    sign_in(client, admin)
    url = f"/admin/accounts/user/{user.pk}/change/"
    data = {
        "full_name": "Edited in console",
        "email": user.email,
        "agency": user.agency_id,
        "role": user.role,
        "is_active": "on",
        "expected_version": user.version,
    }
    user_update(
        user, expected_version=user.version, acting_user=admin, full_name="Edited elsewhere"
    )
    response = client.post(url, data)
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.full_name == "Edited elsewhere"


def test_self_service_password_set_requires_second_factor_afterwards(client):
    user = make_user(Role.CASE_MANAGER)
    device = add_totp(user)
    from kawal.accounts.services import set_password_url

    path = set_password_url(user).split("8000", 1)[1]
    page = client.get(path, follow=True)
    phrase = "pohon kelapa tumbuh di pantai manggar"
    client.post(page.redirect_chain[-1][0], {"new_password1": phrase, "new_password2": phrase})
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": phrase}
    )
    assert response["Location"].startswith(reverse("accounts:verify"))
    assert (
        client.post(reverse("accounts:verify"), {"code": current_code(device)}).status_code == 302
    )


def test_create_admin_command_prints_a_working_link():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "create_admin",
        "--username",
        "it-admin",
        "--email",
        "it@example.invalid",
        "--agency",
        "Diskominfo (synthetic)",
        stdout=out,
    )
    user = User.objects.get(username="it-admin")
    assert user.role == Role.SYSTEM_ADMIN and not user.is_superuser
    assert not user.has_usable_password()
    link = out.getvalue().strip().splitlines()[-1]
    assert "/akun/atur-sandi/" in link
    page = Client().get(link.split("8000", 1)[1], follow=True)
    assert "new_password1" in page.content.decode()
