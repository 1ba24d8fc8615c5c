"""The SIMFONI-PPA page: a period, how many cases map, the export, and what cannot be mapped."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from kawal.access.catalogue import Capability, DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.access.policy import may
from kawal.simfoni.export import KEY
from kawal.simfoni.forms import PeriodForm, default_period, period_params
from kawal.simfoni.selectors import mapping_rows_by_axis, simfoni_map
from kawal.simfoni.vocab import Axis, local_label


def _export_url(params: dict[str, str]) -> str:
    return f"{reverse('exports:request', kwargs={'kind': KEY})}?{urlencode(params)}"


def _mapping() -> list[dict[str, Any]]:
    grouped = mapping_rows_by_axis()
    return [
        {
            "label": axis.label,
            "rows": [
                {"local": local_label(axis, row.local_value), "simfoni": row.simfoni_value}
                for row in grouped.get(axis.value, [])
            ],
        }
        for axis in Axis
    ]


@require_GET
def simfoni_page(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Capability.EXPORT_SIMFONI):
        raise PermissionDenied
    if "date_from" in request.GET or "date_to" in request.GET:
        form = PeriodForm(request.GET)
    else:
        form = PeriodForm(data=period_params(default_period()))
    if not form.is_valid():
        return render(
            request, "simfoni/page.html", {"form": form, "mapping": _mapping()}, status=400
        )
    period = form.period()
    result = simfoni_map(request.user, period)
    if result.unmappable:
        # The list names cases (by number only): each one is written to the access log.
        access_log_write(
            request,
            action=AccessAction.LIST,
            cases=[(line.case_id, line.number) for line in result.unmappable],
            data_classes=[DataClass.BASIC],
        )
    return render(
        request,
        "simfoni/page.html",
        {
            "form": form,
            "period": period,
            "mapped": len(result.rows),
            "unmappable": result.unmappable,
            "export_url": _export_url(period_params(period)) if result.rows else None,
            "mapping": _mapping(),
        },
    )
