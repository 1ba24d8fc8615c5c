from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse

from kawal.access.catalogue import Role
from tests.helpers import make_user, sign_in

LOCALE = Path(__file__).resolve().parents[2] / "src" / "kawal" / "locale"
PO = LOCALE / "id" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_indonesian_catalogue_is_complete():
    catalogue = polib.pofile(str(PO))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    assert len(catalogue) > 100


def test_compiled_catalogue_matches_the_source():
    compiled = gettext.GNUTranslations(MO.open("rb"))
    for entry in polib.pofile(str(PO)):
        if entry.msgctxt:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr
        elif entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_every_interface_string_is_in_the_catalogue(tmp_path):
    """Re-extract the strings from the code; none may be missing from the catalogue."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("xgettext (gettext) is required in CI")
        pytest.skip("xgettext not installed (apt-get install gettext); CI always runs this")
    tree = tmp_path / "kawal"
    shutil.copytree(
        LOCALE.parent, tree, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static")
    )
    (tree / "locale" / "id" / "LC_MESSAGES" / "django.po").unlink()
    subprocess.run(
        [sys.executable, "-m", "kawal", "makemessages", "-l", "id", "--no-location"],
        cwd=tree,
        env={**os.environ, "KAWAL_ENV": "test"},
        check=True,
        capture_output=True,
        timeout=120,
    )
    extracted = {e.msgid for e in polib.pofile(str(tree / "locale/id/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(PO))}
    assert extracted - committed == set(), "run `make messages` and translate the new strings"


@pytest.mark.django_db
def test_language_switch_to_english_and_back(client):
    sign_in(client, make_user(Role.CASE_MANAGER))
    assert "Beranda" in client.get(reverse("web:home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("web:home")).content.decode()
    assert "Home" in body and '<html lang="en">' in body
    client.post(reverse("set_language"), {"language": "id", "next": "/"})
    assert "Beranda" in client.get(reverse("web:home")).content.decode()


@pytest.mark.django_db
def test_language_switch_works_before_sign_in(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/masuk/"})
    assert response.status_code == 302
    assert "Sign in" in client.get(reverse("accounts:login")).content.decode()


@pytest.mark.django_db
def test_dates_are_day_first_in_both_languages():
    import datetime

    from django.utils import formats, translation

    day = datetime.date(2023, 5, 31)
    for language in ("id", "en"):
        with translation.override(language):
            assert formats.date_format(day) == "31/05/2023"


@pytest.mark.django_db
def test_browser_language_does_not_override_indonesian(client):
    body = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content
    assert '<html lang="id">' in body.decode()


def test_translation_functions_keep_names_the_extractor_knows():
    # makemessages finds gettext(), gettext_lazy(), _() and the like by name;
    # a string marked through another alias is silently never translated.
    import ast
    from pathlib import Path

    source = Path(__file__).resolve().parents[2] / "src" / "kawal"
    odd = [
        f"{path.relative_to(source)}: {alias.name} as {alias.asname}"
        for path in source.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if "gettext" in alias.name and alias.asname not in (None, "_")
    ]
    assert odd == []
