"""Rupiah as people read them: in the page's language, grouped ("Rp 2.380.750.000").

The one formatter of funding, in Python (messages, form choices) and in the
templates (the ``rupiah`` filter of ``funding_money``), so an Indonesian page
never shows "2,380,750,000" and an English one never "2.380.750.000".
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def rupiah(value: int | None) -> str:
    """The whole number with the active language's thousands separator (no "Rp")."""
    return number_format(int(value or 0), force_grouping=True)


def claim_difference(difference: int | None, *, total: bool = False) -> str:
    """Which way a claim differs from the roster: a bare "-850.000" says neither."""
    if difference is None:
        return ""
    amount = rupiah(abs(difference))
    if total:
        if difference > 0:
            return _("In total the claim is Rp %(amount)s higher than the roster.") % {
                "amount": amount
            }
        if difference < 0:
            return _("In total the claim is Rp %(amount)s lower than the roster.") % {
                "amount": amount
            }
        return _("In total the claim matches the roster.")
    if difference > 0:
        return _("The claim is Rp %(amount)s higher than the roster.") % {"amount": amount}
    if difference < 0:
        return _("The claim is Rp %(amount)s lower than the roster.") % {"amount": amount}
    return _("The claim matches the roster.")
