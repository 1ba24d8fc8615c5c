"""The compliance status is derived from the records, by a rule with edges we pin here."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from kawal.families.compliance import Compliance, ProgrammeFacts, derive_compliance

D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 20)
SAFE = {"visits": 1, "last_visit_on": D2, "last_visit_found_safe": True}

C = Compliance
CASES = [
    # (facts, status, words in the reasons)
    (ProgrammeFacts(planned=4), C.JUST_STARTED, "No session held yet"),
    (ProgrammeFacts(planned=4, upcoming=3), C.JUST_STARTED, "No session held yet"),
    # Before any session: a safe first visit is still "just started"; an unsafe home is not.
    (ProgrammeFacts(planned=4, **SAFE), C.JUST_STARTED, "No session held yet"),
    (
        ProgrammeFacts(planned=4, visits=1, last_visit_on=D2, last_visit_found_safe=False),
        C.NOT_COMPLYING,
        "found the home unsafe",
    ),
    # Sessions but no home visit yet: partly.
    (ProgrammeFacts(planned=4, held=2, attended=2), C.PARTLY, "No home visit yet"),
    # Attendance: 4 of 5 (80 %) is fine, 3 of 5 partly, 2 of 5 not complying.
    (ProgrammeFacts(planned=8, held=5, attended=4, **SAFE), C.COMPLYING, "4 of 5"),
    (ProgrammeFacts(planned=8, held=5, attended=3, **SAFE), C.PARTLY, "3 of 5"),
    (ProgrammeFacts(planned=8, held=5, attended=2, **SAFE), C.NOT_COMPLYING, "2 of 5"),
    # One missed session out of one is not yet "not complying" (too few to tell).
    (ProgrammeFacts(planned=4, held=1, attended=0, **SAFE), C.PARTLY, "0 of 1"),
    (ProgrammeFacts(planned=4, held=2, attended=0, **SAFE), C.NOT_COMPLYING, "0 of 2"),
    # Completed: at least the planned sessions and a safe last visit.
    (ProgrammeFacts(planned=4, held=4, attended=4, **SAFE), C.COMPLETED, "4 of 4"),
    (ProgrammeFacts(planned=4, held=5, attended=4, **SAFE), C.COMPLETED, "4 of 4"),
    # The last visit found the home unsafe.
    (
        ProgrammeFacts(
            planned=4, held=4, attended=4, visits=2, last_visit_on=D2, last_visit_found_safe=False
        ),
        C.NOT_COMPLYING,
        "found the home unsafe",
    ),
    # The RT head disputed a visit found safe; a confirmation still awaited does not count.
    (
        ProgrammeFacts(planned=4, held=4, attended=4, last_visit_rt="not_confirmed", **SAFE),
        C.NOT_COMPLYING,
        "disputed",
    ),
    (
        ProgrammeFacts(planned=4, held=4, attended=4, last_visit_rt="concerns", **SAFE),
        C.NOT_COMPLYING,
        "disputed",
    ),
    (
        ProgrammeFacts(planned=4, held=4, attended=4, last_visit_rt="pending", **SAFE),
        C.COMPLETED,
        "found safe",
    ),
    # A broken undertaking counts until a new one is signed after the breach.
    (
        ProgrammeFacts(
            planned=4,
            held=2,
            attended=2,
            undertakings=1,
            last_signed_on=D1,
            last_broken_on=D2,
            **SAFE,
        ),
        C.NOT_COMPLYING,
        "broken",
    ),
    (
        ProgrammeFacts(
            planned=4,
            held=2,
            attended=2,
            undertakings=2,
            last_signed_on=D2,
            last_broken_on=D2,
            **SAFE,
        ),
        C.NOT_COMPLYING,
        "broken",
    ),
    (
        ProgrammeFacts(
            planned=4,
            held=2,
            attended=2,
            undertakings=2,
            last_signed_on=D3,
            last_broken_on=D2,
            **SAFE,
        ),
        C.COMPLYING,
        "2 of 2",
    ),
    # An undertaking signed before any session: just started.
    (ProgrammeFacts(planned=4, undertakings=1, last_signed_on=D1), C.JUST_STARTED, "No session"),
]


@pytest.mark.parametrize(("facts", "status", "words"), CASES)
def test_the_rule(facts, status, words):
    with override("en"):
        result = derive_compliance(facts)
    assert result.status == status
    assert any(words in reason for reason in result.reasons), result.reasons


facts_strategy = st.builds(
    ProgrammeFacts,
    planned=st.integers(1, 12),
    held=st.integers(0, 12),
    attended=st.integers(0, 12),
    visits=st.integers(0, 3),
    last_visit_on=st.one_of(st.none(), st.just(D2)),
    last_visit_found_safe=st.booleans(),
    last_visit_rt=st.sampled_from(["", "pending", "confirmed", "concerns", "not_confirmed"]),
    undertakings=st.integers(0, 3),
    last_signed_on=st.one_of(st.none(), st.sampled_from([D1, D3])),
    last_broken_on=st.one_of(st.none(), st.just(D2)),
).filter(
    lambda f: (
        f.attended <= f.held
        and (f.visits > 0) == (f.last_visit_on is not None)
        and (f.undertakings > 0) == (f.last_signed_on is not None)
        and (f.last_broken_on is None or f.undertakings > 0)
    )
)


@given(facts_strategy)
def test_a_broken_promise_or_an_unsafe_home_is_never_complying(facts):
    result = derive_compliance(facts)
    assert result.reasons
    if facts.unresolved_breach or facts.last_visit_safe is False:
        assert result.status == Compliance.NOT_COMPLYING
    if result.status == Compliance.COMPLETED:
        assert facts.attended >= facts.planned and facts.last_visit_safe
