"""The five programmes the issue names, with example account codes to be replaced.

The account codes (kode rekening) follow the shape of the regional chart of
accounts (Permendagri 90/2019) but are examples: each region sets its own in
the configuration console.
"""

from django.db import migrations

PROGRAMMES = (
    ("permakanan", "Permakanan", "Meals", "5.1.02.01.01.0052", 10),
    ("pendidikan", "Pendidikan", "Education", "5.1.02.01.01.0029", 20),
    ("kesehatan", "Kesehatan", "Health", "5.1.02.01.01.0033", 30),
    ("sandang", "Sandang", "Clothing", "5.1.02.01.01.0046", 40),
    ("transportasi", "Transportasi", "Transport", "5.1.02.04.01.0003", 50),
)


def load(apps, schema_editor):
    Programme = apps.get_model("funding", "Programme")
    for code, name_id, name_en, account, order in PROGRAMMES:
        Programme.objects.get_or_create(
            code=code,
            defaults={
                "name_id": name_id,
                "name_en": name_en,
                "account_code": account,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
