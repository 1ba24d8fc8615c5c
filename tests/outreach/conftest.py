"""Outreach tests share the identity tests' registry fixture."""

from tests.identity.conftest import people  # noqa: F401
