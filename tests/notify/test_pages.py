from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.core.models import AuditEvent
from kawal.notify import workflow
from kawal.notify.models import Notification, NotificationPreference
from kawal.notify.selectors import INBOX_PAGE_SIZE, unread_count
from kawal.notify.services import notify_users
from kawal.web.extensions import nav_items
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    sign_in(client, user)
    return client


def _give(user, count=1, kind=workflow.TASK_ASSIGNED, url="/tugas/"):
    start = timezone.now() - timedelta(hours=count)
    for index in range(count):
        notify_users(users=[user], kind=kind, url=url, key=f"k{index}", case_number=f"KA-{index}")
        Notification.objects.filter(key=f"k{index}").update(
            created_at=start + timedelta(hours=index)
        )


def test_the_inbox_shows_ones_own_newest_first_and_marks_unread():
    user, other = make_user(), make_user()
    _give(user, 3)
    notify_users(users=[other], kind=workflow.REMINDER, url="/tugas/", key="theirs")
    Notification.objects.filter(recipient=user, key="k0").update(read_at=timezone.now())
    body = _client(user).get(reverse("notify:inbox")).content.decode()
    assert body.index("KA-2") < body.index("KA-1") < body.index("KA-0")
    assert body.count("is-unread") == 2
    assert "Reminder" not in body and "Pengingat" not in body  # the other user's kind


def test_the_inbox_comes_in_pages():
    user = make_user()
    _give(user, INBOX_PAGE_SIZE + 2)
    client = _client(user)
    first = client.get(reverse("notify:inbox")).content.decode()
    second = client.get(reverse("notify:inbox") + "?page=2").content.decode()
    assert f"KA-{INBOX_PAGE_SIZE + 1}" in first and "KA-0" not in first
    assert "KA-0" in second and f"KA-{INBOX_PAGE_SIZE + 1}" not in second
    assert client.get(reverse("notify:inbox") + "?page=x").status_code == 200


def test_opening_marks_read_and_goes_to_the_link():
    user = make_user()
    _give(user)
    row = Notification.objects.get()
    response = _client(user).get(reverse("notify:open", args=[row.uuid]))
    assert response.status_code == 302 and response["Location"] == "/tugas/"
    row.refresh_from_db()
    assert row.read_at is not None and unread_count(user) == 0


def test_only_the_recipient_sees_or_marks_a_notification():
    owner, stranger = make_user(), make_user(Role.SUPERVISOR)
    _give(owner)
    row = Notification.objects.get()
    client = _client(stranger)
    assert client.get(reverse("notify:open", args=[row.uuid])).status_code == 404
    assert client.post(reverse("notify:read", args=[row.uuid])).status_code == 404
    client.post(reverse("notify:read_all"))
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_one_read_with_and_without_htmx():
    user = make_user()
    _give(user, 2)
    client = _client(user)
    first, second = Notification.objects.order_by("key")
    response = client.post(reverse("notify:read", args=[first.uuid]), {"page": "1"})
    assert response.status_code == 302 and response["Location"] == "/notifikasi/?page=1"
    response = client.post(reverse("notify:read", args=[second.uuid]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = response.content.decode()
    assert f'id="n-{second.uuid}"' in fragment and "is-unread" not in fragment
    assert "<html" not in fragment
    assert unread_count(user) == 0
    assert client.get(reverse("notify:read", args=[first.uuid])).status_code == 405


def test_mark_all_read():
    user = make_user()
    _give(user, 3)
    response = _client(user).post(reverse("notify:read_all"))
    assert response.status_code == 302
    assert unread_count(user) == 0


def test_preferences_page_saves_a_choice_per_kind():
    user = make_user()
    client = _client(user)
    page = client.get(reverse("notify:preferences"))
    assert page.status_code == 200
    body = page.content.decode()
    assert f'name="kind_{workflow.BREAK_GLASS_USED}"' in body
    # Urgent kinds offer no "inbox only".
    assert f'name="kind_{workflow.BREAK_GLASS_USED}" value="none"' not in body
    assert f'name="kind_{workflow.REMINDER}" value="none"' in body
    data = {f"kind_{key}": "digest" for key in _all_kinds()}
    data[f"kind_{workflow.REMINDER}"] = "none"
    data[f"kind_{workflow.BREAK_GLASS_USED}"] = "immediate"
    response = client.post(reverse("notify:preferences"), data)
    assert response.status_code == 302
    saved = NotificationPreference.objects.get(user=user).by_kind
    assert saved[workflow.REMINDER] == "none" and saved[workflow.TASK_ASSIGNED] == "digest"
    assert AuditEvent.objects.filter(kind="notify.preferences_changed", actor=user).exists()


def test_preferences_refuse_bad_input_with_a_400():
    user = make_user()
    client = _client(user)
    data = {f"kind_{key}": "digest" for key in _all_kinds()}
    data[f"kind_{workflow.BREAK_GLASS_USED}"] = "none"
    assert client.post(reverse("notify:preferences"), data).status_code == 400
    assert client.post(reverse("notify:preferences"), {}).status_code == 400
    assert not NotificationPreference.objects.exists()


def test_the_menu_offers_the_inbox_to_everyone():
    item = next(item for item in nav_items() if item.url_name == "notify:inbox")
    assert item.order == 5 and item.shown_to(make_user(Role.RT_HEAD))


def test_unread_count_is_zero_for_anonymous():
    from django.contrib.auth.models import AnonymousUser

    assert unread_count(AnonymousUser()) == 0


def test_pages_need_a_signed_in_user():
    for name in ("notify:inbox", "notify:preferences"):
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def _all_kinds():
    from kawal.notify.kinds import kinds

    return [kind.key for kind in kinds()]
