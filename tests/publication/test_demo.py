"""The release demo: one published, one waiting, whatever the data; a second run adds nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.demo.publication import _ended_quarters, demo_load_publication
from kawal.publication.models import Release, ReleaseStatus
from tests.helpers import make_user


def test_nothing_without_the_demo_supervisors(db):
    assert demo_load_publication() == 0


def _demo_supervisors():
    make_user(Role.SUPERVISOR, username="supervisor", is_demo_account=True)
    make_user(Role.SUPERVISOR, username="supervisor2", is_demo_account=True)


def test_one_published_one_waiting_even_without_cases(db):
    _demo_supervisors()
    assert demo_load_publication() == 2
    statuses = sorted(Release.objects.values_list("status", flat=True))
    assert statuses == [ReleaseStatus.PENDING, ReleaseStatus.PUBLISHED]
    assert demo_load_publication() == 0
    assert Release.objects.count() == 2


def test_with_cases_the_published_one_counts_them(builder):
    _demo_supervisors()
    older, newer = _ended_quarters(timezone.localdate())
    for n in range(7):
        builder.case(older + timedelta(days=n))
    assert demo_load_publication() == 2
    published = Release.objects.get(status=ReleaseStatus.PUBLISHED)
    assert published.period_start == older
    totals = [t["cells"][-1][-1] for t in published.snapshot["tables"] if t["counts_cases"]]
    assert totals == [7, 7, 7]
    pending = Release.objects.get(status=ReleaseStatus.PENDING)
    assert pending.period_start == newer
    assert pending.prepared_by.username == "supervisor2"
