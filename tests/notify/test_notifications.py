from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kawal.access.catalogue import AgencyKind, Role
from kawal.cases import services as cases
from kawal.cases.models import Task
from kawal.notify import workflow
from kawal.notify.kinds import NotificationKind, kind_for, kinds, register_kind
from kawal.notify.models import EmailDelivery, Notification, OutboxMessage
from kawal.notify.selectors import unread_count
from kawal.notify.services import (
    notification_preferences_set,
    notify_users,
    outbox_deliver,
    send_digests,
)
from tests.helpers import make_user
from tests.notify.conftest import MARKERS, agency_with, texts_written

pytestmark = pytest.mark.django_db
URGENT = workflow.BREAK_GLASS_USED
CALM = workflow.TASK_ASSIGNED


def _notify(users, kind=CALM, key="k1", url="/kasus/", number="KA-1"):
    return notify_users(users=users, kind=kind, url=url, key=key, case_number=number)


def test_one_notification_per_user_and_key():
    a, b = make_user(Role.CASE_MANAGER), make_user(Role.SUPERVISOR)
    assert _notify([a, b, a]) == 2
    assert _notify([a, b]) == 0  # the same key again: nothing new
    assert _notify([a], key="k2") == 1
    assert Notification.objects.filter(recipient=a).count() == 2
    assert unread_count(a) == 2 and unread_count(b) == 1


def test_inactive_users_and_nobody_get_nothing():
    gone = make_user(Role.CASE_MANAGER, is_active=False)
    assert _notify([gone, None]) == 0
    assert _notify([]) == 0
    assert not Notification.objects.exists()


def test_unknown_kinds_and_foreign_links_are_refused():
    user = make_user()
    with pytest.raises(LookupError):
        _notify([user], kind="no_such_kind")
    for url in ("https://evil.example/", "//evil.example/x", "kasus/", "/\\evil"):
        with pytest.raises(ValueError):
            _notify([user], url=url)
    with pytest.raises(ValueError):
        _notify([user], key="")
    assert not Notification.objects.exists()


def test_urgent_kinds_are_emailed_at_once_and_others_wait_for_the_digest():
    user = make_user()
    _notify([user], kind=URGENT, key="u")
    _notify([user], kind=CALM, key="c")
    urgent = Notification.objects.get(key="u")
    calm = Notification.objects.get(key="c")
    assert urgent.email == EmailDelivery.IMMEDIATE and urgent.emailed_at is not None
    assert calm.email == EmailDelivery.DIGEST and calm.emailed_at is None
    message = OutboxMessage.objects.get()
    assert message.recipient == user.email
    assert message.idempotency_key == f"notification:{user.pk}:u"
    assert "KA-1" in message.body
    assert f"http://127.0.0.1:8000/notifikasi/{urgent.uuid}/" in message.body


def test_preferences_choose_per_kind_and_no_address_means_no_email():
    user = make_user()
    notification_preferences_set(
        by_kind={CALM: EmailDelivery.IMMEDIATE, workflow.REMINDER: EmailDelivery.NONE},
        acting_user=user,
    )
    _notify([user], kind=CALM, key="a")
    _notify([user], kind=workflow.REMINDER, key="b")
    assert OutboxMessage.objects.get().idempotency_key.endswith(":a")
    assert Notification.objects.get(key="b").email == EmailDelivery.NONE
    silent = make_user(email="")
    _notify([silent], kind=URGENT, key="c")
    assert Notification.objects.get(key="c").email == EmailDelivery.NONE
    assert OutboxMessage.objects.count() == 1


def test_urgent_kinds_cannot_be_switched_off_and_unknown_choices_are_refused():
    from django.core.exceptions import ValidationError

    user = make_user()
    for choice in ({URGENT: EmailDelivery.NONE}, {"no_such_kind": "digest"}, {CALM: "often"}):
        with pytest.raises(ValidationError):
            notification_preferences_set(by_kind=choice, acting_user=user)
    notification_preferences_set(by_kind={URGENT: EmailDelivery.DIGEST}, acting_user=user)
    _notify([user], kind=URGENT)
    assert Notification.objects.get().email == EmailDelivery.DIGEST


