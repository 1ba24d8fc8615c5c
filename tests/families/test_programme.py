"""The parent programme through its services and pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.access.models import AccessLog
from kawal.cases.models import CaseEvent
from kawal.core.models import StaleVersion
from kawal.families import services as svc
from kawal.families.compliance import Compliance
from kawal.families.models import (
    Attendance,
    ParentProgramme,
    ProgrammeStatus,
    UndertakingState,
)
from kawal.families.selectors import programme_facts
from tests.families.conftest import PP, days_ago, png_upload
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


def en_client(user) -> Client:
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    client.cookies["kawal_language"] = "en"
    return client


def test_one_running_programme_per_case(family):
    with pytest.raises(ValidationError):
        svc.programme_start(
            family.case,
            facilitator=None,
            started_on=days_ago(1),
            planned_sessions=4,
            goals="",
            parents=[],
            acting_user=family.world.owner,
        )
    assert ParentProgramme.objects.filter(case=family.case).count() == 1


def test_the_facilitator_must_see_the_case(family):
    stranger = make_user(Role.PSYCHOLOGIST)
    with pytest.raises(ValidationError) as error:
        svc.programme_update(
            family.programme,
            facilitator=stranger,
            planned_sessions=4,
            goals="",
            expected_version=family.programme.version,
            acting_user=family.world.owner,
        )
    assert "facilitator" in error.value.message_dict
    # The parents' psychologist may differ from the child's: any on the team with progress.
    updated = svc.programme_update(
        family.programme,
        facilitator=family.social_worker,
        planned_sessions=6,
        goals="Baru",
        expected_version=family.programme.version,
        acting_user=family.world.owner,
    )
    assert updated.facilitator == family.social_worker and updated.version == 2


def test_a_stale_edit_writes_nothing(family):
    svc.programme_update(
        family.programme,
        facilitator=family.world.psychologist,
        planned_sessions=5,
        goals="first",
        expected_version=1,
        acting_user=family.world.owner,
    )
    with pytest.raises(StaleVersion):
        svc.programme_update(
            family.programme,
            facilitator=family.world.psychologist,
            planned_sessions=9,
            goals="second",
            expected_version=1,
            acting_user=family.world.owner,
        )
    family.programme.refresh_from_db()
    assert family.programme.goals == "first" and family.programme.planned_sessions == 5


def test_stale_edit_page_is_a_409_conflict(family):
    client = en_client(family.world.owner)
    url = reverse("families:programme_edit", kwargs={"programme_uuid": family.programme.uuid})
    data = {
        "facilitator": family.world.psychologist.pk,
        "planned_sessions": 5,
        "goals": "x",
        "expected_version": 0,
    }
    response = client.post(url, data)
    assert response.status_code == 409
    assert "Changed by someone else" in response.content.decode()


def test_who_may_record(family):
    investigator = family.world.investigator  # on the team, but no progress and no parenting
    with pytest.raises(PermissionDenied):
        svc.visit_record(
            family.programme,
            visited_on=days_ago(1),
            visitors=[],
            other_visitors="Polisi",
            findings="x",
            found_safe=True,
            confirming_agency=None,
            acting_user=investigator,
        )
    # A social worker records visits; a clinical note needs a clinician.
    svc.visit_record(
        family.programme,
        visited_on=days_ago(1),
        visitors=[family.social_worker],
        other_visitors="",
        findings="Rumah rapi (sintetis)",
        found_safe=True,
        confirming_agency=None,
        acting_user=family.social_worker,
    )
    with pytest.raises(PermissionDenied):
        svc.session_record(
            family.programme,
            kind="education",
            format="group",
            status="held",
            held_on=days_ago(1),
            facilitator=None,
            topic="Pola asuh",
            summary="",
            clinical_note="catatan",
            attended=[],
            acting_user=family.social_worker,
        )
    # The psychologist may not refer for economic support without the financial class.
    with pytest.raises(PermissionDenied):
        svc.support_refer(
            family.programme,
            kind="other",
            to_agency=None,
            to_other="x",
            referred_on=days_ago(1),
            reason="x",
            acting_user=family.world.psychologist,
        )


def test_attendance_per_parent_and_planned_sessions(family):
    parent_mother = family.programme.parents.get()
    father = svc.programme_parent_add(
        family.programme, person=family.father, acting_user=family.world.owner
    )
    planned = svc.session_record(
        family.programme,
        kind="education",
        format="group",
        status="planned",
        held_on=days_ago(-7),
        facilitator=family.world.psychologist,
        topic="Disiplin positif",
        summary="",
        clinical_note="",
        attended=[parent_mother],
        acting_user=family.world.psychologist,
    )
    assert not planned.attendance.exists()  # nobody "came" to a session not held yet
    with pytest.raises(ValidationError):  # a held session cannot be in the future
        svc.session_update(
            planned,
            status="held",
            held_on=days_ago(-7),
            topic="Disiplin positif",
            summary="",
            clinical_note=None,
            attended=[father],
            expected_version=planned.version,
            acting_user=family.world.psychologist,
        )
    held = svc.session_update(
        planned,
        status="held",
        held_on=days_ago(0),
        topic="Disiplin positif",
        summary="Dua orang tua hadir",
        clinical_note=None,
        attended=[father],
        expected_version=planned.version,
        acting_user=family.world.psychologist,
    )
    rows = dict(Attendance.objects.filter(session=held).values_list("parent_id", "attended"))
    assert rows == {parent_mother.pk: False, father.pk: True}
    facts = programme_facts([family.programme])[family.programme.pk]
    assert (facts.held, facts.attended, facts.upcoming) == (2, 2, 0)
    assert CaseEvent.objects.filter(case=family.case, kind="families.session_updated").exists()


def test_undertaking_states_and_scan(family):
    undertaking = family.undertaking
    with pytest.raises(ValidationError):
        svc.undertaking_set_state(
            undertaking,
            state=UndertakingState.BROKEN,
            on=days_ago(1),
            note="",  # a breach needs what happened
            expected_version=undertaking.version,
            acting_user=family.world.owner,
        )
    broken = svc.undertaking_set_state(
        undertaking,
        state=UndertakingState.BROKEN,
        on=days_ago(1),
        note="Anak terlihat berjualan lagi (sintetis)",
        expected_version=undertaking.version,
        acting_user=family.world.owner,
    )
    assert broken.state == UndertakingState.BROKEN
    with pytest.raises(ValidationError):
        svc.undertaking_set_state(
            broken,
            state=UndertakingState.KEPT,
            on=days_ago(0),
            note="",
            expected_version=broken.version,
            acting_user=family.world.owner,
        )
    client = en_client(family.world.owner)
    url = reverse("families:undertaking_download", kwargs={"undertaking_uuid": undertaking.uuid})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert AccessLog.objects.filter(action="download", case_id=family.case.pk).exists()


def test_an_undertaking_needs_a_real_scan(family):
    from django.core.files.uploadedfile import SimpleUploadedFile

    parent = family.programme.parents.get()
    with pytest.raises(ValidationError):
        svc.undertaking_record(
            family.programme,
            text="x",
            signed_on=days_ago(1),
            signed_by=[parent],
            upload=SimpleUploadedFile("surat.png", b"not a picture"),
            acting_user=family.world.owner,
        )
    with pytest.raises(ValidationError):
        svc.undertaking_record(
            family.programme,
            text="x",
            signed_on=days_ago(1),
            signed_by=[parent],
            upload=None,
            acting_user=family.world.owner,
        )


def test_closing_makes_the_programme_read_only(family):
    closed = svc.programme_close(
        family.programme,
        reason="Orang tua pindah kota (sintetis)",
        expected_version=family.programme.version,
        acting_user=family.world.owner,
    )
    assert closed.status == ProgrammeStatus.CLOSED
    with pytest.raises(ValidationError):
        svc.visit_record(
            closed,
            visited_on=days_ago(1),
            visitors=[],
            other_visitors="x",
            findings="x",
            found_safe=True,
            confirming_agency=None,
            acting_user=family.world.owner,
        )
    # A new programme may start once the old one is closed.
    again = svc.programme_start(
        family.case,
        facilitator=None,
        started_on=days_ago(0),
        planned_sessions=4,
        goals="",
        parents=[],
        acting_user=family.world.owner,
    )
    assert again.status == ProgrammeStatus.ACTIVE


def test_programme_pages_in_english(family):
    client = en_client(family.world.psychologist)
    page = client.get(
        reverse("families:programme", kwargs={"programme_uuid": family.programme.uuid})
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "Parent programme" in body and "Record a session" in body
    assert PP["clinical"] in body and PP["identity"] in body
    assert PP["financial"] not in body  # the psychologist reads no money matters
    log = AccessLog.objects.filter(case_id=family.case.pk, action="view").latest("at")
    assert set(log.data_classes) >= {"progress", "identity", "clinical"}
    assert "financial" not in log.data_classes


def test_recording_a_session_through_the_page(family):
    client = en_client(family.world.psychologist)
    parent = family.programme.parents.get()
    url = reverse("families:session_new", kwargs={"programme_uuid": family.programme.uuid})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "education",
            "format": "individual",
            "status": "held",
            "held_on": days_ago(1).isoformat(),
            "facilitator": family.world.psychologist.pk,
            "topic": "Komunikasi dengan anak",
            "summary": "",
            "clinical_note": "",
            "attended": [parent.pk],
        },
    )
    assert response.status_code == 302
    bad = client.post(url, {"kind": "education", "held_on": "not a date", "attended": ["x"]})
    assert bad.status_code == 400
    assert family.programme.sessions.count() == 2


def test_bad_ids_are_form_errors_not_500s(family):
    client = en_client(family.world.owner)
    url = reverse("families:visit_new", kwargs={"programme_uuid": family.programme.uuid})
    response = client.post(
        url,
        {
            "visited_on": days_ago(1).isoformat(),
            "visitors": [str(2**70)],
            "findings": "x",
            "found_safe": "yes",
            "confirming_agency": str(2**70),
        },
    )
    assert response.status_code == 400
    missing = client.get(reverse("families:programme", kwargs={"programme_uuid": "not-a-uuid"}))
    assert missing.status_code == 404


def test_compliance_follows_the_records(family):
    # One held and attended counselling session, a safe visit (RT still to answer),
    # an undertaking in force: complying, not yet completed (4 planned).
    facts = programme_facts([family.programme])[family.programme.pk]
    from kawal.families.compliance import derive_compliance

    assert derive_compliance(facts).status == Compliance.COMPLYING
    svc.undertaking_set_state(
        family.undertaking,
        state=UndertakingState.BROKEN,
        on=days_ago(2),
        note="Anak kembali ke simpang (sintetis)",
        expected_version=family.undertaking.version,
        acting_user=family.world.owner,
    )
    facts = programme_facts([family.programme])[family.programme.pk]
    assert derive_compliance(facts).status == Compliance.NOT_COMPLYING
    # A new undertaking after the breach is a fresh commitment.
    svc.undertaking_record(
        family.programme,
        text="Berjanji lagi (sintetis)",
        signed_on=days_ago(1),
        signed_by=[family.programme.parents.get()],
        upload=png_upload(),
        acting_user=family.world.owner,
    )
    facts = programme_facts([family.programme])[family.programme.pk]
    assert derive_compliance(facts).status == Compliance.COMPLYING
