"""The mapping table in the configuration console: who may change it, what a
change does to the mapping, and that the change is recorded."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.core.models import AuditEvent
from kawal.simfoni.models import MappingRow
from kawal.simfoni.selectors import Period, simfoni_map
from tests.helpers import make_user
from tests.simfoni.conftest import add_perpetrator, client_for, make_case

MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))


def change_url(row: MappingRow) -> str:
    return reverse("admin:simfoni_mappingrow_change", args=[row.pk])


@pytest.fixture
def admin_user(db):
    return make_user(Role.SYSTEM_ADMIN, username="sysadmin")


def test_only_configuration_managers_reach_the_mapping(db):
    row = MappingRow.objects.get(axis="form", local_value="forced_selling")
    urls = [reverse("admin:simfoni_mappingrow_changelist"), change_url(row)]
    for role in Role:
        client = client_for(make_user(role))
        for url in urls:
            status = client.get(url).status_code
            if role == Role.SYSTEM_ADMIN:
                assert status == 200, (role, url)
            else:
                assert status in (302, 403), (role, url, status)


def test_a_change_takes_effect_and_is_recorded(people, admin_user):
    case = make_case(people.owner, forms=("neglect",), age_min=9)
    add_perpetrator(case, "orang_tua", people.owner)
    [row] = simfoni_map(people.owner, MARCH).rows
    assert row.forms == {"Penelantaran"}
    mapping = MappingRow.objects.get(axis="form", local_value="neglect")
    client = client_for(admin_user)
    response = client.post(
        change_url(mapping), {"expected_version": mapping.version, "simfoni_value": "Eksploitasi"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mapping.refresh_from_db()
    assert mapping.simfoni_value == "Eksploitasi"
    assert mapping.changed_by == admin_user and mapping.version == 2
    [row] = simfoni_map(people.owner, MARCH).rows
    assert row.forms == {"Eksploitasi"}
    event = AuditEvent.objects.get(kind="simfoni.mapping_changed")
    assert event.actor == admin_user
    assert event.detail["before"] == "Penelantaran" and event.detail["after"] == "Eksploitasi"
    assert AuditEvent.objects.filter(
        kind="configuration.changed", target=f"simfoni.MappingRow:{mapping.pk}"
    ).exists()

    # Emptied: the case is listed as not mappable instead of exported.
    response = client.post(
        change_url(mapping), {"expected_version": mapping.version, "simfoni_value": ""}
    )
    assert response.status_code == 302
    result = simfoni_map(people.owner, MARCH)
    assert result.rows == []
    assert (
        "“Neglect (basic needs, not in school)” has no SIMFONI value"
        in (result.unmappable[0].reasons[0])
    )


def test_a_value_from_another_axis_or_a_stale_form_is_refused(db, admin_user):
    mapping = MappingRow.objects.get(axis="form", local_value="neglect")
    client = client_for(admin_user)
    # "Tempat Kerja" is a place, not a form of violence.
    response = client.post(
        change_url(mapping), {"expected_version": mapping.version, "simfoni_value": "Tempat Kerja"}
    )
    assert response.status_code == 200
    stale = client.post(
        change_url(mapping), {"expected_version": mapping.version - 1, "simfoni_value": "Fisik"}
    )
    assert stale.status_code == 200
    mapping.refresh_from_db()
    assert mapping.simfoni_value == "Penelantaran" and mapping.version == 1


def test_an_added_row_maps_a_new_local_value(people, admin_user):
    case = make_case(people.owner, birth_date=date(2006, 1, 1))  # 19 when the case opened
    add_perpetrator(case, "orang_tua", people.owner)
    result = simfoni_map(people.owner, MARCH)
    assert "“19 years” has no SIMFONI value" in result.unmappable[0].reasons[0]
    client = client_for(admin_user)
    add = reverse("admin:simfoni_mappingrow_add")
    # A value that is not one of the axis's local values is refused.
    bad = client.post(add, {"axis": "age", "local_value": "tissues", "simfoni_value": "18-24"})
    assert bad.status_code == 200
    duplicate = client.post(add, {"axis": "age", "local_value": "9", "simfoni_value": "6-12"})
    assert duplicate.status_code == 200
    response = client.post(add, {"axis": "age", "local_value": "19", "simfoni_value": "18-24"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert MappingRow.objects.get(axis="age", local_value="19").changed_by == admin_user
    [row] = simfoni_map(people.owner, MARCH).rows
    assert row.age_band == "18-24"


def test_rows_are_never_deleted_in_the_console(db, admin_user):
    mapping = MappingRow.objects.get(axis="form", local_value="neglect")
    client = client_for(admin_user)
    url = reverse("admin:simfoni_mappingrow_delete", args=[mapping.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert MappingRow.objects.filter(pk=mapping.pk).exists()
