"""The role catalogue as a full matrix: every role x every data class x read/write.

The expected table below is written out by hand on purpose: changing who may
see what must change both the catalogue and this table.
"""

from __future__ import annotations

import pytest

from kawal.access.catalogue import ROLES, Action, AgencyKind, Capability, DataClass, Role
from kawal.access.policy import capabilities_of, may, may_access_class

B, ID, W, C, P, V, F, R = (
    DataClass.BASIC,
    DataClass.IDENTITY,
    DataClass.WHEREABOUTS,
    DataClass.CLINICAL,
    DataClass.PROGRESS,
    DataClass.INVESTIGATION,
    DataClass.FINANCIAL,
    DataClass.REPORTER,
)

# role: (readable, writable)
EXPECTED: dict[Role, tuple[set[DataClass], set[DataClass]]] = {
    Role.CASE_MANAGER: ({B, ID, W, P, V, F, R}, {B, ID, W}),
    Role.SUPERVISOR: ({B, ID, W, P, V, F, R}, {B, ID, W}),
    Role.SHELTER_STAFF: ({B, ID, W}, {B, W}),
    Role.PSYCHOLOGIST: ({B, ID, W, C, P}, {C, P}),
    Role.INVESTIGATOR: ({B, ID, W, V}, {ID, V}),
    Role.PATROL_OFFICER: (set(), set()),
    Role.SOCIAL_WORKER: ({B, ID, W, P, F}, {W, F}),
    Role.FINANCE_OFFICER: ({B, F}, {F}),
    Role.RT_HEAD: (set(), set()),
    Role.INSTITUTION_STAFF: ({B, ID, W}, set()),
    Role.SCHOOL_LIAISON: ({B}, set()),
    Role.SYSTEM_ADMIN: (set(), set()),
    Role.DATA_PROTECTION_OFFICER: ({B}, set()),
}


class FakeUser:
    is_authenticated = True

    def __init__(self, role: str, is_active: bool = True) -> None:
        self.role = role
        self.is_active = is_active


def test_every_role_is_in_the_catalogue_and_the_table():
    assert set(ROLES) == set(Role) == set(EXPECTED)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("data_class", list(DataClass))
@pytest.mark.parametrize("action", list(Action))
def test_matrix(role, data_class, action):
    readable, writable = EXPECTED[role]
    expected = data_class in (writable if action == Action.WRITE else readable)
    assert may_access_class(FakeUser(role), action, data_class) is expected


def test_clinical_notes_are_for_psychologists_only():
    readers = {role for role in Role if may_access_class(FakeUser(role), Action.READ, C)}
    assert readers == {Role.PSYCHOLOGIST}


def test_investigation_is_for_police_and_the_lead_agency():
    readers = {role for role in Role if may_access_class(FakeUser(role), Action.READ, V)}
    assert readers == {Role.INVESTIGATOR, Role.CASE_MANAGER, Role.SUPERVISOR}


def test_the_reporter_is_for_the_intake_team_only():
    # Domain rule: a reporter (often a neighbour) is known to intake and the
    # case manager only; those who take reports in may not read them back.
    readers = {role for role in Role if may_access_class(FakeUser(role), Action.READ, R)}
    assert readers == {Role.CASE_MANAGER, Role.SUPERVISOR}
    assert readers == {role for role in Role if may(FakeUser(role), Capability.TRIAGE_REPORTS)}
    assert not any(may_access_class(FakeUser(role), Action.WRITE, R) for role in Role)


def test_system_admin_sees_no_case_content_but_manages_configuration():
    admin = FakeUser(Role.SYSTEM_ADMIN)
    assert not any(may_access_class(admin, Action.READ, data_class) for data_class in DataClass)
    assert may(admin, Capability.MANAGE_USERS) and may(admin, Capability.MANAGE_CONFIGURATION)
    assert {role for role in Role if may(FakeUser(role), Capability.MANAGE_USERS)} == {
        Role.SYSTEM_ADMIN
    }


def test_break_glass_only_for_supervisors_and_investigators():
    holders = {role for role in Role if may(FakeUser(role), Capability.BREAK_GLASS)}
    assert holders == {Role.SUPERVISOR, Role.INVESTIGATOR}


def test_every_role_can_do_something():
    for role in Role:
        assert capabilities_of(FakeUser(role)), role


@pytest.mark.parametrize(
    "user",
    [
        None,
        FakeUser("no_such_role"),
        FakeUser(""),
        FakeUser(Role.SUPERVISOR, is_active=False),
        type("Anon", (), {"is_authenticated": False, "is_active": True, "role": "supervisor"})(),
    ],
)
def test_unknown_means_deny(user):
    assert not any(may(user, capability) for capability in Capability)
    assert not any(
        may_access_class(user, action, data_class) for action in Action for data_class in DataClass
    )
    assert capabilities_of(user) == []


def test_roles_belong_to_fitting_agencies():
    assert ROLES[Role.INVESTIGATOR].agency_kinds == {AgencyKind.POLICE}
    assert ROLES[Role.RT_HEAD].agency_kinds == {AgencyKind.NEIGHBOURHOOD}
    assert ROLES[Role.INSTITUTION_STAFF].agency_kinds == {AgencyKind.CHILD_CARE_INSTITUTION}
    assert ROLES[Role.SYSTEM_ADMIN].agency_kinds == frozenset()  # any agency


def test_writing_implies_reading():
    for spec in ROLES.values():
        assert spec.write <= spec.read
