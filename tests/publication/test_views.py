"""The pages: supervisors prepare and approve; anyone reads what is published, nothing more."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from kawal.access.catalogue import Role
from kawal.publication import services as svc
from kawal.publication.models import Release, ReleaseSheet, ReleaseStatus
from tests.helpers import make_user, sign_in
from tests.publication.conftest import MARKERS, QUARTER, fill_quarter

pytestmark = pytest.mark.django_db

PERIOD = svc.Period("quarter", QUARTER)


def _client(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def _published(builder, supervisors) -> Release:
    fill_quarter(builder)
    release = svc.release_prepare(PERIOD, acting_user=supervisors[0])
    return svc.release_approve(
        release,
        expected_version=release.version,
        fingerprint_seen=release.fingerprint,
        acting_user=supervisors[1],
    )


def _in(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def _no_markers(text: str) -> None:
    for marker in MARKERS:
        assert marker not in text, marker


def test_a_supervisor_prepares_sees_the_preview_and_another_approves(builder, supervisors):
    a, b, _c = supervisors
    fill_quarter(builder)
    first = _client(a)
    response = first.post(
        reverse("publication:prepare"),
        {"kind": "quarter", "year": QUARTER.year, "quarter": (QUARTER.month - 1) // 3 + 1},
    )
    release = Release.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("publication:release", args=[release.uuid])
    page = first.get(response["Location"]).content.decode()
    assert 'data-suppressed="1"' in page
    assert "Approve" not in page and "Setujui" not in page  # not the preparer's to approve
    _no_markers(page)
    # The preparer's attempt through the form is refused.
    url = reverse("publication:release_action", args=[release.uuid, "approve"])
    refused = first.post(
        url, {"expected_version": release.version, "fingerprint": release.fingerprint}
    )
    assert refused.status_code == 403

    second = _client(b)
    page = second.get(reverse("publication:release", args=[release.uuid])).content.decode()
    assert 'name="approve"' in page
    done = second.post(
        url, {"expected_version": release.version, "fingerprint": release.fingerprint}
    )
    assert done.status_code == 302
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED
    # Posting again is a conflict, never a 500 nor a second publication.
    again = second.post(
        url, {"expected_version": release.version, "fingerprint": release.fingerprint}
    )
    assert again.status_code in (400, 409)


def test_bad_input_is_a_4xx(builder, supervisors):
    a, b, _c = supervisors
    client = _client(a)
    bad = client.post(reverse("publication:prepare"), {"kind": "quarter", "year": "abc"})
    assert bad.status_code == 400
    future = client.post(reverse("publication:prepare"), {"kind": "year", "year": 2099})
    assert future.status_code == 400
    fill_quarter(builder, many=6)
    release = svc.release_prepare(PERIOD, acting_user=a)
    reject = reverse("publication:release_action", args=[release.uuid, "reject"])
    response = _client(b).post(reject, {"expected_version": release.version, "reason": ""})
    assert response.status_code == 400
    stale = _client(b).post(reject, {"expected_version": "x", "reason": "tidak"})
    assert stale.status_code == 409
    unknown = reverse("publication:release_action", args=[release.uuid, "explode"])
    assert _client(b).post(unknown, {}).status_code == 404


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SUPERVISOR])
def test_other_roles_cannot_reach_the_release_pages(role, builder, supervisors):
    fill_quarter(builder, many=6)
    release = svc.release_prepare(PERIOD, acting_user=supervisors[0])
    client = _client(make_user(role))
    assert client.get(reverse("publication:releases")).status_code == 403
    assert client.get(reverse("publication:release", args=[release.uuid])).status_code == 403
    approve = reverse("publication:release_action", args=[release.uuid, "approve"])
    posted = client.post(
        approve, {"expected_version": release.version, "fingerprint": release.fingerprint}
    )
    assert posted.status_code == 403
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PENDING


def test_the_public_page_needs_no_account_and_shows_only_the_snapshot(builder, supervisors):
    release = _published(builder, supervisors)
    anonymous = Client()
    page = anonymous.get(reverse("publication:public"))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="id">' in html  # Indonesian first
    assert _in("id", "Figures on child protection") in html
    assert 'data-suppressed="1"' in html
    _no_markers(html)
    # The same in English, through the language switch.
    anonymous.post(reverse("set_language"), {"language": "en"})
    english = anonymous.get(reverse("publication:public")).content.decode()
    assert '<html lang="en">' in english
    assert "Figures on child protection" in english
    _no_markers(english)
    archive = anonymous.get(reverse("publication:archive")).content.decode()
    assert f"/statistik/{release.slug}/v1/" in archive
    one = anonymous.get(reverse("publication:public_release", args=[release.slug, 1]))
    assert one.status_code == 200
    assert (
        anonymous.get(reverse("publication:public_release", args=[release.slug, 7])).status_code
        == 404
    )
    assert anonymous.get("/statistik/bukan-periode/v1/").status_code == 404
    # A version no database integer can hold is a 404, never a 500.
    for huge in ("99999999999999999999", "9223372036854775808", "40000"):
        assert anonymous.get(f"/statistik/{release.slug}/v{huge}/").status_code == 404
        assert anonymous.get(f"/statistik/{release.slug}/v{huge}/lembar.pdf").status_code == 404


def test_waiting_and_rejected_releases_are_not_public(builder, supervisors):
    fill_quarter(builder, many=6)
    release = svc.release_prepare(PERIOD, acting_user=supervisors[0])
    anonymous = Client()
    empty = anonymous.get(reverse("publication:public")).content.decode()
    assert _in("id", "No figures have been published yet.") in empty
    url = reverse("publication:public_release", args=[release.slug, release.number])
    assert anonymous.get(url).status_code == 404
    assert anonymous.get(url + "lembar.pdf").status_code == 404


def test_the_press_sheet_is_one_page_of_published_figures(builder, supervisors):
    release = _published(builder, supervisors)
    anonymous = Client()
    url = reverse("publication:sheet", args=[release.slug, release.number])
    response = anonymous.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert _in("id", "Figures on child protection") in text
    _no_markers(text)
    # Every number in the sheet's tables is published in the snapshot (or a year/date).
    assert "*" in text
    # Rendered once, then served as stored.
    assert ReleaseSheet.objects.filter(release=release, language="id").count() == 1
    assert anonymous.get(url).content == response.content


def test_the_public_page_reads_one_stored_snapshot_and_no_case_data(builder, supervisors):
    """Its cost does not grow with the cases (timed with 100,000 in bench/publication)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _published(builder, supervisors)
    client = Client()
    client.get(reverse("publication:public"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("publication:public")).status_code == 200
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "publication_release" in tables
    for private in ("cases_case", "people_person", "placement_", "shelters_", "schooling_"):
        assert private not in tables, private
    assert len(queries.captured_queries) <= 4


def test_the_home_card_and_the_menu_lead_the_other_supervisor_to_approve(builder, supervisors):
    a, b, _c = supervisors
    fill_quarter(builder, many=6)
    svc.release_prepare(PERIOD, acting_user=a)
    home = _client(b).get(reverse("web:home")).content.decode()
    assert reverse("publication:releases") in home
    assert 'data-card="publication.waiting"' in home
    own = _client(a).get(reverse("web:home")).content.decode()
    assert 'data-card="publication.waiting"' not in own
