"""Password rules beyond Django's: long passphrases welcome, context words refused."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Words an attacker would try first against this system.
CONTEXT_WORDS = (
    "kawal",
    "kawalanak",
    "balikpapan",
    "dp3akb",
    "uptd",
    "satpol",
    "polisi",
    "police",
    "polda",
    "dinsos",
    "password",
    "katasandi",
)
MAX_LENGTH = 256


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


class ContextWordValidator:
    """Refuse passwords that are little more than a word tied to this system."""

    def validate(self, password: str, user: Any = None) -> None:
        squashed = _squash(password)
        for word in CONTEXT_WORDS:
            rest = squashed.replace(word, "")
            # A long passphrase that merely mentions the city is fine; a
            # password that is the word plus a few digits is not.
            if word in squashed and len(rest) < 8:
                raise ValidationError(
                    _("This password is too close to the name of this system or an agency."),
                    code="password_context_word",
                )

    def get_help_text(self) -> str:
        return _("Your password cannot be built around the name of this system or an agency.")


class MaximumLengthValidator:
    """A generous upper bound so hashing a password cannot be used to exhaust the server."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > MAX_LENGTH:
            raise ValidationError(
                ngettext(
                    "This password is longer than %(max)d character.",
                    "This password is longer than %(max)d characters.",
                    MAX_LENGTH,
                )
                % {"max": MAX_LENGTH},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("Long passphrases of several words are welcome (up to %(max)d characters).") % {
            "max": MAX_LENGTH
        }
