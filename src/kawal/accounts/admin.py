from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kawal.access.catalogue import Capability
from kawal.accounts.admin_site import ConfigurationAdmin, admin_site
from kawal.accounts.models import AccountChange, AccountChangeStatus, Agency, User
from kawal.accounts.services import (
    StaleVersion,
    account_change_approve,
    account_change_reject,
    describe_account_before,
    describe_account_change,
    role_fits_agency,
    user_create,
    user_end_sessions,
    user_send_set_password_link,
    user_update,
)
from kawal.core.audit import AuditContext
from kawal.core.forms import IdChoiceField

STALE_MESSAGE = gettext_lazy(
    "Someone else changed this record while you were editing it. Nothing was saved; "
    "the form now shows the current values."
)


HELD_FOR_APPROVAL = gettext_lazy(
    "The new account, or the change of role, agency, e-mail or activation, waits for a "
    "second administrator's approval under 'Account changes awaiting approval'; the "
    "data protection officer was told."
)


class VersionCheckedForm(forms.ModelForm):
    """Refuses to save over a change made since the form was loaded."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is not None:
            current = (
                type(self.instance)
                ._default_manager.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current != cleaned.get("expected_version"):
                raise ValidationError(STALE_MESSAGE, code="stale")
        return cleaned


class AgencyForm(VersionCheckedForm):
    class Meta:
        model = Agency
        fields = ("name", "short_name", "kind", "region", "is_active")


@admin.register(Agency, site=admin_site)
class AgencyAdmin(ConfigurationAdmin):
    form = AgencyForm
    list_display = ("name", "short_name", "kind", "region", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name")
    autocomplete_fields = ("region",)


class UserForm(VersionCheckedForm):
    class Meta:
        model = User
        fields = ("username", "full_name", "email", "agency", "role", "is_active")
        field_classes = {"agency": IdChoiceField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].required = True
        # The account's own agency stays a valid choice after it was retired, so
        # its members can still be renamed or deactivated.
        self.fields["agency"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
            Q(is_active=True) | Q(pk=self.instance.agency_id)
        )
        if self.instance.pk is None:
            self.fields["email"].required = True
            self.fields["email"].help_text = _("The set-password link is sent here.")
            self.fields.pop("is_active", None)
        else:
            self.fields["username"].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        role, agency = cleaned.get("role"), cleaned.get("agency")
        if role and agency and not role_fits_agency(role, agency):
            self.add_error("role", _("This role does not belong in that kind of agency."))
        return cleaned


@admin.register(User, site=admin_site)
class UserAdmin(ConfigurationAdmin):
    capability = Capability.MANAGE_USERS
    form = UserForm
    list_display = ("username", "full_name", "agency", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "agency__kind")
    search_fields = ("username", "full_name", "email")
    list_select_related = ("agency",)
    readonly_fields = ("last_login", "date_joined")
    actions = ("send_set_password_link", "end_sessions")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = ["username", "full_name", "email", "agency", "role"]
        if obj is not None:
            fields += ["is_active", "last_login", "date_joined"]
        return [*fields, "expected_version"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        context = AuditContext.from_request(request)
        data = form.cleaned_data
        if not change:
            created = user_create(
                username=data["username"],
                full_name=data.get("full_name", ""),
                email=data["email"],
                agency=data["agency"],
                role=data["role"],
                acting_user=request.user,
                context=context,
            )
            obj.pk, obj.uuid, obj._state.adding = created.pk, created.uuid, False
            if getattr(created, "pending_change", None) is not None:
                messages.warning(request, HELD_FOR_APPROVAL)
            else:
                messages.info(
                    request,
                    _("A set-password link was sent to %(email)s.") % {"email": created.email},
                )
            return
        updated = user_update(
            User.objects.get(pk=obj.pk),
            expected_version=data["expected_version"],
            acting_user=request.user,
            context=context,
            **{name: data[name] for name in ("full_name", "email", "agency", "role", "is_active")},
        )
        if updated.pending_change is not None:  # type: ignore[attr-defined]
            messages.warning(request, HELD_FOR_APPROVAL)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Users have no related rows edited here; the service already saved everything.
        return

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleVersion:
            messages.error(request, STALE_MESSAGE)
            return HttpResponseRedirect(request.get_full_path())
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description=gettext_lazy("Send a set-password link"))
    def send_set_password_link(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        context = AuditContext.from_request(request)
        sent = 0
        for user in queryset:
            try:
                user_send_set_password_link(user, acting_user=request.user, context=context)
                sent += 1
            except ValidationError as exc:
                messages.warning(request, f"{user.username}: {' '.join(exc.messages)}")
        if sent:
            messages.success(request, _("%(count)d link(s) sent.") % {"count": sent})

    @admin.action(description=gettext_lazy("End all sessions"))
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        context = AuditContext.from_request(request)
        ended = sum(
            user_end_sessions(user, acting_user=request.user, context=context) for user in queryset
        )
        messages.success(request, _("%(count)d session(s) ended.") % {"count": ended})


@admin.register(AccountChange, site=admin_site)
class AccountChangeAdmin(ConfigurationAdmin):
    """Held changes, decided only through the services (four eyes, DPO told)."""

    capability = Capability.MANAGE_USERS
    list_display = ("user", "change", "before_change", "requested_by", "created_at", "status")
    list_filter = ("status",)
    list_select_related = ("user", "requested_by")
    readonly_fields = (
        "user",
        "change",
        "before_change",
        "requested_by",
        "created_at",
        "status",
        "decided_by",
        "decided_at",
        "note",
    )
    fields = readonly_fields
    actions = ("approve", "reject")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccountChange]:
        return super().get_queryset(request).order_by("status", "-created_at")

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # Open on what waits for a decision.
        if not request.GET and request.method == "GET":
            pending = AccountChangeStatus.PENDING
            return HttpResponseRedirect(f"{request.path}?status__exact={pending}")
        return super().changelist_view(request, extra_context)

    @admin.display(description=gettext_lazy("requested change"))
    def change(self, obj: AccountChange) -> str:
        return describe_account_change(obj)

    @admin.display(description=gettext_lazy("before"))
    def before_change(self, obj: AccountChange) -> str:
        return describe_account_before(obj)

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[AccountChange], approve: bool
    ) -> None:
        context = AuditContext.from_request(request)
        done = 0
        for change in queryset.select_related("user"):
            try:
                if approve:
                    account_change_approve(change, acting_user=request.user, context=context)
                else:
                    account_change_reject(change, acting_user=request.user, context=context)
                done += 1
            except ValidationError as exc:
                messages.warning(request, f"{change.user.username}: {' '.join(exc.messages)}")
        if done:
            messages.success(request, _("%(count)d request(s) decided.") % {"count": done})

    @admin.action(description=gettext_lazy("Approve the selected changes"))
    def approve(self, request: HttpRequest, queryset: QuerySet[AccountChange]) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description=gettext_lazy("Reject (or withdraw) the selected changes"))
    def reject(self, request: HttpRequest, queryset: QuerySet[AccountChange]) -> None:
        self._decide(request, queryset, approve=False)
