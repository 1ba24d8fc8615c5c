"""Assessment tests share the case tests' world (one case, a team, markers per class)."""

from tests.cases.conftest import world  # noqa: F401
