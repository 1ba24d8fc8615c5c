"""What the case page and its timeline show of placements, and to whom."""

from __future__ import annotations

import pytest

from kawal.access.catalogue import Role
from kawal.cases import services as case_svc
from kawal.cases.policy import case_access
from kawal.cases.selectors import case_timeline
from kawal.institutions.models import InstitutionKind
from tests.helpers import make_user
from tests.placement.conftest import institution_agency, make_institution, set_child
from tests.placement.test_views import client_for

pytestmark = pytest.mark.django_db


def where_lines(user, case) -> list:
    access = case_access(user, case)
    return [e for e in case_timeline(case, access, user) if e.kind.endswith("_where")]


def test_institution_staff_see_only_their_own_placing_line(pw):
    agency = institution_agency("LKSA Staf (sintetis)")
    own = make_institution("LKSA Milik Staf", agency=agency)
    set_child(pw.case, religion="Kristen")
    pw.commit(make_institution("Pesantren", kind=InstitutionKind.PESANTREN, nsp_number="1"))
    pw.commit(own)
    staff = make_user(Role.INSTITUTION_STAFF, username="lksa-staf", agency=agency)
    other_staff = make_user(
        Role.INSTITUTION_STAFF, username="lksa-lain", agency=institution_agency("Lain (sintetis)")
    )
    for user in (staff, other_staff):
        case_svc.member_add(
            pw.case,
            user=user,
            case_role="pengasuh",
            data_classes=["identity", "whereabouts"],
            acting_user=pw.world.owner,
        )
    assert [e.payload["status"] for e in where_lines(staff, pw.case)] == ["placed"]
    assert where_lines(other_staff, pw.case) == []
    assert len(where_lines(pw.world.owner, pw.case)) == 2
    # The case page's placement card is not theirs either: their view is the daily-care page.
    page = client_for(staff).get(f"/kasus/{pw.case.uuid}/").content.decode()
    assert "Placement history" not in page and "Alamat Rahasia" not in page


def test_readers_without_whereabouts_see_the_basic_line_only(pw):
    pw.commit()
    basic = case_access(pw.world.investigator, pw.case)
    assert not basic.can_read("whereabouts")
    kinds = {e.kind for e in case_timeline(pw.case, basic, pw.world.investigator)}
    assert "placement.decided" in kinds and "placement.decided_where" not in kinds
    page = client_for(pw.world.investigator).get(f"/kasus/{pw.case.uuid}/").content.decode()
    assert pw.lksa.name not in page and "Alamat Rahasia" not in page


def test_the_case_manager_sees_the_history_and_the_address(pw):
    pw.commit()
    page = client_for(pw.world.owner).get(f"/kasus/{pw.case.uuid}/").content.decode()
    assert pw.lksa.name in page and "Alamat Rahasia" in page
    assert "Prepare a placement decision" not in page  # not a social worker
