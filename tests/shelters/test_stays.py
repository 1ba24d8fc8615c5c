"""Admission, discharge and transfer: the constraints, the checks and what is recorded."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import override

from kawal.access.catalogue import Role
from kawal.cases import services as case_svc
from kawal.cases.models import CaseEvent
from kawal.core.models import StaleVersion
from kawal.shelters import services as svc
from kawal.shelters.models import Belonging, Stay
from tests.helpers import make_user
from tests.shelters.conftest import admit, make_shelter, shared_case, staff_on

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- The database's own constraints ---------------------------------------------


def test_the_database_refuses_a_second_active_stay_of_a_child(shelter_world):
    first = shelter_world.stay
    with pytest.raises(IntegrityError), transaction.atomic():
        Stay.objects.create(
            case=first.case,
            child=first.child,
            bed=shelter_world.bed(shelter_world.girls, "G2"),
            admitted_at=NOW,
            began_at=NOW,
            arrived_from="police",
            brought_by="x",
            admitted_by=shelter_world.staff,
            reason="x",
        )


def test_the_database_refuses_a_second_child_in_an_occupied_bed(shelter_world):
    other = shared_case(shelter_world.world.owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stay.objects.create(
            case=other,
            child=other.child,
            bed=shelter_world.stay.bed,
            admitted_at=NOW,
            began_at=NOW,
            arrived_from="police",
            brought_by="x",
            admitted_by=shelter_world.staff,
            reason="x",
        )


def test_discharged_stays_free_the_bed_and_the_child_in_the_database(shelter_world):
    stay = shelter_world.stay
    Stay.objects.filter(pk=stay.pk).update(discharged_at=timezone.now(), discharge_reason="home")
    again = Stay.objects.create(
        case=stay.case,
        child=stay.child,
        bed=stay.bed,
        admitted_at=NOW,
        began_at=NOW,
        arrived_from="home",
        brought_by="x",
        admitted_by=shelter_world.staff,
        reason="x",
    )
    assert again.pk


def test_the_database_refuses_a_discharge_before_the_admission_or_without_a_reason(
    shelter_world,
):
    stay = shelter_world.stay
    with pytest.raises(IntegrityError), transaction.atomic():
        Stay.objects.filter(pk=stay.pk).update(
            discharged_at=stay.admitted_at - timedelta(hours=1), discharge_reason="home"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Stay.objects.filter(pk=stay.pk).update(discharged_at=timezone.now())


# --- Admission -----------------------------------------------------------------------


def test_admission_records_everything_and_writes_two_timeline_lines(shelter_world):
    stay = shelter_world.stay
    assert stay.is_active and stay.began_at == stay.admitted_at
    assert stay.admitted_by == shelter_world.staff
    assert stay.needs_doctor and stay.temperature == Decimal("37.9")
    assert stay.health_checked_by == shelter_world.staff
    assert list(stay.belongings.values_list("description", "quantity")) == [
        ("Kaos merah", 2),
        ("Sandal jepit", 1),
    ]
    events = {e.kind: e for e in CaseEvent.objects.filter(case=shelter_world.case)}
    assert events["shelters.admitted"].data_class == "basic"
    assert events["shelters.admitted"].payload == {}
    where = events["shelters.admitted_where"]
    assert where.data_class == "whereabouts"
    assert where.payload["shelter"] == "Rumah Aman Sintetis" and where.payload["bed"] == "G1"


def test_a_child_cannot_be_admitted_twice(shelter_world):
    with pytest.raises(ValidationError) as error, override("en"):
        admit(shelter_world.case, shelter_world.bed(shelter_world.girls, "G2"), shelter_world.staff)
    assert "already staying in a shelter" in messages_of(error.value)
    assert Stay.objects.count() == 1


def test_a_bed_cannot_be_double_booked(shelter_world):
    other = shared_case(shelter_world.world.owner)
    staff_on(other, shelter_world.world.owner, staff=shelter_world.staff)
    with pytest.raises(ValidationError) as error, override("en"):
        admit(other, shelter_world.stay.bed, shelter_world.staff)
    assert "This bed is taken" in messages_of(error.value)


def test_a_bed_is_not_booked_back_in_time_over_a_past_stay(shelter_world):
    stay = shelter_world.stay
    svc.stay_discharge(
        stay,
        expected_version=stay.version,
        at=timezone.now() - timedelta(hours=1),
        reason="home",
        destination="Rumah nenek (sintetis)",
        acting_user=shelter_world.staff,
    )
    other = shared_case(shelter_world.world.owner)
    staff_on(other, shelter_world.world.owner, staff=shelter_world.staff)
    with pytest.raises(ValidationError) as error, override("en"):
        admit(other, stay.bed, shelter_world.staff, days_ago=1)
    assert "Another child slept in this bed at that time" in messages_of(error.value)
    # From now on the bed is free.
    assert admit(other, stay.bed, shelter_world.staff, days_ago=0).is_active


def test_girls_and_boys_never_share_a_room(shelter_world):
    stay = shelter_world.stay
    with pytest.raises(ValidationError) as error, override("en"):
        svc.stay_transfer(
            stay,
            expected_version=stay.version,
            bed=shelter_world.bed(shelter_world.boys, "B1"),
            at=timezone.now(),
            reason="Kamar penuh",
            age_exception="Darurat",
            acting_user=shelter_world.staff,
        )
    assert "This room is for boys only" in messages_of(error.value)


def test_outside_the_room_s_ages_needs_a_reason_which_is_kept(shelter_world):
    stay = shelter_world.stay
    teens_bed = shelter_world.bed(shelter_world.teens, "T1")
    with pytest.raises(ValidationError) as error, override("en"):
        svc.stay_transfer(
            stay,
            expected_version=stay.version,
            bed=teens_bed,
            at=timezone.now(),
            reason="Kamar anak penuh",
            acting_user=shelter_world.staff,
        )
    assert "This room is for ages 13-17 and the child is 9-10" in messages_of(error.value)
    assert "age_exception" in error.value.message_dict
    moved = svc.stay_transfer(
        stay,
        expected_version=stay.version,
        bed=teens_bed,
        at=timezone.now(),
        reason="Kamar anak penuh",
        age_exception="Bersama kakaknya malam ini (sintetis)",
        acting_user=shelter_world.staff,
    )
    assert moved.age_exception.startswith("Bersama kakaknya")


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"brought_by": "  "}, "brought_by", "Say who brought the child."),
        ({"reason": ""}, "reason", "Give the reason for the admission."),
        ({"arrived_from": "moon"}, "arrived_from", "Say where the child came from."),
        (
            {"admitted_at_delta": timedelta(hours=2)},
            "admitted_at",
            "This time has not come yet.",
        ),
        (
            {"admitted_at_delta": -timedelta(days=400)},
            "admitted_at",
            "Give a time within the last year.",
        ),
        (
            {"health": svc.HealthCheck(temperature=Decimal("368"))},
            "temperature",
            "between 30 and 45",
        ),
        ({"belongings": [("Tas", 0)]}, "belongings", "between 1 and 999"),
    ],
)
def test_admission_input_is_checked(shelter_world, overrides, field, text):
    other = shared_case(shelter_world.world.owner)
    staff_on(other, shelter_world.world.owner, staff=shelter_world.staff)
    delta = overrides.pop("admitted_at_delta", None)
    if delta is not None:
        overrides["admitted_at"] = timezone.now() + delta
    with pytest.raises(ValidationError) as error, override("en"):
        admit(other, shelter_world.bed(shelter_world.girls, "G2"), shelter_world.staff, **overrides)
    assert field in error.value.message_dict
    assert text in messages_of(error.value)
    assert not Stay.objects.filter(case=other).exists()


def test_only_staff_of_the_shelter_s_agency_on_the_case_team_may_admit(shelter_world):
    world = shelter_world.world
    other = shared_case(world.owner)
    bed = shelter_world.bed(shelter_world.girls, "G2")
    # Shelter staff of the agency, but not on this case's team.
    with pytest.raises(PermissionDenied):
        admit(other, bed, shelter_world.staff)
    # On the team, but of another UPTD PPA: not their shelter.
    from tests.cases.conftest import other_agency

    elsewhere = staff_on(other, world.owner, agency=other_agency("uptd_ppa"))
    with pytest.raises(PermissionDenied):
        admit(other, bed, elsewhere)
    # The case manager leads the case but does not run the shelter.
    with pytest.raises(PermissionDenied):
        admit(other, bed, world.owner)
    # The UPTD PPA as a whole agency on the team lets any of its shelter staff admit.
    case_svc.member_add(
        other,
        agency=shelter_world.agency,
        case_role="rumah aman",
        data_classes=["identity", "whereabouts"],
        acting_user=world.owner,
    )
    colleague = make_user(Role.SHELTER_STAFF, agency=shelter_world.agency)
    assert admit(other, bed, colleague).is_active


def test_a_team_grant_without_whereabouts_does_not_let_staff_admit(shelter_world):
    world = shelter_world.world
    other = shared_case(world.owner)
    staff = make_user(Role.SHELTER_STAFF, agency=shelter_world.agency)
    case_svc.member_add(
        other, user=staff, case_role="x", data_classes=["identity"], acting_user=world.owner
    )
    with pytest.raises(PermissionDenied):
        admit(other, shelter_world.bed(shelter_world.girls, "G2"), staff)


def test_a_closed_case_or_a_retired_bed_takes_no_admission(shelter_world):
    other = shared_case(shelter_world.world.owner)
    staff_on(other, shelter_world.world.owner, staff=shelter_world.staff)
    bed = shelter_world.bed(shelter_world.girls, "G2")
    bed.is_active = False
    bed.save()
    with pytest.raises(ValidationError) as error, override("en"):
        admit(other, bed, shelter_world.staff)
    assert "no longer in use" in messages_of(error.value)
    other.status = "closed"
    other.save()
    with pytest.raises(ValidationError) as error, override("en"):
        admit(other, shelter_world.bed(shelter_world.girls, "G3"), shelter_world.staff)
    assert "This case is closed." in messages_of(error.value)


def test_a_clash_the_locks_missed_still_ends_as_a_form_error(shelter_world, monkeypatch):
    """The partial unique index is the last word, and its refusal reads like the check's."""
    other = shared_case(shelter_world.world.owner)
    staff_on(other, shelter_world.world.owner, staff=shelter_world.staff)
    monkeypatch.setattr(svc, "_require_free", lambda *args, **kwargs: None)
    with pytest.raises(ValidationError) as error, override("en"):
        admit(other, shelter_world.stay.bed, shelter_world.staff)
    assert error.value.message_dict == {"bed": ["This bed is taken. Choose a free bed."]}
    with pytest.raises(ValidationError) as error, override("en"):
        admit(shelter_world.case, shelter_world.bed(shelter_world.girls, "G2"), shelter_world.staff)
    assert "admitted a moment ago" in messages_of(error.value)
    assert Stay.objects.count() == 1


