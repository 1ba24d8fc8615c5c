"""A case whose child carries marker strings for identity and whereabouts, and its people."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kawal.access.catalogue import DataClass, Role
from kawal.accounts.models import Agency, User
from kawal.cases import services as cases
from kawal.cases.models import Case, SharingBasis
from kawal.notify.models import Notification, OutboxMessage
from tests.cases.conftest import open_case
from tests.helpers import make_user

# Unique strings that must never reach a notification or an e-mail.
CHILD_NAME = "Notifa Markerchild"
CHILD_STREET = "Jl. MARKER-ADDRESS-5126"
SHELTER_NOTE = "Tinggal di MARKER-SHELTER-8841"
MARKERS = (CHILD_NAME, "Markerchild", "MARKER-ADDRESS-5126", "MARKER-SHELTER-8841")


@dataclass
class Scene:
    case: Case
    owner: User
    supervisor: User
    helper: User


@pytest.fixture
def scene(db) -> Scene:
    owner = make_user(Role.CASE_MANAGER, username="ntf-owner")
    supervisor = make_user(Role.SUPERVISOR, username="ntf-boss")
    helper = make_user(Role.CASE_MANAGER, username="ntf-helper")
    case = open_case(owner, supervisor, name=CHILD_NAME)
    case.child.street = CHILD_STREET
    case.child.save(update_fields=["street"])
    case = cases.case_update(
        case,
        expected_version=case.version,
        changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
        acting_user=owner,
    )
    cases.member_add(
        case, user=helper, case_role="pendamping", data_classes=["identity"], acting_user=owner
    )
    cases.note_add(case, data_class=DataClass.WHEREABOUTS, body=SHELTER_NOTE, acting_user=owner)
    return Scene(case=case, owner=owner, supervisor=supervisor, helper=helper)


def agency_with(kind: str, *roles: Role) -> tuple[Agency, list[User]]:
    agency = Agency.objects.create(name=f"Agency {kind} (synthetic)", kind=kind)
    people = [
        make_user(role, username=f"{kind}-{index}", agency=agency)
        for index, role in enumerate(roles)
    ]
    return agency, people


def texts_written() -> list[str]:
    """Every text a notification or an outgoing message carries."""
    out: list[str] = []
    for row in Notification.objects.all():
        out += [row.kind, row.url, row.case_number, row.key]
    for message in OutboxMessage.objects.all():
        out += [message.subject, message.body, message.recipient, message.idempotency_key]
    return out
