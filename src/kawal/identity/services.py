"""Writes of identity resolution: raising and deciding possible duplicates, merging, undoing.

A merge changes one thing: ``absorbed.merged_into`` (plus the repeat links it
adds between the two children's cases, remembered on the ``Merge`` row). Both
records, their histories and their cases stay as they were, so ``unmerge``
restores exactly the state before. Nothing merges automatically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kawal.access.catalogue import Capability, DataClass
from kawal.access.policy import may
from kawal.cases.models import Case, CaseEvent, CaseStatus
from kawal.cases.policy import CaseAccess, case_access_bulk, cases_visible_to
from kawal.core.audit import AuditContext, audit_record
from kawal.identity.index import identity_refresh, merge_lock, refresh_roots, root_of
from kawal.identity.matching import Score
from kawal.identity.models import (
    DuplicatePair,
    IdentityRecord,
    IdentitySighting,
    Merge,
    PairSource,
    PairStatus,
)
from kawal.people.models import Person

# What apps above this one do when an undo separates records (their ids):
# a link of their own from a record to a case may now cross two children.
SeparateHook = Callable[[list[int], "Merge", Any, "AuditContext | None"], None]
_ON_SEPARATE: list[SeparateHook] = []


def register_on_separate(hook: SeparateHook) -> None:
    """Call ``hook(records, merge, acting_user, context)`` inside every undo's transaction.

    ``records``: the ids of the records the undo separates from the child;
    ``merge``: the merge undone (when it was made: what rested on it).
    """
    if hook not in _ON_SEPARATE:
        _ON_SEPARATE.append(hook)


def cluster_ids(root_id: int) -> list[int]:
    """The root and every record merged into it, directly or through another."""
    ids = set(IdentityRecord.objects.filter(root_id=root_id).values_list("person_id", flat=True))
    ids.add(root_id)
    return sorted(ids)


def cluster_cases(root_id: int) -> list[Case]:
    return list(
        Case.objects.filter(child_id__in=cluster_ids(root_id))
        .select_related("owner__agency", "child")
        .order_by("opened_on", "pk")
    )


def _through_a_case(
    user: Any, root_id: int, test: Callable[[CaseAccess], bool], cases: list[Case] | None
) -> bool:
    """Whether any case of this child gives the user access that passes ``test``."""
    cases = cluster_cases(root_id) if cases is None else cases
    return any(test(entry) for entry in case_access_bulk(user, cases).values())


def sees_identity_of(user: Any, root_id: int, *, cases: list[Case] | None = None) -> bool:
    """May the user see who this child is, through any case of theirs?"""
    return _through_a_case(user, root_id, lambda entry: entry.sees_identity, cases)


def knows_identity_of(user: Any, root_id: int, *, cases: list[Case] | None = None) -> bool:
    """May the user act on who this child is: identity read through a standing relation?

    Opening a case for the child or linking a record to them lasts; emergency
    (break-glass) access does not (``CaseAccess.knows_identity``).
    """
    return _through_a_case(user, root_id, lambda entry: entry.knows_identity, cases)


def reviews(entry: CaseAccess) -> bool:
    """Whether a case's access lets its holder review the child's identity.

    Deciding that two records are one child writes to the child's identity,
    so it needs identity writable through the case: emergency (break-glass)
    access reads and never writes, and a merge would outlive its grant.
    """
    return entry.can_write(DataClass.IDENTITY)


def reviews_identity_of(user: Any, root_id: int) -> bool:
    """May the user compare, merge or separate this child's records?"""
    return _through_a_case(user, root_id, reviews, None)


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def pair_raise(
    first_id: int,
    second_id: int,
    score: Score,
    *,
    source: str,
    raised_by: Any = None,
) -> DuplicatePair | None:
    """Put a pair in the review queue, or refresh its score; decided pairs stay decided."""
    if first_id == second_id:
        return None
    a, b = _ordered(first_id, second_id)
    pair, created = DuplicatePair.objects.get_or_create(
        first_id=a,
        second_id=b,
        defaults={
            "probability": score.probability,
            "band": score.band,
            "explanation": score.explain(),
            "source": source,
            "raised_by": raised_by if getattr(raised_by, "pk", None) else None,
            "model_version": score.model_version,
        },
    )
    if not created and pair.status == PairStatus.OPEN:
        pair.probability = score.probability
        pair.band = score.band
        pair.explanation = score.explain()
        pair.model_version = score.model_version
        pair.save(
            update_fields=["probability", "band", "explanation", "model_version", "updated_at"]
        )
    return pair


