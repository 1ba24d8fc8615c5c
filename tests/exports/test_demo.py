from __future__ import annotations

import pytest

from kawal.access.catalogue import Role
from kawal.demo.exports import demo_load_exports
from kawal.exports.models import ExportRequest, ExportStatus
from tests.exports.conftest import open_case
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def test_the_demo_leaves_one_named_export_waiting_and_runs_once():
    manager = make_user(Role.CASE_MANAGER, username="manajer", is_demo_account=True)
    supervisor = make_user(Role.SUPERVISOR, username="supervisor", is_demo_account=True)
    case = open_case(manager, supervisor)
    case.risk_level = "high"
    case.save(update_fields=["risk_level"])
    assert demo_load_exports() == 1
    export = ExportRequest.objects.get()
    assert export.status == ExportStatus.WAITING and "identity" in export.data_classes
    assert demo_load_exports() == 0
    assert ExportRequest.objects.count() == 1
