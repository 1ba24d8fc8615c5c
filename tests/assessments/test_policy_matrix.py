"""Every assessment page and action x all 13 roles x relation to the case.

Markers are planted in each class an assessment holds: written answers of a
clinical instrument, written answers of a progress instrument, a result
(band label, progress) and a draft's answer. Each role sees exactly what its
role and relation allow, on the case page, the case's assessments page and
each assessment's page; every refused action writes nothing.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kawal.access.catalogue import ROLES, DataClass, Role
from kawal.assessments import services as svc
from kawal.assessments.models import BIOPSYCHOSOCIAL_CODE, SAFETY_RISK_CODE, Assessment, Instrument
from kawal.cases.models import CaseEvent
from tests.assessments.builders import build_instrument, complete_answers, fill_and_sign
from tests.cases.test_policy_matrix import COMBINATIONS, actor, expected
from tests.helpers import sign_in

CLINICAL_ANSWER = "MARKER-ASSESS-CLIN-6121"
PROGRESS_ANSWER = "MARKER-ASSESS-PROGANS-7342"
RESULT = "MARKER-ASSESS-RESULT-8453"
DRAFT = "MARKER-ASSESS-DRAFT-9564"
CARE = {DataClass.PROGRESS, DataClass.CLINICAL}


@pytest.fixture
def planted(world):
    bio = Instrument.objects.get(code=BIOPSYCHOSOCIAL_CODE)
    safety = Instrument.objects.get(code=SAFETY_RISK_CODE)
    markers = build_instrument("markers", band_label=RESULT)
    clinical = fill_and_sign(
        world.case,
        world.psychologist,
        BIOPSYCHOSOCIAL_CODE,
        complete_answers(bio, value="2", text=CLINICAL_ANSWER),
    )
    progress = fill_and_sign(
        world.case,
        world.owner,
        SAFETY_RISK_CODE,
        complete_answers(safety, value="1", text=PROGRESS_ANSWER),
    )
    result = fill_and_sign(
        world.case,
        world.psychologist,
        "markers",
        {**complete_answers(markers), "a": "3", "b": "0", "c": "3", "d": "0"},
    )
    draft, _ = svc.assessment_start(
        world.case, instrument_code=BIOPSYCHOSOCIAL_CODE, acting_user=world.psychologist
    )
    draft = svc.assessment_save_draft(
        draft, answers={"riwayat": DRAFT}, expected_version=1, acting_user=world.psychologist
    )
    return {"clinical": clinical, "progress": progress, "result": result, "draft": draft}


def url(name, assessment=None, case=None):
    if assessment is None:
        return reverse(f"assessments:{name}", kwargs={"case_uuid": case.uuid})
    return reverse(
        f"assessments:{name}",
        kwargs={"case_uuid": assessment.case.uuid, "assessment_uuid": assessment.uuid},
    )


def fills(role: Role, readable: set[str], instrument: Instrument) -> bool:
    return role.value in instrument.roles and instrument.answers_class in readable


def action_status(role, readable, instrument, *, visible=True) -> int:
    if not (readable & CARE) or not visible:
        return 404
    return 302 if fills(role, readable, instrument) else 403


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "relation"), COMBINATIONS)
def test_matrix(world, planted, role, relation):
    user = actor(world, role, relation)
    readable, _writable, _leads = expected(role, relation)
    progress_reader = DataClass.PROGRESS in readable
    clinical_reader = DataClass.CLINICAL in readable
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    client.cookies["kawal_language"] = "en"
    case = world.case
    never = (DRAFT,)

    # The case page: results to progress readers, answers never.
    page = client.get(reverse("cases:detail", kwargs={"case_uuid": case.uuid}))
    body = page.content.decode()
    assert (RESULT in body) == progress_reader, "case page"
    assert ("Assessment signed" in body) == progress_reader, "timeline"
    for marker in (CLINICAL_ANSWER, PROGRESS_ANSWER, *never):
        assert marker not in body

    # The case's assessments page.
    listing = client.get(url("case", case=case))
    assert listing.status_code == (200 if readable & CARE else 404)
    body = listing.content.decode()
    assert (RESULT in body) == progress_reader
    for marker in (CLINICAL_ANSWER, PROGRESS_ANSWER, *never):
        assert marker not in body

    # Each signed assessment: listed to readers of its results or answers;
    # its answers only to readers of their class.
    pages = {
        "clinical": (progress_reader or clinical_reader, CLINICAL_ANSWER, clinical_reader),
        "progress": (progress_reader, PROGRESS_ANSWER, progress_reader),
        "result": (progress_reader or clinical_reader, RESULT, progress_reader),
    }
    for key, (visible, marker, shows_marker) in pages.items():
        response = client.get(url("detail", planted[key]))
        assert response.status_code == (200 if visible else 404), (key, response.status_code)
        body = response.content.decode()
        assert (marker in body) == shows_marker, key
        assert DRAFT not in body

    # Another person's draft is nobody else's business.
    draft = planted["draft"]
    for name in ("fill", "sign", "detail"):
        response = client.get(url(name, draft))
        assert response.status_code == 404, name
        assert DRAFT not in response.content.decode()
    home = client.get(reverse("web:home")).content.decode()
    assert DRAFT not in home and str(draft.uuid) not in home

    # Actions: refused ones write nothing.
    rows, events = Assessment.objects.count(), CaseEvent.objects.count()
    for name in ("fill", "sign", "discard"):
        assert client.post(url(name, draft), {"expected_version": "2"}).status_code == 404
    assert Assessment.objects.get(pk=draft.pk).answers == {"riwayat": DRAFT}
    safety = Instrument.objects.get(code=SAFETY_RISK_CODE)
    bio = Instrument.objects.get(code=BIOPSYCHOSOCIAL_CODE)
    correct = client.post(url("correct", planted["progress"]))
    assert correct.status_code == action_status(role, readable, safety, visible=progress_reader)
    created = int(correct.status_code == 302)
    for instrument in (bio, safety):
        response = client.post(url("start", case=case), {"instrument": instrument.code})
        status = action_status(role, readable, instrument)
        assert response.status_code == status, (instrument.code, response.status_code, status)
        created += int(status == 302)
    assert Assessment.objects.count() == rows + created
    if not created:
        assert CaseEvent.objects.count() == events


@pytest.mark.django_db
def test_the_assessor_resumes_and_signs_their_own_draft(world, planted):
    client = Client()
    sign_in(client, world.psychologist)
    draft = planted["draft"]
    for name in ("fill", "sign"):
        response = client.get(url(name, draft))
        assert response.status_code == 200 and DRAFT in response.content.decode()
    assert client.get(url("detail", draft))["Location"] == url("fill", draft)
    home = client.get(reverse("web:home")).content.decode()
    assert str(draft.uuid) in home  # "assessments to finish"


@pytest.mark.django_db
def test_the_roles_named_on_the_shipped_instruments():
    fillers = {
        code: {role for role in Role if role.value in Instrument.objects.get(code=code).roles}
        for code in (BIOPSYCHOSOCIAL_CODE, SAFETY_RISK_CODE)
    }
    assert fillers[BIOPSYCHOSOCIAL_CODE] == {Role.PSYCHOLOGIST}
    assert fillers[SAFETY_RISK_CODE] == {Role.PSYCHOLOGIST, Role.CASE_MANAGER, Role.SOCIAL_WORKER}
    # Every role named may read the answers' class somewhere (else it could never fill in).
    for code, roles in fillers.items():
        answers_class = Instrument.objects.get(code=code).answers_class
        assert all(answers_class in ROLES[role].read for role in roles), code


@pytest.mark.django_db
def test_a_psychologist_granted_clinical_only_sees_answers_but_no_results(world, planted):
    from kawal.cases import services as case_svc
    from tests.helpers import make_user

    psychologist = make_user(Role.PSYCHOLOGIST, username="clinical-only")
    case_svc.member_add(
        world.case,
        user=psychologist,
        case_role="psikolog",
        data_classes=["clinical"],
        acting_user=world.owner,
    )
    client = Client()
    sign_in(client, psychologist)
    clinical = client.get(url("detail", planted["clinical"])).content.decode()
    assert CLINICAL_ANSWER in clinical
    assert client.get(url("detail", planted["progress"])).status_code == 404
    result = client.get(url("detail", planted["result"])).content.decode()
    assert RESULT not in result
    page = client.get(reverse("cases:detail", kwargs={"case_uuid": world.case.uuid}))
    body = page.content.decode()
    assert RESULT not in body and str(planted["clinical"].uuid) in body
    # They may fill in the clinical instrument, not the progress one.
    start = url("start", case=world.case)
    assert client.post(start, {"instrument": BIOPSYCHOSOCIAL_CODE}).status_code == 302
    assert client.post(start, {"instrument": SAFETY_RISK_CODE}).status_code == 403
