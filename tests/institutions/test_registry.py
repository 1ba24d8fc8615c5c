"""Validation, versioning, suspension, inspections and the public selectors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kawal.access.catalogue import Role
from kawal.core.models import AuditEvent, StaleVersion
from kawal.institutions import selectors as sel
from kawal.institutions import services as svc
from kawal.institutions.models import Institution, InstitutionKind, InstitutionStatus, Religion
from tests.helpers import make_user, sign_in
from tests.institutions.conftest import Registry, lksa

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


def data_of(institution: Institution, **changes: object) -> dict[str, object]:
    values = {name: getattr(institution, name) for name in svc.FIELDS}
    values.update(changes)
    return values


def new(**fields: object) -> dict[str, object]:
    values: dict[str, object] = dict.fromkeys(svc.FIELDS)
    values.update(
        {
            "kind": InstitutionKind.LKSA,
            "name": "LKSA Baru (sintetis)",
            "capacity": 5,
            "age_min": 0,
            "age_max": 17,
        }
    )
    values.update(fields)
    return values


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_create_is_audited_and_may_leave_the_registration_missing(registry):
    institution = svc.institution_create(registry.social_worker, new())
    event = AuditEvent.objects.get(kind="institution.created")
    assert event.actor == registry.social_worker
    assert event.target == f"institutions.Institution:{institution.pk}"
    with translation.override("en"):
        state = sel.registration_state(institution, TODAY)
    assert state.missing and not state.valid and state.label == "Registration missing"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"capacity": None}, "capacity"),
        ({"age_min": 12, "age_max": 6}, "age_max"),
        ({"age_max": 19}, "age_max"),
        (
            {"registration_start": date(2026, 5, 1), "registration_end": date(2026, 4, 1)},
            "registration_end",
        ),
        ({"kind": InstitutionKind.PESANTREN, "religion": Religion.CATHOLIC}, "religion"),
        (
            {"kind": InstitutionKind.FOSTER_FAMILY, "registration_number": "X/1"},
            "registration_number",
        ),
        ({"kind": InstitutionKind.LKSA, "nsp_number": "5100"}, "nsp_number"),
        ({"name": "  "}, "name"),
        ({"name": "lksa uji (SINTETIS)"}, "name"),
        ({"kind": "castle"}, "kind"),
    ],
)
def test_invalid_institutions_are_refused_with_a_field_error(registry, fields, field):
    errors = errors_of(lambda: svc.institution_create(registry.social_worker, new(**fields)))
    assert field in errors
    assert not Institution.objects.filter(name="LKSA Baru (sintetis)").exists()


def test_an_agency_belongs_to_one_institution_only(registry):
    errors = errors_of(
        lambda: svc.institution_create(registry.social_worker, new(agency=registry.agency))
    )
    assert "agency" in errors


def test_a_pesantren_is_islamic_by_default_and_needs_its_nsp(registry):
    pesantren = svc.institution_create(
        registry.social_worker, new(kind=InstitutionKind.PESANTREN, religion="")
    )
    assert pesantren.religion == Religion.ISLAM
    assert sel.registration_state(pesantren, TODAY).missing
    state = sel.registration_state(registry.pesantren, TODAY)
    assert state.valid and "510000000001" in state.label


def test_families_need_no_registration(registry):
    family = svc.institution_create(
        registry.social_worker, new(kind=InstitutionKind.KINSHIP_CARER, capacity=1)
    )
    state = sel.registration_state(family, TODAY)
    assert state.valid and state.not_required and not state.missing


@pytest.mark.parametrize(
    ("start", "end", "key", "days_left"),
    [
        (date(2025, 1, 1), date(2027, 1, 1), "valid", 214),
        (date(2025, 1, 1), date(2026, 6, 30), "expiring", 29),
        (date(2025, 1, 1), date(2026, 6, 1), "expiring", 0),
        (date(2025, 1, 1), date(2026, 5, 31), "expired", -1),
        (date(2026, 7, 1), date(2027, 7, 1), "pending", 395),
    ],
)
def test_registration_states(db, start, end, key, days_left):
    institution = lksa("X (sintetis)", registration_start=start, end=end)
    state = sel.registration_state(institution, TODAY)
    assert state.key == key and state.days_left == days_left
    assert state.valid == (key in ("valid", "expiring"))
    assert state.valid == institution.registration_valid_on(TODAY)


def test_an_edit_with_an_old_version_changes_nothing(registry):
    home = registry.home
    svc.institution_update(
        registry.social_worker, home, data_of(home, capacity=14), expected_version=1
    )
    home.refresh_from_db()
    assert home.version == 2 and home.capacity == 14
    with pytest.raises(StaleVersion) as stale:
        svc.institution_update(
            registry.social_worker, home, data_of(home, capacity=3), expected_version=1
        )
    assert stale.value.current.capacity == 14
    home.refresh_from_db()
    assert home.capacity == 14
    event = AuditEvent.objects.get(kind="institution.changed")
    assert event.detail["fields"] == ["capacity"]
    # Field names only: the audit trail never holds a bank account.
    assert registry.home.bank_account_number not in str(event.detail)


def test_the_edit_page_shows_the_conflict_page(registry):
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, registry.social_worker)
    url = reverse("institutions:edit", args=[registry.home.uuid])
    page = client.get(url)
    assert page.status_code == 200
    form = {k: ("" if v is None else v) for k, v in page.context["form"].initial.items()}
    form["agency"] = registry.agency.pk
    form["kelurahan"] = registry.home.kelurahan_id
    form["capacity"] = 13
    form["expected_version"] = 1
    assert client.post(url, form).status_code == 302
    form["capacity"] = 11
    conflict = client.post(url, form)
    assert conflict.status_code == 409
    assert "Changed by someone else" in conflict.content.decode()
    registry.home.refresh_from_db()
    assert registry.home.capacity == 13


def test_bad_input_on_the_edit_page_is_a_400_with_the_input_kept(registry):
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, registry.social_worker)
    url = reverse("institutions:edit", args=[registry.home.uuid])
    form = {
        "kind": "lksa",
        "name": "Nama Baru (sintetis)",
        "capacity": "0",
        "age_min": "10",
        "age_max": "5",
        "agency": "99999999999999999999999",
        "expected_version": "1",
    }
    response = client.post(url, form)
    assert response.status_code == 400
    assert "Nama Baru (sintetis)" in response.content.decode()
    registry.home.refresh_from_db()
    assert registry.home.name == "LKSA Uji (sintetis)"


def test_create_page_registers_an_institution(registry):
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, registry.social_worker)
    response = client.post(
        reverse("institutions:create"),
        {
            "kind": "foster_family",
            "name": "Keluarga Uji (sintetis)",
            "capacity": "2",
            "age_min": "0",
            "age_max": "12",
        },
    )
    assert response.status_code == 302
    assert Institution.objects.filter(name="Keluarga Uji (sintetis)").exists()


def test_suspend_needs_a_reason_and_reactivate_clears_it(registry):
    home, worker = registry.home, registry.social_worker
    assert "reason" in errors_of(
        lambda: svc.institution_suspend(worker, home, "  ", expected_version=1)
    )
    home = svc.institution_suspend(worker, home, "Laporan kekerasan (sintetis)", expected_version=1)
    assert home.status == InstitutionStatus.SUSPENDED and home.suspended_at is not None
    with pytest.raises(StaleVersion):
        svc.institution_reactivate(worker, home, expected_version=1)
    home = svc.institution_reactivate(worker, home, expected_version=2)
    assert home.status == InstitutionStatus.ACTIVE and home.suspended_reason == ""
    kinds = list(
        AuditEvent.objects.filter(kind__startswith="institution.").values_list("kind", flat=True)
    )
    assert sorted(kinds) == ["institution.reactivated", "institution.suspended"]
    # A suspended institution stays a placement choice, so the rules can give the reason.
    svc.institution_suspend(worker, home, "Lagi (sintetis)", expected_version=3)
    assert registry.home in sel.institution_choices()


def test_suspend_through_the_page(registry):
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, registry.social_worker)
    url = reverse("institutions:suspend", args=[registry.home.uuid])
    assert client.post(url, {"reason": "", "expected_version": 1}).status_code == 400
    assert (
        client.post(url, {"reason": "Izin dicabut (sintetis)", "expected_version": 1}).status_code
        == 302
    )
    page = client.get(reverse("institutions:detail", args=[registry.home.uuid])).content.decode()
    assert "Izin dicabut (sintetis)" in page and "Suspended" in page


def test_inspections_are_dated_and_not_in_the_future(registry):
    worker = registry.social_worker
    future = timezone.localdate() + timedelta(days=1)
    assert "inspected_on" in errors_of(
        lambda: svc.inspection_add(worker, registry.home, inspected_on=future, findings="x")
    )
    assert "findings" in errors_of(
        lambda: svc.inspection_add(
            worker, registry.home, inspected_on=timezone.localdate(), findings=" "
        )
    )
    inspection = svc.inspection_add(
        worker, registry.home, inspected_on=timezone.localdate(), findings="Baik (sintetis)"
    )
    assert inspection.recorded_by == worker
    assert AuditEvent.objects.filter(kind="institution.inspection_added").count() == 1


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SOCIAL_WORKER])
def test_services_refuse_everyone_but_social_workers(registry, role):
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        svc.institution_create(user, new())
    with pytest.raises(PermissionDenied):
        svc.institution_suspend(user, registry.home, "x", expected_version=1)


def test_public_selectors(registry: Registry):
    assert sel.institution_of_staff(registry.staff) == registry.home
    assert sel.institution_of_staff(registry.social_worker) is None
    registry.staff.is_active = False
    assert sel.institution_of_staff(registry.staff) is None
    assert sel.institution_by_uuid(str(registry.other.uuid)) == registry.other
    assert sel.institution_by_uuid("garbage") is None
    assert list(sel.institution_choices()) == sorted(
        [registry.home, registry.other, registry.pesantren], key=lambda i: i.name
    )
