"""Regressions for the security review of the parent programme.

H1: free text is never compared with the child's places (that comparison was an
    oracle: a refusal told whoever typed a guess that it was the child's school);
    static guidance on every free-text field takes its place.
H2: only staff who run the programme may be named as going on a home visit, and
    visitors are shown by name and role title, never by office.
M4: the RT asked to confirm a visit (the family's neighbourhood) is identity data.
L2: refusals under a visible programme are logged; a stale undertaking change is a
    409; a scan is logged as downloaded only once its file is open.
"""

from __future__ import annotations

import importlib.util
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from kawal.access.catalogue import AgencyKind, Role
from kawal.access.log import AccessLogUnavailable
from kawal.access.models import AccessLog
from kawal.accounts.models import Agency
from kawal.cases import services as case_svc
from kawal.families import forms as family_forms
from kawal.families import services as svc
from kawal.families.models import HomeVisit, RtConfirmation, UndertakingState
from kawal.families.selectors import visitor_candidates
from tests.families.conftest import KELURAHAN, PP, days_ago, png_upload
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db

GUIDANCE = "Do not write where the child lives or stays now, or which school they go to."
INSTITUTION = "LKSA Markerpanti"
WRONG_SCHOOL = "SD Negeri Tebakan 123"


def en_client(user) -> Client:
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    client.cookies["kawal_language"] = "en"
    return client


def logged_since(mark: int):
    return AccessLog.objects.filter(pk__gt=mark)


def log_mark() -> int:
    return AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def p(family, name: str, **extra) -> str:
    return reverse(f"families:{name}", kwargs={"programme_uuid": family.programme.uuid, **extra})


# --- H1: no oracle on the child's places ------------------------------------------------


def test_the_per_child_place_check_is_gone():
    assert importlib.util.find_spec("kawal.families.whereabouts") is None


def _second_visit(family) -> HomeVisit:
    return svc.visit_record(
        family.programme,
        visited_on=days_ago(2),
        visitors=[family.world.psychologist],
        other_visitors="",
        findings="Kunjungan kedua (sintetis)",
        found_safe=True,
        confirming_agency=family.rt_agency,
        acting_user=family.world.psychologist,
    )


def test_the_rt_head_cannot_test_a_guess_of_the_childs_school(family):
    """The right school and a wrong guess are answered alike: both notes are saved."""
    other = _second_visit(family)
    client = en_client(family.rt_head)
    answers = {}
    for visit, guess in ((family.visit, PP["school"]), (other, WRONG_SCHOOL)):
        url = reverse("families:rt_confirm", kwargs={"visit_uuid": visit.uuid})
        response = client.post(url, {"outcome": "concerns", "note": f"Anak di {guess}?"})
        answers[guess] = response.status_code
        visit.refresh_from_db()
        assert visit.rt_status == RtConfirmation.CONCERNS
        assert guess in visit.rt_note
    assert answers == {PP["school"]: 302, WRONG_SCHOOL: 302}


@pytest.mark.parametrize("guess", [PP["school"], INSTITUTION, WRONG_SCHOOL])
def test_a_facilitator_cannot_test_a_guess_through_the_forms(family, guess):
    """A psychologist on the team without whereabouts gets the same answer for any place."""
    Agency.objects.create(
        name=f"{INSTITUTION} (sintetis)",
        short_name=INSTITUTION,
        kind=AgencyKind.CHILD_CARE_INSTITUTION,
    )
    psychologist = make_user(Role.PSYCHOLOGIST, username="psy-parents")
    case_svc.member_add(
        family.case,
        user=psychologist,
        case_role="psikolog orang tua",
        data_classes=["identity", "progress", "clinical"],
        acting_user=family.world.owner,
    )
    client = en_client(psychologist)
    parent = family.programme.parents.get()
    session = client.post(
        p(family, "session_new"),
        {
            "kind": "counselling",
            "format": "individual",
            "status": "held",
            "held_on": days_ago(1).isoformat(),
            "topic": f"Ibu ingin ke {guess}",
            "summary": f"Ibu bertanya tentang {guess}",
            "clinical_note": f"Cemas soal {guess}",
            "attended": [parent.pk],
        },
    )
    visit = client.post(
        p(family, "visit_new"),
        {
            "visited_on": days_ago(1).isoformat(),
            "visitors": [psychologist.pk],
            "other_visitors": "",
            "findings": f"Ayah menyebut {guess}",
            "found_safe": "yes",
        },
    )
    goals = client.post(
        p(family, "programme_edit"),
        {
            "facilitator": family.world.psychologist.pk,
            "planned_sessions": 4,
            "goals": f"Tidak mendatangi {guess}",
            "expected_version": family.programme.version,
        },
    )
    assert (session.status_code, visit.status_code, goals.status_code) == (302, 302, 302)
    assert family.programme.sessions.filter(summary__contains=guess).exists()
    assert family.programme.visits.filter(findings__contains=guess).exists()


