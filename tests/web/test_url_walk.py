"""Every URL needs a signed-in user who passed the second factor, except an explicit allowlist."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kawal.access.catalogue import Role
from tests.helpers import add_totp, make_user, sign_in

pytestmark = pytest.mark.django_db

# Views anyone may open without signing in. Adding to this list is a security decision.
PUBLIC = {
    "accounts:login",
    "accounts:set_password",
    "set_language",
    "web:healthz",
    # Citizens report children at risk without an account (docs/reports.md).
    "reports:new",
    "reports:thanks",
    "reports:track",
    # The city's published figures, aggregates only (docs/publication.md).
    "publication:public",
    "publication:archive",
    "publication:public_release",
    "publication:sheet",
}
# Views a signed-in user may open before passing the second factor.
BEFORE_SECOND_FACTOR = {"accounts:verify", "accounts:setup", "accounts:logout"}


def _sample(pattern: str) -> str:
    pattern = pattern.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")

    def named_group(match: re.Match[str]) -> str:
        body = match.group(2)
        if "|" in body:
            return body.strip("()").split("|")[0]
        return "1" if "d" in body and "/" not in body else "x"

    pattern = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", named_group, pattern)
    pattern = re.sub(r"<uuid:\w+>", "00000000-0000-4000-8000-000000000000", pattern)
    pattern = re.sub(r"<path:\w+>", "x", pattern)
    pattern = re.sub(
        r"<(?:\w+:)?\w+>", lambda m: "1" if m.group(0).startswith("<int:") else "x", pattern
    )
    return pattern.replace("?", "")


def walk(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, object]]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            space = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), space)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else ""
            yield "/" + _sample(prefix + str(entry.pattern)), name, entry.callback


ROUTES = sorted({(path, name): callback for path, name, callback in walk()}.items())


def test_the_walk_finds_the_routes():
    names = {name for (_path, name), _callback in ROUTES}
    assert {"web:home", "accounts:login", "admin:index", "accounts:security"} <= names
    assert len(ROUTES) > 20


def test_public_views_are_exactly_the_allowlist():
    public = {
        name
        for (_path, name), callback in ROUTES
        if not getattr(callback, "login_required", True) and not name.startswith("admin:")
    }
    assert public == PUBLIC


@pytest.mark.parametrize(("path", "name"), [key for key, _ in ROUTES])
def test_anonymous_is_sent_to_sign_in(path, name):
    if name in PUBLIC or name == "admin:login":
        return
    response = Client().get(path)
    assert response.status_code == 302, (path, name, response.status_code)
    location = response["Location"]
    assert location.startswith((reverse("accounts:login"), reverse("admin:login"))), location


def test_password_without_second_factor_reaches_only_the_sign_in_steps():
    user = make_user(Role.SYSTEM_ADMIN)
    add_totp(user)
    client = Client()
    sign_in(client, user, second_factor=False)
    for (path, name), _callback in ROUTES:
        if name in PUBLIC or name in BEFORE_SECOND_FACTOR or name == "admin:login":
            continue
        response = client.get(path)
        assert response.status_code == 302, (path, name)
        assert response["Location"].startswith(
            (reverse("accounts:verify"), reverse("admin:login"))
        ), (path, response["Location"])


def test_signed_in_pages_never_fail_with_a_server_error():
    for role in (Role.SYSTEM_ADMIN, Role.CASE_MANAGER, Role.RT_HEAD):
        client = Client(raise_request_exception=False)
        sign_in(client, make_user(role))
        for (path, name), _callback in ROUTES:
            if name in ("accounts:logout",):
                continue
            response = client.get(path)
            assert response.status_code < 500, (role, path, response.status_code)
