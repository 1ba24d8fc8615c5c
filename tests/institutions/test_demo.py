"""The demo registry: every kind, the staff link, an expired and an expiring registration."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kawal.accounts.models import User
from kawal.demo.institutions import (
    BUNDA,
    KASIH_IBU,
    NURUL_ILMI,
    PELITA,
    TUNAS,
    demo_load_institutions,
)
from kawal.demo.services import demo_load
from kawal.institutions.models import Institution, InstitutionKind, RegistrationAlert
from kawal.institutions.selectors import institution_of_staff, registration_state

pytestmark = pytest.mark.django_db


def test_the_demo_registry_loads_once_with_every_kind():
    demo_load(password="kawal-demo-test")
    made = demo_load_institutions()
    assert made == 9
    assert demo_load_institutions() == 0
    assert Institution.objects.count() == 9
    assert set(Institution.objects.values_list("kind", flat=True)) == set(InstitutionKind.values)
    assert all("(sintetis)" in name for name in Institution.objects.values_list("name", flat=True))
    today = timezone.localdate()
    bunda = Institution.objects.get(name=BUNDA)
    assert bunda.capacity == 12 and bunda.accreditation_grade == "B" and not bunda.religion
    assert registration_state(bunda, today).valid
    assert institution_of_staff(User.objects.get(username="lksa")) == bunda
    assert Institution.objects.get(name=PELITA).religion == "protestant"
    pesantren = Institution.objects.get(name=NURUL_ILMI)
    assert pesantren.religion == "islam" and pesantren.accepts_sex == "M" and pesantren.nsp_number
    assert registration_state(Institution.objects.get(name=KASIH_IBU), today).expired
    assert Institution.objects.get(name=TUNAS).capacity == 2
    assert bunda.inspections.exists()
    # The expiring one (and the expired one) each have an open alert, made once.
    alerts = RegistrationAlert.objects.filter(done_at__isnull=True)
    assert {a.institution.name for a in alerts} == {PELITA, KASIH_IBU}
    assert alerts.get(institution__name=PELITA).threshold == 30


def test_the_demo_registry_loads_without_the_demo_accounts():
    assert demo_load_institutions() == 9
    assert not Institution.objects.exclude(agency=None).exists()
