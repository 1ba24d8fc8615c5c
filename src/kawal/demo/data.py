"""Synthetic demo data for Balikpapan. Every name here is invented (SINTETIS).

Agency names of public offices are their real titles, because the demo shows
which office does what; people, institutions and neighbourhoods are fictional.
"""

from __future__ import annotations

from dataclasses import dataclass

from kawal.access.catalogue import AgencyKind, Role

CITY = "64.71"


@dataclass(frozen=True)
class DemoAgency:
    key: str
    name: str
    short_name: str
    kind: AgencyKind
    region: str


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: Role
    agency: str


AGENCIES: tuple[DemoAgency, ...] = (
    DemoAgency("dp3akb", "DP3AKB Kota Balikpapan", "DP3AKB", AgencyKind.DP3AKB, CITY),
    DemoAgency("uptd", "UPTD PPA Kota Balikpapan", "UPTD PPA", AgencyKind.UPTD_PPA, CITY),
    DemoAgency(
        "polda", "Ditreskrimum Polda Kalimantan Timur", "Ditreskrimum", AgencyKind.POLICE, "64"
    ),
    DemoAgency("satpol", "Satpol PP Kota Balikpapan", "Satpol PP", AgencyKind.SATPOL_PP, CITY),
    DemoAgency("dinsos", "Dinas Sosial Kota Balikpapan", "Dinsos", AgencyKind.DINAS_SOSIAL, CITY),
    DemoAgency(
        "psikologi",
        "Layanan Psikologi Cahaya Hati (sintetis)",
        "Psikologi Cahaya Hati",
        AgencyKind.PSYCHOLOGY,
        CITY,
    ),
    DemoAgency(
        "rt_manggar",
        "RT 012 Kelurahan Manggar (sintetis)",
        "RT 012 Manggar",
        AgencyKind.NEIGHBOURHOOD,
        "64.71.01.1001",
    ),
    DemoAgency(
        "rt_muara_rapak",
        "RT 027 Kelurahan Muara Rapak (sintetis)",
        "RT 027 Muara Rapak",
        AgencyKind.NEIGHBOURHOOD,
        "64.71.03.1004",
    ),
    DemoAgency(
        "rt_klandasan",
        "RT 005 Kelurahan Klandasan Ilir (sintetis)",
        "RT 005 Klandasan Ilir",
        AgencyKind.NEIGHBOURHOOD,
        "64.71.06.1004",
    ),
    DemoAgency(
        "lksa_bunda",
        "LKSA Harapan Bunda (sintetis)",
        "LKSA Harapan Bunda",
        AgencyKind.CHILD_CARE_INSTITUTION,
        "64.71.04.1003",
    ),
    DemoAgency(
        "lksa_pelita",
        "LKSA Pelita Kasih (sintetis)",
        "LKSA Pelita Kasih",
        AgencyKind.CHILD_CARE_INSTITUTION,
        "64.71.02.1002",
    ),
    DemoAgency(
        "pesantren",
        "Pondok Pesantren Nurul Ilmi (sintetis)",
        "PP Nurul Ilmi",
        AgencyKind.CHILD_CARE_INSTITUTION,
        "64.71.01.1003",
    ),
    DemoAgency(
        "disdik",
        "Dinas Pendidikan dan Kebudayaan Kota Balikpapan",
        "Disdikbud",
        AgencyKind.EDUCATION_OFFICE,
        CITY,
    ),
    DemoAgency(
        "kominfo",
        "Dinas Komunikasi dan Informatika Kota Balikpapan",
        "Diskominfo",
        AgencyKind.OTHER,
        CITY,
    ),
)

ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("manajer", "Rina Anggraini (sintetis)", Role.CASE_MANAGER, "dp3akb"),
    DemoAccount("supervisor", "Hendra Wijaya (sintetis)", Role.SUPERVISOR, "dp3akb"),
    # A second supervisor: public releases and large exports need four eyes.
    DemoAccount("supervisor2", "Fitri Handayani (sintetis)", Role.SUPERVISOR, "dp3akb"),
    DemoAccount("uptd", "Siti Rahmawati (sintetis)", Role.SHELTER_STAFF, "uptd"),
    DemoAccount("psikolog", "Dewi Lestari, M.Psi. (sintetis)", Role.PSYCHOLOGIST, "psikologi"),
    DemoAccount("polisi", "Bripka Agus Santoso (sintetis)", Role.INVESTIGATOR, "polda"),
    DemoAccount("satpolpp", "Joko Prasetyo (sintetis)", Role.PATROL_OFFICER, "satpol"),
    DemoAccount("dinsos", "Maya Sari (sintetis)", Role.SOCIAL_WORKER, "dinsos"),
    DemoAccount("keuangan", "Bambang Hartono (sintetis)", Role.FINANCE_OFFICER, "dinsos"),
    DemoAccount("rt", "Pak Slamet (sintetis)", Role.RT_HEAD, "rt_manggar"),
    DemoAccount("lksa", "Ibu Ratna (sintetis)", Role.INSTITUTION_STAFF, "lksa_bunda"),
    DemoAccount("sekolah", "Yusuf Hidayat (sintetis)", Role.SCHOOL_LIAISON, "disdik"),
    DemoAccount("admin", "Admin Sistem (sintetis)", Role.SYSTEM_ADMIN, "kominfo"),
    DemoAccount("dpo", "Nur Aisyah (sintetis)", Role.DATA_PROTECTION_OFFICER, "dp3akb"),
)
