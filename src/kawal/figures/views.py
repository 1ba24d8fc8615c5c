"""The dashboard page: figures per role, filters in the query string."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kawal.figures import policy
from kawal.figures.forms import FigureFilterForm
from kawal.figures.selectors import dashboard as select_dashboard
from kawal.figures.selectors import threshold


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    if not policy.sees_dashboard(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    form = FigureFilterForm(request.GET, user=request.user, today=today)
    if not form.is_valid():
        context = {"form": form, "valid": False, "threshold": threshold()}
        return render(request, "figures/dashboard.html", context, status=400)
    figures = select_dashboard(request.user, form.criteria(), today)
    context = {
        "form": form,
        "valid": True,
        "figures": figures,
        "filters": figures.filters,
        "city": figures.filters.scope == policy.CITY,
        "charts": [
            (f"figure-{table.key}", table.chart_data()) for table in figures.tables if table.chart
        ],
        "threshold": threshold(),
        "share_url": request.get_full_path(),
    }
    return render(request, "figures/dashboard.html", context)
