"""The seven everyday indicators of the psychologist's daily observation.

Written for this project (no copyrighted instrument). Administrators add an
instrument's own indicators, or retire one, in the configuration console.
"""

from django.db import migrations

INDICATORS = [
    # code, Indonesian, English, 1 (id), 1 (en), 5 (id), 5 (en), higher is better
    ("mood", "Suasana hati", "Mood", "sangat murung", "very low", "sangat baik", "very good", True),
    ("sleep", "Tidur", "Sleep", "sangat buruk", "very poor", "nyenyak", "sound", True),
    ("appetite", "Nafsu makan", "Appetite", "tidak mau makan", "refuses food", "makan baik", "eats well", True),
    ("social", "Kontak sosial", "Social contact", "menghindari semua orang", "avoids everyone", "mudah bergaul", "mixes easily", True),
    ("aggression", "Agresi", "Aggression", "tidak ada", "none", "sangat sering", "very often", False),
    ("withdrawal", "Menarik diri", "Withdrawal", "tidak ada", "none", "sangat menarik diri", "fully withdrawn", False),
    ("concentration", "Konsentrasi", "Concentration", "tidak bisa fokus", "cannot focus", "fokus penuh", "fully focused", True),
]


def load(apps, schema_editor):
    Indicator = apps.get_model("care", "Indicator")
    for order, (code, label_id, label_en, low_id, low_en, high_id, high_en, better) in enumerate(
        INDICATORS, start=1
    ):
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "label_id": label_id,
                "label_en": label_en,
                "low_id": low_id,
                "low_en": low_en,
                "high_id": high_id,
                "high_en": high_en,
                "higher_is_better": better,
                "order": order * 10,
                "is_active": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