def pair_refresh(pk: Any, score: Score | None, *, now: datetime | None = None) -> int:
    """Give an open pair a new score (``None``: take it off the queue, as merged meanwhile).

    Only an open pair is touched, so a pair decided meanwhile keeps its
    decision and its score. Returns 1 when the pair was written.
    """
    pairs = DuplicatePair.objects.filter(pk=pk, status=PairStatus.OPEN)
    now = now or timezone.now()
    if score is None:
        return pairs.exclude(band="").update(band="", updated_at=now)
    return pairs.update(
        probability=score.probability,
        band=score.band,
        explanation=score.explain(),
        model_version=score.model_version,
        updated_at=now,
    )


def _require_reviewer(user: Any, pair_or_roots: Iterable[int]) -> None:
    if not may(user, Capability.REVIEW_DUPLICATES):
        raise PermissionDenied
    for root_id in pair_or_roots:
        if not reviews_identity_of(user, root_id):
            raise PermissionDenied


def pair_mark_different(
    pair: DuplicatePair, *, reason: str, acting_user: Any, context: AuditContext | None = None
) -> DuplicatePair:
    """A reviewer found the two records to be different children."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why these are different children.")})
    with transaction.atomic():
        current = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
        _require_reviewer(acting_user, {root_of(current.first).pk, root_of(current.second).pk})
        if current.status != PairStatus.OPEN:
            raise ValidationError(_("This pair has already been decided."))
        current.status = PairStatus.DIFFERENT
        current.reason = reason.strip()
        current.decided_by = acting_user
        current.decided_at = timezone.now()
        current.save()
        audit_record(
            "identity.pair_different",
            actor=acting_user,
            target=f"pair:{current.uuid}",
            context=context,
        )
    return current


def _event(case: Case, kind: str, actor: Any, **payload: Any) -> None:
    CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, data_class=DataClass.BASIC, payload=payload
    )


def _link_repeats(cases: list[Case]) -> list[list[int | None]]:
    """Mark each case opened after another of the same child closed as a repeat of it."""
    links: list[list[int | None]] = []
    ordered = sorted(cases, key=lambda c: (c.opened_on, c.pk))
    for index, case in enumerate(ordered):
        if case.repeat_of_id is not None:
            continue
        earlier = [
            other
            for other in ordered[:index]
            if other.status == CaseStatus.CLOSED
            and other.closed_on is not None
            and other.closed_on <= case.opened_on
        ]
        if earlier:
            links.append([case.pk, None])
            case.repeat_of = earlier[-1]
            case.save(update_fields=["repeat_of", "updated_at"])
    return links


def merge(
    *,
    survivor: Person,
    absorbed: Person,
    reason: str,
    acting_user: Any,
    pair: DuplicatePair | None = None,
    context: AuditContext | None = None,
) -> Merge:
    """Record that two child records are one child. Reversible with ``unmerge``."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why these records are the same child.")})
    with transaction.atomic():
        merge_lock()
        # Lock in key order, so two opposite merges cannot deadlock.
        locked = Person.objects.select_for_update(no_key=True).in_bulk(
            sorted({survivor.pk, absorbed.pk})
        )
        survivor, absorbed = locked[survivor.pk], locked[absorbed.pk]
        if pair is not None:
            pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
            if pair.status != PairStatus.OPEN:
                raise ValidationError(_("This pair has already been decided."))
        if survivor.merged_into_id is not None or absorbed.merged_into_id is not None:
            raise ValidationError(_("One of these records is already merged into another."))
        if survivor.pk == absorbed.pk or not (survivor.is_child and absorbed.is_child):
            raise ValidationError(_("Choose two different child records."))
        _require_reviewer(acting_user, {survivor.pk, absorbed.pk})
        record = _merge_locked(survivor, absorbed, reason.strip(), acting_user, pair)
        audit_record(
            "identity.merged", actor=acting_user, target=f"merge:{record.uuid}", context=context
        )
    return record