# --- Discharge and transfer ----------------------------------------------------------


def test_discharge_records_the_destination_as_whereabouts_only(shelter_world):
    stay = shelter_world.stay
    left = svc.stay_discharge(
        stay,
        expected_version=stay.version,
        at=timezone.now(),
        reason="institution",
        destination="LKSA Harapan Sintetis",
        note="Barang dikembalikan",
        acting_user=shelter_world.staff,
    )
    assert not left.is_active and left.discharged_by == shelter_world.staff
    basic = CaseEvent.objects.get(case=stay.case, kind="shelters.discharged")
    assert basic.data_class == "basic" and "LKSA" not in str(basic.payload)
    where = CaseEvent.objects.get(case=stay.case, kind="shelters.discharged_where")
    assert where.data_class == "whereabouts"
    assert where.payload["destination"] == "LKSA Harapan Sintetis"


def test_discharge_checks_its_input_and_the_version(shelter_world):
    stay = shelter_world.stay
    kwargs = {"at": timezone.now(), "acting_user": shelter_world.staff}
    with pytest.raises(ValidationError) as error, override("en"):
        svc.stay_discharge(
            stay, expected_version=stay.version, reason="home", destination=" ", **kwargs
        )
    assert error.value.message_dict == {"destination": ["Say where the child goes."]}
    with pytest.raises(ValidationError):
        svc.stay_discharge(
            stay, expected_version=stay.version, reason="transfer", destination="x", **kwargs
        )
    with pytest.raises(StaleVersion):
        svc.stay_discharge(
            stay, expected_version=stay.version - 1, reason="home", destination="x", **kwargs
        )
    # Running away leaves no known destination.
    svc.stay_discharge(stay, expected_version=stay.version, reason="left", destination="", **kwargs)
    stay.refresh_from_db()
    with pytest.raises(ValidationError) as error, override("en"):
        svc.stay_discharge(
            stay, expected_version=stay.version, reason="home", destination="x", **kwargs
        )
    assert "already ended" in messages_of(error.value)


