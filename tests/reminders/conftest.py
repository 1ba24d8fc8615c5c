"""A light world for reminder tests: a case with its owner and supervisor, and test rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from kawal.access.catalogue import Role
from kawal.accounts.models import User
from kawal.cases import extensions
from kawal.cases.models import Case
from tests.cases.conftest import open_case
from tests.helpers import make_user


@dataclass
class Small:
    case: Case
    owner: User
    supervisor: User
    dpo: User


@pytest.fixture
def small(db) -> Small:
    owner = make_user(Role.CASE_MANAGER, username="rm-owner")
    supervisor = make_user(Role.SUPERVISOR, username="rm-boss")
    dpo = make_user(Role.DATA_PROTECTION_OFFICER, username="rm-dpo")
    case = open_case(owner, supervisor, name="Anak Sintetis Pengingat")
    return Small(case, owner, supervisor, dpo)


@pytest.fixture
def test_rule() -> Iterator[Callable[..., extensions.ReminderRule]]:
    """Register rules for one test; they are gone afterwards."""
    added: list[str] = []

    def register(key: str, run: Callable[..., int], **extra) -> extensions.ReminderRule:
        rule = extensions.ReminderRule(key, key, run, **extra)
        extensions.register_reminder_rule(rule)
        added.append(key)
        return rule

    yield register
    for key in added:
        extensions._REMINDERS.pop(key, None)
