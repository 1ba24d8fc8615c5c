"""Ids no database column can hold are a form error or a 404, never a 500.

SQLite refuses a Python int beyond signed 64 bits ("Python int too large to
convert to SQLite INTEGER") and PostgreSQL has no bigint beyond it either, so
every place that turns user input into a row id has to stop such a number
before it reaches a query.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django import forms
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

import kawal
from kawal.access.catalogue import Role
from kawal.accounts.models import Agency, User
from kawal.core.forms import ID_MAX, IdChoiceField, IdMultipleChoiceField, parse_id
from kawal.outreach.models import Operation
from kawal.people.models import Person
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db

HUGE = "999999999999999999999"
# Just past signed 64 bits, and as far below zero: the first values SQLite refuses.
OUT_OF_RANGE = (HUGE, str(ID_MAX + 1), str(-ID_MAX - 2))


def _project_modules() -> Iterator[Any]:
    for info in pkgutil.iter_modules(kawal.__path__):
        for leaf in ("forms", "admin"):
            name = f"kawal.{info.name}.{leaf}"
            try:
                yield importlib.import_module(name)
            except ModuleNotFoundError as error:
                if error.name != name:
                    raise


def _has_model_choice(form_class: Any) -> bool:
    return any(isinstance(f, forms.ModelChoiceField) for f in form_class.base_fields.values())


FORM_CLASSES = sorted(
    {
        cls
        for module in _project_modules()
        for _name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, forms.BaseForm)
        and cls.__module__ == module.__name__
        and _has_model_choice(cls)
    },
    key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
)

# Forms whose constructor needs more than the posted data.
EXTRA_KWARGS: dict[str, Callable[[], dict[str, Any]]] = {
    "kawal.cases.forms.TaskForm": lambda: {
        "team": User.objects.all(),
        "agencies": Agency.objects.all(),
    },
    "kawal.cases.forms.PerpetratorForm": lambda: {"people": Person.objects.all()},
}


def test_every_form_with_ids_is_found():
    names = {f"{cls.__module__}.{cls.__qualname__}" for cls in FORM_CLASSES}
    # A guard on the discovery itself: these must be among the forms checked below.
    assert {
        "kawal.outreach.forms.OperationForm",
        "kawal.cases.forms.MemberForm",
        "kawal.cases.forms.TaskForm",
        "kawal.accounts.admin.UserForm",
    } <= names


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize(
    "form_class", FORM_CLASSES, ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}"
)
def test_an_out_of_range_id_is_a_form_error(form_class, value):
    make_user(Role.CASE_MANAGER)  # some rows, so a query has something to look through
    key = f"{form_class.__module__}.{form_class.__qualname__}"
    extra = EXTRA_KWARGS.get(key, dict)()
    probe = form_class(**extra)
    names = [name for name, f in probe.fields.items() if isinstance(f, forms.ModelChoiceField)]
    assert names
    data: dict[str, Any] = {}
    for name in names:
        field = probe.fields[name]
        data[name] = [value] if isinstance(field, forms.ModelMultipleChoiceField) else value
    form = form_class(data=data, **extra)
    assert not form.is_valid()
    for name in names:
        assert name in form.errors, (name, form.errors)


def test_the_outreach_form_refuses_a_huge_agency(client):
    user = make_user(Role.CASE_MANAGER)
    sign_in(client, user)
    data = {
        "title": "Operasi simpang (sintetis)",
        "starts_at": "2026-11-20T19:00",
        "area": "64.71.06.1004",
        "area_note": "Simpang empat",
        "agencies": [HUGE],
    }
    response = client.post(reverse("outreach:new"), data)
    assert response.status_code == 200
    assert "agencies" in response.context["form"].errors
    assert not Operation.objects.exists()

    data["agencies"] = [str(user.agency_id)]
    response = client.post(reverse("outreach:new"), data)
    assert response.status_code == 302
    operation = Operation.objects.get()

    data["agencies"] = [str(user.agency_id), HUGE]
    data["expected_version"] = str(operation.version)
    response = client.post(reverse("outreach:edit", args=[operation.uuid]), data)
    assert response.status_code == 400  # how the edit page answers any refused form
    assert "agencies" in response.context["form"].errors
    assert list(Operation.objects.get().agencies.all()) == [user.agency]


def test_the_case_list_ignores_a_huge_agency_filter(client):
    sign_in(client, make_user(Role.CASE_MANAGER))
    for value in OUT_OF_RANGE:
        response = client.get(reverse("cases:list"), {"agency": value})
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.CASE_MANAGER, "/kasus/99999999999999999999999/"),
        (Role.CASE_MANAGER, f"/kasus/{HUGE}/ubah/"),
        (Role.CASE_MANAGER, f"/penjangkauan/{HUGE}/"),
        (Role.CASE_MANAGER, f"/penjangkauan/{HUGE}/ubah/"),
        (Role.CASE_MANAGER, f"/laporan/{HUGE}/"),
        (Role.SUPERVISOR, f"/identitas/duplikat/{HUGE}/"),
    ],
)
def test_a_huge_id_in_an_address_is_not_found(client, role, url):
    sign_in(client, make_user(role))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_a_huge_id_in_the_configuration_console_is_not_an_error(client, value):
    sign_in(client, make_user(Role.SYSTEM_ADMIN))
    for model in ("user", "agency"):
        response = client.get(f"/admin/accounts/{model}/{value}/change/")
        assert response.status_code in (302, 404)


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield route, entry.pattern
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.pattern


def test_no_address_takes_an_unbounded_integer():
    # <int:...> turns any run of digits into a Python int: addresses name rows
    # by UUID instead, and a new integer one needs a range check like parse_id.
    unbounded = [
        route
        for route, pattern in _patterns(get_resolver())
        if any(isinstance(c, IntConverter) for c in getattr(pattern, "converters", {}).values())
    ]
    assert unbounded == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        (7, 7),
        (str(ID_MAX), ID_MAX),
        (str(ID_MAX + 1), None),
        (HUGE, None),
        ("9" * 5000, None),
        ("0", None),
        ("-3", None),
        ("", None),
        (None, None),
        ("abc", None),
        ("1.5", None),
        (True, None),
    ],
)
def test_parse_id(raw, expected):
    assert parse_id(raw) == expected


def test_the_id_fields_keep_django_behaviour_for_good_ids():
    agency = Agency.objects.get(members=make_user(Role.CASE_MANAGER))
    single = IdChoiceField(queryset=Agency.objects.all())
    assert single.clean(str(agency.pk)) == agency
    multiple = IdMultipleChoiceField(queryset=Agency.objects.all())
    assert list(multiple.clean([str(agency.pk)])) == [agency]
    with pytest.raises(forms.ValidationError):
        multiple.clean([str(agency.pk), HUGE])
    with pytest.raises(forms.ValidationError):
        single.clean(HUGE)
