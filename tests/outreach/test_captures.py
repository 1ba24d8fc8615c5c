"""Outreach operations and quick captures, each matched against the registry."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.accounts.models import Agency
from kawal.cases.models import Case, Task
from kawal.identity.models import DuplicatePair, IdentitySighting, PairStatus
from kawal.outreach.models import Capture, Operation
from tests.helpers import make_user, sign_in
from tests.identity.conftest import close, found_again, register


def capture_form(**extra):
    data = {
        "name_as_told": "Kiki",
        "age_estimate": "10",
        "sex": "M",
        "activity": "tissues",
        "place": "Simpang lampu merah (sintetis)",
        "accompanying_adult": "Ibu (sintetis)",
        "taken_to": "home",
        "undertaking_signed": "on",
    }
    data.update(extra)
    return data


@pytest.fixture
def scene(people):
    owner, boss, _stranger = people
    known = register(
        owner,
        "Muhammad Riski bin Darman",
        supervisor=boss,
        aliases=["Kiki"],
        birth_date=date(2015, 4, 9),
    )
    satpol = Agency.objects.create(name="Satpol PP (synthetic)", kind="satpol_pp")
    patrol = make_user(
        Role.PATROL_OFFICER, username="satpol", full_name="Joko Sintetis", agency=satpol
    )
    return owner, boss, patrol, known


def plan(client, user, **extra):
    sign_in(client, user)
    data = {
        "title": "Operasi simpang (sintetis)",
        "starts_at": "2026-11-20T19:00",
        "area": "64.71.06.1004",
        "area_note": "Simpang empat",
        "agencies": [str(Agency.objects.get(kind="satpol_pp").pk)],
    }
    data.update(extra)
    response = client.post(reverse("outreach:new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Operation.objects.latest("created_at")


def test_an_operation_is_seen_by_its_joint_team_only(client, scene):
    owner, _boss, patrol, _known = scene
    operation = plan(client, owner)
    assert {a.kind for a in operation.agencies.all()} == {"dp3akb", "satpol_pp"}
    sign_in(client, patrol)
    assert client.get(reverse("outreach:detail", args=[operation.uuid])).status_code == 200
    police = make_user(Role.INVESTIGATOR, username="polisi")
    sign_in(client, police)
    assert client.get(reverse("outreach:detail", args=[operation.uuid])).status_code == 404
    sign_in(client, make_user(Role.PSYCHOLOGIST))
    assert client.get(reverse("outreach:list")).status_code == 403


def test_a_patrol_capture_of_a_known_child_is_saved_for_review(client, scene):
    owner, _boss, patrol, known = scene
    operation = plan(client, owner)
    sign_in(client, patrol)
    url = reverse("outreach:capture", args=[operation.uuid])
    # The officer may not see the child's file, so is not even told a match
    # exists (tests/outreach/test_capture_probing.py): the capture is saved at once.
    response = client.post(url, capture_form(), follow=True)
    assert response.redirect_chain[0][1] == 302
    page = response.content.decode()
    assert "Muhammad Riski" not in page and known.number not in page
    assert "Sari Sintetis" not in page
    capture = Capture.objects.get()
    assert capture.outcome == "ask" and capture.child_id != known.child_id
    pair = DuplicatePair.objects.get()
    assert pair.status == PairStatus.OPEN
    assert {pair.first_id, pair.second_id} == {known.child_id, capture.child_id}


def test_a_case_manager_links_the_capture_to_the_known_child(client, scene):
    owner, _boss, _patrol, known = scene
    operation = plan(client, owner)
    url = reverse("outreach:capture", args=[operation.uuid])
    first = client.post(url, capture_form())
    entry = first.context["panel"][0]
    assert entry.visible and entry.child == known.child
    response = client.post(
        url,
        capture_form(identity_check=first.context["signature"], identity_choice=entry.choice),
    )
    assert response.status_code == 302
    capture = Capture.objects.get()
    assert capture.outcome == "linked" and capture.child == known.child and capture.case == known
    assert known.events.filter(kind="outreach.found").exists()
    operation.refresh_from_db()
    assert operation.status == "conducted"


def test_a_child_found_again_after_closure_offers_the_case_manager_a_reopen(client, scene):
    owner, _boss, _patrol, known = scene
    close(known)
    operation = plan(client, owner)
    url = reverse("outreach:capture", args=[operation.uuid])
    first = client.post(url, capture_form())
    entry = first.context["panel"][0]
    client.post(
        url,
        capture_form(identity_check=first.context["signature"], identity_choice=entry.choice),
    )
    task = Task.objects.get(case=known)
    assert (task.assignee == owner and "reopen" in task.title.lower()) or "buka" in task.title
    assert known.events.filter(kind="case.found_again").exists()


def test_a_case_is_opened_for_a_new_child_from_the_capture(client, scene):
    owner, _boss, patrol, _known = scene
    operation = plan(client, owner)
    sign_in(client, patrol)
    url = reverse("outreach:capture", args=[operation.uuid])
    client.post(url, capture_form(name_as_told="Wulan", sex="F", age_estimate="7"))
    capture = Capture.objects.get()
    assert capture.outcome == "new"
    sign_in(client, owner)
    form = client.get(reverse("cases:open") + f"?temuan={capture.uuid}")
    assert form.context["form"].initial["full_name"] == "Wulan"
    response = client.post(
        reverse("cases:open"),
        {
            "capture": str(capture.uuid),
            "full_name": "Wulan Sari",
            "sex": "F",
            "age_min": "6",
            "age_max": "8",
            "nik_status": "unknown",
            "school_status": "never_enrolled",
            "intake_channel": "outreach",
            "forms_": ["forced_begging"],
            "risk_level": "medium",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    capture.refresh_from_db()
    case = Case.objects.get(pk=capture.case_id)
    assert case.child_id == capture.child_id and case.child.full_name == "Wulan Sari"
    assert case.repeat_of_id is None


def saved_by_patrol(client, owner, patrol):
    """The owner's operation, and a capture of the boy the patrol officer saved for review."""
    operation = plan(client, owner)
    sign_in(client, patrol)
    client.post(reverse("outreach:capture", args=[operation.uuid]), capture_form())
    return operation, Capture.objects.get()


