"""The case summary PDF: the case page on paper, for one reader.

It holds exactly what the reader sees on the case page: the same selectors,
and the cards other apps register on the case file (``sections_for`` asks
each card's data class and the app's own rules), so a class the reader may
not read is absent, never blanked. Every page carries the reader's name,
agency and the time (a running header and a diagonal watermark), so a
printed copy says whose it was.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from kawal.access.catalogue import DataClass
from kawal.cases import selectors as case_selectors
from kawal.cases.extensions import sections_for
from kawal.cases.models import Case
from kawal.cases.policy import CaseAccess
from kawal.core.pdf import html_to_pdf
from kawal.exports.services import stamp_for

CARD_KEY = "exports.summary"


def summary_context(request: HttpRequest, case: Case, access: CaseAccess) -> dict[str, Any]:
    readable = set(access.readable)
    now = timezone.now()
    return {
        "case": case,
        "access": access,
        "readable": dict.fromkeys(readable, True),
        "identity": case_selectors.child_identity(case, access),
        "forms": case.classifications.all(),
        "perpetrators": case.perpetrators.select_related("person")
        if access.can_read(DataClass.INVESTIGATION)
        else [],
        "team": case_selectors.case_team(case),
        "notes": case_selectors.case_notes(case, access),
        "summary_sections": [
            rendered
            for rendered in sections_for(request, case, access, "summary")
            if rendered.section.key != CARD_KEY
        ],
        "sections": sections_for(request, case, access, "main"),
        "stamp": stamp_for(request.user, now),
        "printed_at": now,
    }


def summary_pdf(request: HttpRequest, case: Case, access: CaseAccess) -> bytes:
    html = render_to_string(
        "exports/case_summary_pdf.html", summary_context(request, case, access), request=request
    )
    return html_to_pdf(html)