def test_a_rolled_back_change_leaves_no_notification_and_no_email(scene):
    before = Notification.objects.count(), OutboxMessage.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        cases.break_glass_open(
            scene.case,
            reason="Anak dilaporkan hilang malam ini (sintetis)",
            acting_user=make_user(Role.INVESTIGATOR),
        )
        assert Notification.objects.filter(kind=URGENT).exists()
        assert OutboxMessage.objects.count() == before[1] + 1
        raise RuntimeError("the change fails after the notification was written")
    assert (Notification.objects.count(), OutboxMessage.objects.count()) == before


def test_registry_refuses_a_different_kind_under_a_taken_key():
    assert kind_for(URGENT).urgent
    assert next(kind.key for kind in kinds()) == URGENT  # urgent ones first
    with pytest.raises(ValueError):
        register_kind(NotificationKind(key=URGENT, label="x", text=gettext_lazy("y")))
    register_kind(kind_for(URGENT))  # registering the same kind again is harmless


# --- The digest ------------------------------------------------------------------


def test_one_digest_per_user_and_day_with_what_is_unread():
    a, b = make_user(), make_user()
    day = timezone.localdate()
    _notify([a, b], key="one")
    _notify([a], key="two")
    Notification.objects.filter(recipient=b).update(read_at=timezone.now())  # b saw it
    assert send_digests(day=day) == 1
    digest = OutboxMessage.objects.get()
    assert digest.recipient == a.email
    assert digest.idempotency_key == f"digest:{a.pk}:{day.isoformat()}"
    listed = [line for line in digest.body.splitlines() if line.startswith("- ")]
    assert len(listed) == 2 and all("/notifikasi/" in line for line in listed)
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    # The same day again: nothing, even with something new; it waits for tomorrow.
    _notify([a], key="three")
    assert send_digests(day=day) == 0
    assert OutboxMessage.objects.count() == 1
    assert send_digests(day=day + timedelta(days=1)) == 1
    assert OutboxMessage.objects.count() == 2
    assert "/notifikasi/" in OutboxMessage.objects.last().body


def test_the_digest_leaves_out_what_arrives_after_the_day():
    user = make_user()
    day = timezone.localdate()
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        _notify([user], key="tomorrow")
    assert send_digests(day=day) == 0
    assert send_digests(day=day + timedelta(days=1)) == 1


def test_digests_are_delivered_after_commit(django_capture_on_commit_callbacks):
    user = make_user()
    _notify([user])
    with django_capture_on_commit_callbacks(execute=True):
        send_digests(day=timezone.localdate())
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]


# --- Causes in the case workflow ----------------------------------------------------


def test_a_task_notifies_its_assignee_but_not_who_gave_it_to_themselves(scene):
    cases.task_create(
        scene.case,
        title="Kunjungan ke MARKER-SHELTER-8841",
        assignee=scene.helper,
        assignee_agency=None,
        due_on=None,
        acting_user=scene.owner,
    )
    cases.task_create(
        scene.case,
        title="Sendiri",
        assignee=scene.owner,
        assignee_agency=None,
        due_on=None,
        acting_user=scene.owner,
    )
    [row] = Notification.objects.filter(kind=CALM)
    assert row.recipient == scene.helper
    assert row.url == "/tugas/" and row.case_number == scene.case.number


def test_an_agency_task_reaches_its_people_who_work_cases_bounded(scene):
    agency, people = agency_with(
        AgencyKind.DINAS_SOSIAL, Role.SOCIAL_WORKER, Role.SOCIAL_WORKER, Role.FINANCE_OFFICER
    )
    make_user(Role.SOCIAL_WORKER, username="dinsos-gone", agency=agency, is_active=False)
    cases.task_create(
        scene.case,
        title="Asesmen",
        assignee=None,
        assignee_agency=agency,
        due_on=None,
        acting_user=scene.owner,
    )
    reached = set(Notification.objects.filter(kind=CALM).values_list("recipient", flat=True))
    from kawal.access.policy import reads_cases

    assert reached == {user.pk for user in people if reads_cases(user)}
    assert len(reached) >= 2
    for index in range(cases.AGENCY_NOTICE_MAX + 5):
        make_user(Role.SOCIAL_WORKER, username=f"dinsos-extra-{index}", agency=agency)
    cases.task_create(
        scene.case,
        title="Asesmen lagi",
        assignee=None,
        assignee_agency=agency,
        due_on=None,
        acting_user=scene.owner,
    )
    task = Task.objects.get(title="Asesmen lagi")
    assert Notification.objects.filter(key=f"task:{task.uuid}:assigned").count() == (
        cases.AGENCY_NOTICE_MAX
    )


