"""Which figures a role sees, and over which cases (docs/statistics.md, "Who sees what").

Built on the role catalogue and the case policy; no role literal here.

- Every holder of ``VIEW_DASHBOARD`` sees the figures of **their cases**
  (``cases_visible_to``): exact, as nothing in them is new to the viewer.
  Counts by an identity attribute (sex, age band, home kecamatan and
  kelurahan) are exact over the cases whose identity the viewer may read;
  cases they may see but not identify count as hidden for those tables.
- Those who oversee the whole service (``APPROVE``: supervisors;
  ``VIEW_ACCESS_LOG``: the data protection officer) may switch to **the
  city**: every case, with the part made of cases they may not see
  protected as public cells are (``kawal.figures.protect``).
- Operational aggregates a role already reads elsewhere stay exact: shelter
  staff their own shelters' beds (as on their board), social workers the
  children placed per institution against its capacity (as the placement
  rules show them), the funding desk the budget lines (as on the budget
  page), triagers the triage queue's counts.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kawal.access.catalogue import Capability, DataClass
from kawal.access.policy import actor_spec, may
from kawal.cases.models import BreakGlassGrant, Case, CaseMember, Referral, ReferralStatus
from kawal.cases.policy import cases_visible_to

TEAM = "team"
CITY = "city"


def sees_dashboard(user: Any) -> bool:
    return may(user, Capability.VIEW_DASHBOARD)


def sees_city(user: Any) -> bool:
    """May see the city's aggregate (protected), not only their own cases."""
    return sees_dashboard(user) and (
        may(user, Capability.APPROVE) or may(user, Capability.VIEW_ACCESS_LOG)
    )


def scopes_of(user: Any) -> list[str]:
    """The scopes the user may choose, the default first."""
    if not sees_dashboard(user):
        return []
    if not sees_city(user):
        return [TEAM]
    # Someone who leads no case at all starts on the city's figures.
    spec = actor_spec(user)
    reads_cases = spec is not None and DataClass.IDENTITY in spec.read
    return [TEAM, CITY] if reads_cases else [CITY, TEAM]


def sees_triage(user: Any) -> bool:
    return sees_dashboard(user) and may(user, Capability.TRIAGE_REPORTS)


def sees_shelters(user: Any) -> bool:
    """Shelter staff (their shelters) and city overseers (every shelter, protected)."""
    return sees_dashboard(user) and (may(user, Capability.RECORD_CARE) or sees_city(user))


def sees_capacity(user: Any) -> bool:
    """Children placed per institution against its capacity: those who place children."""
    return sees_dashboard(user) and may(user, Capability.MANAGE_PLACEMENT)


def sees_budget(user: Any) -> bool:
    """Budget use: the Dinas Sosial funding desk (as ``kawal.funding.policy.reads_funding``)."""
    return sees_dashboard(user) and (
        may(user, Capability.MANAGE_FUNDING) or may(user, Capability.RECORD_PAYMENT)
    )


def cases_identified_by(user: Any) -> QuerySet[Case]:
    """The cases on which the user may read identity: ``case_access(...).can_read(IDENTITY)``.

    The same relations as ``cases_visible_to``, each kept only where it grants
    the identity class (leading a case grants all the role reads; a team
    membership or referral the classes it lists; break-glass basic, identity
    and whereabouts). A test holds this equal to ``case_access_bulk``.
    """
    spec = actor_spec(user)
    if spec is None or DataClass.BASIC not in spec.read or DataClass.IDENTITY not in spec.read:
        return Case.objects.none()
    identity = '"' + DataClass.IDENTITY.value + '"'
    mine = Q(user_id=user.pk)
    agency_id = getattr(user, "agency_id", None)
    if agency_id is not None:
        mine |= Q(agency_id=agency_id)
    members = CaseMember.objects.filter(
        mine, removed_at__isnull=True, case=OuterRef("pk"), data_classes__icontains=identity
    )
    related = Q(owner_id=user.pk) | Q(supervisor_id=user.pk) | Q(Exists(members))
    if agency_id is not None:
        related |= Q(
            Exists(
                Referral.objects.filter(
                    case=OuterRef("pk"),
                    to_agency_id=agency_id,
                    status=ReferralStatus.ACCEPTED,
                    data_classes__icontains=identity,
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


__all__ = [
    "CITY",
    "TEAM",
    "cases_identified_by",
    "cases_visible_to",
    "scopes_of",
    "sees_budget",
    "sees_capacity",
    "sees_city",
    "sees_dashboard",
    "sees_shelters",
    "sees_triage",
]
