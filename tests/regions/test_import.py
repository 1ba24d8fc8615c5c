from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from kawal.core.models import AuditEvent
from kawal.regions.models import Region

pytestmark = pytest.mark.django_db

KUKAR = """code,name,level,parent,postal_code
64.02,Kabupaten Kutai Kartanegara,kabupaten,64,
64.02.06,Tenggarong,kecamatan,64.02,
64.02.06.1001,Kelurahan Contoh Satu,kelurahan,64.02.06,75511
64.02.06.2001,Desa Contoh Dua,desa,64.02.06,75512
"""


def run(tmp_path, text, name="regions.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("import_regions", str(path), stdout=out, stderr=StringIO())
    return out.getvalue()


def test_import_creates_a_new_area(tmp_path):
    out = run(tmp_path, KUKAR)
    assert "4 created" in out
    assert "4/4" in out  # progress
    assert Region.objects.get(code="64.02.06.2001").parent_id == "64.02.06"
    assert AuditEvent.objects.filter(kind="regions.imported").count() == 1


def test_import_is_idempotent(tmp_path):
    run(tmp_path, KUKAR)
    out = run(tmp_path, KUKAR)
    assert "0 created, 0 updated, 4 unchanged" in out
    assert AuditEvent.objects.filter(kind="regions.imported").count() == 1


def test_import_updates_a_renamed_region(tmp_path):
    run(tmp_path, KUKAR)
    out = run(tmp_path, KUKAR.replace("Desa Contoh Dua", "Desa Contoh Baru"))
    assert "1 updated" in out
    assert Region.objects.get(code="64.02.06.2001").name == "Desa Contoh Baru"


def test_children_before_parents_in_the_file_are_fine(tmp_path):
    lines = KUKAR.strip().splitlines()
    run(tmp_path, "\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    assert Region.objects.filter(code__startswith="64.02").count() == 4


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("64.02.06.3001,Bad,kelurahan,64.02.06,", "not a valid kelurahan code"),
        ("64.02.06.1002,Bad,desa,64.02.06,", "not a valid desa code"),
        ("64.75,Kota Palsu,kabupaten,64,", "not a valid kabupaten code"),
        ("64.02.07.1001,Orphan,kelurahan,64.02.07,", "neither in the file nor in the database"),
        ("64.02.06.1003,Wrong parent,kelurahan,64.71.01,", "does not lie under its parent"),
        ("64.02.09,Kec,kecamatan,64.02.06,", "does not lie under its parent"),
        ("64.02.06.1004,X,kelurahan,64.02.06,7551", "postal code has 5 digits"),
        ("64.02.06.1005,X,village,64.02.06,", "unknown level"),
        ("64.02.06.1001,Duplicate,kelurahan,64.02.06,", "appears twice"),
    ],
)
def test_bad_rows_stop_the_whole_import(tmp_path, row, problem):
    with translation.override("en"), pytest.raises(CommandError):
        path = tmp_path / "bad.csv"
        path.write_text(KUKAR + row + "\n", encoding="utf-8")
        err = StringIO()
        try:
            call_command("import_regions", str(path), stdout=StringIO(), stderr=err)
        finally:
            assert problem in err.getvalue(), err.getvalue()
    assert not Region.objects.filter(code__startswith="64.02").exists()


def test_missing_columns_are_reported(tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("kode,nama\n64,X\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_regions", str(path), stdout=StringIO(), stderr=err)
    assert "Kolom tidak ada" in err.getvalue()  # commands speak Indonesian by default


def test_not_utf8_is_reported(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("code,name,level,parent\n64.02,K\xe9,kabupaten,64\n".encode("latin-1"))
    with pytest.raises(CommandError):
        call_command("import_regions", str(path), stdout=StringIO(), stderr=StringIO())


def test_missing_file(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_regions", str(tmp_path / "nope.csv"), stdout=StringIO())
