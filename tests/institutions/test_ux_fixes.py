"""Fixes from the user walk-through: dates in the project's format, tap targets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kawal.institutions import selectors as sel
from tests.helpers import sign_in
from tests.institutions.conftest import lksa

pytestmark = pytest.mark.django_db


def test_registration_dates_use_the_short_date_format():
    today = timezone.localdate()
    valid = lksa("LKSA Tanggal (sintetis)", end=today + timedelta(days=900))
    expired = lksa(
        "LKSA Lewat (sintetis)",
        registration_start=today - timedelta(days=900),
        end=today - timedelta(days=3),
    )
    with translation.override("id"):
        assert sel.registration_state(valid, today).label.endswith(
            (today + timedelta(days=900)).strftime("%d/%m/%Y")
        )
        assert (today - timedelta(days=3)).strftime("%d/%m/%Y") in (
            sel.registration_state(expired, today).label
        )
    with translation.override("en"):
        label = sel.registration_state(valid, today).label
        assert (today + timedelta(days=900)).strftime("%d-%m-%Y") not in label


def test_links_standing_alone_are_tap_targets(registry):
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, registry.social_worker)
    detail = client.get(reverse("institutions:detail", args=[registry.home.uuid])).content.decode()
    assert f'<a class="tap" href="{reverse("institutions:list")}">' in detail
    listing = client.get(reverse("institutions:list") + "?q=Uji").content.decode()
    assert f'<a class="tap" href="{reverse("institutions:list")}">Show all' in listing
