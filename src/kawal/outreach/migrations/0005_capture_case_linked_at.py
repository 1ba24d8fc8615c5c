from django.db import migrations, models

# Audit kinds that set a capture's case after it was saved (a case opened or
# reopened from it, or an undo moving it); one linked at once was linked when saved.
LINKING = ("outreach.capture_case_opened", "outreach.capture_case_moved")


def backfill(apps, schema_editor):
    Capture = apps.get_model("outreach", "Capture")
    AuditEvent = apps.get_model("core", "AuditEvent")
    for capture in Capture.objects.filter(case__isnull=False).select_related("case"):
        audited = (
            AuditEvent.objects.filter(kind__in=LINKING, target=f"capture:{capture.uuid}")
            .order_by("-occurred_at")
            .values_list("occurred_at", flat=True)
            .first()
        )
        capture.case_linked_at = audited or max(capture.created_at, capture.case.created_at)
        capture.save(update_fields=["case_linked_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0004_capture_undertaking_file"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="capture",
            name="case_linked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
