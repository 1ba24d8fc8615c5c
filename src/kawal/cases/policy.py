"""Who may do what to which case: the role catalogue combined with the user's relation.

A user may act on a case only if both hold:
1. their role allows that action on that class of data (``kawal.access.catalogue``), and
2. they are related to the case: owner, its supervisor, a team member (in
   person or through their agency), a member of an agency with an accepted
   referral, or holder of a live break-glass grant.

The same rules answer three questions: "may this user do X", "may they do X
to this case" (``case_access``) and "which cases may they see"
(``cases_visible_to``), so a list can never show what a detail page refuses.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kawal.access.catalogue import Capability, DataClass
from kawal.access.policy import actor_spec
from kawal.cases.models import BreakGlassGrant, Case, CaseMember, Referral, ReferralStatus

# Break-glass opens these and never more (never clinical or investigation).
BREAK_GLASS_CLASSES = frozenset({DataClass.BASIC, DataClass.IDENTITY, DataClass.WHEREABOUTS})


class Relation(enum.Enum):
    OWNER = "owner"
    SUPERVISOR = "supervisor"
    MEMBER = "member"
    AGENCY_MEMBER = "agency_member"
    REFERRAL = "referral"
    BREAK_GLASS = "break_glass"


@dataclass(frozen=True)
class CaseAccess:
    relations: frozenset[Relation]
    readable: frozenset[DataClass]
    writable: frozenset[DataClass]
    capabilities: frozenset[Capability]
    # What the user reads through a standing relation, break-glass left out.
    held_readable: frozenset[DataClass] = frozenset()

    def can_read(self, data_class: str) -> bool:
        return data_class in self.readable

    def can_write(self, data_class: str) -> bool:
        return data_class in self.writable

    @property
    def via_break_glass(self) -> bool:
        return self.relations == frozenset({Relation.BREAK_GLASS})

    @property
    def leads(self) -> bool:
        """Owner or supervisor: may manage the team, workflow and sharing."""
        return bool(self.relations & {Relation.OWNER, Relation.SUPERVISOR}) and (
            DataClass.BASIC in self.writable
        )

    @property
    def approves(self) -> bool:
        return Relation.SUPERVISOR in self.relations and Capability.APPROVE in self.capabilities

    @property
    def sees_identity(self) -> bool:
        return DataClass.IDENTITY in self.readable

    @property
    def knows_identity(self) -> bool:
        """Reads the child's identity through a standing relation, not emergency access.

        What lasts beyond a break-glass grant (a new case, a link, a merge)
        needs this, or it would outlive the grant.
        """
        return DataClass.IDENTITY in self.held_readable


def _live_memberships(user: Any) -> Q:
    agency_id = getattr(user, "agency_id", None)
    mine = Q(user_id=user.pk)
    if agency_id is not None:
        mine |= Q(agency_id=agency_id)
    return mine & Q(removed_at__isnull=True)


def case_access(user: Any, case: Case) -> CaseAccess | None:
    """What this user may read and write on this case, or None for no access at all."""
    return case_access_bulk(user, [case]).get(case.pk)


def case_access_bulk(user: Any, cases: Iterable[Case]) -> dict[int, CaseAccess]:
    """``case_access`` for a page of cases in a fixed number of queries (no N+1)."""
    spec = actor_spec(user)
    cases = list(cases)
    if spec is None or DataClass.BASIC not in spec.read or not cases:
        return {}
    ids = [case.pk for case in cases]
    grants: dict[int, list[tuple[Relation, set[DataClass] | None]]] = {pk: [] for pk in ids}
    for case in cases:
        if case.owner_id == user.pk:
            grants[case.pk].append((Relation.OWNER, None))
        if case.supervisor_id == user.pk:
            grants[case.pk].append((Relation.SUPERVISOR, None))
    for member in CaseMember.objects.filter(_live_memberships(user), case_id__in=ids):
        relation = Relation.MEMBER if member.user_id == user.pk else Relation.AGENCY_MEMBER
        grants[member.case_id].append((relation, _classes(member.data_classes)))
    if user.agency_id is not None:
        for referral in Referral.objects.filter(
            case_id__in=ids, to_agency_id=user.agency_id, status=ReferralStatus.ACCEPTED
        ):
            grants[referral.case_id].append((Relation.REFERRAL, _classes(referral.data_classes)))
    if Capability.BREAK_GLASS in spec.capabilities:
        live = BreakGlassGrant.objects.filter(
            case_id__in=ids, user_id=user.pk, expires_at__gt=timezone.now()
        ).values_list("case_id", flat=True)
        for case_id in live:
            grants[case_id].append((Relation.BREAK_GLASS, set(BREAK_GLASS_CLASSES)))
    result: dict[int, CaseAccess] = {}
    for case_id, entries in grants.items():
        readable: set[DataClass] = set()
        writable: set[DataClass] = set()
        held: set[DataClass] = set()
        for relation, granted in entries:
            if granted is None:  # leading the case: everything the role allows
                readable |= spec.read
                writable |= spec.write
                held |= spec.read
            else:
                readable |= spec.read & granted
                if relation != Relation.BREAK_GLASS:  # emergency access is read-only
                    writable |= spec.write & granted
                    held |= spec.read & granted
        if entries and DataClass.BASIC in readable:
            result[case_id] = CaseAccess(
                relations=frozenset(relation for relation, _granted in entries),
                readable=frozenset(readable),
                writable=frozenset(writable),
                capabilities=spec.capabilities,
                held_readable=frozenset(held),
            )
    return result


def _classes(values: Iterable[str]) -> set[DataClass]:
    # Every team membership or referral includes the basic facts of the case.
    return {DataClass(value) for value in values if value in DataClass.values} | {DataClass.BASIC}


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Every case the user may see; the one scoping rule behind lists, search and counts."""
    spec = actor_spec(user)
    if spec is None or DataClass.BASIC not in spec.read:
        return Case.objects.none()
    related = Q(owner_id=user.pk) | Q(supervisor_id=user.pk)
    related |= Q(Exists(CaseMember.objects.filter(_live_memberships(user), case=OuterRef("pk"))))
    if user.agency_id is not None:
        related |= Q(
            Exists(
                Referral.objects.filter(
                    case=OuterRef("pk"),
                    to_agency_id=user.agency_id,
                    status=ReferralStatus.ACCEPTED,
                )
            )
        )
    if Capability.BREAK_GLASS in spec.capabilities:
        related |= Q(
            Exists(
                BreakGlassGrant.objects.filter(
                    case=OuterRef("pk"), user_id=user.pk, expires_at__gt=timezone.now()
                )
            )
        )
    return Case.objects.filter(related)
