"""The compliance status of a parent programme, derived from its records.

Nobody types a compliance status: it is computed, every time it is shown,
from the sessions, home visits and undertakings recorded. The rule (also in
docs/families.md):

1. **Not complying** — any of:
   - an undertaking was broken and none has been signed since;
   - the latest home visit found the home unsafe, or the RT head could not
     confirm it or reported concerns.
2. **Just started** — otherwise, while no session has been held yet.
3. **Not complying** — at least 2 sessions were held and the parents came
   to fewer than half.
4. **Partly complying** — any of:
   - the parents missed more than 1 in 5 of the sessions held;
   - no home visit yet.
5. **Programme completed** — none of the above, the parents attended at least
   the sessions planned, and the latest home visit found the home safe.
6. **Complying** — otherwise.

A session counts as attended when at least one of the family's parents in the
programme came; cancelled and planned sessions count for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Fewer than this share of held sessions attended is "not complying" ...
NOT_COMPLYING_BELOW = 0.5
# ... and fewer than this share is "partly complying".
PARTLY_BELOW = 0.8
# Below this many held sessions a low share proves little.
MIN_HELD_FOR_NOT_COMPLYING = 2


class Compliance(models.TextChoices):
    JUST_STARTED = "just_started", gettext_lazy("Just started")
    NOT_COMPLYING = "not_complying", gettext_lazy("Not complying")
    PARTLY = "partly", gettext_lazy("Partly complying")
    COMPLYING = "complying", gettext_lazy("Complying")
    COMPLETED = "completed", gettext_lazy("Programme completed")


@dataclass(frozen=True)
class ProgrammeFacts:
    """What the records of one programme add up to (see ``selectors.programme_facts``)."""

    planned: int = 0
    held: int = 0
    attended: int = 0
    upcoming: int = 0
    visits: int = 0
    last_visit_on: date | None = None
    last_visit_found_safe: bool | None = None
    last_visit_rt: str = ""
    undertakings: int = 0
    undertakings_kept: int = 0
    last_signed_on: date | None = None
    last_broken_on: date | None = None
    support_referrals: int = 0
    support_granted: int = 0

    @property
    def missed(self) -> int:
        return self.held - self.attended

    @property
    def unresolved_breach(self) -> bool:
        """An undertaking was broken and no new one was signed after it."""
        if self.last_broken_on is None:
            return False
        return self.last_signed_on is None or self.last_signed_on <= self.last_broken_on

    @property
    def last_visit_safe(self) -> bool | None:
        """The latest visit found the home safe, and the RT head did not dispute it.

        None when there was no visit. A confirmation still awaited does not
        count against the family.
        """
        if self.last_visit_on is None:
            return None
        disputed = self.last_visit_rt in ("concerns", "not_confirmed")
        return bool(self.last_visit_found_safe) and not disputed


@dataclass(frozen=True)
class ComplianceResult:
    status: Compliance
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return str(self.status.label)


def _day(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def derive_compliance(facts: ProgrammeFacts) -> ComplianceResult:
    """The status and the reasons for it, in the active language."""
    serious: list[str] = []
    if facts.unresolved_breach and facts.last_broken_on is not None:
        serious.append(
            _("An undertaking was broken on %(day)s and none was signed since.")
            % {"day": _day(facts.last_broken_on)}
        )
    if facts.last_visit_safe is False and facts.last_visit_on is not None:
        if facts.last_visit_found_safe:
            serious.append(
                _("The RT head disputed the last home visit (%(day)s).")
                % {"day": _day(facts.last_visit_on)}
            )
        else:
            serious.append(
                _("The last home visit (%(day)s) found the home unsafe.")
                % {"day": _day(facts.last_visit_on)}
            )
    if not serious and not facts.held:
        return ComplianceResult(Compliance.JUST_STARTED, (_("No session held yet."),))
    attendance = _("Attended %(attended)s of %(held)s sessions held.") % {
        "attended": facts.attended,
        "held": facts.held,
    }
    if facts.held >= MIN_HELD_FOR_NOT_COMPLYING and facts.attended < NOT_COMPLYING_BELOW * (
        facts.held
    ):
        serious.append(attendance)
    if serious:
        return ComplianceResult(Compliance.NOT_COMPLYING, tuple(serious))
    partly: list[str] = []
    if facts.held and facts.attended < PARTLY_BELOW * facts.held:
        partly.append(attendance)
    if facts.last_visit_on is None:
        partly.append(_("No home visit yet."))
    if partly:
        return ComplianceResult(Compliance.PARTLY, tuple(partly))
    if facts.attended >= facts.planned > 0 and facts.last_visit_safe:
        return ComplianceResult(
            Compliance.COMPLETED,
            (
                _("Attended %(attended)s of %(planned)s sessions planned; the home was found safe.")
                % {"attended": facts.attended, "planned": facts.planned},
            ),
        )
    return ComplianceResult(
        Compliance.COMPLYING,
        (
            _("Attended %(attended)s of %(held)s sessions held; %(planned)s planned.")
            % {"attended": facts.attended, "held": facts.held, "planned": facts.planned},
        ),
    )
