"""The case file's extension point: apps above ``cases`` plug in, ``cases`` imports none of them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.urls import reverse

from kawal.access.catalogue import DataClass, Role
from kawal.cases import extensions
from kawal.cases.extensions import CaseSection, TimelineKind
from tests.cases.conftest import World
from tests.helpers import make_user, sign_in

CASES = Path(extensions.__file__).parent
# What the case file may build on; everything else in kawal sits above it.
BELOW_CASES = {
    "access",
    "accounts",
    "cases",
    "core",
    "identity",
    "notify",
    "people",
    "regions",
    "web",
}


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    apps = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "kawal" and len(parts) > 1:
                apps.add(parts[1])
    return apps


def test_cases_imports_no_app_above_it():
    upward = {
        str(path.relative_to(CASES)): sorted(_imported_apps(path) - BELOW_CASES)
        for path in CASES.rglob("*.py")
    }
    assert {path: apps for path, apps in upward.items() if apps} == {}


def test_case_templates_include_no_template_of_an_app_above():
    kawal = CASES.parent
    above = {p.name for p in kawal.iterdir() if (p / "apps.py").exists()} - BELOW_CASES
    pattern = re.compile(r"""["'](""" + "|".join(sorted(above)) + ")/")
    found = {
        str(path.relative_to(CASES)): pattern.findall(path.read_text())
        for path in (CASES / "templates").rglob("*.html")
    }
    assert {path: apps for path, apps in found.items() if apps} == {}


def test_the_existing_apps_are_registered_in_their_ready():
    assert {s.key for s in extensions.case_sections("summary")} >= {"reports.origin"}
    assert {s.key for s in extensions.case_sections("main")} >= {"outreach.undertakings"}
    assert [s.key for s in extensions.opening_sources()][:2] == [
        "outreach.capture",
        "reports.report",
    ]
    for kind in ("case.from_report", "outreach.found", "outreach.undertaking"):
        assert extensions.timeline_kind(kind) is not None


def test_a_key_registered_twice_fails_at_start_up():
    section = extensions.case_sections("summary")[0]
    extensions.register_section(section)  # the same one again is harmless (tests re-run ready)
    with pytest.raises(ValueError, match="twice"):
        extensions.register_section(
            CaseSection(
                key=section.key,
                order=1,
                template="x.html",
                data_class=DataClass.BASIC,
                context=lambda r, c, a: None,
            )
        )
    with pytest.raises(ValueError, match="slot"):
        extensions.register_section(
            CaseSection(
                key="x.y",
                order=1,
                template="x.html",
                data_class=DataClass.BASIC,
                context=lambda r, c, a: None,
                slot="sidebar",
            )
        )
    with pytest.raises(ValueError, match="twice"):
        extensions.register_timeline_kind(TimelineKind("outreach.found", lambda p, r: "x"))


@pytest.fixture
def probe_section():
    """A card registered the way a later app would register one."""
    seen = []

    def context(request, case, access):
        seen.append(request.user.username)
        return {"probe": f"PROBE-{case.number}"}

    section = CaseSection(
        key="tests.probe",
        order=50,
        template="tests/probe_section.html",
        data_class=DataClass.CLINICAL,
        context=context,
    )
    extensions._SECTIONS[section.key] = section
    yield seen
    del extensions._SECTIONS[section.key]


def test_a_registered_section_shows_only_to_who_may_read_its_class(
    client, world: World, probe_section, settings, tmp_path
):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "probe_section.html").write_text("<p>{{ section.probe }}</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0].get("DIRS", []), tmp_path]}
    ]
    url = reverse("cases:detail", args=[world.case.uuid])
    sign_in(client, world.psychologist)
    assert f"PROBE-{world.case.number}" in client.get(url).content.decode()
    # The case manager may not read clinical data: the card is not even built.
    sign_in(client, world.owner)
    assert f"PROBE-{world.case.number}" not in client.get(url).content.decode()
    assert probe_section == [world.psychologist.username]
    # Nor for a stranger, who gets no case page at all.
    sign_in(client, make_user(Role.PSYCHOLOGIST, username="stranger"))
    assert client.get(url).status_code == 404
