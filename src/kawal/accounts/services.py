"""Every write to accounts, agencies, sessions and second factors."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kawal.access.catalogue import Capability, Role, role_spec
from kawal.access.policy import may
from kawal.accounts.models import (
    AccountChange,
    AccountChangeStatus,
    Agency,
    User,
    UserSession,
)
from kawal.core.audit import AuditContext, audit_record
from kawal.core.models import StaleVersion
from kawal.notify.services import outbox_enqueue_email

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10


class AuthEvent:
    """Kinds of audit event written for sign-in and account security."""

    LOGIN_SUCCEEDED = "auth.login_succeeded"
    LOGIN_FAILED = "auth.login_failed"
    LOCKED_OUT = "auth.locked_out"
    LOGGED_OUT = "auth.logged_out"
    SECOND_FACTOR_SUCCEEDED = "auth.second_factor_succeeded"
    SECOND_FACTOR_FAILED = "auth.second_factor_failed"
    SECOND_FACTOR_ENROLLED = "auth.second_factor_enrolled"
    RECOVERY_CODE_USED = "auth.recovery_code_used"
    RECOVERY_CODES_GENERATED = "auth.recovery_codes_generated"
    SESSION_EXPIRED_IDLE = "auth.session_expired_idle"
    SESSION_EXPIRED_ABSOLUTE = "auth.session_expired_absolute"
    PASSWORD_SET = "auth.password_set"  # noqa: S105
    PASSWORD_CHANGED = "auth.password_changed"  # noqa: S105


class AccountEvent:
    CREATED = "account.created"
    UPDATED = "account.updated"
    DEACTIVATED = "account.deactivated"
    REACTIVATED = "account.reactivated"
    SET_PASSWORD_LINK_SENT = "account.set_password_link_sent"  # noqa: S105
    SESSIONS_ENDED = "account.sessions_ended"
    CHANGE_REQUESTED = "account.change_requested"
    CHANGE_APPROVED = "account.change_approved"
    CHANGE_REJECTED = "account.change_rejected"
    NO_DPO_TO_TELL = "account.no_dpo_to_tell"


def role_fits_agency(role: str, agency: Agency | None) -> bool:
    spec = role_spec(role)
    if spec is None or agency is None:
        return False
    return not spec.agency_kinds or agency.kind in spec.agency_kinds


def _validate_membership(role: str, agency: Agency | None) -> None:
    if role_spec(role) is None:
        raise ValidationError({"role": _("Choose a role from the list.")})
    if agency is None:
        raise ValidationError({"agency": _("Every account belongs to an agency.")})
    if not agency.is_active:
        raise ValidationError({"agency": _("This agency is no longer active.")})
    if not role_fits_agency(role, agency):
        raise ValidationError(
            {
                "role": _("A %(role)s cannot belong to %(agency)s.")
                % {"role": Role(role).label, "agency": agency.get_kind_display()}
            }
        )


def _require(acting_user: Any, capability: Capability) -> None:
    if acting_user is not None and not may(acting_user, capability):
        raise PermissionDenied


# --- Accounts ---------------------------------------------------------------


# Who holds an account and what it may do are decided by these: its role, its
# agency (which cases its agency's teams open to it), the e-mail that receives
# set-password links, and whether it is active at all.
GATED_FIELDS = ("role", "agency", "email")


def user_create(
    *,
    username: str,
    full_name: str,
    email: str,
    agency: Agency | None,
    role: str,
    acting_user: Any,
    context: AuditContext | None = None,
    send_link: bool = True,
) -> User:
    """Create an account without a password; its holder sets one through an emailed link.

    An account created by an administrator stays inactive (and gets no link)
    until a second administrator approves it: every role either sees child
    data or can approve such changes. ``acting_user=None`` is the server
    operator at the command line, who holds the database anyway.
    """
    _require(acting_user, Capability.MANAGE_USERS)
    _validate_membership(role, agency)
    if send_link and not email:
        raise ValidationError(
            {"email": _("An email address is needed to send the set-password link.")}
        )
    gated = acting_user is not None
    with transaction.atomic():
        user = User(
            username=username,
            full_name=full_name,
            email=email,
            agency=agency,
            role=role,
            is_active=not gated,
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        audit_record(
            AccountEvent.CREATED,
            actor=acting_user,
            subject_user=user,
            context=context,
            role=role,
            agency=str(agency),
        )
        if gated:
            user.pending_change = _request_change(  # type: ignore[attr-defined]
                user,
                {"is_active": True},
                acting_user=acting_user,
                context=context,
                new_account=send_link,
            )
        elif send_link:
            user_send_set_password_link(user, acting_user=acting_user, context=context)
    return user


USER_EDITABLE_FIELDS = ("full_name", "email", "agency", "role", "is_active")


def _stored(name: str, value: Any) -> Any:
    return value.pk if isinstance(value, Agency) else value


def user_update(
    user: User,
    *,
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None = None,
    **changes: Any,
) -> User:
    """Change an account; deactivation ends every session of the account at once.

    A new role, agency or e-mail, and a (re)activation, are not applied but
    held for a second administrator (``pending_change`` on the returned
    account); the rest (name, deactivation) is applied at once, so access can
    always be taken away by one administrator.
    """
    _require(acting_user, Capability.MANAGE_USERS)
    unknown = set(changes) - set(USER_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))}
        )
    own = acting_user is not None and acting_user.pk == user.pk
    if own and changes.get("is_active") is False:
        raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        changed = {
            name: value for name, value in changes.items() if getattr(current, name) != value
        }
        if own and {"role", "agency"} & set(changed):
            raise ValidationError(
                _("You cannot change your own role or agency; ask another administrator.")
            )
        held = {}
        if acting_user is not None:
            held = {name: changed.pop(name) for name in GATED_FIELDS if name in changed}
            if changed.get("is_active") is True:
                held["is_active"] = changed.pop("is_active")
        if {"role", "agency", "is_active"} & set(held):
            # Check the whole change now, so the approver is not handed an impossible one.
            _validate_membership(held.get("role", current.role), held.get("agency", current.agency))
        current = _apply_account_changes(current, changed, acting_user=acting_user, context=context)
        current.pending_change = None  # type: ignore[attr-defined]
        if held:
            current.pending_change = _request_change(  # type: ignore[attr-defined]
                current,
                {name: _stored(name, value) for name, value in held.items()},
                acting_user=acting_user,
                context=context,
            )
    return current


def _apply_account_changes(
    current: User, changes: dict[str, Any], *, acting_user: Any, context: AuditContext | None
) -> User:
    """Write changes to a locked account with the audit rows and session ends they need."""
    before = {name: getattr(current, name) for name in USER_EDITABLE_FIELDS}
    for name, value in changes.items():
        setattr(current, name, value)
    if (
        current.role != before["role"]
        or current.agency != before["agency"]
        or (current.is_active and not before["is_active"])
    ):
        # Only what gives access is checked: a member of an agency since retired
        # can still be renamed or deactivated.
        _validate_membership(current.role, current.agency)
    current.full_clean()
    was_dpo = before["role"] == Role.DATA_PROTECTION_OFFICER and before["is_active"]
    if was_dpo and not (current.role == Role.DATA_PROTECTION_OFFICER and current.is_active):
        others = User.objects.filter(role=Role.DATA_PROTECTION_OFFICER, is_active=True).exclude(
            pk=current.pk
        )
        if not others.exists():
            # Every change of access is reported to a DPO; without one nobody would hear.
            raise ValidationError(
                _(
                    "This is the only active data protection officer. Appoint another one "
                    "first: changes of access are reported to them."
                )
            )
    diff = {
        name: [str(before[name]), str(getattr(current, name))]
        for name in USER_EDITABLE_FIELDS
        if before[name] != getattr(current, name)
    }
    if not diff:
        return current
    current.version += 1
    current.save()
    audit_record(
        AccountEvent.UPDATED,
        actor=acting_user,
        subject_user=current,
        context=context,
        changes=diff,
    )
    if before["is_active"] and not current.is_active:
        audit_record(
            AccountEvent.DEACTIVATED, actor=acting_user, subject_user=current, context=context
        )
        user_end_sessions(current, acting_user=acting_user, context=context)
    elif not before["is_active"] and current.is_active:
        audit_record(
            AccountEvent.REACTIVATED, actor=acting_user, subject_user=current, context=context
        )
    if before["role"] != current.role or before["agency"] != current.agency:
        # A new role or agency must not ride on sessions opened under the old one.
        user_end_sessions(current, acting_user=acting_user, context=context)
    return current


# --- Four eyes on access to case content --------------------------------------


def _describe(user: User, values: dict[str, Any]) -> str:
    labels = {"role": _("role"), "agency": _("agency"), "email": _("e-mail"), "is_active": ""}
    parts = []
    for name, value in values.items():
        if name == "role":
            value = Role(value).label if role_spec(value) else value
        elif name == "agency":
            value = Agency.objects.filter(pk=value).first() or "-"
        elif name == "is_active":
            parts.append(str(_("account activated") if value else _("account deactivated")))
            continue
        parts.append(f"{labels[name]}: {value}")
    return "; ".join(parts)


def describe_account_change(change: AccountChange) -> str:
    """The requested change in words, as shown to approvers and the DPO."""
    return _describe(change.user, change.changes)


def describe_account_before(change: AccountChange) -> str:
    return _describe(change.user, change.before)


def _tell_data_protection_officers(change: AccountChange, what: str) -> None:
    """Mail every DPO about a change that opens (or would open) case content.

    The mail names accounts and roles only, never a child.
    """
    recipients = list(
        User.objects.filter(role=Role.DATA_PROTECTION_OFFICER, is_active=True).exclude(email="")
    )
    if not recipients:
        logger.error("no data protection officer to tell of account change %s", change.uuid)
        audit_record(AccountEvent.NO_DPO_TO_TELL, subject_user=change.user, change=str(change.uuid))
    with override("id"):
        subject = _("Kawal Anak: account access change %(what)s") % {"what": what}
        body = _(
            "Account: %(account)s (%(username)s)\nRequested by: %(requester)s\n"
            "Change: %(change)s\nBefore: %(before)s\nStatus: %(status)s\n"
            "Decided by: %(decider)s\n\nSee the list of account changes in the "
            "configuration console: %(url)s"
        ) % {
            "account": change.user.get_full_name(),
            "username": change.user.username,
            "requester": change.requested_by.username,
            "change": describe_account_change(change),
            "before": describe_account_before(change) or "-",
            "status": change.get_status_display(),
            "decider": change.decided_by.username if change.decided_by else "-",
            "url": settings.KAWAL_BASE_URL + reverse("admin:accounts_accountchange_changelist"),
        }
        for officer in recipients:
            outbox_enqueue_email(to=officer.email, subject=subject, body=body)


def _request_change(
    user: User,
    values: dict[str, Any],
    *,
    acting_user: Any,
    context: AuditContext | None,
    new_account: bool = False,
) -> AccountChange:
    # A newer request replaces an older one still waiting for the same account.
    AccountChange.objects.filter(user=user, status=AccountChangeStatus.PENDING).update(
        status=AccountChangeStatus.WITHDRAWN, note="replaced by a newer request"
    )
    change = AccountChange.objects.create(
        user=user,
        requested_by=acting_user,
        changes=values,
        before={name: _stored(name, getattr(user, name)) for name in values},
        new_account=new_account,
        base_version=user.version,
    )
    audit_record(
        AccountEvent.CHANGE_REQUESTED,
        actor=acting_user,
        subject_user=user,
        context=context,
        change=str(change.uuid),
        fields=sorted(values),
    )
    _tell_data_protection_officers(change, _("requested"))
    return change


def _decide(
    change: AccountChange, *, acting_user: Any, context: AuditContext | None
) -> AccountChange:
    _require(acting_user, Capability.MANAGE_USERS)
    locked = AccountChange.objects.select_for_update().get(pk=change.pk)
    if locked.status != AccountChangeStatus.PENDING:
        raise ValidationError(_("This request was already decided."))
    return locked


def account_change_approve(
    change: AccountChange, *, acting_user: Any, context: AuditContext | None = None
) -> User:
    """A second administrator applies a held change; never its requester or its subject."""
    if acting_user is None:
        raise PermissionDenied
    with transaction.atomic():
        locked = _decide(change, acting_user=acting_user, context=context)
        if acting_user.pk == locked.requested_by_id:
            raise ValidationError(_("Another administrator must approve a change you asked for."))
        if acting_user.pk == locked.user_id:
            raise ValidationError(_("You cannot approve a change to your own account."))
        current = User.objects.select_for_update().get(pk=locked.user_id)
        stale = current.version != locked.base_version
        locked.decided_by, locked.decided_at = acting_user, timezone.now()
        if stale:
            # The approver saw the account as it was; what it is now was not approved.
            locked.status = AccountChangeStatus.WITHDRAWN
            locked.note = "account changed after the request"
            locked.save()
        else:
            values = dict(locked.changes)
            if "agency" in values:
                values["agency"] = Agency.objects.get(pk=values["agency"])
            current = _apply_account_changes(
                current, values, acting_user=acting_user, context=context
            )
            locked.status = AccountChangeStatus.APPROVED
            locked.save()
            audit_record(
                AccountEvent.CHANGE_APPROVED,
                actor=acting_user,
                subject_user=current,
                context=context,
                change=str(locked.uuid),
                requested_by=locked.requested_by.username,
            )
            _tell_data_protection_officers(locked, _("approved"))
            if locked.new_account and current.email:
                user_send_set_password_link(current, acting_user=acting_user, context=context)
    if stale:
        raise ValidationError(
            _(
                "The account was changed after this request, so the request was withdrawn. "
                "Ask for the change again if it is still needed."
            )
        )
    return current


def account_change_reject(
    change: AccountChange,
    *,
    acting_user: Any,
    note: str = "",
    context: AuditContext | None = None,
) -> AccountChange:
    """Refuse a held change (its requester may withdraw it the same way)."""
    with transaction.atomic():
        locked = _decide(change, acting_user=acting_user, context=context)
        locked.status = (
            AccountChangeStatus.WITHDRAWN
            if acting_user.pk == locked.requested_by_id
            else AccountChangeStatus.REJECTED
        )
        locked.decided_by, locked.decided_at = acting_user, timezone.now()
        locked.note = note[:300]
        locked.save()
        audit_record(
            AccountEvent.CHANGE_REJECTED,
            actor=acting_user,
            subject_user=locked.user,
            context=context,
            change=str(locked.uuid),
            status=locked.status,
        )
        _tell_data_protection_officers(locked, locked.get_status_display().lower())
    return locked


def user_end_sessions(user: User, *, acting_user: Any, context: AuditContext | None = None) -> int:
    if acting_user is None or acting_user.pk != user.pk:
        _require(acting_user, Capability.MANAGE_USERS)
    with transaction.atomic():
        keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
        Session.objects.filter(session_key__in=keys).delete()
        UserSession.objects.filter(user=user).delete()
        if keys:
            audit_record(
                AccountEvent.SESSIONS_ENDED,
                actor=acting_user,
                subject_user=user,
                context=context,
                count=len(keys),
            )
    return len(keys)


def set_password_url(user: User) -> str:
    path = reverse(
        "accounts:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.KAWAL_BASE_URL + path


def user_send_set_password_link(
    user: User, *, acting_user: Any, context: AuditContext | None = None
) -> None:
    _require(acting_user, Capability.MANAGE_USERS)
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."))
    if not user.email:
        raise ValidationError(_("This account has no email address."))
    with transaction.atomic(), override("id"):
        outbox_enqueue_email(
            to=user.email,
            subject=_("Kawal Anak: set your password"),
            body=_(
                "Hello %(name)s,\n\nAn account was prepared for you in Kawal Anak "
                "(username: %(username)s). Open this link within three days to choose "
                "your password:\n\n%(url)s\n\nAfter that you will set up a second factor "
                "with an authenticator app on your phone.\n\nIf you did not expect this "
                "message, tell your agency's system administrator."
            )
            % {
                "name": user.get_full_name(),
                "username": user.username,
                "url": set_password_url(user),
            },
        )
        audit_record(
            AccountEvent.SET_PASSWORD_LINK_SENT,
            actor=acting_user,
            subject_user=user,
            context=context,
        )


def user_set_password(user: User, password: str, *, context: AuditContext | None = None) -> None:
    """Set a password chosen by the account holder (validators already ran in the form)."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(AuthEvent.PASSWORD_SET, actor=user, subject_user=user, context=context)
        # Anyone holding an old session must sign in again with the new password.
        user_end_sessions(user, acting_user=user, context=context)