# The case-opening form for the boy of ``scene``, as found on outreach.
CASE_FROM_CAPTURE = {
    "full_name": "Muhammad Riski",
    "sex": "M",
    "birth_date": "2015-04-09",
    "nik_status": "unknown",
    "school_status": "never_enrolled",
    "intake_channel": "outreach",
    "forms_": ["forced_begging"],
    "risk_level": "medium",
}


def open_from_capture_as(client, capture, child):
    """Open the case from a capture, choosing this known child in the panel."""
    body = {**CASE_FROM_CAPTURE, "capture": str(capture.uuid)}
    shown = client.post(reverse("cases:open"), body)
    entry = next(e for e in shown.context["panel"] if e.child == child)
    response = client.post(
        reverse("cases:open"),
        {**body, "identity_check": shown.context["signature"], "identity_choice": entry.choice},
    )
    assert response.status_code == 302, response.context["form"].errors
    capture.refresh_from_db()
    return capture.case


def test_a_case_opened_from_a_capture_for_the_known_child_joins_the_captures_record(client, scene):
    from kawal.identity import services as identity_svc
    from kawal.identity.index import root_of
    from kawal.identity.models import Merge

    owner, boss, patrol, known = scene
    close(known)
    operation, capture = saved_by_patrol(client, owner, patrol)
    found = capture.child
    assert capture.outcome == "ask" and found != known.child
    sign_in(client, owner)
    open_from_capture_as(client, capture, known.child)
    case = Case.objects.get(pk=capture.case_id)
    assert case.child == known.child and case.repeat_of == known
    # The outcome stays as saved: the operation page shows it to the whole team.
    assert capture.outcome == "ask"
    # The capture's own record is the same child now, recorded as a merge a
    # reviewer may undo; the pair the capture raised is decided by it.
    found.refresh_from_db()
    assert root_of(found) == known.child
    joined = Merge.objects.get()
    assert (joined.survivor, joined.absorbed, joined.merged_by) == (known.child, found, owner)
    # The capture's record is this sighting's record: no second one is kept.
    assert not IdentitySighting.objects.exists()
    pair = DuplicatePair.objects.get()
    assert pair.status == PairStatus.MERGED and joined.pair == pair
    identity_svc.unmerge(joined, reason="Not the same boy (synthetic)", acting_user=boss)
    found.refresh_from_db()
    assert root_of(found) == found
    assert DuplicatePair.objects.get().status == PairStatus.OPEN
    # Undone, the capture is a child found with no case again, not the other child's case.
    capture.refresh_from_db()
    assert capture.case_id is None and capture.child == found
    # The case opened on the join's word is its manager's to keep or close.
    assert case.events.filter(kind="outreach.separated").exists()
    assert operation.title in Task.objects.get(case=case, assignee=owner).title
    again = client.get(reverse("cases:open") + f"?temuan={capture.uuid}")
    assert again.context["form"].initial["full_name"] == "Kiki"