def test_a_transfer_ends_one_stay_and_starts_the_next_linked_in_one_go(shelter_world):
    stay = shelter_world.stay
    target = shelter_world.bed(shelter_world.girls, "G3")
    moved = svc.stay_transfer(
        stay,
        expected_version=stay.version,
        bed=target,
        at=timezone.now(),
        reason="Dekat kamar mandi (sintetis)",
        acting_user=shelter_world.staff,
    )
    stay.refresh_from_db()
    assert stay.discharge_reason == "transfer" and stay.discharged_at == moved.admitted_at
    assert moved.previous == stay and stay.next_stay == moved
    assert moved.began_at == stay.began_at  # the days in care go on counting
    assert moved.bed == target and moved.is_active
    assert list(moved.belongings.values_list("description", "quantity")) == list(
        stay.belongings.values_list("description", "quantity")
    )
    assert Belonging.objects.count() == 4
    where = CaseEvent.objects.get(case=stay.case, kind="shelters.transferred_where")
    assert where.payload["after"].endswith("· G3") and where.data_class == "whereabouts"


def test_a_failed_transfer_leaves_the_stay_as_it_was(shelter_world, monkeypatch):
    stay = shelter_world.stay
    target = shelter_world.bed(shelter_world.girls, "G3")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(svc, "case_event_add", broken)
    with pytest.raises(RuntimeError):
        svc.stay_transfer(
            stay,
            expected_version=stay.version,
            bed=target,
            at=timezone.now(),
            reason="x",
            acting_user=shelter_world.staff,
        )
    stay.refresh_from_db()
    assert stay.is_active and stay.bed.label == "G1"
    assert Stay.objects.count() == 1