def test_services_keep_free_text_as_written(family):
    """Every free-text field of the programme is saved whatever place it names."""
    programme = family.programme
    parent = programme.parents.get()
    text = f"Tentang {PP['school']} dan {INSTITUTION}"
    undertaking = svc.undertaking_record(
        programme,
        text=text,
        signed_on=days_ago(1),
        signed_by=[parent],
        upload=png_upload(),
        acting_user=family.world.owner,
    )
    kept = svc.undertaking_set_state(
        undertaking,
        state=UndertakingState.KEPT,
        on=days_ago(0),
        note=text,
        expected_version=undertaking.version,
        acting_user=family.world.owner,
    )
    referral = svc.support_refer(
        programme,
        kind="other",
        to_agency=None,
        to_other=text[:200],
        referred_on=days_ago(1),
        reason=text,
        acting_user=family.social_worker,
    )
    outcome = svc.support_outcome(
        referral,
        outcome="granted",
        outcome_on=days_ago(0),
        note=text,
        expected_version=referral.version,
        acting_user=family.social_worker,
    )
    closed = svc.programme_close(
        programme,
        reason=text,
        expected_version=programme.version,
        acting_user=family.world.owner,
    )
    assert undertaking.text == kept.state_note == referral.reason == outcome.outcome_note == text
    assert closed.closed_reason == text


def test_every_free_text_form_carries_the_guidance(family):
    owner = en_client(family.world.owner)
    pages = {
        "programme_edit": p(family, "programme_edit"),
        "programme_close": p(family, "programme_close"),
        "session_new": p(family, "session_new"),
        "session_edit": p(family, "session_edit", session_uuid=family.session.uuid),
        "visit_new": p(family, "visit_new"),
        "undertaking_new": p(family, "undertaking_new"),
        "support_new": p(family, "support_new"),
        "support_outcome": p(family, "support_outcome", referral_uuid=family.referral.uuid),
        "programme": p(family, "programme"),  # the kept / broken form on the page
    }
    for name, url in pages.items():
        response = owner.get(url)
        assert response.status_code == 200, name
        assert GUIDANCE in response.content.decode(), name
    rt = en_client(family.rt_head)
    page = rt.get(reverse("families:rt_confirm", kwargs={"visit_uuid": family.visit.uuid}))
    assert GUIDANCE in page.content.decode()
    # Every textarea and short free-text input of the programme's forms says it.
    for form in (
        family_forms.ProgrammeForm(),
        family_forms.ProgrammeCloseForm(),
        family_forms.SessionForm(clinical=True),
        family_forms.VisitForm(agencies=Agency.objects.none()),
        family_forms.RtConfirmForm(),
        family_forms.UndertakingForm(),
        family_forms.UndertakingStateForm(),
        family_forms.SupportForm(),
        family_forms.SupportOutcomeForm(),
    ):
        for name, field in form.fields.items():
            if type(field).__name__ == "CharField":
                assert GUIDANCE in str(field.help_text), (type(form).__name__, name)


# --- H2: who may be named as a visitor -------------------------------------------------


