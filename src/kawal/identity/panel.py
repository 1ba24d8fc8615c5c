"""The candidate panel shown before a new child is registered.

What a candidate shows obeys the case policy: a user who may see the
child's identity through one of the child's cases sees the name, age, area,
cases and the explanation of the score. At case opening anyone else learns
only that a possible match exists and whom to ask (the case manager and their
agency). An outreach capture shows hidden candidates not at all: it is saved
for review whatever the registry holds (``capture_panel``), so that it cannot
be used to test whether a child one may not see is on file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db.models import Q

from kawal.access.catalogue import DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.cases.models import Case, CaseStatus
from kawal.cases.policy import case_access_bulk
from kawal.identity.index import Candidate, lookup, rescore_readable
from kawal.identity.matching import Record
from kawal.identity.models import DuplicatePair, IdentityRecord, PairStatus
from kawal.identity.services import cluster_ids, sees_identity_of
from kawal.people.models import Person

SALT = "kawal.identity.panel"


@dataclass
class PanelEntry:
    candidate: Candidate
    visible: bool
    child: Person | None = None  # only when visible
    cases: list[Case] = field(default_factory=list)  # only when visible
    open_case: Case | None = None
    # Knows who the child is through that open case: may add a child found to it.
    open_case_known: bool = False
    reopenable: Case | None = None  # the user's own latest closed case of the child
    open_elsewhere: bool = False  # an open case the user may not see
    # Seen through a standing relation, not emergency access alone: a link lasts.
    linkable: bool = False
    # Reads where the child is (whereabouts) through a case: the school may be compared.
    whereabouts: bool = False
    contact_name: str = ""
    contact_agency: str = ""

    @property
    def band(self) -> str:
        return self.candidate.score.band

    @property
    def explanation(self) -> list[dict[str, Any]]:
        if not self.visible:
            return []
        rows = self.candidate.score.explain()
        # "School: same" would tell where the child is found to a reader of
        # identity alone, as the comparison page's school does not.
        return [row for row in rows if self.whereabouts or row["field"] != "school"]

    @property
    def choice(self) -> str:
        if not self.visible or self.child is None or self.open_elsewhere or not self.linkable:
            return ""
        return f"link:{self.child.uuid}"


def intake_panel(
    request: Any, record: Record, *, exclude_roots: Iterable[int] = (), limit: int = 5
) -> list[PanelEntry]:
    """Candidates for what the user typed, each shown as much as the user may see.

    ``exclude_roots`` are children known to be someone else (a sibling the
    user named), who would otherwise often come up.
    """
    user = request.user
    candidates = lookup(record, exclude_roots=exclude_roots, limit=limit)
    if not candidates:
        return []
    roots = {c.root_id: c for c in candidates}
    members = {root: cluster_ids(root) for root in roots}
    by_child: dict[int, int] = {pid: root for root, ids in members.items() for pid in ids}
    cases = list(
        Case.objects.filter(child_id__in=by_child)
        .select_related("owner__agency", "child")
        .order_by("opened_on", "pk")
    )
    access = case_access_bulk(user, cases)
    people = Person.objects.in_bulk(list(roots))
    entries: list[PanelEntry] = []
    for candidate in candidates:
        own = [case for case in cases if by_child[case.child_id] == candidate.root_id]
        seen = [case for case in own if case.pk in access and access[case.pk].sees_identity]
        if seen and candidate.case_id not in {None, *(case.pk for case in seen)}:
            # The best match is how a case the user does not see wrote the child:
            # its explanation would tell where that case found them. Scored again
            # on what the user reads; if that is no match, they learn whom to ask.
            readable = rescore_readable(record, candidate.root_id, [case.pk for case in seen])
            if readable is None:
                seen = []
            else:
                candidate = readable
        latest = own[-1] if own else None
        still_open = next((case for case in own if case.status != CaseStatus.CLOSED), None)
        entry = PanelEntry(candidate=candidate, visible=bool(seen))
        # Whom to ask: whoever holds the open case, else the latest one.
        holder = still_open or latest
        contact = holder.owner if holder is not None else _capture_lead(candidate.root_id)
        if contact is not None:
            entry.contact_name = contact.get_full_name() or contact.get_username()
            entry.contact_agency = str(contact.agency or "")
        if entry.visible:
            entry.child = people.get(candidate.root_id)
            entry.cases = seen
            entry.linkable = any(access[case.pk].knows_identity for case in seen)
            entry.whereabouts = any(
                access[case.pk].can_read(DataClass.WHEREABOUTS) for case in seen
            )
            if still_open is not None:
                # An open case the user may not see still blocks a second one.
                entry.open_case = still_open if still_open in seen else None
                entry.open_case_known = (
                    entry.open_case is not None and access[still_open.pk].knows_identity
                )
                entry.open_elsewhere = still_open not in seen
            else:
                closed = [case for case in seen if access[case.pk].leads]
                entry.reopenable = closed[-1] if closed else None
        entries.append(entry)
    visible_cases = [case for entry in entries if entry.visible for case in entry.cases]
    hidden_cases = [
        case
        for entry in entries
        if not entry.visible
        for case in cases
        if by_child[case.child_id] == entry.candidate.root_id
    ]
    # Showing a candidate is a read of that child's identity; even a hidden
    # match tells that the child is on file, so it is logged too (basic).
    if visible_cases:
        access_log_write(
            request,
            action=AccessAction.SEARCH,
            cases=[(case.pk, case.number) for case in visible_cases],
            data_classes=["basic", "identity"],
        )
    if hidden_cases:
        access_log_write(
            request,
            action=AccessAction.SEARCH,
            cases=[(case.pk, case.number) for case in hidden_cases],
            data_classes=["basic"],
        )
    return entries


def capture_panel(entries: list[PanelEntry]) -> list[PanelEntry]:
    """What a capture may show of ``intake_panel``'s candidates: the visible ones only.

    A hidden candidate is still queued for review when the capture is saved,
    but saying so, or naming whom to ask, would tell the user that a child they
    may not see answers to the name they typed.
    """
    return [entry for entry in entries if entry.visible]


def pairs_seen_by(user: Any, person_ids: Iterable[int]) -> set[int]:
    """Of these children, those paired for review with a child whose identity the user sees.

    Who may not see the other child must read "saved for review" whether or not
    such a pair exists.
    """
    ids = set(person_ids)
    if not ids:
        return set()
    others: dict[int, set[int]] = {}
    pairs = DuplicatePair.objects.filter(Q(first_id__in=ids) | Q(second_id__in=ids)).exclude(
        status=PairStatus.OPEN,
        band="",  # scored again below "possible": not for review
    )
    for first, second in pairs.values_list("first_id", "second_id"):
        if first in ids:
            others.setdefault(first, set()).add(second)
        if second in ids:
            others.setdefault(second, set()).add(first)
    partners = {other for found in others.values() for other in found}
    roots = dict(
        IdentityRecord.objects.filter(person_id__in=partners).values_list("person_id", "root_id")
    )
    seen: dict[int, bool] = {}
    result = set()
    for child, found in others.items():
        for other in found:
            root = roots.get(other, other)
            if root not in seen:
                seen[root] = sees_identity_of(user, root)
            if seen[root]:
                result.add(child)
                break
    return result


# Apps above identity that meet children before any case exists (outreach)
# say whom to ask about such a child: ``(person ids of the child) -> user``.
_UNCASED_CONTACTS: list[Callable[[list[int]], Any]] = []


def register_uncased_contact(find: Callable[[list[int]], Any]) -> None:
    """Called from an app's ``ready()``; identity imports no app above it."""
    if find not in _UNCASED_CONTACTS:
        _UNCASED_CONTACTS.append(find)


def _capture_lead(person_id: int) -> Any:
    """For a child with no case yet: whom the apps that met them name."""
    ids = cluster_ids(person_id)
    for find in _UNCASED_CONTACTS:
        contact = find(ids)
        if contact is not None:
            return contact
    return None


def panel_signature(record: Record, entries: list[PanelEntry]) -> str:
    """Proof that the user was shown these candidates for these details.

    Changing the name or birth details, or a new candidate appearing, makes the
    signature differ, so the panel is shown again before anything is saved.
    """
    facts = {
        "tokens": record.tokens,
        "aliases": record.alias_tokens,
        "years": record.years,
        "birth": str(record.birth_date),
        "nik": record.nik,
        "roots": sorted(entry.candidate.root_id for entry in entries),
    }
    digest = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()
    return signing.Signer(salt=SALT).sign(digest)


def signature_matches(given: str, expected: str) -> bool:
    try:
        return signing.Signer(salt=SALT).unsign(given) == signing.Signer(salt=SALT).unsign(expected)
    except signing.BadSignature:
        return False
