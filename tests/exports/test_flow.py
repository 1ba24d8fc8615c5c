"""The export flow for the case list: request, four eyes, file, download, expiry, log."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import DataClass, Role
from kawal.access.models import AccessLog
from kawal.cases import services as case_svc
from kawal.exports import services as svc
from kawal.exports.models import ExportRequest, ExportStatus
from kawal.notify.models import Notification
from tests.exports.conftest import MARKERS, body, client_for, open_case, read_csv, read_xlsx
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

NAME = MARKERS[DataClass.IDENTITY]


def request_url(**params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("exports:request", kwargs={"kind": "case_list"}) + (f"?{query}" if query else "")


def download_url(export: ExportRequest) -> str:
    return reverse("exports:download", kwargs={"export_uuid": export.uuid})


def steps(export: ExportRequest, case_id: int) -> list[tuple[str, str, str]]:
    """(who, action, step) of the access log rows of an export for one case."""
    rows = AccessLog.objects.filter(case_id=case_id).order_by("id")
    out = []
    for row in rows:
        if row.path == download_url(export):
            out.append((row.user.username, row.action, "download"))
        elif str(export.uuid) in row.path:
            out.append((row.user.username, row.action, row.path.rsplit("#", 1)[-1]))
    return out


def test_a_small_list_without_names_is_made_at_once_downloaded_and_logged(world):
    client = client_for(world.owner)
    url = request_url(status=world.case.status)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert page.context["children"] == 1
    # What will be exported, never the rows themselves.
    assert world.case.number not in text and NAME not in text and "Z.M." not in text
    response = client.post(url, {"format": "csv"})
    assert response.status_code == 302 and response["Location"] == reverse("exports:mine")
    export = ExportRequest.objects.get()
    assert export.status == ExportStatus.READY and not export.needs_approval
    assert export.data_classes == ["basic"] and export.children == 1
    assert export.params == {"status": world.case.status}
    assert export.expires_at - export.built_at == timedelta(hours=24)
    stored = Path(django_settings.KAWAL_PRIVATE_MEDIA_ROOT) / "exports" / export.file_name
    assert stored.is_file()
    mine = client.get(reverse("exports:mine"))
    assert download_url(export) in mine.content.decode()
    download = client.get(download_url(export))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="daftar-kasus-')
    content = body(download)
    rows = read_csv(content)
    assert rows[1][0] == world.case.number and rows[1][4] == "Z.M."
    assert NAME.encode() not in content and b"Markerputri" not in content
    assert steps(export, world.case.pk) == [
        ("owner", "list", "request"),
        ("owner", "list", "build"),
        ("owner", "download", "download"),
    ]
    row = AccessLog.objects.filter(action="download", case_id=world.case.pk).get()
    assert row.data_classes == ["basic"] and row.case_number == world.case.number


def test_names_need_a_supervisors_approval_never_the_requesters_own(world, supervisor2):
    client = client_for(world.owner)
    url = request_url(names="1")
    page = client.get(url)
    assert page.context["needs_approval"] and page.context["identifying"]
    assert client.post(url, {"format": "xlsx"}).status_code == 302
    export = ExportRequest.objects.get()
    assert export.status == ExportStatus.WAITING and export.needs_approval
    assert set(export.data_classes) == {"basic", "identity"}
    # Every other approver is told, in a text that names no child.
    told = Notification.objects.filter(kind=svc.NOTIFY_APPROVAL)
    assert {n.recipient.username for n in told} == {"boss", "boss-2"}
    assert client.get(download_url(export)).status_code == 404
    # The owner may not approve (no capability); a supervisor may not approve their own.
    assert client.post(
        reverse("exports:decide", kwargs={"export_uuid": export.uuid}),
        {"decision": "approve", "expected_version": export.version},
    ).status_code in (403, 404)
    boss = client_for(world.supervisor)
    waiting = boss.get(reverse("exports:waiting"))
    text = waiting.content.decode()
    assert str(export.uuid) in text
    assert world.case.number not in text and NAME not in text  # the approver sees counts only
    decided = boss.post(
        reverse("exports:decide", kwargs={"export_uuid": export.uuid}),
        {"decision": "approve", "comment": "", "expected_version": export.version},
    )
    assert decided.status_code == 302
    export.refresh_from_db()
    assert export.status == ExportStatus.READY and export.decided_by == world.supervisor
    assert Notification.objects.filter(kind=svc.NOTIFY_DECIDED, recipient=world.owner).exists()
    content = body(client.get(download_url(export)))
    rows = read_xlsx(content)
    assert rows[0][4] == "Child" or rows[0][4] == "Anak"
    assert rows[1][0] == world.case.number and rows[1][4] == NAME
    # Only the requester downloads.
    assert boss.get(download_url(export)).status_code == 404
    assert steps(export, world.case.pk) == [
        ("owner", "list", "request"),
        ("boss", "list", "approve"),
        ("owner", "list", "build"),
        ("owner", "download", "download"),
    ]
    for row in AccessLog.objects.filter(case_id=world.case.pk, action__in=["list", "download"]):
        if str(export.uuid) in row.path or row.path == download_url(export):
            assert set(row.data_classes) == {"basic", "identity"}


def test_a_supervisor_cannot_approve_their_own_export(world, supervisor2):
    boss = client_for(world.supervisor)
    assert boss.post(request_url(names="1"), {"format": "csv"}).status_code == 302
    export = ExportRequest.objects.get()
    assert str(export.uuid) not in boss.get(reverse("exports:waiting")).content.decode()
    decide = reverse("exports:decide", kwargs={"export_uuid": export.uuid})
    own = boss.post(decide, {"decision": "approve", "expected_version": export.version})
    assert own.status_code == 404
    with pytest.raises(PermissionDenied):
        svc.export_decide(
            None,
            export,
            approve=True,
            comment="",
            expected_version=export.version,
            acting_user=world.supervisor,
        )
    assert not Notification.objects.filter(
        recipient=world.supervisor, kind=svc.NOTIFY_APPROVAL
    ).exists()
    other = client_for(supervisor2)
    assert other.post(decide, {"decision": "approve", "expected_version": export.version})[
        "Location"
    ] == reverse("exports:waiting")
    export.refresh_from_db()
    assert export.status == ExportStatus.READY and export.decided_by == supervisor2


def test_more_children_than_the_threshold_need_approval(world, settings):
    settings.KAWAL_EXPORT_APPROVAL_CHILDREN = 1
    open_case(world.owner, world.supervisor, name="Bunga Sintetis")
    client = client_for(world.owner)
    assert client.get(request_url()).context["children"] == 2
    client.post(request_url(), {"format": "csv"})
    export = ExportRequest.objects.get()
    assert export.status == ExportStatus.WAITING and export.data_classes == ["basic"]
    # A list export writes one row per case, as lists do.
    assert AccessLog.objects.filter(path__endswith="#request").count() == 2


def test_refusing_needs_a_reason_and_tells_the_requester(world):
    client_for(world.owner).post(request_url(names="1"), {"format": "csv"})
    export = ExportRequest.objects.get()
    boss = client_for(world.supervisor)
    decide = reverse("exports:decide", kwargs={"export_uuid": export.uuid})
    bare = boss.post(decide, {"decision": "refuse", "comment": " ", "expected_version": 1})
    assert bare.status_code == 400
    export.refresh_from_db()
    assert export.status == ExportStatus.WAITING
    boss.post(decide, {"decision": "refuse", "comment": "Tidak perlu nama", "expected_version": 1})
    export.refresh_from_db()
    assert export.status == ExportStatus.REFUSED and not export.file_name
    assert Notification.objects.filter(kind=svc.NOTIFY_DECIDED, recipient=world.owner).exists()
    assert client_for(world.owner).get(download_url(export)).status_code == 404
    # A stale or second decision changes nothing.
    again = boss.post(decide, {"decision": "approve", "expected_version": 1})
    assert again.status_code == 404


def test_the_file_never_holds_more_than_was_approved(world, settings):
    settings.KAWAL_EXPORT_APPROVAL_CHILDREN = 0
    client_for(world.owner).post(request_url(), {"format": "csv"})
    export = ExportRequest.objects.get()
    open_case(world.owner, world.supervisor, name="Bunga Sintetis")  # joins the filter meanwhile
    decided = svc.export_decide(
        None, export, approve=True, comment="", expected_version=1, acting_user=world.supervisor
    )
    assert decided.status == ExportStatus.FAILED and decided.failure and not decided.file_name
    assert not AccessLog.objects.filter(path__endswith="#build").exists()


def test_the_download_expires_and_the_file_is_purged(world):
    client = client_for(world.owner)
    client.post(request_url(), {"format": "xlsx"})
    export = ExportRequest.objects.get()
    stored = Path(django_settings.KAWAL_PRIVATE_MEDIA_ROOT) / "exports" / export.file_name
    assert client.get(download_url(export)).status_code == 200
    # Another case manager: the same 404 as a missing export.
    assert client_for(make_user(Role.CASE_MANAGER)).get(download_url(export)).status_code == 404
    later = export.built_at + timedelta(hours=24, seconds=1)
    assert svc.exports_purge_expired(export.built_at + timedelta(hours=23)) == 0
    ExportRequest.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    gone = client.get(download_url(export))
    assert gone.status_code == 410 and stored.is_file()
    assert svc.exports_purge_expired(later) == 1
    assert not stored.exists()
    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED and export.file_name == ""
    assert svc.exports_purge_expired(later) == 0
    assert client.get(download_url(export)).status_code == 410


def test_access_taken_away_after_the_file_was_made_takes_effect(world):
    from kawal.cases.models import CaseMember

    client = client_for(world.psychologist)
    client.post(request_url(), {"format": "csv"})
    export = ExportRequest.objects.get()
    assert export.status == ExportStatus.READY
    member = CaseMember.objects.get(case=world.case, user=world.psychologist)
    case_svc.member_remove(member, acting_user=world.owner)
    assert client.get(download_url(export)).status_code == 404


def test_exports_and_downloads_are_rate_limited(world, settings):
    settings.KAWAL_EXPORT_RATE_PER_HOUR = 2
    client = client_for(world.owner)
    assert client.post(request_url(), {"format": "csv"}).status_code == 302
    export = ExportRequest.objects.get()
    assert client.get(download_url(export)).status_code == 200
    refused = client.get(download_url(export))
    assert refused.status_code == 429
    assert client.post(request_url(), {"format": "csv"}).status_code == 429
    assert ExportRequest.objects.count() == 1
    # Another user has their own allowance.
    assert client_for(world.supervisor).post(request_url(), {"format": "csv"}).status_code == 302


@pytest.mark.parametrize("role", [Role.SHELTER_STAFF, Role.SYSTEM_ADMIN, Role.FINANCE_OFFICER])
def test_roles_without_the_capability_are_refused(world, role):
    client = client_for(make_user(role))
    assert client.get(request_url()).status_code == 403
    assert client.post(request_url(), {"format": "csv"}).status_code == 403
    assert client.get(reverse("exports:mine")).status_code == 403
    assert client.get(reverse("exports:waiting")).status_code == 403
    assert not ExportRequest.objects.exists()


def test_bad_input_is_a_4xx_never_a_500(world):
    client = client_for(world.owner)
    assert client.get(reverse("exports:request", kwargs={"kind": "nope"})).status_code == 404
    odd = request_url(status="<script>", agency="99999999999999999999999", kelurahan="x" * 500)
    assert client.get(odd).status_code == 200
    assert client.post(request_url(), {"format": "pdf"}).status_code == 400
    assert client.post(request_url(status="closed"), {"format": "csv"}).status_code == 400
    assert not ExportRequest.objects.exists()
    for name in ("download", "decide"):
        url = reverse(f"exports:{name}", kwargs={"export_uuid": "not-a-uuid"})
        assert client.get(url).status_code in (404, 405)


def test_names_only_where_the_requester_sees_identity(world, supervisor2):
    other = open_case(world.owner, world.supervisor, name="Bunga Sintetis")
    case_svc.member_add(
        other, user=world.psychologist, case_role="x", data_classes=[], acting_user=world.owner
    )
    client = client_for(world.psychologist)
    client.post(request_url(names="1"), {"format": "csv"})
    export = ExportRequest.objects.get()
    svc.export_decide(
        None, export, approve=True, comment="", expected_version=1, acting_user=supervisor2
    )
    content = body(client.get(download_url(export)))
    rows = {row[0]: row for row in read_csv(content)[1:]}
    assert rows[world.case.number][4] == NAME
    assert rows[other.number][4] == "B.S." and rows[other.number][7] == ""
    assert b"Bunga" not in content


def test_a_kind_that_refuses_its_parameters_says_why(world):
    from django.core.exceptions import ValidationError

    from kawal.exports import registry

    def build(user, params):
        raise ValidationError("Periode tidak dikenal (sintetis).")

    registry.register_export_kind(
        registry.ExportKind(
            key="refusing", label="x", allowed=lambda user: True, build=build, filename="x"
        )
    )
    try:
        client = client_for(world.owner)
        url = reverse("exports:request", kwargs={"kind": "refusing"}) + "?periode=x"
        page = client.get(url)
        assert page.status_code == 400 and "Periode tidak dikenal" in page.content.decode()
        posted = client.post(url, {"format": "csv"})
        assert posted.status_code == 400 and "Periode tidak dikenal" in posted.content.decode()
        assert not ExportRequest.objects.exists()
    finally:
        registry._KINDS.pop("refusing", None)


def test_control_characters_in_the_query_string_never_reach_the_database(world):
    # PostgreSQL refuses a NUL in text and in JSON: without cleaning, a 500.
    assert svc.clean_params({"kelurahan": "a\x00b", "x\x00": "1", "\x00": "2", "s": "\x1f"}) == {
        "kelurahan": "ab",
        "x": "1",
        "s": "",
    }
    client = client_for(world.owner)
    for query in ("kelurahan=a%00b", "x%00=1", "status=%00", "sort=%00"):
        url = reverse("exports:request", kwargs={"kind": "case_list"}) + "?" + query
        assert client.get(url).status_code == 200, query
        assert client.post(url, {"format": "csv"}).status_code in (302, 400), query
    assert all("\x00" not in repr(e.params) for e in ExportRequest.objects.all())


def test_approving_after_the_requester_lost_the_capability_makes_no_file(world):
    client_for(world.owner).post(request_url(names="1"), {"format": "csv"})
    export = ExportRequest.objects.get()
    world.owner.is_active = False
    world.owner.save()
    decided = svc.export_decide(
        None, export, approve=True, comment="", expected_version=1, acting_user=world.supervisor
    )
    assert decided.status == ExportStatus.FAILED and not decided.file_name
    assert not AccessLog.objects.filter(path__endswith="#build").exists()


def test_the_file_holds_what_was_requested_whatever_the_approver_posts(world):
    client_for(world.owner).post(request_url(status=world.case.status), {"format": "csv"})
    export = ExportRequest.objects.get()
    client_for(world.owner).post(request_url(names="1"), {"format": "csv"})
    named = ExportRequest.objects.exclude(pk=export.pk).get()
    # Extra fields in the decision (parameters, format) are ignored.
    client_for(world.supervisor).post(
        reverse("exports:decide", kwargs={"export_uuid": named.uuid}),
        {
            "decision": "approve",
            "expected_version": named.version,
            "names": "0",
            "format": "xlsx",
            "params": "status=closed",
        },
    )
    named.refresh_from_db()
    assert named.status == ExportStatus.READY and named.format == "csv"
    assert named.params == {"names": "1"}
    rows = read_csv(body(client_for(world.owner).get(download_url(named))))
    assert rows[1][4] == NAME


def test_the_list_export_reads_every_filter_and_sort_the_list_page_reads(world):
    # The export is the list's own query: every sort key of the page works in it
    # (a status sort once referenced an ordering the export did not annotate),
    # and the supervisor's "to approve" filter narrows the file as it narrows the page.
    from kawal.cases.selectors import SORTS

    client = client_for(world.owner)
    for key in SORTS:
        response = client.get(request_url(sort=key))
        assert response.status_code == 200, key
        assert response.context["children"] == 1, key
    from kawal.cases.models import Approval, ApprovalStatus
    from kawal.cases.selectors import approvals_waiting

    supervisor = client_for(world.supervisor)
    waiting_cases = {a.case_id for a in approvals_waiting(world.supervisor)}
    assert supervisor.get(request_url(approval="1")).context["children"] == len(waiting_cases) == 1
    # Once nothing waits, the filtered file holds nobody while the whole list still does.
    Approval.objects.filter(case_id__in=waiting_cases).update(status=ApprovalStatus.APPROVED)
    assert supervisor.get(request_url()).context["children"] >= 1
    waiting = supervisor.get(request_url(approval="1"))
    assert waiting.status_code == 400 or waiting.context["children"] == 0
