"""The SIMFONI page: every role, the period, the counts, the export link, and
the list of cases that cannot be mapped (case number and reason only,
written to the access log)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from kawal.access.catalogue import ROLES, Capability, Role
from kawal.access.models import AccessAction, AccessLog
from tests.helpers import make_user
from tests.simfoni.conftest import MARKERS, PERIOD, add_perpetrator, client_for, make_case

URL = reverse("simfoni:page")


@pytest.mark.parametrize("role", list(Role))
def test_every_role(db, role):
    client = client_for(make_user(role))
    response = client.get(URL, PERIOD)
    allowed = Capability.EXPORT_SIMFONI in ROLES[role].capabilities
    assert response.status_code == (200 if allowed else 403), role
    home = client.get(reverse("web:home")).content.decode()
    assert (f'href="{URL}"' in home) == allowed, role


def test_counts_export_link_and_the_unmappable_list(people):
    owner = people.owner
    good = make_case(owner, age_min=9)
    add_perpetrator(good, "orang_tua", owner)
    no_form = make_case(owner, name="Anak Kedua Sintetis", forms=(), age_min=9)
    add_perpetrator(no_form, "orang_tua", owner)
    not_known = make_case(owner, name="Anak Ketiga Sintetis", age_min=9)
    add_perpetrator(not_known, "na", owner)
    hidden = make_case(people.other_owner, name="Anak Lain Sintetis", forms=(), age_min=9)

    response = client_for(owner).get(URL, PERIOD)
    assert response.status_code == 200
    text = response.content.decode()
    assert response.context["mapped"] == 1
    assert [line.number for line in response.context["unmappable"]] == [
        no_form.number,
        not_known.number,
    ]
    export = reverse("exports:request", kwargs={"kind": "simfoni"}) + "?" + urlencode(PERIOD)
    assert export.replace("&", "&amp;") in text
    assert reverse("cases:detail", kwargs={"case_uuid": no_form.uuid}) in text
    assert "No form of exploitation is recorded." in text
    assert "“Not known” has no SIMFONI value" in text
    # The case that maps is counted, not listed; the hidden one is neither.
    assert good.number not in text
    assert hidden.number not in text
    assert reverse("cases:detail", kwargs={"case_uuid": hidden.uuid}) not in text
    for marker in MARKERS:
        assert marker not in text, marker
    logged = AccessLog.objects.filter(user=owner, path=URL)
    assert sorted(logged.values_list("case_id", flat=True)) == sorted([no_form.pk, not_known.pk])
    assert set(logged.values_list("action", flat=True)) == {AccessAction.LIST}
    assert all(row.data_classes == ["basic"] for row in logged)


def test_nothing_listed_nothing_logged_and_no_link_without_cases(people):
    response = client_for(people.owner).get(URL, PERIOD)
    assert response.status_code == 200
    assert response.context["mapped"] == 0 and response.context["unmappable"] == []
    assert response.context["export_url"] is None
    assert not AccessLog.objects.filter(path=URL).exists()


def test_the_default_period_is_this_month(people):
    response = client_for(people.owner).get(URL)
    assert response.status_code == 200
    period = response.context["period"]
    assert period.date_from.day == 1 and period.date_from.month == period.date_to.month


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2025-03-31", "date_to": "2025-03-01"},
        {"date_from": "2024-01-01", "date_to": "2025-03-01"},
        {"date_from": "kemarin", "date_to": "2025-03-01"},
        {"date_from": "2025-03-01"},
        {"date_from": "9999-99-99", "date_to": "x" * 500},
    ],
)
def test_a_bad_period_is_a_400_with_the_form(people, params):
    response = client_for(people.owner).get(URL, params)
    assert response.status_code == 400
    assert response.context["form"].errors


def test_the_mapping_table_is_shown(people):
    text = client_for(people.owner).get(URL, PERIOD).content.decode()
    assert "Kategori Lokasi" in text and "Tempat Kerja" in text
    assert "Made to sell (tissues, newspapers, snacks)" in text


def test_the_page_reads_a_fixed_number_of_queries(people, django_assert_max_num_queries):
    for index in range(5):
        case = make_case(people.owner, name=f"Anak {index} Sintetis", forms=(), age_min=9)
        add_perpetrator(case, "orang_tua", people.owner, name=f"Ortu {index} Sintetis")
    client = client_for(people.owner)
    with django_assert_max_num_queries(40):
        response = client.get(URL, PERIOD)
    assert len(response.context["unmappable"]) == 5


def test_the_period_in_the_indonesian_page(people):
    client = client_for(people.owner)
    client.cookies["kawal_language"] = "id"
    response = client.get(URL, {"date_from": "2025-03-01", "date_to": "2025-03-31"})
    assert response.status_code == 200
    assert response.context["period"].date_to == date(2025, 3, 31)
