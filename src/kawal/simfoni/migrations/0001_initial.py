import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MappingRow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "axis",
                    models.CharField(
                        choices=[
                            ("form", "Form of violence"),
                            ("place", "Place (Kategori Lokasi)"),
                            ("relation", "Perpetrator's relationship to the child"),
                            ("service", "Service given"),
                            ("age", "Victim's age band"),
                            ("education", "Education"),
                            ("disability", "Disability"),
                        ],
                        max_length=12,
                        verbose_name="axis",
                    ),
                ),
                ("local_value", models.CharField(max_length=40, verbose_name="local value")),
                (
                    "simfoni_value",
                    models.CharField(
                        blank=True,
                        help_text=(
                            "Empty: no SIMFONI value; cases with this local value are listed as"
                            " not mappable."
                        ),
                        max_length=40,
                        verbose_name="SIMFONI-PPA value",
                    ),
                ),
                (
                    "changed_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="last changed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "SIMFONI-PPA mapping",
                "verbose_name_plural": "SIMFONI-PPA mappings",
                "ordering": ["axis", "local_value"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("axis", "local_value"), name="simfoni_mapping_once"
                    )
                ],
            },
        ),
    ]
