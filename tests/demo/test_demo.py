from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.accounts.models import Agency, User
from kawal.demo.data import ACCOUNTS
from tests.helpers import production_env, run_kawal

pytestmark = pytest.mark.django_db

USERNAMES = {
    "manajer": Role.CASE_MANAGER,
    "supervisor": Role.SUPERVISOR,
    "supervisor2": Role.SUPERVISOR,
    "uptd": Role.SHELTER_STAFF,
    "psikolog": Role.PSYCHOLOGIST,
    "polisi": Role.INVESTIGATOR,
    "satpolpp": Role.PATROL_OFFICER,
    "dinsos": Role.SOCIAL_WORKER,
    "keuangan": Role.FINANCE_OFFICER,
    "rt": Role.RT_HEAD,
    "lksa": Role.INSTITUTION_STAFF,
    "sekolah": Role.SCHOOL_LIAISON,
    "admin": Role.SYSTEM_ADMIN,
    "dpo": Role.DATA_PROTECTION_OFFICER,
}


def load(password="kawal-demo", cases=0):
    # Building the 60 demo cases takes seconds; only the test about them does it.
    out = StringIO()
    with override_settings(KAWAL_DEMO_PASSWORD=password):
        call_command("demo", "--no-serve", f"--cases={cases}", stdout=out)
    return out.getvalue()


def test_one_account_per_role_with_the_agreed_usernames():
    out = load()
    assert {u.username: u.role for u in User.objects.filter(is_demo_account=True)} == USERNAMES
    assert {account.role for account in ACCOUNTS} == set(Role)
    for username in USERNAMES:
        assert username in out
    assert "sintetis" in out


def test_demo_agencies():
    load()
    kinds = list(Agency.objects.values_list("kind", flat=True))
    assert kinds.count("neighbourhood") == 3
    assert kinds.count("child_care_institution") == 3  # two LKSA and one pesantren
    for kind in (
        "dp3akb",
        "uptd_ppa",
        "police",
        "satpol_pp",
        "dinas_sosial",
        "psychology",
        "education_office",
    ):
        assert kind in kinds
    for user in User.objects.filter(is_demo_account=True):
        from kawal.accounts.services import role_fits_agency

        assert role_fits_agency(user.role, user.agency), user.username


def test_loading_twice_changes_nothing():
    load()
    load()
    assert User.objects.filter(is_demo_account=True).count() == len(ACCOUNTS) == 14


def test_demo_password_comes_from_the_environment_setting():
    load(password="another demo phrase")
    assert User.objects.get(username="rt").check_password("another demo phrase")


@override_settings(DEMO_MODE=True, KAWAL_DEMO_SKIPS_SECOND_FACTOR=True)
def test_demo_sign_in_without_second_factor_and_banner():
    load()
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "manajer", "password": "kawal-demo"}, follow=True
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "DEMO — data sintetis" in body
    assert "Selamat datang" in body


def test_no_banner_outside_demo_mode():
    assert "DEMO" not in Client().get(reverse("accounts:login")).content.decode()


def test_demo_refuses_production_settings(tmp_path):
    database = tmp_path / "refused.sqlite3"
    result = run_kawal(
        "demo", "--no-serve", env=production_env(DATABASE_URL=f"sqlite:///{database}")
    )
    assert result.returncode != 0
    assert "production" in result.stderr
    assert not database.exists()  # nothing was migrated or loaded


def test_demo_cases_cover_every_state_and_class():
    from kawal.cases.models import Case, CaseMember, CaseStatus, Note
    from kawal.demo.history import HISTORY_CASES

    load(cases=60)
    # The 60 lively cases, and the year of history behind the dashboards.
    loaded = Case.objects.count()
    assert 55 + HISTORY_CASES <= loaded <= 65 + HISTORY_CASES
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert set(Note.objects.values_list("data_class", flat=True)) == {
        "basic",
        "identity",
        "whereabouts",
        "clinical",
        "investigation",
        "financial",
    }
    assert CaseMember.objects.filter(agency__isnull=False).exists()
    assert Case.objects.filter(family_group__isnull=False).count() >= 2
    # Loading again adds nothing.
    load(cases=60)
    assert Case.objects.count() == loaded


def test_demo_reports_fill_the_triage_queue_with_every_kind_of_urgency():
    from kawal.reports.models import Report
    from kawal.reports.selectors import triage_queue

    load()
    assert Report.objects.count() >= 20
    rows = triage_queue(User.objects.get(username="manajer"))
    reasons = {reason for row in rows for reason in row.reasons}
    assert {"under_6", "night", "repeat_place", "same_child"} <= reasons
    assert Report.objects.exclude(reporter_name="").exists()
