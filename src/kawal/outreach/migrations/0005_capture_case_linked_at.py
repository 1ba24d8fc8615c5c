from django.db import migrations, models


def backfill(apps, schema_editor):
    """A link made before this field: when the capture or its case was created, the later."""
    Capture = apps.get_model("outreach", "Capture")
    for capture in Capture.objects.filter(case__isnull=False).select_related("case"):
        capture.case_linked_at = max(capture.created_at, capture.case.created_at)
        capture.save(update_fields=["case_linked_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0004_capture_undertaking_file"),
    ]

    operations = [
        migrations.AddField(
            model_name="capture",
            name="case_linked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
