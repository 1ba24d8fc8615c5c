"""NIK and KK structure checks (no database).

Every number here is assembled from parts by ``nik()`` / ``kk()``; none is a real
person's or family's number.
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from kawal.people.identity_numbers import (
    PROVINCE_CODES,
    KkInfo,
    NikInfo,
    mask_nik,
    nik_warnings,
    parse_kk,
    parse_nik,
)

TODAY = date(2026, 6, 1)
BULLETS = "\u2022" * 4


def nik(
    *,
    province: str = "64",
    regency: str = "71",
    district: str = "05",
    ddmmyy: str = "120310",
    serial: str = "9912",
) -> str:
    return f"{province}{regency}{district}{ddmmyy}{serial}"


def kk(
    *,
    province: str = "64",
    regency: str = "71",
    district: str = "05",
    ddmmyy: str = "150315",
    serial: str = "9901",
) -> str:
    return f"{province}{regency}{district}{ddmmyy}{serial}"


def error_code(excinfo: pytest.ExceptionInfo[ValidationError]) -> str | None:
    return excinfo.value.error_list[0].code


def nik_error(value: str, *, today: date = TODAY) -> str | None:
    with pytest.raises(ValidationError) as excinfo:
        parse_nik(value, today=today)
    return error_code(excinfo)


def kk_error(value: str, *, today: date = TODAY) -> str | None:
    with pytest.raises(ValidationError) as excinfo:
        parse_kk(value, today=today)
    return error_code(excinfo)


# --- NIK: shape ---------------------------------------------------------------------------


def test_parse_nik_decodes_every_part() -> None:
    assert parse_nik(nik(), today=TODAY) == NikInfo(
        nik="6471051203109912",
        province="64",
        regency="64.71",
        district="64.71.05",
        birth_date=date(2010, 3, 12),
        sex="M",
        serial="9912",
    )


@pytest.mark.parametrize(
    "written",
    [
        "6471 0512 0310 9912",
        "64.71.05.120310.9912",
        "6471-0512-0310-9912",
        "  64 71 05-120310.9912 ",
        "6471\u00a0051203109912",
    ],
)
def test_parse_nik_ignores_spaces_dots_and_dashes(written: str) -> None:
    assert parse_nik(written, today=TODAY).nik == "6471051203109912"


@pytest.mark.parametrize("value", ["", "647105120310991", "64710512031099120", "6471"])
def test_parse_nik_rejects_wrong_length(value: str) -> None:
    assert nik_error(value) == "nik_length"


@pytest.mark.parametrize(
    "value",
    [
        "64710512031099I2",
        "6471/051203109912",
        "+647105120310991",
        # Arabic-Indic digits pass str.isdigit() but are not on any card.
        "\u0666\u0664\u0667\u0661051203109912",
    ],
)
def test_parse_nik_rejects_non_digits(value: str) -> None:
    assert nik_error(value) == "nik_digits"


def test_length_message_names_the_count() -> None:
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            parse_nik("6471 0512 0310 991", today=TODAY)
        # Messages are lazy: read them while English is still active.
        assert excinfo.value.messages == ["A NIK has 16 digits; this one has 15."]


# --- NIK: region code ---------------------------------------------------------------------


def test_there_are_38_province_codes() -> None:
    assert len(PROVINCE_CODES) == 38
    assert all(len(code) == 2 and code.isascii() and code.isdigit() for code in PROVINCE_CODES)


@pytest.mark.parametrize("province", sorted(PROVINCE_CODES))
def test_parse_nik_accepts_every_province(province: str) -> None:
    assert parse_nik(nik(province=province), today=TODAY).province == province


@pytest.mark.parametrize("province", ["00", "10", "20", "54", "97", "99"])
def test_parse_nik_rejects_unknown_province(province: str) -> None:
    assert nik_error(nik(province=province)) == "nik_province"


@pytest.mark.parametrize("regency", ["00", "70"])
def test_parse_nik_rejects_unassigned_regency(regency: str) -> None:
    assert nik_error(nik(regency=regency)) == "nik_regency"


@pytest.mark.parametrize("regency", ["01", "69", "71", "99"])
def test_parse_nik_accepts_kabupaten_and_kota_codes(regency: str) -> None:
    assert parse_nik(nik(regency=regency), today=TODAY).regency == f"64.{regency}"


def test_parse_nik_does_not_require_a_balikpapan_or_current_region() -> None:
    # Aceh, a kabupaten number nobody checks against the current list, district 99.
    info = parse_nik(nik(province="11", regency="68", district="99"), today=TODAY)
    assert info.district == "11.68.99"


def test_parse_nik_rejects_district_00() -> None:
    assert nik_error(nik(district="00")) == "nik_district"


# --- NIK: birth date and sex --------------------------------------------------------------


@pytest.mark.parametrize(
    ("ddmmyy", "birth_date", "sex"),
    [
        ("010310", date(2010, 3, 1), "M"),
        ("310310", date(2010, 3, 31), "M"),
        ("410310", date(2010, 3, 1), "F"),
        ("450310", date(2010, 3, 5), "F"),
        ("710310", date(2010, 3, 31), "F"),
    ],
)
def test_parse_nik_decodes_day_and_sex(ddmmyy: str, birth_date: date, sex: str) -> None:
    info = parse_nik(nik(ddmmyy=ddmmyy), today=TODAY)
    assert (info.birth_date, info.sex) == (birth_date, sex)


@pytest.mark.parametrize(
    "ddmmyy",
    [
        "000310",  # day 0
        "320310",  # between the male and female ranges
        "400310",  # female day 0
        "720310",  # female day 32
        "990310",
        "120010",  # month 0
        "121310",  # month 13
        "310299",  # 31 February
        "300299",  # 30 February
        "700216",  # 30 February, female
        "310410",  # 31 April
        "290217",  # 2017 is not a leap year
        "690217",  # nor for women
    ],
)
def test_parse_nik_rejects_impossible_dates(ddmmyy: str) -> None:
    assert nik_error(nik(ddmmyy=ddmmyy)) == "nik_date"


@pytest.mark.parametrize(
    ("ddmmyy", "birth_date"),
    [
        ("290216", date(2016, 2, 29)),
        ("690216", date(2016, 2, 29)),
        ("290200", date(2000, 2, 29)),  # a century year that is a leap year
    ],
)
def test_parse_nik_accepts_leap_days(ddmmyy: str, birth_date: date) -> None:
    assert parse_nik(nik(ddmmyy=ddmmyy), today=TODAY).birth_date == birth_date


@pytest.mark.parametrize(
    ("ddmmyy", "today", "birth_date"),
    [
        ("120310", date(2026, 6, 1), date(2010, 3, 12)),
        ("120390", date(2026, 6, 1), date(1990, 3, 12)),
        ("010100", date(2026, 6, 1), date(2000, 1, 1)),
        # Born in December of '26, and it is only January 2026: that must be 1926.
        ("151226", date(2026, 1, 1), date(1926, 12, 15)),
        ("551226", date(2026, 1, 1), date(1926, 12, 15)),
        # Born today is not in the future.
        ("010126", date(2026, 1, 1), date(2026, 1, 1)),
        ("020126", date(2026, 1, 1), date(1926, 1, 2)),
        ("311225", date(2026, 1, 1), date(2025, 12, 31)),
    ],
)
def test_parse_nik_picks_the_latest_century_not_after_today(
    ddmmyy: str, today: date, birth_date: date
) -> None:
    assert parse_nik(nik(ddmmyy=ddmmyy), today=today).birth_date == birth_date


def test_parse_nik_defaults_today_to_the_local_date() -> None:
    with time_machine.travel(date(2026, 1, 1), tick=False):
        assert parse_nik(nik(ddmmyy="151226")).birth_date == date(1926, 12, 15)
        assert parse_nik(nik(ddmmyy="151225")).birth_date == date(2025, 12, 15)


# --- NIK: serial --------------------------------------------------------------------------


def test_parse_nik_rejects_serial_0000() -> None:
    assert nik_error(nik(serial="0000")) == "nik_serial"


@pytest.mark.parametrize("serial", ["0001", "9999"])
def test_parse_nik_accepts_other_serials(serial: str) -> None:
    assert parse_nik(nik(serial=serial), today=TODAY).serial == serial


def test_parse_nik_has_no_check_digit() -> None:
    # Every final digit is as good as any other; there is no checksum to fail.
    for last in "0123456789":
        parse_nik(nik(serial=f"991{last}"), today=TODAY)


# --- NIK: warnings against the record -----------------------------------------------------

MALE_2010 = parse_nik(nik(ddmmyy="120310"), today=TODAY)
FEMALE_2010 = parse_nik(nik(ddmmyy="520310"), today=TODAY)


def test_no_warnings_when_record_agrees() -> None:
    assert nik_warnings(MALE_2010, birth_date=date(2010, 3, 12), sex="M") == []
    assert nik_warnings(FEMALE_2010, birth_date=date(2010, 3, 12), sex="F") == []


def test_no_warnings_when_nothing_is_recorded() -> None:
    assert nik_warnings(MALE_2010, birth_date=None, sex=None) == []
    assert nik_warnings(MALE_2010, birth_date=None, sex=None, birth_date_estimated=True) == []


@pytest.mark.parametrize("sex", ["", "U", "X"])
def test_unknown_recorded_sex_is_not_a_mismatch(sex: str) -> None:
    assert nik_warnings(FEMALE_2010, birth_date=None, sex=sex) == []


@pytest.mark.parametrize(
    ("info", "recorded_sex", "expected"),
    [
        (FEMALE_2010, "M", "The NIK is a female number, but the record says male."),
        (MALE_2010, "F", "The NIK is a male number, but the record says female."),
    ],
)
def test_warns_on_sex_mismatch(info: NikInfo, recorded_sex: str, expected: str) -> None:
    with translation.override("en"):
        warnings = nik_warnings(info, birth_date=date(2010, 3, 12), sex=recorded_sex)
    assert warnings == [expected]


@pytest.mark.parametrize("recorded", [date(2010, 3, 13), date(2010, 4, 12), date(2011, 3, 12)])
def test_warns_on_birth_date_mismatch(recorded: date) -> None:
    with translation.override("en"):
        warnings = nik_warnings(MALE_2010, birth_date=recorded, sex="M")
    assert len(warnings) == 1
    assert warnings[0].startswith("The birth date in the NIK")
    assert "2010" in warnings[0]


def test_warns_on_both_mismatches_without_raising() -> None:
    warnings = nik_warnings(MALE_2010, birth_date=date(2009, 1, 1), sex="F")
    assert len(warnings) == 2
    assert all(isinstance(warning, str) for warning in warnings)


@pytest.mark.parametrize("recorded", [date(2010, 1, 1), date(2009, 7, 1), date(2011, 12, 31)])
def test_estimated_birth_date_within_a_year_does_not_warn(recorded: date) -> None:
    assert nik_warnings(MALE_2010, birth_date=recorded, sex="M", birth_date_estimated=True) == []


@pytest.mark.parametrize("recorded", [date(2008, 3, 12), date(2012, 1, 1), date(1990, 3, 12)])
def test_estimated_birth_date_years_away_warns(recorded: date) -> None:
    with translation.override("en"):
        warnings = nik_warnings(MALE_2010, birth_date=recorded, sex="M", birth_date_estimated=True)
    assert warnings == [
        f"The birth year in the NIK (2010) is more than a year away from the estimated "
        f"birth year ({recorded.year})."
    ]


def test_warnings_render_in_indonesian_without_error() -> None:
    with translation.override("id"):
        warnings = nik_warnings(MALE_2010, birth_date=date(2009, 1, 1), sex="F")
    assert len(warnings) == 2


# --- NIK: masking -------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["6471051203109912", "6471 0512 0310 9912"])
def test_mask_nik_shows_only_the_last_four_digits(written: str) -> None:
    masked = mask_nik(written)
    assert masked == f"{BULLETS} {BULLETS} {BULLETS} 9912"
    assert sum(char.isdigit() for char in masked) == 4


@pytest.mark.parametrize("value", ["", "9912", "64710512", "6471-0512-0310-991X"])
def test_mask_nik_hides_malformed_values_entirely(value: str) -> None:
    assert mask_nik(value) == f"{BULLETS} {BULLETS} {BULLETS} {BULLETS}"


# --- KK -----------------------------------------------------------------------------------


def test_parse_kk_decodes_every_part() -> None:
    assert parse_kk(kk(), today=TODAY) == KkInfo(
        kk="6471051503159901",
        region="64.71.05",
        issued_on=date(2015, 3, 15),
        serial="9901",
    )


def test_parse_kk_ignores_separators() -> None:
    assert parse_kk("64.71.05 150315-9901", today=TODAY).kk == "6471051503159901"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("647105150315990", "kk_length"),
        ("64710515031599011", "kk_length"),
        ("64710515031599O1", "kk_digits"),
        (kk(province="99"), "kk_province"),
        (kk(regency="00"), "kk_regency"),
        (kk(regency="70"), "kk_regency"),
        (kk(serial="0000"), "kk_serial"),
    ],
)
def test_parse_kk_rejects_malformed_numbers(value: str, code: str) -> None:
    assert kk_error(value) == code


@pytest.mark.parametrize(
    "ddmmyy",
    [
        "450315",  # no +40 for women on a KK: the date is the issue date
        "000315",
        "310215",  # 31 February
        "290217",
        "151315",
    ],
)
def test_parse_kk_rejects_impossible_dates(ddmmyy: str) -> None:
    assert kk_error(kk(ddmmyy=ddmmyy)) == "kk_date"


@pytest.mark.parametrize(
    ("ddmmyy", "today"),
    [
        ("020626", date(2026, 6, 1)),  # tomorrow
        ("150627", date(2026, 6, 1)),  # next year, not 1927
        ("020126", date(2026, 1, 1)),  # not 1926 either
        ("010189", date(2026, 6, 1)),  # 1989 predates computerised registers
    ],
)
def test_parse_kk_rejects_future_and_implausibly_old_dates(ddmmyy: str, today: date) -> None:
    assert kk_error(kk(ddmmyy=ddmmyy), today=today) == "kk_date"


@pytest.mark.parametrize(
    ("ddmmyy", "issued_on"),
    [
        ("010626", date(2026, 6, 1)),  # issued today
        ("290216", date(2016, 2, 29)),
        ("311299", date(1999, 12, 31)),
        ("010190", date(1990, 1, 1)),
    ],
)
def test_parse_kk_accepts_past_issue_dates(ddmmyy: str, issued_on: date) -> None:
    assert parse_kk(kk(ddmmyy=ddmmyy), today=TODAY).issued_on == issued_on


def test_parse_kk_accepts_district_codes_as_written() -> None:
    assert parse_kk(kk(province="96", regency="01", district="01"), today=TODAY).region == (
        "96.01.01"
    )
