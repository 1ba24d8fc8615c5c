from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from kawal.accounts.models import User
from kawal.demo.notify import demo_load_notify
from kawal.notify.models import Notification
from kawal.notify.selectors import unread_count

pytestmark = pytest.mark.django_db


def test_every_demo_account_gets_a_few_and_a_second_run_adds_nothing():
    with override_settings(KAWAL_DEMO_PASSWORD="kawal-demo"):
        call_command("demo", "--no-serve", "--cases=12", stdout=StringIO())
    made = demo_load_notify()
    assert made > 0
    accounts = list(User.objects.filter(is_demo_account=True))
    for user in accounts:
        assert Notification.objects.filter(recipient=user).exists(), user.username
        assert unread_count(user) >= 1, user.username
    assert Notification.objects.filter(read_at__isnull=False).exists()
    supervisor = User.objects.get(username="supervisor")
    assert Notification.objects.filter(recipient=supervisor).count() >= 2
    before = list(Notification.objects.values_list("pk", "read_at"))
    assert demo_load_notify() == 0
    assert list(Notification.objects.values_list("pk", "read_at")) == before
