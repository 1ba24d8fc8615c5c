"""A small registry: a valid LKSA with its staff agency, another LKSA, a pesantren."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from kawal.access.catalogue import AgencyKind, Role
from kawal.accounts.models import Agency, User
from kawal.institutions.models import Institution, InstitutionKind, Religion
from kawal.regions.models import Region
from tests.helpers import make_user

ADDRESS = "Jl. Alamat Penanda Sintetis 77"
BANK = "9999-PENANDA-BANK"


@dataclass
class Registry:
    home: Institution
    other: Institution
    pesantren: Institution
    agency: Agency
    social_worker: User
    staff: User


def lksa(name: str, *, end: date | None = None, **extra: object) -> Institution:
    today = timezone.localdate()
    fields: dict[str, object] = {
        "name": name,
        "kind": InstitutionKind.LKSA,
        "registration_number": "464/LKS/0001 (sintetis)",
        "registration_start": today - timedelta(days=365),
        "registration_end": end or today + timedelta(days=400),
        "capacity": 12,
        "age_min": 6,
        "age_max": 17,
    }
    fields.update(extra)
    return Institution.objects.create(**fields)


@pytest.fixture
def registry(db) -> Registry:
    agency = Agency.objects.create(
        name="LKSA Uji (synthetic)", kind=AgencyKind.CHILD_CARE_INSTITUTION
    )
    home = lksa(
        "LKSA Uji (sintetis)",
        agency=agency,
        address=ADDRESS,
        kelurahan=Region.objects.filter(level="kelurahan").first(),
        bank_name="Bank Sintetis",
        bank_account_number=BANK,
        bank_account_holder="LKSA Uji",
    )
    other = lksa(
        "LKSA Lain (sintetis)",
        agency=Agency.objects.create(
            name="LKSA Lain (synthetic)", kind=AgencyKind.CHILD_CARE_INSTITUTION
        ),
        address="Jl. Lain Sintetis 1",
    )
    pesantren = Institution.objects.create(
        name="Pesantren Uji (sintetis)",
        kind=InstitutionKind.PESANTREN,
        religion=Religion.ISLAM,
        nsp_number="510000000001",
        capacity=30,
        age_min=10,
        age_max=17,
    )
    return Registry(
        home=home,
        other=other,
        pesantren=pesantren,
        agency=agency,
        social_worker=make_user(Role.SOCIAL_WORKER),
        staff=make_user(Role.INSTITUTION_STAFF, agency=agency),
    )