def user_change_password(
    user: User,
    password: str,
    *,
    keep_session_key: str | None,
    context: AuditContext | None = None,
) -> None:
    """The holder changes their own password (old one and rules checked by the form).

    Every other session of the account ends; the one making the change stays.
    """
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(AuthEvent.PASSWORD_CHANGED, actor=user, subject_user=user, context=context)
        others = UserSession.objects.filter(user=user).exclude(session_key=keep_session_key or "")
        keys = list(others.values_list("session_key", flat=True))
        Session.objects.filter(session_key__in=keys).delete()
        others.delete()


# --- Sessions ---------------------------------------------------------------


SESSION_AUTH_AT = "_kawal_auth_at"
SESSION_SEEN_AT = "_kawal_seen_at"


def session_register(request: HttpRequest, user: User) -> None:
    """Record a fresh login's session so it can be ended from elsewhere."""
    now = int(timezone.now().timestamp())
    request.session[SESSION_AUTH_AT] = now
    request.session[SESSION_SEEN_AT] = now
    request.session.save()
    context = AuditContext.from_request(request)
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip_address": context.ip_address,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
        },
    )


def session_rotated(old_key: str | None, new_key: str | None) -> None:
    """Follow a session whose key was cycled, so it can still be ended by admins."""
    if old_key and new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def session_forget(session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


# --- Second factor ----------------------------------------------------------


def totp_device_for_enrolment(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up, created on first visit."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


def second_factor_enrol(
    user: User, device: TOTPDevice, code: str, *, context: AuditContext | None = None
) -> list[str] | None:
    """Confirm an authenticator with a code from it; returns fresh recovery codes.

    Returns None (and writes nothing but an audit row) when the code is wrong.
    """
    with transaction.atomic():
        if device.user_id != user.pk or not device.verify_token(code):
            audit_record(
                AuthEvent.SECOND_FACTOR_FAILED,
                actor=user,
                subject_user=user,
                context=context,
                step="enrol",
            )
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(
            AuthEvent.SECOND_FACTOR_ENROLLED, actor=user, subject_user=user, context=context
        )
        return recovery_codes_generate(user, context=context)


def _new_recovery_code() -> str:
    # 10 characters from an alphabet without look-alikes, grouped for reading aloud.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def recovery_codes_generate(user: User, *, context: AuditContext | None = None) -> list[str]:
    """Replace the user's recovery codes; the old ones stop working."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name="recovery", defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(
            [StaticToken(device=device, token=code.replace("-", "")) for code in codes]
        )
        audit_record(
            AuthEvent.RECOVERY_CODES_GENERATED, actor=user, subject_user=user, context=context
        )
    return codes


@dataclass(frozen=True)
class SecondFactorResult:
    device: Any
    used_recovery_code: bool


def second_factor_verify(
    user: User, code: str, *, context: AuditContext | None = None
) -> SecondFactorResult | None:
    """Check a code from the authenticator, or a recovery code (which is then used up)."""
    code = "".join(code.split()).lower()
    with transaction.atomic():
        totp = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if totp is not None and code.isdigit() and totp.verify_token(code):
            audit_record(
                AuthEvent.SECOND_FACTOR_SUCCEEDED, actor=user, subject_user=user, context=context
            )
            return SecondFactorResult(device=totp, used_recovery_code=False)
        static = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if static is not None and static.verify_token(code.replace("-", "")):
            remaining = static.token_set.count()
            audit_record(
                AuthEvent.RECOVERY_CODE_USED,
                actor=user,
                subject_user=user,
                context=context,
                remaining=remaining,
            )
            return SecondFactorResult(device=static, used_recovery_code=True)
        audit_record(
            AuthEvent.SECOND_FACTOR_FAILED,
            actor=user,
            subject_user=user,
            context=context,
            step="verify",
        )
        return None


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_remaining(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