def test_every_reminder_task_notifies_once(scene):
    task, created = cases.task_remind(
        scene.case, key="obs:1", title="Observasi harian", assignee=scene.helper
    )
    again, created_again = cases.task_remind(
        scene.case, key="obs:1", title="Observasi harian", assignee=scene.helper
    )
    assert created and not created_again and again.pk == task.pk
    [row] = Notification.objects.filter(kind=workflow.REMINDER)
    assert row.recipient == scene.helper
    cases.task_remind(scene.case, key="obs:2", title="Untuk siapa saja")
    # A reminder for nobody in particular goes to the case's owner.
    assert Notification.objects.get(kind=workflow.REMINDER, recipient=scene.owner)


def test_referral_approval_and_break_glass_reach_the_right_people(scene):
    agency, people = agency_with(AgencyKind.PSYCHOLOGY, Role.PSYCHOLOGIST, Role.PSYCHOLOGIST)
    cases.referral_request(
        scene.case,
        to_agency=agency,
        data_classes=["identity"],
        reason="Butuh pendampingan psikolog",
        acting_user=scene.owner,
    )
    referred = Notification.objects.filter(kind=workflow.REFERRAL_RECEIVED)
    assert {row.recipient_id for row in referred} == {user.pk for user in people}
    assert {row.url for row in referred} == {"/kasus/rujukan/"}

    approval = cases.approval_request(
        scene.case, kind="closure", comment="", acting_user=scene.owner
    )
    asked = Notification.objects.get(kind=workflow.APPROVAL_REQUESTED)
    assert asked.recipient == scene.supervisor
    assert asked.url == f"/kasus/{scene.case.uuid}/"
    cases.approval_decide(approval, approve=True, comment="", acting_user=scene.supervisor)
    assert Notification.objects.get(kind=workflow.APPROVAL_DECIDED).recipient == scene.owner

    cases.break_glass_open(
        scene.case,
        reason="Anak dilaporkan hilang malam ini (sintetis)",
        acting_user=make_user(Role.INVESTIGATOR),
    )
    alert = Notification.objects.get(kind=URGENT)
    assert alert.recipient == scene.supervisor and alert.url == "/kasus/darurat/tinjau/"
    assert OutboxMessage.objects.filter(recipient=scene.supervisor.email).count() == 1


def test_no_child_identity_or_whereabouts_in_any_notification_or_email(
    scene, django_capture_on_commit_callbacks
):
    agency, _people = agency_with(AgencyKind.PSYCHOLOGY, Role.PSYCHOLOGIST)
    everyone = [scene.owner, scene.supervisor, scene.helper]
    for user in everyone:  # every kind by e-mail, so every text is rendered
        delivery = EmailDelivery.DIGEST if user == scene.owner else EmailDelivery.IMMEDIATE
        notification_preferences_set(
            by_kind={kind.key: delivery for kind in kinds()}, acting_user=user
        )
    cases.task_create(
        scene.case,
        title="Antar ke MARKER-SHELTER-8841",
        assignee=scene.helper,
        assignee_agency=None,
        due_on=None,
        acting_user=scene.owner,
    )
    cases.task_remind(scene.case, key="m:1", title="Notifa Markerchild", assignee=scene.helper)
    cases.referral_request(
        scene.case,
        to_agency=agency,
        data_classes=["identity"],
        reason="Notifa Markerchild di MARKER-SHELTER-8841",
        acting_user=scene.owner,
    )
    approval = cases.approval_request(
        scene.case, kind="closure", comment="Notifa Markerchild", acting_user=scene.owner
    )
    cases.approval_decide(
        approval, approve=False, comment="MARKER-ADDRESS-5126", acting_user=scene.supervisor
    )
    cases.break_glass_open(
        scene.case,
        reason="Notifa Markerchild hilang dari MARKER-SHELTER-8841",
        acting_user=make_user(Role.INVESTIGATOR),
    )
    with django_capture_on_commit_callbacks(execute=True):
        # The owner's, and the referred psychologist's (the default puts referrals there).
        assert send_digests(day=timezone.localdate()) == 2
    outbox_deliver()
    assert Notification.objects.values("kind").distinct().count() == 6
    assert OutboxMessage.objects.count() >= 6
    written = texts_written() + [m.subject + m.body for m in mail.outbox]
    for marker in MARKERS:
        assert not [text for text in written if marker in text], marker
