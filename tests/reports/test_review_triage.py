"""Regression tests from the review of triage corrections, reopening and operation edits.

Each asserts the behaviour a user relies on: no silent overwrite, no lost
merge or reason, only what the page offered, names only for who may read them.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import AgencyKind, Role
from kawal.accounts.models import Agency
from kawal.core.models import AuditEvent
from kawal.outreach.models import Operation, OperationStatus
from kawal.reports.models import Report, ReportStatus
from tests.helpers import make_user, sign_in
from tests.identity.conftest import people  # noqa: F401
from tests.outreach.test_captures import plan, scene  # noqa: F401
from tests.reports.test_triage import report


def _edit_data(operation, **extra):
    data = {
        "title": operation.title,
        "starts_at": timezone.localtime(operation.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "area": operation.area_id,
        "area_note": operation.area_note,
        "agencies": [str(a.pk) for a in operation.agencies.all()],
        "expected_version": operation.version,
    }
    data.update(extra)
    return data


def test_operation_edit_keeps_the_loaded_version_after_an_invalid_post(client, scene):  # noqa: F811
    owner, _boss, _patrol, _known = scene
    operation = plan(client, owner)
    url = reverse("outreach:edit", args=[operation.uuid])
    loaded = _edit_data(operation)  # owner loads v1
    # A colleague of the organiser's agency reschedules: v2.
    sign_in(client, make_user(Role.CASE_MANAGER, username="colleague", agency=owner.agency))
    assert client.post(url, {**loaded, "area_note": "Pasar (colleague)"}).status_code == 302
    sign_in(client, owner)
    invalid = client.post(url, {**loaded, "title": ""})  # a typo: 400
    assert invalid.status_code == 400
    shown = re.search(r'name="expected_version" value="(\d+)"', invalid.content.decode()).group(1)
    # Resubmitting what the page now carries must not overwrite the colleague.
    again = client.post(url, {**loaded, "expected_version": shown, "title": "Mine (sintetis)"})
    operation.refresh_from_db()
    assert again.status_code == 409, "colleague's area_note was overwritten"
    assert operation.area_note == "Pasar (colleague)"


def test_operation_team_change_is_audited(client, scene):  # noqa: F811
    owner, _boss, _patrol, _known = scene
    police = Agency.objects.create(name="Polresta (synthetic)", kind=AgencyKind.POLICE)
    satpol = Agency.objects.get(kind="satpol_pp")
    operation = plan(client, owner, agencies=[str(satpol.pk), str(police.pk)])
    url = reverse("outreach:edit", args=[operation.uuid])
    sign_in(client, owner)
    assert client.post(url, _edit_data(operation, agencies=[])).status_code == 302
    operation.refresh_from_db()
    dropped = {police.pk, satpol.pk} - set(operation.agencies.values_list("pk", flat=True))
    event = AuditEvent.objects.filter(kind="outreach.operation_updated").latest("pk")
    assert not dropped or "agencies" in str(event.detail), (
        f"dropped {dropped}, trail {event.detail}"
    )


def test_an_old_open_report_can_still_be_corrected(client, db):
    made = report("Simpang Rapk (sintetis)", days_ago=95)
    sign_in(client, make_user(Role.CASE_MANAGER))
    url = reverse("reports:correct", args=[made.uuid])
    data = {
        "seen": ["tissues"],
        "children_count": "1",
        "youngest_age": "9",
        "seen_at": timezone.localtime(made.seen_at).strftime("%Y-%m-%dT%H:%M"),
        "kelurahan": made.kelurahan_id,
        "landmark": "Simpang Rapak (sintetis)",
        "expected_version": made.version,
    }
    response = client.post(url, data)
    errors = response.context["form"].errors if response.status_code != 302 else {}
    assert response.status_code == 302, errors


def test_reopening_a_merge_brings_back_the_reports_merged_into_it(client, db):
    a = report("Lampu merah A (sintetis)", hour=9)
    b = report("Lampu merah B (sintetis)", hour=10)
    c = report("Lampu merah C (sintetis)", hour=11)
    sign_in(client, make_user(Role.CASE_MANAGER))
    detail = lambda r: reverse("reports:detail", args=[r.uuid])  # noqa: E731
    client.post(detail(a), {"action": "merge", "into": str(b.uuid), "expected_version": 1})
    client.post(detail(b), {"action": "merge", "into": str(c.uuid), "expected_version": 1})
    a.refresh_from_db()
    assert a.duplicate_of_id == c.pk  # re-pointed by the second merge
    b.refresh_from_db()
    reopen = {"action": "reopen", "reason": "B bukan C", "expected_version": b.version}
    assert client.post(detail(b), reopen).status_code == 302
    a.refresh_from_db()
    assert a.duplicate_of_id == b.pk, "A (same sighting as B) still follows C"


def test_reopen_keeps_the_old_closing_reason_somewhere(client, db):
    made = report("Pasar (sintetis)")
    sign_in(client, make_user(Role.CASE_MANAGER))
    url = reverse("reports:detail", args=[made.uuid])
    client.post(
        url, {"action": "close", "reason": "Tidak ada anak (alasan asli)", "expected_version": 1}
    )
    client.post(url, {"action": "reopen", "reason": "Keliru", "expected_version": 2})
    made.refresh_from_db()
    trail = [str(e.detail) for e in AuditEvent.objects.filter(target=f"report:{made.uuid}")]
    assert made.closed_reason or any("alasan asli" in t for t in trail)


def test_assign_refuses_an_operation_the_page_would_not_offer(client, scene):  # noqa: F811
    owner, _boss, _patrol, _known = scene
    operation = plan(client, owner)
    Operation.objects.filter(pk=operation.pk).update(
        status=OperationStatus.CONDUCTED, starts_at=timezone.now() - timedelta(days=30)
    )
    made = report("Pasar (sintetis)")
    sign_in(client, owner)
    client.post(
        reverse("reports:detail", args=[made.uuid]),
        {"action": "assign", "operation": str(operation.uuid), "expected_version": 1},
    )
    made.refresh_from_db()
    assert made.operation_id is None, "assigned to an operation held a month ago"


def test_planning_from_a_report_closed_meanwhile_says_so(client, scene):  # noqa: F811
    owner, _boss, _patrol, _known = scene
    made = report("Taman (sintetis)")
    Report.objects.filter(pk=made.pk).update(status=ReportStatus.HANDLED)
    sign_in(client, owner)
    response = client.post(
        reverse("outreach:new"),
        {
            "report": str(made.uuid),
            "title": "Operasi (sintetis)",
            "starts_at": "2026-11-29T20:00",
            "area": made.kelurahan_id,
        },
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any(made.tracking_code in t or "laporan" in t.lower() for t in texts), texts


def test_correction_page_hides_names_from_a_triager_without_identity(client, db, monkeypatch):
    from dataclasses import replace

    from kawal.access import catalogue
    from kawal.access.catalogue import DataClass

    spec = catalogue.ROLES[Role.SUPERVISOR]
    monkeypatch.setitem(
        catalogue.ROLES,
        Role.SUPERVISOR,
        replace(
            spec, read=spec.read - {DataClass.IDENTITY}, write=spec.write - {DataClass.IDENTITY}
        ),
    )
    made = report("Pasar (sintetis)")
    Report.objects.filter(pk=made.pk).update(child_names="Markerwulan")
    sign_in(client, make_user(Role.SUPERVISOR))
    assert (
        "Markerwulan"
        not in client.get(reverse("reports:detail", args=[made.uuid])).content.decode()
    )
    page = client.get(reverse("reports:correct", args=[made.uuid])).content.decode()
    assert "Markerwulan" not in page
    # A correction they make keeps the names they could not see.
    made.refresh_from_db()
    corrected = client.post(
        reverse("reports:correct", args=[made.uuid]),
        {
            "seen": ["tissues"],
            "children_count": "1",
            "seen_at": timezone.localtime(made.seen_at).strftime("%Y-%m-%dT%H:%M"),
            "kelurahan": made.kelurahan_id,
            "landmark": "Pasar Baru (sintetis)",
            "child_names": "",
            "expected_version": made.version,
        },
    )
    assert corrected.status_code == 302
    made.refresh_from_db()
    assert made.landmark == "Pasar Baru (sintetis)" and made.child_names == "Markerwulan"


# A partner on the team could once take every other agency, and itself, off
# the operation; only the organisers may re-plan it now.
def test_team_member_can_lock_themselves_out(client, scene):  # noqa: F811
    owner, _boss, patrol, _known = scene
    operation = plan(client, owner)
    url = reverse("outreach:edit", args=[operation.uuid])
    sign_in(client, patrol)
    response = client.post(url, _edit_data(operation, agencies=[]))
    assert response.status_code == 403, "a partner re-planned the team"
