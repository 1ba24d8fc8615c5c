"""Balikpapan ships as data, with the codes exactly as published (domain-rules §6)."""

from __future__ import annotations

import pytest

from kawal.regions.models import Region, RegionLevel

pytestmark = pytest.mark.django_db

# Written out from the published table; never derived by counting.
KELURAHAN = {
    "64.71.01": (
        "Balikpapan Timur",
        {"1001": "Manggar", "1002": "Lamaru", "1003": "Teritip", "1004": "Manggar Baru"},
    ),
    "64.71.02": (
        "Balikpapan Barat",
        {
            "1001": "Baru Ilir",
            "1002": "Baru Tengah",
            "1003": "Baru Ulu",
            "1004": "Kariangau",
            "1005": "Margo Mulyo",
            "1006": "Marga Sari",
        },
    ),
    "64.71.03": (
        "Balikpapan Utara",
        {
            "1001": "Batu Ampar",
            "1002": "Gunung Samarinda",
            "1003": "Karang Joang",
            "1004": "Muara Rapak",
            "1005": "Gunung Samarinda Baru",
            "1006": "Graha Indah",
        },
    ),
    "64.71.04": (
        "Balikpapan Tengah",
        {
            "1001": "Gunung Sari Ulu",
            "1002": "Gunung Sari Ilir",
            "1003": "Karang Rejo",
            "1004": "Karang Jati",
            "1005": "Mekar Sari",
            "1006": "Sumber Rejo",
        },
    ),
    "64.71.05": (
        "Balikpapan Selatan",
        {
            "1002": "Sepinggan",
            "1006": "Gunung Bahagia",
            "1008": "Sepinggan Baru",
            "1009": "Sepinggan Raya",
            "1010": "Sungai Nangka",
            "1011": "Damai Baru",
            "1012": "Damai Bahagia",
        },
    ),
    "64.71.06": (
        "Balikpapan Kota",
        {
            "1001": "Prapatan",
            "1002": "Telaga Sari",
            "1003": "Klandasan Ulu",
            "1004": "Klandasan Ilir",
            "1005": "Damai",
        },
    ),
}


def test_city_and_province():
    city = Region.objects.get(code="64.71")
    assert city.level == RegionLevel.KOTA and city.name == "Kota Balikpapan"
    assert city.parent_id == "64"


def test_six_kecamatan():
    kecamatan = Region.objects.filter(parent_id="64.71", level=RegionLevel.KECAMATAN)
    assert {k.code: k.name for k in kecamatan} == {
        code: name for code, (name, _) in KELURAHAN.items()
    }


def test_thirty_four_kelurahan_with_exact_codes():
    found = {
        region.code: region.name
        for region in Region.objects.filter(code__startswith="64.71.", level=RegionLevel.KELURAHAN)
    }
    expected = {
        f"{kecamatan}.{code}": name
        for kecamatan, (_, kelurahan) in KELURAHAN.items()
        for code, name in kelurahan.items()
    }
    assert len(found) == 34
    assert found == expected


def test_gaps_in_balikpapan_selatan_are_kept():
    for missing in ("1001", "1003", "1004", "1005", "1007"):
        assert not Region.objects.filter(code=f"64.71.05.{missing}").exists()


def test_every_kelurahan_has_a_postal_code_and_a_source():
    for region in Region.objects.filter(level=RegionLevel.KELURAHAN):
        assert len(region.postal_code) == 5 and region.postal_code.startswith("761")
        assert "Kepmendagri" in region.source
