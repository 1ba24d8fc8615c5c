from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import DataClass, Role
from kawal.access.models import AccessLog
from kawal.cases import services as svc
from kawal.cases.models import BreakGlassGrant
from kawal.notify.models import OutboxMessage
from tests.cases.conftest import MARKERS
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db
REASON = "Anak dilaporkan hilang dari rumah aman malam ini"


def test_only_supervisors_and_investigators_may_break_glass(world):
    for role in Role:
        user = make_user(role)
        if role in (Role.SUPERVISOR, Role.INVESTIGATOR):
            svc.break_glass_open(world.case, reason=REASON, acting_user=user)
        else:
            with pytest.raises(PermissionDenied):
                svc.break_glass_open(world.case, reason=REASON, acting_user=user)


def test_a_reason_is_required(world):
    with pytest.raises(ValidationError):
        svc.break_glass_open(world.case, reason="darurat", acting_user=make_user(Role.SUPERVISOR))


def test_break_glass_opens_basic_identity_whereabouts_never_clinical_and_expires(world):
    other = make_user(Role.SUPERVISOR, username="other-boss")
    client = Client()
    sign_in(client, other)
    url = reverse("cases:detail", kwargs={"case_uuid": world.case.uuid})
    assert client.get(url).status_code == 404
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        response = client.post(
            reverse("cases:break_glass"), {"number": world.case.number, "reason": REASON}
        )
        assert response.status_code == 302
        sign_in(client, other)
        body = client.get(url).content.decode()
    for data_class in (DataClass.BASIC, DataClass.IDENTITY, DataClass.WHEREABOUTS):
        assert MARKERS[data_class] in body
    for data_class in (DataClass.CLINICAL, DataClass.INVESTIGATION, DataClass.FINANCIAL):
        assert MARKERS[data_class] not in body
    assert AccessLog.objects.filter(user=other, action="view", via_break_glass=True).exists()
    assert AccessLog.objects.filter(user=other, action="break_glass").exists()
    # The owner's supervisor is alerted, without child data in the message.
    alert = OutboxMessage.objects.get(recipient=world.supervisor.email)
    assert MARKERS[DataClass.IDENTITY] not in alert.body and world.case.number in alert.body
    with time_machine.travel(start + timedelta(hours=4, minutes=1), tick=False):
        sign_in(client, other)
        assert client.get(url).status_code == 404
    # It is read-only: no writing through emergency access.
    later = start + timedelta(minutes=5)
    with time_machine.travel(later, tick=False), pytest.raises(PermissionDenied):
        svc.note_add(world.case, data_class="basic", body="x", acting_user=other)


def test_review_queue(world):
    cop = make_user(Role.INVESTIGATOR)
    svc.break_glass_open(world.case, reason=REASON, acting_user=cop)
    dpo = make_user(Role.DATA_PROTECTION_OFFICER)
    client = Client()
    sign_in(client, dpo)
    queue = reverse("cases:break_glass_queue")
    assert world.case.number in client.get(queue).content.decode()
    grant = BreakGlassGrant.objects.get()
    client.post(queue, {"grant": str(grant.uuid), "outcome": "Wajar: anak hilang"})
    grant.refresh_from_db()
    assert grant.reviewed_by == dpo
    assert world.case.number not in client.get(queue).content.decode()
    with pytest.raises(PermissionDenied):
        svc.break_glass_review(grant, outcome="self", acting_user=cop)
