"""Sign-in, second factor, sign-out and set-password pages."""

from __future__ import annotations

import base64
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from kawal.accounts.forms import (
    CodeForm,
    EnrolForm,
    KawalSetPasswordForm,
    LoginForm,
)
from kawal.accounts.middleware import (
    second_factor_not_required,
    second_factor_passed,
    skips_second_factor,
)
from kawal.accounts.services import (
    has_second_factor,
    recovery_codes_generate,
    recovery_codes_remaining,
    second_factor_enrol,
    second_factor_verify,
    session_forget,
    session_register,
    session_rotated,
    totp_device_for_enrolment,
    user_change_password,
)
from kawal.core.audit import AuditContext


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _after_password(request: HttpRequest, user: Any, next_url: str) -> HttpResponse:
    if skips_second_factor(user):
        return HttpResponseRedirect(next_url)
    step = "accounts:verify" if has_second_factor(user) else "accounts:setup"
    return HttpResponseRedirect(f"{reverse(step)}?next={next_url}")


def _render_login(request: HttpRequest, form: LoginForm) -> HttpResponse:
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@login_not_required
@second_factor_not_required
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return _after_password(request, request.user, _next_url(request))
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        next_url = _next_url(request)
        auth_login(request, form.user)  # rotates the session key
        session_register(request, form.user)
        return _after_password(request, form.user, next_url)
    return _render_login(request, form)


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """What a locked-out sign-in sees: exactly what any failed sign-in sees."""
    form = LoginForm(request, data=request.POST, locked_out=True)
    form.is_valid()  # fills in the same generic error, without trying the password again
    return _render_login(request, form)


def _finish_second_factor(request: HttpRequest, device: Any) -> None:
    old_key = request.session.session_key
    otp_login(request, device)
    # A new key after the second step too, so a session id seen before it is worthless.
    request.session.cycle_key()
    session_rotated(old_key, request.session.session_key)


@never_cache
@second_factor_not_required
@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if second_factor_passed(user):
        return redirect(_next_url(request))
    if not has_second_factor(user):  # type: ignore[arg-type]
        return redirect("accounts:setup")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = second_factor_verify(
            user,  # type: ignore[arg-type]
            form.cleaned_data["code"],
            context=AuditContext.from_request(request),
        )
        if result is not None:
            _finish_second_factor(request, result.device)
            if result.used_recovery_code:
                remaining = recovery_codes_remaining(user)  # type: ignore[arg-type]
                messages.warning(
                    request,
                    _(
                        "You used a recovery code; %(count)d are left. Make new ones on "
                        "the security page if you are running low."
                    )
                    % {"count": remaining},
                )
            return redirect(_next_url(request))
        form.add_error("code", _("That code is not valid. Try the newest code from your app."))
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


def _qr_data_uri(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg: bytes = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


@never_cache
@second_factor_not_required
@require_http_methods(["GET", "POST"])
def setup_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if has_second_factor(user):  # type: ignore[arg-type]
        return redirect("accounts:verify")
    device = totp_device_for_enrolment(user)  # type: ignore[arg-type]
    form = EnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = second_factor_enrol(
            user,  # type: ignore[arg-type]
            device,
            form.cleaned_data["code"],
            context=AuditContext.from_request(request),
        )
        if codes is not None:
            _finish_second_factor(request, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
        form.add_error(
            "code", _("That code is not valid. Check the time on your phone and try again.")
        )
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return render(
        request,
        "accounts/setup.html",
        {
            "form": form,
            "qr": _qr_data_uri(device.config_url),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "next": _next_url(request),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def security_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        codes = recovery_codes_generate(
            request.user,  # type: ignore[arg-type]
            context=AuditContext.from_request(request),
        )
        return render(
            request,
            "accounts/recovery_codes.html",
            {"codes": codes, "next": reverse("accounts:security"), "first_time": False},
        )
    return render(
        request,
        "accounts/security.html",
        {
            "remaining": recovery_codes_remaining(request.user),  # type: ignore[arg-type]
            "has_second_factor": has_second_factor(request.user),  # type: ignore[arg-type]
        },
    )


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user_change_password(
            request.user,  # type: ignore[arg-type]
            form.cleaned_data["new_password1"],
            keep_session_key=request.session.session_key,
            context=AuditContext.from_request(request),
        )
        # Keeps this session valid: Django ties sessions to the password hash.
        update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
        messages.success(request, _("Your password has been changed. Other sessions were ended."))
        return redirect("accounts:security")
    return render(request, "accounts/password_change.html", {"form": form})


@never_cache
@second_factor_not_required
@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "accounts/logout.html")
    session_forget(request.session.session_key)
    auth_logout(request)  # flushes the server-side session
    messages.info(request, _("You have signed out."))
    response = redirect(settings.LOGOUT_REDIRECT_URL)
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


@method_decorator(second_factor_not_required, name="dispatch")
class SetPasswordView(PasswordResetConfirmView):
    """The page behind the link an administrator sends to a new account."""

    template_name = "accounts/set_password.html"
    form_class = KawalSetPasswordForm
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False
    reset_url_token = "atur"  # noqa: S105

    def form_valid(self, form: Any) -> HttpResponse:
        form.audit_context = AuditContext.from_request(self.request)
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. Sign in with it now."))
        return response
