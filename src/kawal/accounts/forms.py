from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kawal.accounts.throttle import address_failed, address_paused

# One message for every way a sign-in can fail, so the page never tells
# whether an account exists, is deactivated or is locked.
LOGIN_FAILED_MESSAGE = _(
    "Sign-in failed. Check your username and password. After several failed "
    "attempts sign-in is paused for a while; ask your system administrator if "
    "you cannot get in."
)


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(
        self, request: HttpRequest, *args: Any, locked_out: bool = False, **kwargs: Any
    ) -> None:
        self.request = request
        self.locked_out = locked_out
        self.user: Any = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        username, password = cleaned.get("username"), cleaned.get("password")
        if username and password and not self.locked_out:
            if address_paused(self.request, username):
                self.locked_out = True
            else:
                self.user = authenticate(self.request, username=username, password=password)
                if self.user is None:
                    address_failed(self.request)
        if self.user is None:
            raise forms.ValidationError(LOGIN_FAILED_MESSAGE, code="invalid_login")
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"}
        ),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code from the app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError(_("Enter the digits shown in the app."))
        return code


class KawalSetPasswordForm(SetPasswordForm):
    """Django's set-password form with the save going through our service."""

    def save(self, commit: bool = True) -> Any:
        from kawal.accounts.services import user_set_password

        user_set_password(
            self.user,
            self.cleaned_data["new_password1"],
            context=getattr(self, "audit_context", None),
        )
        return self.user