def test_reopening_the_known_childs_case_from_a_capture_joins_the_captures_record(client, scene):
    from kawal.identity import services as identity_svc
    from kawal.identity.index import root_of
    from kawal.identity.models import Merge

    owner, boss, patrol, known = scene
    close(known)
    _operation, capture = saved_by_patrol(client, owner, patrol)
    sign_in(client, owner)
    body = {**CASE_FROM_CAPTURE, "capture": str(capture.uuid)}
    shown = client.post(reverse("cases:open"), body)
    entry = next(e for e in shown.context["panel"] if e.child == known.child)
    assert entry.reopenable == known  # the owner leads the closed case
    response = client.post(
        reverse("cases:open"),
        {
            **body,
            "identity_check": shown.context["signature"],
            "identity_choice": f"reopen:{known.uuid}",
        },
    )
    assert response.status_code == 302
    known.refresh_from_db()
    capture.refresh_from_db()
    assert known.status == "assessment" and capture.case == known
    assert root_of(capture.child) == known.child
    joined = Merge.objects.get()
    assert joined.absorbed == capture.child
    assert "reopened" in joined.reason or "dibuka kembali" in joined.reason
    assert DuplicatePair.objects.get().status == PairStatus.MERGED
    # Undone: the capture leaves the case, though the case is older than the
    # merge, and the manager decides whether the case reopened on its word stays open.
    identity_svc.unmerge(Merge.objects.get(), reason="Two boys (synthetic)", acting_user=boss)
    capture.refresh_from_db()
    assert capture.case_id is None
    assert known.events.filter(kind="outreach.separated").exists()
    assert Task.objects.filter(case=known, assignee=owner).exists()


def test_an_undo_points_a_capture_linked_at_once_at_its_own_childs_case(client, scene):
    from kawal.identity import services as identity_svc
    from kawal.identity.models import Merge

    owner, boss, _patrol, known = scene
    # Another record of the boy, with a later case, merged into him by a reviewer.
    other = register(owner, "Moh. Rizky", supervisor=boss, birth_date=date(2015, 4, 9))
    identity_svc.merge(
        survivor=known.child, absorbed=other.child, reason="Same boy (synthetic)", acting_user=boss
    )
    operation = plan(client, owner)
    url = reverse("outreach:capture", args=[operation.uuid])
    first = client.post(url, capture_form())
    entry = next(e for e in first.context["panel"] if e.child == known.child)
    client.post(
        url,
        capture_form(identity_check=first.context["signature"], identity_choice=entry.choice),
    )
    capture = Capture.objects.get()
    assert capture.child == known.child and capture.case == other  # the latest case
    identity_svc.unmerge(Merge.objects.get(), reason="Two boys (synthetic)", acting_user=boss)
    capture.refresh_from_db()
    assert capture.case == known


def test_an_undo_leaves_a_capture_whose_case_was_another_childs_from_the_start(client, scene):
    from kawal.identity import services as identity_svc
    from kawal.identity.index import refresh_roots
    from kawal.identity.models import Merge
    from kawal.people.models import Person

    owner, boss, patrol, known = scene
    close(known)
    other = register(owner, "Wulan Sintetis", supervisor=boss, sex="F", age_min=7, age_max=8)
    _operation, capture = saved_by_patrol(client, owner, patrol)
    found = capture.child
    # Set-up only: the capture's record merged into another child with a case
    # (the review services need a case of each child to merge).
    Person.objects.filter(pk=found.pk).update(merged_into=other.child)
    refresh_roots(Person.objects.filter(pk=found.pk))
    merged = Merge.objects.create(
        survivor=other.child, absorbed=found, reason="Set-up (synthetic)", merged_by=boss
    )
    # Opening a case for the known boy from this capture is refused now (its
    # record is another child's, who has a case); a link made so before that
    # was refused, set up here, must still survive the undo.
    opened = found_again(known.child, owner, supervisor=boss)
    Capture.objects.filter(pk=capture.pk).update(case=opened, case_linked_at=timezone.now())
    identity_svc.unmerge(merged, reason="Not the same (synthetic)", acting_user=boss)
    capture.refresh_from_db()
    # The undo did not cut this link: the case was the known child's from the start.
    assert capture.case == opened


