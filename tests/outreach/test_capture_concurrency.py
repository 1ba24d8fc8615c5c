"""Opening a case from a capture while another opening names the same child's case, on PostgreSQL.

Two real transactions in two threads; on SQLite (one writer at a time by
design) the test is skipped.
"""

from __future__ import annotations

import threading

from django.db import connection, connections, transaction
from django.utils import timezone

from kawal.cases.extensions import Origin, opening_sources
from kawal.cases.models import Case, CaseForm
from kawal.cases.services import NewCase, case_number_next, case_open
from tests.helpers import CONCURRENT_WRITERS
from tests.identity.conftest import close
from tests.identity.test_concurrency import _a_session_waits_for_a_lock
from tests.outreach.test_captures import saved_by_patrol, scene  # noqa: F401 - a fixture

pytestmark = CONCURRENT_WRITERS


def test_a_case_opened_from_a_capture_does_not_deadlock_with_a_siblings_opening(client, scene):  # noqa: F811
    """The opening for the known child joins the capture's record, which locks the
    child's earlier cases; an opening for a brother or sister draws its case
    number, then locks the earlier case it names as the sibling's. Each took
    one lock the other wanted ("deadlock detected"), unless both draw the
    number first.
    """
    owner, _boss, patrol, known = scene
    close(known)
    _operation, capture = saved_by_patrol(client, owner, patrol)
    source = next(s for s in opening_sources() if s.key == "outreach.capture")
    errors: list[BaseException] = []
    opened: list[Case] = []

    def open_for_the_known_child() -> None:
        try:
            new = NewCase(
                child={},
                existing_child=known.child,
                origins=[Origin(source, capture)],
                intake_channel="outreach",
                risk_level="medium",
                forms=[CaseForm.FORCED_SELLING],
            )
            opened.append(case_open(new, acting_user=owner))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    opening = threading.Thread(target=open_for_the_known_child)
    with transaction.atomic():
        # What a sibling's opening does first: draw its number.
        case_number_next(timezone.localdate().year)
        opening.start()
        assert _a_session_waits_for_a_lock(), errors
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '5s'")
        # Then it locks the case it names as the sibling's.
        Case.objects.select_for_update().get(pk=known.pk)
    opening.join(20)
    assert not errors
    assert opened and opened[0].repeat_of_id == known.pk