def test_a_transfer_goes_only_to_the_staff_s_own_shelters(shelter_world):
    from tests.cases.conftest import other_agency

    _shelter, girls, _boys, _teens = make_shelter(other_agency("uptd_ppa"), name="Lain")
    stay = shelter_world.stay
    with pytest.raises(PermissionDenied):
        svc.stay_transfer(
            stay,
            expected_version=stay.version,
            bed=girls.beds.get(label="G2"),
            at=timezone.now(),
            reason="x",
            acting_user=shelter_world.staff,
        )


def test_an_update_completes_the_health_check_and_belongings_with_a_version_check(
    shelter_world,
):
    stay = shelter_world.stay
    details = svc.StayDetails(
        arrived_from=stay.arrived_from,
        arrived_from_detail="Polsek Sintetis",
        brought_by=stay.brought_by,
        reason=stay.reason,
        health=svc.HealthCheck(temperature=Decimal("36.5")),
        belongings=[("Kaos merah", 2)],
    )
    updated = svc.stay_update(
        stay, expected_version=stay.version, details=details, acting_user=shelter_world.staff
    )
    assert updated.version == stay.version + 1
    assert updated.temperature == Decimal("36.5") and not updated.needs_doctor
    assert list(updated.belongings.values_list("description", flat=True)) == ["Kaos merah"]
    event = CaseEvent.objects.get(case=stay.case, kind="shelters.updated")
    assert event.payload["changed"] == ["arrived_from_detail", "health", "belongings"]
    with pytest.raises(StaleVersion):
        svc.stay_update(
            stay, expected_version=stay.version, details=details, acting_user=shelter_world.staff
        )
    # Nothing changed: no new version, no event.
    same = svc.stay_update(
        updated, expected_version=updated.version, details=details, acting_user=shelter_world.staff
    )
    assert same.version == updated.version
    assert CaseEvent.objects.filter(kind="shelters.updated").count() == 1


def test_fit_of_estimated_ages_gives_the_benefit_of_the_doubt(shelter_world):
    child = shelter_world.case.child
    child.age_min, child.age_max = 11, 14
    today = timezone.localdate()
    assert not svc.room_fit(shelter_world.girls, child, today).outside_ages
    assert not svc.room_fit(shelter_world.teens, child, today).outside_ages
    child.sex = ""
    fit = svc.room_fit(shelter_world.girls, child, today)
    assert not fit.refusals and len(fit.unchecked) == 1
