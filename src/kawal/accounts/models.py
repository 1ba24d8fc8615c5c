"""Agencies, the people who work for them, and their sessions."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import AgencyKind, Role
from kawal.core.models import TimestampedModel, UUIDModel, VersionedModel


class Agency(UUIDModel, TimestampedModel, VersionedModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=AgencyKind.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
        help_text=_("The area the agency serves; empty for a provincial or national body."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.short_name or self.name


class KawalUserManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        # The Django superuser flag stays off: the admin site and every policy
        # check look at the role, and a system admin sees no case content.
        extra.setdefault("role", Role.SYSTEM_ADMIN)
        extra["is_superuser"] = False
        extra["is_staff"] = False
        return self.create_user(username, email, password, **extra)


class User(UUIDModel, AbstractBaseUser, PermissionsMixin):
    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        error_messages={"unique": _("That username is taken.")},
    )
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    # Kept only because Django's PermissionsMixin machinery expects it; the
    # admin site and the policy ignore it.
    is_staff = models.BooleanField(default=False, editable=False)
    is_demo_account = models.BooleanField(
        _("demo account"),
        default=False,
        editable=False,
        help_text=_("Created by the demo loader; may skip the second factor in demo mode only."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects: ClassVar[KawalUserManager] = KawalUserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.get_full_name()


class UserSession(models.Model):
    """Which server sessions belong to whom, so they can be ended at once.

    Django's database sessions carry no user column; without this registry a
    deactivated user's open sessions could not be found and deleted.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class AccountChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a second administrator")
    APPROVED = "approved", _("Approved and applied")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AccountChange(UUIDModel, TimestampedModel):
    """A change that would open case content to an account, waiting for a second admin.

    One administrator alone could otherwise make an account (their own, or one
    whose e-mail they control) a psychologist's and read children's files.
    ``changes`` holds the requested values as stored (the agency by id);
    ``before`` the values they replace, for the approver to compare.
    """

    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="account_changes"
    )
    requested_by = models.ForeignKey(
        User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    changes = models.JSONField(_("requested change"), default=dict)
    before = models.JSONField(_("before"), default=dict)
    new_account = models.BooleanField(_("new account"), default=False)
    base_version = models.PositiveIntegerField(editable=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AccountChangeStatus.choices,
        default=AccountChangeStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("account change awaiting approval")
        verbose_name_plural = _("account changes awaiting approval")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="one_pending_account_change",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_status_display()})"