@pytest.fixture
def outsiders(family):
    """Institution staff, shelter staff and the police on the case, with telling offices."""
    case = family.case
    institution = make_user(
        Role.INSTITUTION_STAFF,
        username="panti",
        full_name="Ibu Pengasuh Markerasuh",
        agency=Agency.objects.create(
            name="LKSA Markerpanti (sintetis)", kind=AgencyKind.CHILD_CARE_INSTITUTION
        ),
    )
    shelter = make_user(
        Role.SHELTER_STAFF,
        username="rumah-aman",
        full_name="Pak Penjaga Markerjaga",
        agency=Agency.objects.create(
            name="Rumah Aman Markershelter (sintetis)", kind=AgencyKind.UPTD_PPA
        ),
    )
    for user, classes in ((institution, ["identity", "whereabouts"]), (shelter, ["identity"])):
        case_svc.member_add(
            case, user=user, case_role="x", data_classes=classes, acting_user=family.world.owner
        )
    investigator = family.world.investigator
    investigator.full_name = "Bripka Markerpolisi"
    investigator.save()
    police = investigator.agency
    police.name = "Polresta Markerreskrim (sintetis)"
    police.save()
    return {"institution": institution, "shelter": shelter, "investigator": investigator}


SECRETS = (
    "Markerasuh",
    "Markerpanti",
    "Markerjaga",
    "Markershelter",
    "Markerpolisi",
    "Markerreskrim",
    "Institution staff",
    "Shelter staff",
    "Investigator",
)


def test_only_programme_staff_are_offered_as_visitors(family, outsiders):
    offered = set(visitor_candidates(family.case))
    assert not offered & set(outsiders.values())
    world = family.world
    assert {world.owner, world.supervisor, world.psychologist, family.social_worker} <= offered
    body = en_client(world.owner).get(p(family, "visit_new")).content.decode()
    for secret in SECRETS:
        assert secret not in body, secret
    # Named by role title, never by office.
    assert f"{world.psychologist.full_name} (Psychologist)" in body
    assert str(world.psychologist.agency) not in body


@pytest.mark.parametrize("who", ["institution", "shelter", "investigator"])
def test_others_on_the_case_cannot_be_recorded_as_visitors(family, outsiders, who):
    with pytest.raises(ValidationError) as error:
        svc.visit_record(
            family.programme,
            visited_on=days_ago(1),
            visitors=[family.world.psychologist, outsiders[who]],
            other_visitors="",
            findings="x",
            found_safe=True,
            confirming_agency=None,
            acting_user=family.world.psychologist,
        )
    assert "visitors" in error.value.message_dict


def test_visitors_are_shown_by_name_and_role_never_by_office(family, outsiders):
    """Even a visit recorded before the rule, naming outsiders, never shows them."""
    legacy = HomeVisit.objects.create(
        programme=family.programme,
        visited_on=days_ago(1),
        findings="Kunjungan lama (sintetis)",
        found_safe=True,
        confirming_agency=family.rt_agency,
        rt_status=RtConfirmation.PENDING,
        recorded_by=family.world.owner,
    )
    legacy.visitors.set([family.world.psychologist, *outsiders.values()])
    psychologist = family.world.psychologist
    shown = f"{psychologist.full_name} (Psychologist)"
    rt = en_client(family.rt_head)
    listing = rt.get(reverse("families:rt_visits")).content.decode()
    confirm = rt.get(
        reverse("families:rt_confirm", kwargs={"visit_uuid": legacy.uuid})
    ).content.decode()
    detail = en_client(family.world.owner).get(p(family, "programme")).content.decode()
    for where, body in (("rt list", listing), ("rt confirm", confirm), ("programme", detail)):
        assert shown in body, where
        assert str(psychologist.agency) not in body, where
        for secret in SECRETS:
            assert secret not in body, (where, secret)


# --- M4: the family's RT is identity ---------------------------------------------------


@pytest.fixture
def progress_only(family):
    psychologist = make_user(Role.PSYCHOLOGIST, username="psy-progress")
    case_svc.member_add(
        family.case,
        user=psychologist,
        case_role="psikolog",
        data_classes=["progress"],
        acting_user=family.world.owner,
    )
    return psychologist