def _merge_locked(
    survivor: Person,
    absorbed: Person,
    reason: str,
    acting_user: Any,
    pair: DuplicatePair | None,
) -> Merge:
    """Merge two root records the caller has locked, under the exclusive ``merge_lock``."""
    absorbed.merged_into = survivor
    absorbed.version += 1
    absorbed.save(update_fields=["merged_into", "version", "updated_at"])
    # No key changes: a child's edit inserting a case event (whose foreign
    # key takes a key-share lock on the case) is not blocked, and cannot
    # deadlock with this merge over the child's index row.
    all_cases = list(
        Case.objects.filter(
            child_id__in=cluster_ids(survivor.pk) + cluster_ids(absorbed.pk)
        ).select_for_update(no_key=True)
    )
    links = _link_repeats(all_cases)
    record = Merge.objects.create(
        survivor=survivor,
        absorbed=absorbed,
        pair=pair,
        reason=reason,
        repeat_links=links,
        merged_by=acting_user,
    )
    if pair is not None:
        DuplicatePair.objects.filter(pk=pair.pk).update(
            status=PairStatus.MERGED,
            decided_by=acting_user,
            decided_at=timezone.now(),
            reason=reason,
        )
    refresh_roots(Person.objects.filter(pk__in=[*cluster_ids(absorbed.pk), absorbed.pk]))
    # No case numbers in the event: a reader of one case may not see the other.
    for case in all_cases:
        _event(case, "identity.merged", acting_user)
    return record


def join_registered(
    *, registered: Person, into: Person, acting_user: Any, reason: str = ""
) -> Merge | None:
    """The record an origin registered is the known child a case was just opened for.

    A child found in the street is registered by the capture as a record of
    its own; when the case opened from that capture is for a child already
    known (the user chose them among the possible matches), the two records
    are one child, on the user's word, as a capture linked at once would
    have been. Recorded as a merge, so a reviewer can undo it.

    For ``case_open`` (and reopening, or adding to an open case, from the
    same form), which holds the exclusive ``merge_lock`` and has checked
    that the user knows ``into`` (a root). A record that has a case of its
    own is left to the review queue: its manager has a say. ``reason`` is
    the merge's, when the case was not opened but reopened or added to.
    """
    if not knows_identity_of(acting_user, into.pk):
        raise PermissionDenied
    absorbed = root_of(Person.objects.select_for_update(no_key=True).get(pk=registered.pk))
    if absorbed.pk == into.pk or cluster_cases(absorbed.pk):
        return None
    absorbed = Person.objects.select_for_update(no_key=True).get(pk=absorbed.pk)
    survivor = Person.objects.select_for_update(no_key=True).get(pk=into.pk)
    members = cluster_ids(survivor.pk)
    pair = (
        DuplicatePair.objects.select_for_update()
        .filter(status=PairStatus.OPEN)
        .filter(
            Q(first_id=absorbed.pk, second_id__in=members)
            | Q(second_id=absorbed.pk, first_id__in=members)
        )
        .order_by("-probability")
        .first()
    )
    reason = reason or _("A case was opened for the known child from this record of a child found.")
    record = _merge_locked(survivor, absorbed, reason, acting_user, pair)
    audit_record("identity.joined", actor=acting_user, target=f"merge:{record.uuid}")
    return record


def sighting_record(
    *, case: Case, seen: dict[str, Any], aliases: Iterable[str], acting_user: Any
) -> IdentitySighting | None:
    """Keep how a known child was written when ``case`` was opened or reopened for them.

    ``seen`` is what the case-opening form said of the child (its child
    fields: ``full_name``, birth details, ``sex``, ``kelurahan`` as a region,
    ``school_name``). For ``case_open`` and the reopen from the same form,
    inside their transaction, which have checked that the user knows the
    child. Nothing is kept without a name, or without a birth date or an age
    (the form asks for one; a service call naming only the child has none).
    Not the NIK, family card, address or parents: those are the child's own
    record's, which this does not second-guess.
    """
    name = str(seen.get("full_name") or "").strip()
    if not name or (seen.get("birth_date") is None and seen.get("age_min") is None):
        return None
    child = Person.objects.get(pk=case.child_id)
    if not knows_identity_of(acting_user, root_of(child).pk):
        raise PermissionDenied
    kelurahan = seen.get("kelurahan")
    row = IdentitySighting.objects.create(
        person_id=case.child_id,
        case=case,
        full_name=name[:200],
        aliases="\n".join(sorted({a.strip()[:100] for a in aliases if a.strip()})),
        birth_date=seen.get("birth_date"),
        birth_date_estimated=bool(seen.get("birth_date_estimated")),
        birth_date_documented=bool(seen.get("birth_date_documented")),
        age_min=seen.get("age_min"),
        age_max=seen.get("age_max"),
        as_of=timezone.localdate(),
        sex=str(seen.get("sex") or ""),
        kelurahan=getattr(kelurahan, "code", "") or "",
        school=str(seen.get("school_name") or "")[:200],
        created_by=acting_user,
    )
    identity_refresh(child)
    audit_record("identity.sighting", actor=acting_user, target=f"case:{case.uuid}")
    return row


