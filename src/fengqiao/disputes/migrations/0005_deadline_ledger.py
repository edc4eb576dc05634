"""The dispute clocks become the county's declaration (settings) that a type may override, and sent warnings move to
core's ledger with the due time of the clock run they were sent for, so none is sent twice."""

from django.db import migrations, models

CLOCK_OF = {
    "late_close": "close_due_at",
    "late_assign": "assign_due_at",
    "late_update": "update_due_at",
    "late_revisit": "revisit_due_at",
}
# A type that kept the old built-in value follows the county's clock from now on (the same durations by default).
OLD_DEFAULTS = {"assign_hours": 24, "first_update_hours": 24, "close_days": 30, "revisit_days": 7}


def forwards(apps, schema_editor):
    Dispute = apps.get_model("disputes", "Dispute")
    OldWarning = apps.get_model("disputes", "DeadlineWarning")
    DeadlineWarning = apps.get_model("core", "DeadlineWarning")
    ContentType = apps.get_model("contenttypes", "ContentType")
    DisputeType = apps.get_model("disputes", "DisputeType")
    content_type, _ = ContentType.objects.get_or_create(app_label="disputes", model="dispute")
    rows = []
    for old in OldWarning.objects.all().iterator(chunk_size=2000):
        column = CLOCK_OF.get(old.flag)
        due_at = Dispute.objects.filter(pk=old.dispute_id).values_list(column, flat=True).first() if column else None
        rows.append(
            DeadlineWarning(
                content_type=content_type, object_id=old.dispute_id, signal=old.flag, due_at=due_at, sent_at=old.sent_at
            )
        )
    DeadlineWarning.objects.bulk_create(rows, ignore_conflicts=True)
    for column, value in OLD_DEFAULTS.items():
        DisputeType.objects.filter(**{column: value}).update(**{column: None})


def backwards(apps, schema_editor):
    DisputeType = apps.get_model("disputes", "DisputeType")
    for column, value in OLD_DEFAULTS.items():
        DisputeType.objects.filter(**{column: None}).update(**{column: value})


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0004_public_and_secrets"),
        ("core", "0006_deadline_ledger"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name="disputetype",
            name="assign_hours",
            field=models.FloatField(
                blank=True, help_text="留空则按全县统一时限。", null=True, verbose_name="分配时限（小时）"
            ),
        ),
        migrations.AlterField(
            model_name="disputetype",
            name="close_days",
            field=models.FloatField(
                blank=True, help_text="留空则按全县统一时限。", null=True, verbose_name="办结时限（天）"
            ),
        ),
        migrations.AlterField(
            model_name="disputetype",
            name="first_update_hours",
            field=models.FloatField(
                blank=True, help_text="留空则按全县统一时限。", null=True, verbose_name="首次更新时限（小时）"
            ),
        ),
        migrations.AlterField(
            model_name="disputetype",
            name="revisit_days",
            field=models.FloatField(
                blank=True, help_text="留空则按全县统一时限。", null=True, verbose_name="回访时限（天）"
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(
            name="DeadlineWarning",
        ),
    ]
