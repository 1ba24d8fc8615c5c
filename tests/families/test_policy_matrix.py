"""The policy matrix for every page and action of the families app.

13 roles x relation to the case (own / team / other agency / none), with marker
strings planted per data class in the programme: each marker appears exactly
to those whose role and relation read its class, and the child's whereabouts
never appear in the programme, to anyone.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kawal.access.catalogue import ROLES, Capability, DataClass, Role
from kawal.cases.models import CaseEvent
from kawal.families import services as svc
from kawal.families.models import (
    HomeVisit,
    ParentProgramme,
    ProgrammeSession,
    SupportReferral,
    Undertaking,
)
from tests.cases.conftest import MARKERS
from tests.cases.test_policy_matrix import COMBINATIONS, actor, expected
from tests.families.conftest import PP, png_upload
from tests.helpers import make_user, sign_in

D = DataClass
READ, RECORD = "read", "record"


def programme_pages(family) -> dict[str, tuple[str, str, set[str]]]:
    """page: (url, kind, classes the page needs)."""
    p = {"programme_uuid": family.programme.uuid}

    def url(name: str, **extra) -> str:
        return reverse(f"families:{name}", kwargs={**p, **extra})

    return {
        "programme": (url("programme"), READ, {D.PROGRESS}),
        "programme_edit": (url("programme_edit"), RECORD, {D.PROGRESS}),
        "programme_close": (url("programme_close"), RECORD, {D.PROGRESS}),
        "session_new": (url("session_new"), RECORD, {D.PROGRESS}),
        "session_edit": (
            url("session_edit", session_uuid=family.session.uuid),
            RECORD,
            {D.PROGRESS},
        ),
        "visit_new": (url("visit_new"), RECORD, {D.PROGRESS}),
        "undertaking_new": (url("undertaking_new"), RECORD, {D.PROGRESS, D.IDENTITY}),
        "support_new": (url("support_new"), RECORD, {D.PROGRESS, D.FINANCIAL}),
        "support_outcome": (
            url("support_outcome", referral_uuid=family.referral.uuid),
            RECORD,
            {D.PROGRESS, D.FINANCIAL},
        ),
        "undertaking_download": (
            reverse(
                "families:undertaking_download",
                kwargs={"undertaking_uuid": family.undertaking.uuid},
            ),
            READ,
            {D.PROGRESS, D.IDENTITY},
        ),
    }


def records(role: Role, readable: set[str], leads: bool) -> bool:
    """Psychologists and social workers (RUN_PARENTING) on the case, and its leads."""
    if D.PROGRESS not in readable:
        return False
    return leads or Capability.RUN_PARENTING in ROLES[role].capabilities


def expected_status(kind: str, need: set[str], readable: set[str], recorder: bool) -> int:
    if not need <= readable:
        return 404
    if kind == READ:
        return 200
    return 200 if recorder else 403


PROGRAMME_MARKERS = {
    D.IDENTITY: PP["identity"],
    D.PROGRESS: PP["progress"],
    D.CLINICAL: PP["clinical"],
    D.FINANCIAL: PP["financial"],
}
NEVER = (PP["school"], MARKERS[D.WHEREABOUTS])


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "relation"), COMBINATIONS)
def test_matrix(family, role, relation):
    user = actor(family.world, role, relation)
    readable, _writable, leads = expected(role, relation)
    recorder = records(role, readable, leads)
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    for page, (url, kind, need) in programme_pages(family).items():
        response = client.get(url)
        status = expected_status(kind, need, readable, recorder)
        assert response.status_code == status, (page, response.status_code, status)
        if page == "undertaking_download":
            continue
        body = response.content.decode()
        for secret in NEVER:
            assert secret not in body, (page, secret)
        for data_class, marker in {**PROGRAMME_MARKERS, D.IDENTITY: MARKERS[D.IDENTITY]}.items():
            if data_class not in readable:
                assert marker not in body, (page, data_class)
    detail = client.get(programme_pages(family)["programme"][0])
    if detail.status_code == 200:
        body = detail.content.decode()
        for data_class, marker in PROGRAMME_MARKERS.items():
            assert (marker in body) == (data_class in readable), (data_class, "detail")
    # Starting a programme: a running one exists, so recorders are sent to it.
    start = client.get(reverse("families:programme_start", kwargs={"case_uuid": family.case.uuid}))
    if D.PROGRESS not in readable:
        assert start.status_code == 404
    else:
        assert start.status_code == (302 if recorder else 403)
    # The case page's cards follow the same class: progress readers only.
    case_page = client.get(reverse("cases:detail", kwargs={"case_uuid": family.case.uuid}))
    if case_page.status_code == 200:
        body = case_page.content.decode()
        assert ('id="parent-programme"' in body) == (D.PROGRESS in readable)
        assert ('id="reunification-readiness"' in body) == (D.PROGRESS in readable)


GLOBAL_PAGES = {
    "families:programmes": lambda spec: bool(
        {Capability.RUN_PARENTING, Capability.OPEN_CASE} & spec.capabilities
    ),
    "families:community": lambda spec: bool(
        {Capability.RUN_PARENTING, Capability.OPEN_CASE} & spec.capabilities
    ),
    "families:community_new": lambda spec: Capability.RUN_PARENTING in spec.capabilities,
    "families:rt_visits": lambda spec: Capability.CONFIRM_HOME in spec.capabilities,
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_pages_outside_a_case_follow_the_catalogue(family, role):
    spec = ROLES[role]
    user = make_user(role)
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    for page, allowed in GLOBAL_PAGES.items():
        response = client.get(reverse(page))
        assert response.status_code == (200 if allowed(spec) else 403), page
    reads = bool({Capability.RUN_PARENTING, Capability.OPEN_CASE} & spec.capabilities)
    session = family.community
    material = svc.community_material_add(
        session,
        title="Leaflet",
        text="",
        upload=png_upload(),
        acting_user=family.world.psychologist,
    )
    detail = client.get(reverse("families:community_detail", kwargs={"session_uuid": session.uuid}))
    assert detail.status_code == (200 if reads else 403)
    if reads:
        # Families at risk: identity, for case managers/supervisors and the session's own
        # facilitators; other facilitators see a count.
        sees = Capability.OPEN_CASE in spec.capabilities and D.IDENTITY in spec.read
        assert (PP["at_risk"] in detail.content.decode()) == sees
    else:
        assert PP["at_risk"] not in detail.content.decode()
    download = client.get(
        reverse("families:material_download", kwargs={"material_uuid": material.uuid})
    )
    assert download.status_code == (200 if reads else 403)
    # Only the session's own facilitators and creator change it or note families.
    for name in ("community_edit", "family_add"):
        response = client.get(reverse(f"families:{name}", kwargs={"session_uuid": session.uuid}))
        assert response.status_code == 403, name
    confirm = client.get(reverse("families:rt_confirm", kwargs={"visit_uuid": family.visit.uuid}))
    # An RT head of another neighbourhood: the visit is not theirs to see.
    assert confirm.status_code == (404 if Capability.CONFIRM_HOME in spec.capabilities else 403)
    assert PP["identity"] not in confirm.content.decode()


@pytest.mark.django_db
def test_the_sessions_own_facilitator_sees_and_notes_families(family):
    client = Client()
    sign_in(client, family.world.psychologist)
    session = family.community
    body = client.get(
        reverse("families:community_detail", kwargs={"session_uuid": session.uuid})
    ).content.decode()
    assert PP["at_risk"] in body
    for name in ("community_edit", "family_add"):
        url = reverse(f"families:{name}", kwargs={"session_uuid": session.uuid})
        assert client.get(url).status_code == 200


def post_actions(family) -> list[str]:
    p = {"programme_uuid": family.programme.uuid}
    return [
        reverse("families:programme_start", kwargs={"case_uuid": family.case.uuid}),
        reverse("families:programme_edit", kwargs=p),
        reverse("families:programme_close", kwargs=p),
        reverse("families:parent_add", kwargs=p),
        reverse("families:session_new", kwargs=p),
        reverse("families:session_edit", kwargs={**p, "session_uuid": family.session.uuid}),
        reverse("families:visit_new", kwargs=p),
        reverse("families:undertaking_new", kwargs=p),
        reverse(
            "families:undertaking_state",
            kwargs={**p, "undertaking_uuid": family.undertaking.uuid},
        ),
        reverse("families:support_new", kwargs=p),
        reverse("families:support_outcome", kwargs={**p, "referral_uuid": family.referral.uuid}),
    ]


def snapshot() -> tuple:
    return (
        CaseEvent.objects.count(),
        ParentProgramme.objects.count(),
        tuple(ParentProgramme.objects.values_list("version", "status")),
        ProgrammeSession.objects.count(),
        tuple(ProgrammeSession.objects.values_list("version", flat=True)),
        HomeVisit.objects.count(),
        Undertaking.objects.count(),
        tuple(Undertaking.objects.values_list("version", flat=True)),
        SupportReferral.objects.count(),
        tuple(SupportReferral.objects.values_list("version", flat=True)),
    )


def payload(family) -> dict:
    parent = family.programme.parents.get()
    return {
        "facilitator": family.world.psychologist.pk,
        "planned_sessions": 8,
        "goals": "x",
        "reason": "x",
        "person": family.father.pk,
        "kind": "education",
        "format": "individual",
        "status": "held",
        "held_on": "2026-01-05",
        "topic": "x",
        "attended": [parent.pk],
        "visited_on": "2026-01-05",
        "findings": "x",
        "found_safe": "yes",
        "other_visitors": "x",
        "text": "x",
        "signed_on": "2026-01-05",
        "signed_by": [parent.pk],
        "state": "kept",
        "on": "2026-01-05",
        "to_other": "x",
        "referred_on": "2026-01-05",
        "outcome": "granted",
        "outcome_on": "2026-01-06",
        "started_on": "2026-01-05",
        "expected_version": 1,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_unrelated_users_cannot_act_and_nothing_is_written(family, role):
    user = actor(family.world, role, "other_agency")
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    before = snapshot()
    for url in post_actions(family):
        response = client.post(url, payload(family))
        assert response.status_code == 404, (url, response.status_code)
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.CASE_MANAGER, Role.SUPERVISOR, Role.INVESTIGATOR, Role.FINANCE_OFFICER]
)
def test_team_members_who_do_not_record_are_refused(family, role):
    user = actor(family.world, role, "team")
    readable, _writable, _leads = expected(role, "team")
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    before = snapshot()
    for url in post_actions(family):
        response = client.post(url, payload(family))
        assert response.status_code in (403, 404), (url, response.status_code)
        if D.PROGRESS in readable and "rujukan" not in url and "pernyataan/baru" not in url:
            assert response.status_code == 403, url
    assert snapshot() == before


@pytest.mark.django_db
def test_emergency_access_never_records(family):
    from kawal.cases import services as case_svc

    investigator = make_user(Role.SUPERVISOR)
    case_svc.break_glass_open(
        family.case,
        reason="Anak hilang dari rumah aman, perlu alamat keluarga segera",
        acting_user=investigator,
    )
    client = Client(raise_request_exception=False)
    sign_in(client, investigator)
    # Emergency access opens basic, identity and whereabouts: never the programme.
    page = client.get(programme_pages(family)["programme"][0])
    assert page.status_code == 404
    before = snapshot()
    for url in post_actions(family):
        assert client.post(url, payload(family)).status_code in (403, 404)
    assert snapshot() == before
