"""Ship Kota Balikpapan (64.71): 6 kecamatan and 34 kelurahan, codes as published."""

import csv
from pathlib import Path

from django.db import migrations

SOURCE = "Kepmendagri 300.2.2-2138/2025 (amended 300.2.2-2430/2025)"
DATA = Path(__file__).resolve().parent.parent / "data" / "balikpapan.csv"


def load(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    with DATA.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # The file lists parents before children.
    for row in rows:
        Region.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "level": row["level"],
                "parent_id": row["parent"] or None,
                "postal_code": row["postal_code"],
                "source": SOURCE,
                "is_active": True,
            },
        )


def unload(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    for level in ("kelurahan", "kecamatan", "kota"):
        Region.objects.filter(code__startswith="64.71", level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
