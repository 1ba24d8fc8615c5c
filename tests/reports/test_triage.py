"""The triage queue: urgency order, the 3-working-day standard, closing with a reason."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.regions.models import Region
from kawal.reports.models import Report, ReportChannel, ReportStatus
from kawal.reports.selectors import triage_queue, working_days_after
from tests.helpers import make_user, sign_in


def report(landmark: str, *, hour: int = 10, youngest: int | None = 9, days_ago: int = 0) -> Report:
    seen = timezone.localtime() - timedelta(days=days_ago)
    seen = seen.replace(hour=hour, minute=0)
    if seen > timezone.localtime():
        # Early in the morning "today at ten" is still to come: a day earlier.
        seen -= timedelta(days=1)
    made = Report.objects.create(
        channel=ReportChannel.PUBLIC_WEB,
        seen=["tissues"],
        children_count=1,
        youngest_age=youngest,
        seen_at=seen,
        kelurahan=Region.objects.get(code="64.71.06.1004"),
        landmark=landmark,
    )
    Report.objects.filter(pk=made.pk).update(created_at=seen)
    made.refresh_from_db()
    return made


def test_working_days_skip_the_weekend():
    friday = date(2026, 11, 27)
    assert working_days_after(friday, 3) == date(2026, 12, 2)  # Mon, Tue, Wed
    assert working_days_after(date(2026, 11, 23), 3) == date(2026, 11, 26)


def test_the_queue_puts_young_children_night_and_repeat_places_first(db):
    manager = make_user(Role.CASE_MANAGER)
    plain = report("Pasar Klandasan (sintetis)", hour=10)
    night = report("Taman Bekapai (sintetis)", hour=21)
    toddler = report("Pelabuhan Semayang (sintetis)", hour=10, youngest=4)
    repeat_a = report("Simpang Rapak lampu merah (sintetis)", hour=11)
    report("Lampu merah Simpang Rapak (sintetis)", hour=12)
    rows = triage_queue(manager)
    order = [row.report.pk for row in rows]
    assert order[0] == toddler.pk and order.index(night.pk) < order.index(plain.pk)
    assert order.index(repeat_a.pk) < order.index(plain.pk)
    assert "repeat_place" in next(r for r in rows if r.report.pk == repeat_a.pk).reasons


def test_overdue_reports_are_flagged(db):
    manager = make_user(Role.CASE_MANAGER)
    old = report("Pasar Pandansari (sintetis)", days_ago=10)
    fresh = report("Pasar Baru (sintetis)")
    rows = {row.report.pk: row for row in triage_queue(manager)}
    assert rows[old.pk].overdue and not rows[fresh.pk].overdue


def test_closing_needs_a_reason_and_shows_as_handled_to_the_reporter(client, db):
    manager = make_user(Role.CASE_MANAGER)
    made = report("Pasar Klandasan (sintetis)")
    sign_in(client, manager)
    url = reverse("reports:detail", args=[made.uuid])
    refused = client.post(url, {"action": "close", "reason": "", "expected_version": made.version})
    assert refused.status_code == 400
    client.post(url, {"action": "close", "reason": "Anak tidak ditemukan", "expected_version": 1})
    made.refresh_from_db()
    assert made.status == ReportStatus.HANDLED and made.handled_by == manager
    stale = client.post(url, {"action": "take", "expected_version": 1})
    assert stale.status_code == 400
    from kawal.core.models import AuditEvent

    trail = AuditEvent.objects.get(kind="reports.handled")
    assert trail.actor == manager and trail.ip_address and trail.request_id


def test_only_triage_roles_see_the_queue(client, db):
    report("Pasar Klandasan (sintetis)")
    for role in Role:
        user = make_user(role)
        sign_in(client, user)
        allowed = role in (Role.CASE_MANAGER, Role.SUPERVISOR)
        assert client.get(reverse("reports:triage")).status_code == (200 if allowed else 403), role


def test_a_malformed_report_id_is_a_404(client, db):
    sign_in(client, make_user(Role.CASE_MANAGER))
    assert client.get(reverse("reports:detail", args=["not-a-uuid"])).status_code == 404


def test_a_case_opened_from_a_report_keeps_it_as_its_origin(client, db):
    from kawal.cases.models import Case
    from tests.identity.conftest import intake_form

    manager = make_user(Role.CASE_MANAGER)
    made = report("Pasar Klandasan (sintetis)")
    sign_in(client, manager)
    page = client.get(reverse("cases:open") + f"?laporan={made.uuid}")
    assert page.context["form"].initial["intake_channel"] == "public_report"
    response = client.post(
        reverse("cases:open"),
        intake_form(full_name="Wulan Sintetis", sex="F", report=str(made.uuid)),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.origin_report == made
    assert case.events.filter(kind="case.from_report").exists()
    made.refresh_from_db()
    assert made.status == ReportStatus.IN_PROGRESS


def test_only_triage_roles_may_open_a_case_from_a_report(client, db):
    from kawal.cases.models import Case
    from tests.identity.conftest import intake_form

    made = report("Pasar Klandasan (sintetis)")
    psychologist = make_user(Role.PSYCHOLOGIST)
    sign_in(client, psychologist)
    response = client.post(reverse("cases:open"), intake_form(report=str(made.uuid)))
    assert response.status_code == 403 and not Case.objects.exists()


def test_a_report_sent_to_an_operation_is_linked_from_its_captures(client, db):
    from kawal.outreach.models import Capture, Operation

    manager = make_user(Role.CASE_MANAGER)
    made = report("Pasar Klandasan (sintetis)")
    sign_in(client, manager)
    client.post(
        reverse("outreach:new"),
        {
            "title": "Operasi pasar (sintetis)",
            "starts_at": "2026-11-20T19:00",
            "area": "64.71.06.1004",
        },
    )
    operation = Operation.objects.get()
    client.post(
        reverse("reports:detail", args=[made.uuid]),
        {"action": "assign", "operation": str(operation.uuid), "expected_version": made.version},
    )
    made.refresh_from_db()
    assert made.operation == operation and made.status == ReportStatus.IN_PROGRESS
    response = client.post(
        reverse("outreach:capture", args=[operation.uuid]),
        {
            "name_as_told": "Wulan",
            "age_estimate": "7",
            "sex": "F",
            "activity": "tissues",
            "taken_to": "home",
            "report": str(made.uuid),
        },
    )
    assert response.status_code == 302
    assert Capture.objects.get().report == made


def test_a_capture_cannot_name_a_report_of_another_operation(client, db):
    from kawal.outreach.models import Capture, Operation

    manager = make_user(Role.CASE_MANAGER)
    made = report("Pasar Klandasan (sintetis)")
    sign_in(client, manager)
    client.post(
        reverse("outreach:new"),
        {"title": "Operasi (sintetis)", "starts_at": "2026-11-20T19:00", "area": "64.71.06.1004"},
    )
    operation = Operation.objects.get()
    response = client.post(
        reverse("outreach:capture", args=[operation.uuid]),
        {
            "name_as_told": "Wulan",
            "age_estimate": "7",
            "activity": "tissues",
            "taken_to": "home",
            "report": str(made.uuid),
        },
    )
    assert response.status_code == 200 and "report" in response.context["form"].errors
    assert not Capture.objects.exists()


def test_a_duplicate_report_is_merged_and_its_reporter_follows_the_other(client, db):
    manager = make_user(Role.CASE_MANAGER)
    first = report("Simpang Rapak lampu merah (sintetis)", hour=11)
    second = report("Lampu merah Simpang Rapak (sintetis)", hour=12)
    sign_in(client, manager)
    url = reverse("reports:detail", args=[second.uuid])
    client.post(
        url, {"action": "merge", "into": str(first.uuid), "expected_version": second.version}
    )
    second.refresh_from_db()
    assert second.duplicate_of == first and second.status == ReportStatus.HANDLED
    assert second.pk not in {row.report.pk for row in triage_queue(manager)}
    status = client.post(reverse("reports:track"), {"code": second.tracking_code})
    assert status.context["status"] == str(ReportStatus.RECEIVED.label)
    again = client.post(
        reverse("reports:detail", args=[first.uuid]),
        {"action": "merge", "into": str(first.uuid), "expected_version": first.version},
    )
    assert again.status_code == 400


def test_the_queue_is_paged_most_urgent_first(client, db):
    manager = make_user(Role.CASE_MANAGER)
    for number in range(29):
        report(f"Tempat biasa nomor {number} (sintetis)", hour=10, days_ago=number % 2)
    toddler = report("Pelabuhan Semayang (sintetis)", hour=10, youngest=3)
    sign_in(client, manager)
    first = client.get(reverse("reports:triage"))
    assert len(first.context["page"].object_list) == 25 and first.context["total"] == 30
    assert first.context["page"].object_list[0].report.pk == toddler.pk
    assert "Halaman 1 dari 2" in first.content.decode()
    second = client.get(reverse("reports:triage"), {"page": "2"})
    assert len(second.context["page"].object_list) == 5
    assert client.get(reverse("reports:triage"), {"page": "x"}).status_code == 200


def test_merging_twice_leaves_no_chain_to_follow(db):
    from kawal.reports import services as svc

    manager = make_user(Role.CASE_MANAGER)
    chain = [report(f"Simpang Rapak {n} (sintetis)", hour=11) for n in range(8)]
    # Each report in turn is merged into the next one: 7 merges.
    for current, following in pairwise(chain):
        current.refresh_from_db()
        svc.report_merge(
            current, into=following, expected_version=current.version, acting_user=manager
        )
    last = chain[-1]
    last.refresh_from_db()
    last.status = ReportStatus.IN_PROGRESS
    last.save()
    for earlier in chain[:-1]:
        earlier.refresh_from_db()
        assert earlier.duplicate_of_id == last.pk
        assert svc.report_status(earlier.tracking_code) == str(ReportStatus.IN_PROGRESS.label)


def test_an_operation_is_planned_straight_from_a_report(client, db):
    from kawal.outreach.models import Operation

    manager = make_user(Role.CASE_MANAGER)
    made = report("Simpang Rapak lampu merah (sintetis)", hour=21)
    sign_in(client, manager)
    detail = client.get(reverse("reports:detail", args=[made.uuid])).content.decode()
    link = reverse("outreach:new") + f"?laporan={made.uuid}"
    assert link in detail
    form = client.get(link).context["form"]
    assert form.initial["area"] == made.kelurahan and "Simpang Rapak" in form.initial["title"]
    response = client.post(
        reverse("outreach:new"),
        {
            "report": str(made.uuid),
            "title": form.initial["title"],
            "starts_at": timezone.localtime().strftime("%Y-%m-%dT20:00"),
            "area": made.kelurahan_id,
            "area_note": form.initial["area_note"],
        },
    )
    operation = Operation.objects.get()
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.operation == operation and made.status == ReportStatus.IN_PROGRESS
    # A patrol officer cannot triage: the report is neither shown nor assigned.
    patrol = make_user(Role.PATROL_OFFICER)
    sign_in(client, patrol)
    page = client.get(link)
    assert page.context["report"] is None and made.landmark not in page.content.decode()


def test_a_report_closed_or_merged_by_mistake_is_reopened(client, db):
    from kawal.core.models import AuditEvent

    manager = make_user(Role.CASE_MANAGER)
    first = report("Simpang Rapak lampu merah (sintetis)", hour=11)
    second = report("Lampu merah Simpang Rapak (sintetis)", hour=12)
    sign_in(client, manager)
    url = reverse("reports:detail", args=[second.uuid])
    client.post(url, {"action": "merge", "into": str(first.uuid), "expected_version": 1})
    second.refresh_from_db()
    assert second.duplicate_of == first
    assert "Buka kembali laporan" in client.get(url).content.decode()
    no_reason = client.post(url, {"action": "reopen", "reason": "", "expected_version": 2})
    assert no_reason.status_code == 400
    stale = client.post(url, {"action": "reopen", "reason": "Beda anak", "expected_version": 1})
    assert stale.status_code == 400
    done = client.post(
        url,
        {"action": "reopen", "reason": "Ternyata beda anak", "expected_version": 2},
        follow=True,
    )
    assert "Laporan dibuka kembali." in done.content.decode()
    second.refresh_from_db()
    assert second.status == ReportStatus.IN_PROGRESS and second.duplicate_of is None
    assert second.pk in {row.report.pk for row in triage_queue(manager)}
    status = client.post(reverse("reports:track"), {"code": second.tracking_code})
    assert status.context["status"] == str(ReportStatus.IN_PROGRESS.label)
    assert AuditEvent.objects.filter(kind="reports.reopened", actor=manager).exists()
    client.logout()
    sign_in(client, make_user(Role.PATROL_OFFICER))
    assert (
        client.post(url, {"action": "reopen", "reason": "x", "expected_version": 3}).status_code
        == 403
    )


def test_the_triage_team_corrects_what_a_report_says_but_not_who_reported(client, db):
    from kawal.core.models import AuditEvent
    from kawal.reports.services import child_name_keys

    manager = make_user(Role.CASE_MANAGER)
    made = report("Simpang Rapk (sintetis)", hour=10)
    Report.objects.filter(pk=made.pk).update(reporter_name="Pelapor Sintetis")
    sign_in(client, manager)
    url = reverse("reports:correct", args=[made.uuid])
    form = client.get(url).context["form"]
    assert form.initial["landmark"] == "Simpang Rapk (sintetis)"
    assert "reporter_name" not in form.fields
    data = {
        "seen": ["begging"],
        "children_count": "2",
        "youngest_age": "4",
        "oldest_age": "7",
        "seen_at": timezone.localtime(made.seen_at).strftime("%Y-%m-%dT%H:%M"),
        "kelurahan": made.kelurahan_id,
        "landmark": "Simpang Rapak (sintetis)",
        "description": "",
        "child_names": "Boedi",
        "reporter_name": "Orang Lain",
        "expected_version": made.version,
    }
    assert client.post(url, data).status_code == 302
    made.refresh_from_db()
    assert made.landmark == "Simpang Rapak (sintetis)" and made.youngest_age == 4
    assert made.reporter_name == "Pelapor Sintetis"
    assert made.child_keys == child_name_keys("Budi")
    trail = AuditEvent.objects.get(kind="reports.corrected")
    assert "landmark" in trail.detail["fields"] and "Boedi" not in str(trail.detail)
    stale = client.post(url, data)
    assert stale.status_code == 409
    bad = client.post(url, {**data, "expected_version": made.version, "children_count": "0"})
    assert bad.status_code == 400
    sign_in(client, make_user(Role.PATROL_OFFICER))
    assert client.get(url).status_code == 403