def test_a_reader_without_identity_never_sees_the_rt(family, progress_only):
    client = en_client(progress_only)
    mark = log_mark()
    page = client.get(p(family, "programme"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Waiting for the RT head" in body  # the answer is progress; the RT is not
    assert str(family.rt_agency) not in body and "RT 005" not in body
    assert KELURAHAN not in body
    row = logged_since(mark).get(action="view")
    assert row.data_classes == ["basic", "progress"]
    form = client.get(p(family, "visit_new"))
    assert form.status_code == 200
    assert 'name="confirming_agency"' not in form.content.decode()
    assert "RT 005" not in form.content.decode()
    # A posted RT is not taken from them: the visit is recorded without asking one.
    response = client.post(
        p(family, "visit_new"),
        {
            "visited_on": days_ago(1).isoformat(),
            "visitors": [progress_only.pk],
            "findings": "Rumah rapi (sintetis)",
            "found_safe": "yes",
            "confirming_agency": family.rt_agency.pk,
        },
    )
    assert response.status_code == 302
    visit = family.programme.visits.get(recorded_by=progress_only)
    assert visit.confirming_agency is None and visit.rt_status == RtConfirmation.NOT_ASKED
    with pytest.raises(PermissionDenied):
        svc.visit_record(
            family.programme,
            visited_on=days_ago(1),
            visitors=[progress_only],
            other_visitors="",
            findings="x",
            found_safe=True,
            confirming_agency=family.rt_agency,
            acting_user=progress_only,
        )


def test_an_identity_reader_sees_the_rt_and_the_read_is_logged_as_identity(family):
    client = en_client(family.world.psychologist)
    mark = log_mark()
    body = client.get(p(family, "programme")).content.decode()
    assert str(family.rt_agency) in body
    assert "identity" in logged_since(mark).get(action="view").data_classes
    form = client.get(p(family, "visit_new")).content.decode()
    assert 'name="confirming_agency"' in form and str(family.rt_agency) in form


# --- L2: refusals logged, stale edits 409, downloads logged once open -------------------


@pytest.mark.parametrize(
    ("method", "name", "key"),
    [
        ("get", "session_edit", "session_uuid"),
        ("post", "undertaking_state", "undertaking_uuid"),
        ("get", "support_outcome", "referral_uuid"),
    ],
)
@pytest.mark.parametrize("missing", [uuid.uuid4, lambda: "not-a-uuid"])
def test_a_missing_record_under_a_visible_programme_is_a_logged_refusal(
    family, method, name, key, missing
):
    client = en_client(family.world.owner)
    mark = log_mark()
    url = p(family, name, **{key: missing()})
    response = getattr(client, method)(url, {"state": "kept", "on": days_ago(0).isoformat()})
    assert response.status_code == 404
    row = logged_since(mark).get(action="denied")
    assert row.case_id == family.case.pk


def test_a_stale_undertaking_change_is_a_409_conflict(family):
    undertaking = family.undertaking
    svc.undertaking_set_state(
        undertaking,
        state=UndertakingState.KEPT,
        on=days_ago(1),
        note="Ditepati (sintetis)",
        expected_version=undertaking.version,
        acting_user=family.world.owner,
    )
    client = en_client(family.world.psychologist)
    response = client.post(
        p(family, "undertaking_state", undertaking_uuid=undertaking.uuid),
        {
            "state": "broken",
            "on": days_ago(0).isoformat(),
            "note": "Anak terlihat lagi (sintetis)",
            "expected_version": 1,
        },
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Changed by someone else" in body and "Ditepati (sintetis)" in body
    undertaking.refresh_from_db()
    assert undertaking.state == UndertakingState.KEPT and undertaking.version == 2


def _scan_path(family):
    from django.conf import settings

    return settings.KAWAL_PRIVATE_MEDIA_ROOT / svc.UNDERTAKING_ROOT / family.undertaking.scan_file


def test_a_missing_scan_is_not_logged_as_downloaded(family):
    _scan_path(family).unlink()
    client = en_client(family.world.owner)
    url = reverse(
        "families:undertaking_download", kwargs={"undertaking_uuid": family.undertaking.uuid}
    )
    response = client.get(url)
    assert response.status_code == 404
    assert not AccessLog.objects.filter(action="download").exists()


def test_the_scan_is_not_served_when_its_download_cannot_be_logged(family, monkeypatch):
    from kawal.families import selectors

    real = selectors.access_log_write

    def failing(request, *, action, **kwargs):
        if action == "download":
            raise AccessLogUnavailable
        return real(request, action=action, **kwargs)

    monkeypatch.setattr(selectors, "access_log_write", failing)
    client = en_client(family.world.owner)
    url = reverse(
        "families:undertaking_download", kwargs={"undertaking_uuid": family.undertaking.uuid}
    )
    response = client.get(url)
    assert response.status_code == 503
    assert not response.has_header("Content-Disposition")
