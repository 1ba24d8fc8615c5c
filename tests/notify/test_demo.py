from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from kawal.accounts.models import User
from kawal.cases import services as cases
from kawal.demo.notify import demo_load_notify
from kawal.notify.models import Notification
from kawal.notify.selectors import unread_count
from tests.cases.conftest import open_case

pytestmark = pytest.mark.django_db


def test_every_demo_account_gets_a_few_and_a_second_run_adds_nothing():
    # The accounts only: building demo cases takes seconds; one case will do.
    with override_settings(KAWAL_DEMO_PASSWORD="kawal-demo"):
        call_command("demo", "--no-serve", "--cases=0", stdout=StringIO())
    manager = User.objects.get(username="manajer")
    supervisor = User.objects.get(username="supervisor")
    case = open_case(manager, supervisor, name="Demo Sintetis")
    cases.task_create(
        case,
        title="Kunjungan",
        assignee=manager,
        assignee_agency=None,
        due_on=None,
        acting_user=manager,
    )
    cases.approval_request(case, kind="closure", comment="", acting_user=manager)
    Notification.objects.all().delete()  # only what the loader makes
    made = demo_load_notify()
    assert made > 0
    accounts = list(User.objects.filter(is_demo_account=True))
    for user in accounts:
        assert Notification.objects.filter(recipient=user).exists(), user.username
        assert unread_count(user) >= 1, user.username
    assert Notification.objects.filter(read_at__isnull=False).exists()
    assert Notification.objects.filter(recipient=supervisor).count() == 2  # welcome, approval
    assert Notification.objects.filter(recipient=manager).count() == 2  # welcome, task
    before = list(Notification.objects.values_list("pk", "read_at"))
    assert demo_load_notify() == 0
    assert list(Notification.objects.values_list("pk", "read_at")) == before