def unmerge(
    record: Merge, *, reason: str, acting_user: Any, context: AuditContext | None = None
) -> Merge:
    """Undo a merge: the absorbed record stands alone again, repeat links are restored."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the merge is undone.")})
    with transaction.atomic():
        merge_lock()
        current = Merge.objects.select_for_update().get(pk=record.pk)
        if current.undone_at is not None:
            raise ValidationError(_("This merge has already been undone."))
        absorbed = Person.objects.select_for_update(no_key=True).get(pk=current.absorbed_id)
        root = root_of(absorbed)
        # A later merge in force in this child's cluster may have linked cases
        # through the records this undo separates (its ``repeat_links``):
        # undone first, last in first out, every undo restores exactly.
        later = Merge.objects.filter(
            undone_at=None, pk__gt=current.pk, survivor_id__in=cluster_ids(root.pk)
        )
        if absorbed.merged_into_id != current.survivor_id or later.exists():
            raise ValidationError(_("The records have changed since; undo the later merge first."))
        _require_reviewer(acting_user, {root.pk})
        # Every case the merge put on one child, read before the roots move.
        touched = list(Case.objects.filter(child_id__in=cluster_ids(root.pk)))
        for case_id, previous in current.repeat_links:
            Case.objects.filter(pk=case_id).update(repeat_of_id=previous)
        mended = _unlink_across(
            separated=[absorbed.pk, *_absorbed_below(absorbed.pk)], root_id=root.pk
        )
        absorbed.merged_into = None
        absorbed.version += 1
        absorbed.save(update_fields=["merged_into", "version", "updated_at"])
        separated = [absorbed.pk, *_absorbed_below(absorbed.pk)]
        refresh_roots(Person.objects.filter(pk__in=separated))
        for hook in _ON_SEPARATE:
            hook(separated, current, acting_user, context)
        current.undone_at = timezone.now()
        current.undone_by = acting_user
        current.undo_reason = reason.strip()
        current.save()
        if current.pair_id is not None:
            DuplicatePair.objects.filter(pk=current.pair_id).update(
                status=PairStatus.OPEN, decided_by=None, decided_at=None, reason=""
            )
        for case in touched:
            _event(case, "identity.unmerged", acting_user)
            if case.pk in mended:
                # No numbers: the readers of this case may not see the other child's.
                _event(case, "identity.repeat_mended", acting_user)
        audit_record(
            "identity.unmerged", actor=acting_user, target=f"merge:{current.uuid}", context=context
        )
    return current


def _unlink_across(*, separated: list[int], root_id: int) -> set[int]:
    """Mend repeat links that cross between the two children an undo separates.

    A case opened while the merge was in force may have been linked as a
    repeat of the other record's case (the child "found again"): that link
    rested on the merge alone. It now points at the latest case of its own
    child opened before it and closed by the time it opened, or at none. The
    merge's own links are restored before this. Returns the cases mended.
    """
    cut = set(separated)
    sides = [cut, {pk for pk in cluster_ids(root_id) if pk not in cut}]
    mended: set[int] = set()
    for own, other in (sides, sides[::-1]):
        crossing = Case.objects.filter(child_id__in=own, repeat_of__child_id__in=other)
        for case in crossing.select_for_update(no_key=True, of=("self",)):
            before = Q(opened_on__lt=case.opened_on) | Q(opened_on=case.opened_on, pk__lt=case.pk)
            earlier = (
                Case.objects.filter(
                    before,
                    child_id__in=own,
                    status=CaseStatus.CLOSED,
                    closed_on__lte=case.opened_on,
                )
                .order_by("opened_on", "pk")
                .last()
            )
            case.repeat_of = earlier
            case.save(update_fields=["repeat_of", "updated_at"])
            mended.add(case.pk)
    return mended


def _absorbed_below(person_id: int) -> list[int]:
    """Records merged into this one, at any depth."""
    found: list[int] = []
    frontier = [person_id]
    while frontier:
        children = list(
            Person.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)
        )
        found.extend(children)
        frontier = children
    return found


def intake_decision(
    *,
    child: Person,
    shown: list[tuple[int, Score, bool]],
    reason: str,
    acting_user: Any,
) -> None:
    """What the user decided about the candidates shown when registering a new child.

    ``shown`` lists (root id, score, whether the user could see who it was).
    Likely candidates the user saw and rejected with a reason are recorded as
    different children; everything else shown goes to the review queue (an
    open pair is never closed without a reason).
    """
    for root_id, score, visible in shown:
        a, b = _ordered(root_id, child.pk)
        if visible and score.band == "likely" and reason.strip():
            DuplicatePair.objects.update_or_create(
                first_id=a,
                second_id=b,
                defaults={
                    "probability": score.probability,
                    "band": score.band,
                    "explanation": score.explain(),
                    "source": PairSource.INTAKE,
                    "model_version": score.model_version,
                    "status": PairStatus.DIFFERENT,
                    "raised_by": acting_user,
                    "decided_by": acting_user,
                    "decided_at": timezone.now(),
                    "reason": reason.strip(),
                },
            )
        elif not visible or score.band == "likely":
            pair_raise(root_id, child.pk, score, source=PairSource.INTAKE, raised_by=acting_user)
    identity_refresh(child)


def _reviewed_people(user: Any) -> set[int]:
    """Every record of every child the user reviews (``reviews``): the review pages' scope.

    Read from the user's own cases, so a page never reads the city's whole
    queue to show one agency its part of it.
    """
    cases = list(cases_visible_to(user).only("pk", "child_id", "owner_id", "supervisor_id"))
    access = case_access_bulk(user, cases)
    children = {case.child_id for case in cases if case.pk in access and reviews(access[case.pk])}
    roots = set(
        IdentityRecord.objects.filter(person_id__in=children).values_list("root_id", flat=True)
    )
    members = IdentityRecord.objects.filter(root_id__in=roots).values_list("person_id", flat=True)
    return roots | set(members)


def open_pairs_for(user: Any, limit: int = 100) -> list[DuplicatePair]:
    """Open pairs the reviewer may decide, most likely first: they review both children."""
    if not may(user, Capability.REVIEW_DUPLICATES):
        return []
    people = _reviewed_people(user)

    def root(side: str) -> Subquery:
        return Subquery(
            IdentityRecord.objects.filter(person_id=OuterRef(side)).values("root_id")[:1]
        )

    return list(
        DuplicatePair.objects.filter(
            status=PairStatus.OPEN, first_id__in=people, second_id__in=people
        )
        .exclude(band="")  # scored again below "possible": nothing left to decide
        # Already one child (merged through another pair), or no longer in the
        # index: out before the page is cut, or such pairs could fill it.
        .annotate(first_root=root("first_id"), second_root=root("second_id"))
        .filter(first_root__isnull=False, second_root__isnull=False)
        .exclude(first_root=F("second_root"))
        .select_related("first", "second")
        .order_by("-probability", "created_at", "pk")[:limit]
    )


def recent_merges_for(user: Any, limit: int = 50) -> list[Merge]:
    """Merges still in force whose child the reviewer reviews, newest first (to undo)."""
    if not may(user, Capability.REVIEW_DUPLICATES):
        return []
    return list(
        Merge.objects.filter(undone_at=None, survivor_id__in=_reviewed_people(user))
        .select_related("merged_by", "survivor", "absorbed")
        .order_by("-merged_at", "-pk")[:limit]
    )


def repeat_rate(start: Any = None, end: Any = None) -> dict[str, float | int]:
    """Share of cases opened in the period that repeat an earlier case of the same child."""
    cases = Case.objects.all()
    if start is not None:
        cases = cases.filter(opened_on__gte=start)
    if end is not None:
        cases = cases.filter(opened_on__lte=end)
    total = cases.count()
    repeats = cases.filter(~Q(repeat_of=None)).count()
    return {"cases": total, "repeats": repeats, "rate": (repeats / total) if total else 0.0}
