"""The duplicate review queue: compare two children, merge them, or undo a merge."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kawal.access.catalogue import Capability, DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.access.policy import may
from kawal.cases.models import Case
from kawal.cases.policy import case_access_bulk
from kawal.cases.selectors import pick
from kawal.core.audit import AuditContext
from kawal.identity import services as svc
from kawal.identity.index import root_of
from kawal.identity.models import DuplicatePair, IdentityRecord, Merge, PairStatus
from kawal.people.identity_numbers import mask_nik
from kawal.people.models import Person


def _reviewer(request: HttpRequest) -> Any:
    if not may(request.user, Capability.REVIEW_DUPLICATES):
        raise PermissionDenied
    return request.user


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = _reviewer(request)
    pairs = svc.open_pairs_for(user)
    merges = svc.recent_merges_for(user)
    # The queue names children: a listing of their identity, logged per case.
    people = {p.first_id for p in pairs} | {p.second_id for p in pairs}
    people |= {m.survivor_id for m in merges} | {m.absorbed_id for m in merges}
    roots = set(
        IdentityRecord.objects.filter(person_id__in=people).values_list("root_id", flat=True)
    )
    members = IdentityRecord.objects.filter(root_id__in=roots).values_list("person_id", flat=True)
    shown = Case.objects.filter(child_id__in=set(members) | people).only("pk", "number")
    if people:
        access_log_write(
            request,
            action=AccessAction.LIST,
            cases=[(case.pk, case.number) for case in shown],
            data_classes=["basic", "identity"],
        )
    return render(
        request,
        "identity/queue.html",
        {"pairs": pairs, "merges": merges, "repeats": svc.repeat_rate()},
    )


def _side(user: Any, person: Person) -> dict[str, Any]:
    root = root_of(person)
    cases = svc.cluster_cases(root.pk)
    access = case_access_bulk(user, cases)
    whereabouts = any(entry.can_read(DataClass.WHEREABOUTS) for entry in access.values())
    return {
        "person": person,
        # Comparing needs "same or different", not the number itself.
        "nik": mask_nik(person.nik) if person.nik else "",
        "school": person.school_name if whereabouts else None,
        "cases": [case for case in cases if case.pk in access and svc.reviews(access[case.pk])],
        "parents": person.relatives.filter(
            relation__in=("mother", "father", "stepmother", "stepfather", "guardian")
        ).select_related("relative"),
    }


def _pair_for(request: HttpRequest, pair_uuid: str) -> DuplicatePair:
    user = _reviewer(request)
    pair = pick(
        DuplicatePair.objects.select_related("first__kelurahan", "second__kelurahan"), pair_uuid
    )
    # Missing and not-yours look the same: no hint that a pair exists.
    if pair is None:
        raise Http404
    for person in (pair.first, pair.second):
        if not svc.reviews_identity_of(user, root_of(person).pk):
            raise Http404
    return pair


@require_http_methods(["GET", "POST"])
def pair_detail(request: HttpRequest, pair_uuid: str) -> HttpResponse:
    pair = _pair_for(request, pair_uuid)
    user: Any = request.user
    errors: list[str] = []
    if request.method == "POST" and pair.status != PairStatus.OPEN:
        errors.append(_("This pair has already been decided."))
    elif request.method == "POST":
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "")[:1000]
        context = AuditContext.from_request(request)
        try:
            if action == "different":
                svc.pair_mark_different(pair, reason=reason, acting_user=user, context=context)
                messages.success(request, _("Recorded as different children."))
                return redirect("identity:queue")
            if action in ("keep_first", "keep_second"):
                keep, other = (
                    (pair.first, pair.second)
                    if action == "keep_first"
                    else (pair.second, pair.first)
                )
                svc.merge(
                    survivor=root_of(keep),
                    absorbed=root_of(other),
                    reason=reason,
                    pair=pair,
                    acting_user=user,
                    context=context,
                )
                messages.success(request, _("The records are merged. You can undo this."))
                return redirect("identity:queue")
            errors.append(_("Choose what to do with this pair."))
        except ValidationError as error:
            errors.extend(error.messages)
    sides = [_side(user, pair.first), _side(user, pair.second)]
    shown = [case for side in sides for case in side["cases"]]
    access_log_write(
        request,
        action=AccessAction.VIEW,
        cases=[(case.pk, case.number) for case in shown],
        data_classes=["basic", "identity"],
    )
    return render(
        request,
        "identity/pair.html",
        {
            "pair": pair,
            "sides": sides,
            "errors": errors,
            "decided": pair.status != PairStatus.OPEN,
        },
        status=400 if errors else 200,
    )


@require_POST
def merge_undo(request: HttpRequest, merge_uuid: str) -> HttpResponse:
    user = _reviewer(request)
    record = pick(Merge.objects.all(), merge_uuid)
    if record is None or not svc.reviews_identity_of(user, root_of(record.survivor).pk):
        raise Http404
    try:
        svc.unmerge(
            record,
            reason=request.POST.get("reason", "")[:1000],
            acting_user=user,
            context=AuditContext.from_request(request),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("identity:queue")
    messages.success(request, _("The merge is undone: the records stand apart again."))
    return redirect("identity:queue")
