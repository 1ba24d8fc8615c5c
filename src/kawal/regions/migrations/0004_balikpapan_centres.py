"""Approximate centres of Balikpapan's 34 kelurahan, for the hotspot map.

The points are placed by hand inside each kelurahan from public maps, to a few
hundred metres; they are where the map draws a kelurahan's count, not survey data.
"""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "balikpapan_centres.csv"


def load(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    with DATA.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Region.objects.filter(code=row["code"]).update(
                latitude=Decimal(row["latitude"]), longitude=Decimal(row["longitude"])
            )


def unload(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    Region.objects.filter(code__startswith="64.71.").update(latitude=None, longitude=None)


class Migration(migrations.Migration):
    dependencies = [("regions", "0003_centres_and_boundaries")]

    operations = [migrations.RunPython(load, unload)]