def test_bad_capture_input_gets_messages_not_errors(client, scene):
    owner, _boss, _patrol, _known = scene
    operation = plan(client, owner)
    response = client.post(
        reverse("outreach:capture", args=[operation.uuid]),
        capture_form(age_estimate="25", activity="juggling"),
    )
    assert response.status_code == 200
    assert {"age_estimate", "activity"} <= set(response.context["form"].errors)
    assert not Capture.objects.exists()


def test_a_point_outside_the_city_is_refused(client, scene):
    owner, _boss, _patrol, _known = scene
    operation = plan(client, owner)
    response = client.post(
        reverse("outreach:capture", args=[operation.uuid]),
        capture_form(name_as_told="Wulan", latitude="0", longitude="0"),
    )
    assert "latitude" in response.context["form"].errors
    assert not Capture.objects.exists()


def test_a_child_only_captured_so_far_names_the_operation_lead_to_ask(client, scene, people):
    from tests.identity.conftest import intake_form

    owner, _boss, patrol, _known = scene
    _owner, _boss, stranger = people
    operation = plan(client, owner)
    sign_in(client, patrol)
    url = reverse("outreach:capture", args=[operation.uuid])
    client.post(url, capture_form(name_as_told="Wulan", sex="F", age_estimate="7"))
    # Opening a case elsewhere for a child by that name: whom to ask is the
    # lead of the operation that found her, as she has no case yet.
    sign_in(client, stranger)
    body = intake_form(full_name="Wulan", sex="F", birth_date="", age_min="6", age_max="8")
    again = client.post(reverse("cases:open"), body)
    entry = again.context["panel"][0]
    assert not entry.visible and entry.contact_name == "Sari Sintetis"


@pytest.mark.parametrize(
    ("role", "on_team", "sees"),
    [
        (Role.CASE_MANAGER, False, False),
        (Role.CASE_MANAGER, True, True),
        (Role.INVESTIGATOR, True, True),
        (Role.INVESTIGATOR, False, False),
        (Role.PATROL_OFFICER, False, False),
    ],
)
def test_what_a_capture_panel_shows_follows_the_case_policy(client, scene, role, on_team, sees):
    from kawal.cases import services as cases_svc
    from kawal.cases.models import SharingBasis

    owner, _boss, _patrol, known = scene
    user = make_user(role, username=f"{role.value}-x")
    operation = plan(client, owner)
    operation.agencies.add(user.agency)
    if on_team:
        known = cases_svc.case_update(
            known,
            expected_version=known.version,
            changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
            acting_user=owner,
        )
        cases_svc.member_add(
            known, user=user, case_role="tim", data_classes=["identity"], acting_user=owner
        )
    sign_in(client, user)
    url = reverse("outreach:capture", args=[operation.uuid])
    response = client.post(url, capture_form(), follow=True)
    page = response.content.decode()
    assert ("Muhammad Riski bin Darman" in page) is sees
    if sees:
        assert response.context["panel"][0].visible
        assert not Capture.objects.exists()  # saved once the user has chosen
    else:
        # Not shown at all, not even whom to ask: saved for review at once.
        assert response.redirect_chain and Capture.objects.get().outcome == "ask"
        assert "Sari Sintetis" not in page


def closed_case_of(child, owner):
    """Set-up only: an earlier case of the child, closed, led by ``owner``."""
    return Case.objects.create(
        number="KWL/2025/000009",
        child=child,
        opened_on=date(2025, 3, 1),
        intake_channel="outreach",
        risk_level="medium",
        owner=owner,
        status="closed",
        closed_on=date(2025, 9, 1),
    )


