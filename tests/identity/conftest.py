"""Children registered through the real services, for identity tests."""

from __future__ import annotations

from datetime import date

import pytest

from kawal.access.catalogue import Role
from kawal.cases import services as svc
from kawal.cases.models import Case, CaseForm, CaseStatus
from kawal.regions.models import Region
from tests.helpers import make_user


def register(owner, full_name, *, supervisor=None, aliases=(), parents=(), **child) -> Case:
    data = {
        "full_name": full_name,
        "sex": "M",
        "kelurahan": Region.objects.get(code="64.71.06.1004"),
    }
    data.update(child)
    if "birth_date" not in data and "age_min" not in data:
        data["age_min"], data["age_max"] = 10, 12
    return svc.case_open(
        svc.NewCase(
            child=data,
            aliases=list(aliases),
            intake_channel="outreach",
            risk_level="medium",
            forms=[CaseForm.FORCED_SELLING],
            supervisor=supervisor,
            parents=list(parents),
        ),
        acting_user=owner,
    )


def found_again(child, owner, *, supervisor=None) -> Case:
    """A new case for a child already on file, as intake opens it when the child is found again."""
    return svc.case_open(
        svc.NewCase(
            child={},
            existing_child=child,
            intake_channel="outreach",
            risk_level="medium",
            forms=[CaseForm.FORCED_SELLING],
            supervisor=supervisor,
        ),
        acting_user=owner,
    )


def close(case: Case) -> Case:
    """Test set-up only: the workflow's approvals are tested in tests/cases."""
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=date(2026, 2, 1))
    case.refresh_from_db()
    return case


@pytest.fixture
def people(db):
    owner = make_user(Role.CASE_MANAGER, username="owner", full_name="Sari Sintetis")
    boss = make_user(Role.SUPERVISOR, username="boss", full_name="Budi Sintetis")
    stranger = make_user(Role.CASE_MANAGER, username="stranger", full_name="Lain Sintetis")
    return owner, boss, stranger


def intake_form(**extra) -> dict:
    """The case-opening form for a boy who may already be known."""
    data = {
        "full_name": "Moh. Rizky",
        "sex": "M",
        "birth_date": "2015-04-09",
        "nik_status": "unknown",
        "school_status": "dropped_out",
        "kelurahan": "64.71.06.1004",
        "intake_channel": "outreach",
        "forms_": ["forced_selling"],
        "risk_level": "medium",
    }
    data.update(extra)
    return data
