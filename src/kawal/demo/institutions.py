"""Demo data for the institution registry (synthetic).

Every kind of place a child can be placed in Balikpapan, all invented and
marked (sintetis): the LKSA where the demo ``lksa`` account works, a
church-based LKSA whose registration runs out within 30 days (so the
registration alert shows on the ``dinsos`` home page), a boys' pesantren, an
LKSA whose registration expired, a small LKSA the placement demo fills, the
UPTD PPA's rumah aman, a Kemensos centre, a foster family and a kinship
carer. Bank accounts are invented too. Idempotent by name.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from kawal.accounts.models import Agency, User
from kawal.institutions.models import (
    AcceptsSex,
    AccreditationGrade,
    Inspection,
    Institution,
    InstitutionKind,
    Religion,
)
from kawal.institutions.reminders import registration_alerts
from kawal.regions.models import Region

BUNDA = "LKSA Harapan Bunda (sintetis)"
PELITA = "LKSA Pelita Kasih (sintetis)"
NURUL_ILMI = "Pondok Pesantren Nurul Ilmi (sintetis)"
KASIH_IBU = "Panti Asuhan Kasih Ibu (sintetis)"
TUNAS = "LKSA Tunas Harapan (sintetis)"
RUMAH_AMAN = "Rumah Aman UPTD PPA Balikpapan (sintetis)"
SENTRA = "Sentra Kemensos Budi Luhur Banjarbaru (sintetis)"
FOSTER = "Keluarga Asuh Bpk. Darmawan (sintetis)"
KINSHIP = "Pengasuhan Kerabat Ibu Sulastri (sintetis)"
# Agencies of the demo's institution staff, by name (src/kawal/demo/data.py).
AGENCY_OF = {
    BUNDA: "LKSA Harapan Bunda (sintetis)",
    PELITA: "LKSA Pelita Kasih (sintetis)",
    NURUL_ILMI: "Pondok Pesantren Nurul Ilmi (sintetis)",
}


def _spec(today: date) -> list[dict[str, Any]]:
    def years_ago(years: int) -> date:
        return today - timedelta(days=365 * years)

    return [
        {
            "name": BUNDA,
            "kind": InstitutionKind.LKSA,
            "registration_number": "464/LKS-BPN/0117/2024 (sintetis)",
            "registration_start": years_ago(1),
            "registration_end": today + timedelta(days=365 * 2),
            "accreditation_grade": AccreditationGrade.B,
            "accreditation_date": years_ago(1),
            "accepts_sex": AcceptsSex.ANY,
            "age_min": 6,
            "age_max": 17,
            "capacity": 12,
            "address": "Jl. Mawar Sintetis No. 12, Balikpapan (sintetis)",
            "kelurahan": "64.71.01.1003",
            "contact_name": "Ibu Ratna (sintetis)",
            "contact_phone": "0542-000-0117",
            "bank_name": "Bank Kaltimtara",
            "bank_account_number": "0000-1117-0001 (sintetis)",
            "bank_account_holder": BUNDA,
        },
        {
            "name": PELITA,
            "kind": InstitutionKind.LKSA,
            "religion": Religion.PROTESTANT,
            "registration_number": "464/LKS-BPN/0098/2021 (sintetis)",
            "registration_start": years_ago(3),
            # Runs out within 30 days: the demo's registration alert.
            "registration_end": today + timedelta(days=21),
            "accreditation_grade": AccreditationGrade.C,
            "accreditation_date": years_ago(3),
            "age_min": 5,
            "age_max": 17,
            "capacity": 10,
            "address": "Jl. Kenanga Sintetis No. 7, Balikpapan (sintetis)",
            "kelurahan": "64.71.02.1002",
            "contact_name": "Pdt. Yohanes (sintetis)",
            "contact_phone": "0542-000-0098",
            "bank_name": "Bank Mandiri",
            "bank_account_number": "0000-2098-0002 (sintetis)",
            "bank_account_holder": PELITA,
        },
        {
            "name": NURUL_ILMI,
            "kind": InstitutionKind.PESANTREN,
            "religion": Religion.ISLAM,
            "nsp_number": "510064710099 (sintetis)",
            "accepts_sex": AcceptsSex.MALE,
            "age_min": 10,
            "age_max": 17,
            "capacity": 30,
            "address": "Jl. Pesantren Sintetis No. 3, Balikpapan (sintetis)",
            "kelurahan": "64.71.04.1003",
            "contact_name": "Ustadz Fauzan (sintetis)",
            "contact_phone": "0542-000-0303",
            "bank_name": "Bank Syariah Indonesia",
            "bank_account_number": "0000-3303-0003 (sintetis)",
            "bank_account_holder": NURUL_ILMI,
        },
        {
            "name": KASIH_IBU,
            "kind": InstitutionKind.LKSA,
            "registration_number": "464/LKS-BPN/0041/2019 (sintetis)",
            "registration_start": years_ago(5),
            "registration_end": today - timedelta(days=40),
            "age_min": 0,
            "age_max": 12,
            "capacity": 8,
            "address": "Jl. Melati Sintetis No. 41, Balikpapan (sintetis)",
            "kelurahan": "64.71.03.1004",
            "contact_name": "Ibu Marlina (sintetis)",
            "bank_name": "BRI",
            "bank_account_number": "0000-4041-0004 (sintetis)",
            "bank_account_holder": KASIH_IBU,
        },
        {
            "name": TUNAS,
            "kind": InstitutionKind.LKSA,
            "registration_number": "464/LKS-BPN/0150/2024 (sintetis)",
            "registration_start": years_ago(1),
            "registration_end": today + timedelta(days=365 * 2),
            "age_min": 6,
            "age_max": 17,
            # The placement demo fills both places.
            "capacity": 2,
            "address": "Jl. Anggrek Sintetis No. 15, Balikpapan (sintetis)",
            "kelurahan": "64.71.06.1004",
            "contact_name": "Bpk. Rahmat (sintetis)",
            "bank_name": "BNI",
            "bank_account_number": "0000-5150-0005 (sintetis)",
            "bank_account_holder": TUNAS,
        },
        {
            "name": RUMAH_AMAN,
            "kind": InstitutionKind.UPTD_SHELTER,
            "registration_number": "UPTD-PPA/BPN/RA-01 (sintetis)",
            "registration_start": years_ago(2),
            "registration_end": today + timedelta(days=365 * 3),
            "age_min": 0,
            "age_max": 17,
            "capacity": 9,
            "address": "Alamat dirahasiakan (sintetis)",
            "contact_name": "UPTD PPA Kota Balikpapan",
        },
        {
            "name": SENTRA,
            "kind": InstitutionKind.GOVERNMENT_PANTI,
            "registration_number": "KEMENSOS/SENTRA/BL-07 (sintetis)",
            "registration_start": years_ago(4),
            "registration_end": today + timedelta(days=365 * 4),
            "accreditation_grade": AccreditationGrade.A,
            "accreditation_date": years_ago(2),
            "age_min": 6,
            "age_max": 18,
            "capacity": 60,
            "address": "Jl. Sentra Sintetis No. 1, Banjarbaru (sintetis)",
            "contact_name": "Sentra Budi Luhur (sintetis)",
            "bank_name": "Kas Negara (sintetis)",
            "bank_account_number": "0000-6007-0006 (sintetis)",
            "bank_account_holder": SENTRA,
        },
        {
            "name": FOSTER,
            "kind": InstitutionKind.FOSTER_FAMILY,
            "religion": Religion.ISLAM,
            "age_min": 0,
            "age_max": 12,
            "capacity": 2,
            "address": "Jl. Flamboyan Sintetis No. 8, Balikpapan (sintetis)",
            "kelurahan": "64.71.01.1001",
            "contact_name": "Bpk. Darmawan (sintetis)",
            "contact_phone": "0812-0000-0808",
            "bank_name": "BRI",
            "bank_account_number": "0000-7808-0007 (sintetis)",
            "bank_account_holder": "Darmawan (sintetis)",
        },
        {
            "name": KINSHIP,
            "kind": InstitutionKind.KINSHIP_CARER,
            "religion": Religion.ISLAM,
            "age_min": 0,
            "age_max": 17,
            "capacity": 1,
            "address": "Jl. Cempaka Sintetis No. 19, Balikpapan (sintetis)",
            "kelurahan": "64.71.04.1003",
            "contact_name": "Ibu Sulastri (sintetis)",
            "contact_phone": "0813-0000-1919",
            "bank_name": "Bank Kaltimtara",
            "bank_account_number": "0000-8919-0008 (sintetis)",
            "bank_account_holder": "Sulastri (sintetis)",
        },
    ]


INSPECTIONS = {
    BUNDA: (
        (
            90,
            "Kunjungan rutin: kamar bersih, catatan anak lengkap, pengasuh jaga (sintetis).",
        ),
        (400, "Persiapan akreditasi: SOP pengasuhan sudah tertulis (sintetis)."),
    ),
    PELITA: (
        (30, "Pengingat: tanda daftar LKS segera habis; berkas perpanjangan disiapkan (sintetis)."),
    ),
    KASIH_IBU: (
        (60, "Tanda daftar habis; tidak menerima anak baru sampai diperpanjang (sintetis)."),
    ),
}


def demo_load_institutions() -> int:
    """Add the demo institutions (those not there yet); returns how many were new."""
    today = timezone.localdate()
    recorder = User.objects.filter(username="dinsos").first()
    made = 0
    with transaction.atomic():
        for spec in _spec(today):
            if Institution.objects.filter(name=spec["name"]).exists():
                continue
            values = dict(spec)
            code = values.pop("kelurahan", None)
            values["kelurahan"] = (
                Region.objects.filter(code=code).first() if code is not None else None
            )
            agency_name = AGENCY_OF.get(values["name"])
            agency = (
                Agency.objects.filter(name=agency_name, institution__isnull=True).first()
                if agency_name
                else None
            )
            institution = Institution.objects.create(agency=agency, **values)
            made += 1
            if recorder is not None:
                for days_ago, findings in INSPECTIONS.get(institution.name, ()):
                    Inspection.objects.create(
                        institution=institution,
                        inspected_on=today - timedelta(days=days_ago),
                        findings=findings,
                        recorded_by=recorder,
                    )
        # Agencies created after a first load (demo accounts added later) are linked now.
        for name, agency_name in AGENCY_OF.items():
            agency = Agency.objects.filter(name=agency_name, institution__isnull=True).first()
            if agency is not None:
                Institution.objects.filter(name=name, agency__isnull=True).update(agency=agency)
    registration_alerts(today)
    return made