def attach_as(user, capture, case):
    """Add the capture to the case through the service, as the form would."""
    from kawal.cases.extensions import Origin, opening_sources
    from kawal.cases.services import case_attach_found_again

    source = next(s for s in opening_sources() if s.key == "outreach.capture")
    return case_attach_found_again(case, origins=[Origin(source, capture)], acting_user=user)


def attach_from_capture(client, capture, known, **extra):
    """Open the case-opening form from the capture and choose the known child's open case."""
    body = {**CASE_FROM_CAPTURE, "capture": str(capture.uuid)}
    shown = client.post(reverse("cases:open"), body)
    entry = next(e for e in shown.context["panel"] if e.child == known.child)
    assert entry.open_case == known and entry.choice
    assert f'value="attach:{known.uuid}"' in shown.content.decode()
    return client.post(
        reverse("cases:open"),
        {
            **body,
            "identity_check": shown.context["signature"],
            "identity_choice": f"attach:{known.uuid}",
            **extra,
        },
    )


def test_a_capture_of_a_child_with_an_open_case_is_added_to_that_case(client, scene):
    from kawal.identity import services as identity_svc
    from kawal.identity.index import root_of
    from kawal.identity.models import Merge

    owner, boss, patrol, known = scene
    operation, capture = saved_by_patrol(client, owner, patrol)
    found = capture.child
    sign_in(client, owner)
    response = attach_from_capture(client, capture, known)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[known.uuid])
    # No second case: the capture is the open case's, and its record the known child.
    assert Case.objects.count() == 1
    capture.refresh_from_db()
    assert capture.case == known and capture.outcome == "ask"
    found.refresh_from_db()
    assert root_of(found) == known.child
    joined = Merge.objects.get()
    assert (joined.survivor, joined.absorbed, joined.merged_by) == (known.child, found, owner)
    assert "open case" in joined.reason or "terbuka" in joined.reason
    assert DuplicatePair.objects.get().status == PairStatus.MERGED
    assert known.events.filter(kind="outreach.found").exists()
    # The parents' undertaking now shows on the case.
    page = client.get(reverse("cases:detail", args=[known.uuid])).content.decode()
    assert operation.title in page
    # Undone, the capture is a child found with no case again; the case's
    # timeline says the child found was judged another. The case stood before
    # the capture was added to it, so its manager has nothing to decide.
    identity_svc.unmerge(joined, reason="Not the same boy (synthetic)", acting_user=boss)
    capture.refresh_from_db()
    assert capture.case_id is None
    assert known.events.filter(kind="outreach.separated").exists()
    assert not Task.objects.filter(case=known).exists()


def test_a_case_closed_meanwhile_is_not_added_to(client, scene):
    from django.core.exceptions import ValidationError

    from kawal.identity.models import Merge

    owner, _boss, patrol, known = scene
    _operation, capture = saved_by_patrol(client, owner, patrol)
    sign_in(client, owner)
    body = {**CASE_FROM_CAPTURE, "capture": str(capture.uuid)}
    shown = client.post(reverse("cases:open"), body)
    close(known)  # by someone else, after the panel was shown
    response = client.post(
        reverse("cases:open"),
        {
            **body,
            "identity_check": shown.context["signature"],
            "identity_choice": f"attach:{known.uuid}",
        },
    )
    assert response.status_code == 200
    capture.refresh_from_db()
    assert capture.case_id is None and not Merge.objects.exists()
    assert response.context["form"].non_field_errors()
    # The service checks again under its locks: the case may close between
    # the form's check and the transaction.
    with pytest.raises(ValidationError):
        attach_as(owner, capture, known)
    capture.refresh_from_db()
    assert capture.case_id is None and not Merge.objects.exists()


def test_only_a_case_opened_from_a_child_found_can_add_to_an_open_case(client, scene):
    owner, _boss, _patrol, known = scene
    sign_in(client, owner)
    shown = client.post(reverse("cases:open"), CASE_FROM_CAPTURE)
    entry = next(e for e in shown.context["panel"] if e.child == known.child)
    assert entry.open_case == known
    assert "attach:" not in shown.content.decode()
    response = client.post(
        reverse("cases:open"),
        {
            **CASE_FROM_CAPTURE,
            "identity_check": shown.context["signature"],
            "identity_choice": f"attach:{known.uuid}",
        },
    )
    assert response.status_code == 200 and Case.objects.count() == 1
    assert response.context["form"].non_field_errors()


