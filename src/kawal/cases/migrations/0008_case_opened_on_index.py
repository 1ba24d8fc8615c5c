from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_task_reminder_key"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["opened_on"], name="cases_case_opened_2a8d0c_idx"),
        ),
    ]
