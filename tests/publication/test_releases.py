"""Prepare → preview → approve by another supervisor → public; immutability and versions."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from kawal.access.catalogue import ROLES, Capability, Role
from kawal.cases.models import CaseForm
from kawal.core.suppression import bordered, check
from kawal.notify.models import Notification
from kawal.publication import services as svc
from kawal.publication.models import Release, ReleaseImmutable, ReleaseStatus
from kawal.publication.snapshot import published_values
from tests.helpers import make_user
from tests.publication.conftest import QUARTER, fill_quarter

pytestmark = pytest.mark.django_db

PERIOD = svc.Period("quarter", QUARTER)


def _grid(table):
    cells = table["cells"]
    if table["one_way"]:
        return [[row[0], row[0]] for row in cells]
    return cells


def test_prepare_suppresses_and_waits_for_a_second_supervisor(builder, supervisors):
    a, b, _c = supervisors
    fill_quarter(builder)
    release = svc.release_prepare(PERIOD, acting_user=a)
    assert release.status == ReleaseStatus.PENDING
    assert release.number == 1
    snap = release.snapshot
    assert snap["threshold"] == 5
    assert {t["key"] for t in snap["tables"]} == {"age_sex", "area_outcome", "month", "form"}
    # No published number is a small count; small cells are there and hidden.
    assert all(v == 0 or v >= 5 for v in published_values(snap))
    assert any(v is None for t in snap["tables"] for row in t["cells"] for v in row)
    # The cases tables agree on the total (31 cases), which is published.
    totals = {t["cells"][-1][-1] for t in snap["tables"] if t["counts_cases"]}
    assert totals == {31}
    # The other supervisors are told, the preparer is not.
    told = set(
        Notification.objects.filter(kind=svc.KIND_WAITING).values_list("recipient", flat=True)
    )
    assert told == {b.pk, _c.pk}

    with pytest.raises(PermissionDenied):
        svc.release_approve(
            release,
            expected_version=release.version,
            fingerprint_seen=release.fingerprint,
            acting_user=a,
        )
    published = svc.release_approve(
        release,
        expected_version=release.version,
        fingerprint_seen=release.fingerprint,
        acting_user=b,
    )
    assert published.status == ReleaseStatus.PUBLISHED
    assert published.decided_by == b and published.published_at is not None


def test_the_snapshot_protects_every_table_exactly(builder, supervisors):
    """What the snapshot hides cannot be worked out from what it shows (each table)."""
    fill_quarter(builder)
    release = svc.release_prepare(PERIOD, acting_user=supervisors[0])
    from kawal.publication.tables import compute_tables

    raw = {t.key: t for t in compute_tables("quarter", QUARTER)}
    for table in release.snapshot["tables"]:
        truth = bordered([list(r) for r in raw[table["key"]].cells])
        shown = _grid(table)
        hidden = {(i, j) for i, row in enumerate(shown) for j, v in enumerate(row) if v is None}
        for i, row in enumerate(shown):
            for j, v in enumerate(row):
                if v is not None:
                    assert v == truth[i][j]
        assert not check(truth, hidden, 5), table["key"]


def test_every_role_without_the_capability_can_neither_prepare_nor_approve(builder, supervisors):
    fill_quarter(builder, many=6)
    release = svc.release_prepare(PERIOD, acting_user=supervisors[0])
    for role in Role:
        user = make_user(role)
        holds = Capability.PUBLISH_FIGURES in ROLES[role].capabilities
        assert holds == (role == Role.SUPERVISOR)
        if holds:
            continue
        with pytest.raises(PermissionDenied):
            svc.release_prepare(PERIOD, acting_user=user)
        with pytest.raises(PermissionDenied):
            svc.release_approve(
                release,
                expected_version=release.version,
                fingerprint_seen=release.fingerprint,
                acting_user=user,
            )
        with pytest.raises(PermissionDenied):
            svc.release_reject(
                release, reason="no", expected_version=release.version, acting_user=user
            )
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PENDING


def test_the_approver_must_have_seen_the_same_figures(builder, supervisors):
    fill_quarter(builder, many=6)
    release = svc.release_prepare(PERIOD, acting_user=supervisors[0])
    with pytest.raises(ValidationError):
        svc.release_approve(
            release,
            expected_version=release.version,
            fingerprint_seen="0" * 64,
            acting_user=supervisors[1],
        )


def test_reject_and_withdraw_need_a_reason_and_the_right_person(builder, supervisors):
    a, b, _c = supervisors
    fill_quarter(builder, many=6)
    release = svc.release_prepare(PERIOD, acting_user=a)
    with pytest.raises(ValidationError):
        svc.release_reject(release, reason=" ", expected_version=release.version, acting_user=b)
    with pytest.raises(PermissionDenied):  # the preparer withdraws, not rejects
        svc.release_reject(release, reason="x", expected_version=release.version, acting_user=a)
    with pytest.raises(PermissionDenied):  # and only the preparer withdraws
        svc.release_withdraw(release, reason="x", expected_version=release.version, acting_user=b)
    rejected = svc.release_reject(
        release,
        reason="Data Oktober belum lengkap",
        expected_version=release.version,
        acting_user=b,
    )
    assert rejected.status == ReleaseStatus.REJECTED
    again = svc.release_prepare(PERIOD, acting_user=a)
    assert again.number == 1  # nothing was published
    withdrawn = svc.release_withdraw(
        again, reason="Data susulan", expected_version=again.version, acting_user=a
    )
    assert withdrawn.status == ReleaseStatus.WITHDRAWN


def test_only_one_release_of_a_period_waits_and_periods_never_overlap(builder, supervisors):
    a = supervisors[0]
    fill_quarter(builder, many=6)
    svc.release_prepare(PERIOD, acting_user=a)
    with pytest.raises(ValidationError):
        svc.release_prepare(PERIOD, acting_user=a)
    with pytest.raises(ValidationError):
        svc.release_prepare(svc.period_of("year", QUARTER.year), acting_user=a)


def test_an_unfinished_period_cannot_be_published(supervisors):
    from django.utils import timezone

    today = timezone.localdate()
    with pytest.raises(ValidationError):
        svc.release_prepare(svc.period_of("year", today.year), acting_user=supervisors[0])


def _publish(a, b, period=PERIOD):
    release = svc.release_prepare(period, acting_user=a)
    return svc.release_approve(
        release,
        expected_version=release.version,
        fingerprint_seen=release.fingerprint,
        acting_user=b,
    )


def test_a_published_release_never_changes(builder, supervisors):
    fill_quarter(builder, many=6)
    release = _publish(*supervisors[:2])
    release.decision_reason = "diubah"
    with pytest.raises(ReleaseImmutable):
        release.save()
    with pytest.raises(ReleaseImmutable):
        release.delete()
    with pytest.raises(ReleaseImmutable):
        svc.release_reject(
            release, reason="x", expected_version=release.version, acting_user=supervisors[2]
        )
    # The database refuses too, whatever path the change takes.
    with pytest.raises(IntegrityError), transaction.atomic():
        Release.objects.filter(pk=release.pk).update(snapshot={"tables": []})
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE publication_release SET number = 9 WHERE id = %s", [release.pk])
    release.refresh_from_db()
    assert release.number == 1 and release.snapshot["tables"]


def test_late_data_make_a_new_version_that_cannot_be_differenced(builder, supervisors):
    a, b, _c = supervisors
    fill_quarter(builder)
    v1 = _publish(a, b)
    as_published = json.loads(json.dumps(v1.snapshot))
    # Two cases arrive late, one more in the tiny kecamatan.
    builder.case(QUARTER + timedelta(days=3), sex="F", age=10)
    builder.case(
        QUARTER + timedelta(days=4),
        sex="M",
        age=16,
        kelurahan="64.71.01.1001",
        forms=(CaseForm.TRAFFICKED,),
    )
    v2 = _publish(b, a)
    assert v2.number == 2
    t1 = {t["key"]: _grid(t) for t in v1.snapshot["tables"]}
    t2 = {t["key"]: _grid(t) for t in v2.snapshot["tables"]}
    for key, old in t1.items():
        new = t2[key]
        for i, row in enumerate(old):
            for j, before in enumerate(row):
                after = new[i][j]
                if before is None:
                    assert after is None, (key, i, j)  # hidden stays hidden
                elif after is not None:
                    assert after == before or abs(after - before) >= 5, (key, i, j)
    # Both stay: the archive keeps v1 unchanged.
    v1.refresh_from_db()
    assert v1.status == ReleaseStatus.PUBLISHED and v1.snapshot == as_published
    assert Release.objects.filter(status=ReleaseStatus.PUBLISHED).count() == 2


def test_a_tiny_period_hides_its_total_everywhere(builder, supervisors):
    builder.case(QUARTER + timedelta(days=1))
    builder.case(QUARTER + timedelta(days=2), sex="M")
    release = svc.release_prepare(PERIOD, acting_user=supervisors[0])
    for table in release.snapshot["tables"]:
        assert table["cells"][-1][-1] is None, table["key"]
    assert published_values(release.snapshot) == [0] * len(published_values(release.snapshot))