def test_only_who_knows_the_child_through_the_open_case_adds_to_it(client, scene, people):
    from django.core.exceptions import PermissionDenied

    from kawal.identity.models import Merge

    owner, _boss, patrol, known = scene
    stranger = people[2]
    # The stranger led an earlier case of the boy, closed: they know who he is,
    # but the open case is another team's.
    closed_case_of(known.child, stranger)
    _operation, capture = saved_by_patrol(client, owner, patrol)
    with pytest.raises(PermissionDenied):
        attach_as(stranger, capture, known)
    capture.refresh_from_db()
    assert capture.case_id is None and not Merge.objects.exists()
    assert not known.events.filter(kind="outreach.found").exists()


def test_a_capture_whose_record_has_a_case_of_its_own_is_not_added(client, scene):
    from django.core.exceptions import ValidationError

    from kawal.identity.models import Merge

    owner, _boss, patrol, known = scene
    _operation, capture = saved_by_patrol(client, owner, patrol)
    # The capture's record got a case of its own elsewhere (an undo can leave
    # a capture without its case while its record has one).
    closed_case_of(capture.child, owner)
    with pytest.raises(ValidationError):
        attach_as(owner, capture, known)
    capture.refresh_from_db()
    assert capture.case_id is None and not Merge.objects.exists()
    assert not known.events.filter(kind="outreach.found").exists()


def test_the_migration_dates_a_link_made_by_a_reopen_from_its_audit(client, scene):
    import importlib

    from django.apps import apps

    from kawal.core.models import AuditEvent

    owner, _boss, patrol, known = scene
    close(known)
    _operation, capture = saved_by_patrol(client, owner, patrol)
    sign_in(client, owner)
    body = {**CASE_FROM_CAPTURE, "capture": str(capture.uuid)}
    shown = client.post(reverse("cases:open"), body)
    client.post(
        reverse("cases:open"),
        {
            **body,
            "identity_check": shown.context["signature"],
            "identity_choice": f"reopen:{known.uuid}",
        },
    )
    Capture.objects.filter(pk=capture.pk).update(case_linked_at=None, case_opened_from=False)
    migration = importlib.import_module("kawal.outreach.migrations.0005_capture_case_linked_at")
    migration.backfill(apps, None)
    capture.refresh_from_db()
    audited = AuditEvent.objects.get(kind="outreach.capture_case_opened")
    # The reopen's time, not the later of the capture's and the case's creation,
    # and a case reopened from the capture, whose manager an undo would ask.
    assert capture.case_linked_at == audited.occurred_at > capture.created_at
    assert capture.case_opened_from


def test_a_case_is_not_opened_from_a_capture_whose_record_is_another_childs(client, scene):
    from kawal.identity.index import refresh_roots
    from kawal.identity.models import Merge
    from kawal.people.models import Person

    owner, boss, patrol, known = scene
    close(known)
    other = register(owner, "Wulan Sintetis", supervisor=boss, sex="F", age_min=7, age_max=8)
    _operation, capture = saved_by_patrol(client, owner, patrol)
    # Set-up only: the capture's record merged into another child with a case.
    Person.objects.filter(pk=capture.child_id).update(merged_into=other.child)
    refresh_roots(Person.objects.filter(pk=capture.child_id))
    Merge.objects.create(
        survivor=other.child, absorbed=capture.child, reason="Set-up (synthetic)", merged_by=boss
    )
    sign_in(client, owner)
    body = {**CASE_FROM_CAPTURE, "capture": str(capture.uuid)}
    shown = client.post(reverse("cases:open"), body)
    entry = next(e for e in shown.context["panel"] if e.child == known.child)
    response = client.post(
        reverse("cases:open"),
        {**body, "identity_check": shown.context["signature"], "identity_choice": entry.choice},
    )
    # The capture would name the known boy's case while its record is Wulan's.
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert Case.objects.count() == 2 and Merge.objects.count() == 1
    capture.refresh_from_db()
    assert capture.case_id is None
