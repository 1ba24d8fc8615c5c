from django.db import migrations, models

# Audit kinds that set a capture's case after it was saved (a case opened or
# reopened from it, or an undo moving it); one linked at once was linked when saved.
OPENED = "outreach.capture_case_opened"
LINKING = (OPENED, "outreach.capture_case_moved")


def backfill(apps, schema_editor):
    Capture = apps.get_model("outreach", "Capture")
    AuditEvent = apps.get_model("core", "AuditEvent")
    # One read of the trail, oldest first, so the latest event of a capture wins
    # (the trail's ``target`` has no index: a query per capture would scan it each time).
    latest: dict[str, tuple[object, str]] = {}
    events = AuditEvent.objects.filter(kind__in=LINKING, target__startswith="capture:")
    for target, at, kind in events.order_by("occurred_at", "id").values_list(
        "target", "occurred_at", "kind"
    ):
        latest[target] = (at, kind)
    for capture in Capture.objects.filter(case__isnull=False).select_related("case"):
        at, kind = latest.get(f"capture:{capture.uuid}", (None, ""))
        capture.case_linked_at = at or max(capture.created_at, capture.case.created_at)
        capture.case_opened_from = kind == OPENED
        capture.save(update_fields=["case_linked_at", "case_opened_from"])


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
        migrations.AddField(
            model_name="capture",
            name="case_opened_from",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
