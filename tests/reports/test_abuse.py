"""Abuse controls of the public form beyond the basics: IPv6, proxies, body size, workers."""

from __future__ import annotations

import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from kawal.core.net import address_bucket, client_ip
from kawal.reports.models import Report
from tests.helpers import production_env, run_kawal
from tests.reports.test_public import data, jpeg_with_gps

pytestmark = pytest.mark.django_db


def test_an_ipv6_subscriber_is_limited_as_one_address(client, settings):
    settings.KAWAL_REPORT_RATE_PER_HOUR = 3
    url = reverse("reports:new")
    for host in (1, 2, 3):
        assert client.post(url, data(), REMOTE_ADDR=f"2001:db8:1:2::{host}").status_code == 302
    assert client.post(url, data(), REMOTE_ADDR="2001:db8:1:2::4").status_code == 429
    assert client.post(url, data(), REMOTE_ADDR="2001:db8:1:3::1").status_code == 302
    assert Report.objects.count() == 4


def test_address_buckets():
    assert address_bucket("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert address_bucket("::ffff:198.51.100.7") == "198.51.100.7"
    assert address_bucket("198.51.100.7") == "198.51.100.7"


def test_a_forwarded_address_counts_only_when_it_is_an_address(settings):
    settings.KAWAL_TRUSTED_PROXY_COUNT = 1
    factory = RequestFactory()
    good = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert client_ip(good) == "198.51.100.9"
    forged = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="<script>, x'--")
    assert client_ip(forged) == "10.0.0.1"


def test_checking_a_code_never_uses_up_reports(client, settings):
    settings.KAWAL_REPORT_RATE_PER_HOUR = 1
    settings.KAWAL_TRACK_RATE_PER_HOUR = 2
    for _ in range(2):
        assert client.post(reverse("reports:track"), {"code": "ZZZZZ-ZZZZZ"}).status_code == 200
    assert client.post(reverse("reports:track"), {"code": "ZZZZZ-ZZZZZ"}).status_code == 429
    assert client.post(reverse("reports:new"), data()).status_code == 302


def test_an_oversized_body_is_refused_before_it_is_read(client, settings):
    settings.KAWAL_MAX_REQUEST_BYTES = 4000
    photo = SimpleUploadedFile("foto.jpg", jpeg_with_gps() * 20, content_type="image/jpeg")
    response = client.post(reverse("reports:new"), {**data(), "photo": photo})
    assert response.status_code == 413
    assert "terlalu besar" in response.content.decode()
    assert not Report.objects.exists()


def test_a_bot_gets_a_code_that_exists_nowhere(client):
    response = client.post(reverse("reports:new"), data(website="http://spam.example"), follow=True)
    match = re.search(r"[2-9A-Z]{5}-[2-9A-Z]{5}", response.content.decode())
    assert match is not None
    assert not Report.objects.exists()
    assert not Report.objects.filter(tracking_code=match.group()).exists()


def _count_in_a_new_process(cache_url: str) -> str:
    """Send one counted submission from a separate process; print what happened."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("KAWAL_CACHE_URL", "DATABASE_URL")
    }
    env.update(KAWAL_ENV="test", KAWAL_REPORT_RATE_PER_HOUR="2")
    if cache_url:
        env["KAWAL_CACHE_URL"] = cache_url
    code = (
        "from kawal.reports import services as s\n"
        "try:\n"
        "    s.rate_check('203.0.113.77')\n"
        "    print('ok')\n"
        "except s.TooManyReports:\n"
        "    print('refused')\n"
    )
    result = run_kawal("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_with_redis_the_limit_holds_across_worker_processes():
    # Three separate processes, as three workers behind one server would be.
    import redis

    # When the suite runs on Redis, this process's own database (emptied
    # before each test): a fixed one may be another worker's, emptied
    # mid-test. Under pytest-xdist a worker has its own only where
    # ``kawal.testing.env`` could number it (redis://host/N).
    own = os.environ.get("KAWAL_CACHE_URL", "")
    if os.environ.get("PYTEST_XDIST_WORKER") and not re.fullmatch(r"redis://[^/]+/\d+", own):
        own = ""
    url = own or "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url).ping()
        if not own:
            redis.Redis.from_url(url).flushdb()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis must run on 127.0.0.1:6379 for this test: {error}")
    outcomes = [_count_in_a_new_process(url) for _ in range(3)]
    assert outcomes == ["ok", "ok", "refused"]
    # Without a shared cache each process counts alone: why production needs one.
    assert [_count_in_a_new_process("") for _ in range(3)] == ["ok", "ok", "ok"]


def test_production_refuses_to_start_without_a_shared_cache():
    env = production_env()
    env.pop("KAWAL_CACHE_URL")
    result = run_kawal("check", env=env)
    assert result.returncode != 0 and "KAWAL_CACHE_URL" in result.stderr


def test_a_device_location_is_kept_only_for_a_fresh_sighting(client):
    from datetime import timedelta

    from django.utils import timezone

    def seen(hours: int) -> str:
        return (timezone.localtime() - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")

    point = {"latitude": "-1.27656", "longitude": "116.82159"}
    client.post(reverse("reports:new"), data(seen_at=seen(1), **point))
    fresh = Report.objects.get()
    assert (str(fresh.latitude), str(fresh.longitude)) == ("-1.27660", "116.82160")
    # Five hours later the phone is wherever the reporter is now: not kept.
    client.post(reverse("reports:new"), data(seen_at=seen(5), **point))
    stale = Report.objects.exclude(pk=fresh.pk).get()
    assert stale.latitude is None and stale.longitude is None
