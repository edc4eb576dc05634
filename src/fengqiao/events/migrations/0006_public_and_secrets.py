"""Nothing public by default; Open311's own request ids; receipt secrets; IoT nonces."""

import secrets

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import fengqiao.events.models

# Families that are about people (crime leads, petitions, hardship, complaints, disputes, key persons): never public.
SENSITIVE = ("治安", "信访", "困难群众", "投诉", "纠纷", "重点人员", "黄赌毒")
# Leaves of the default catalogue that were public only because the column defaulted to true; this only hides.
DEFAULT_PRIVATE = [
    *("0101", "0102", "0103", "0104", "0201", "0202", "0301", "0302", "0303"),
    *("0304", "0401", "0402", "0501", "0601", "0701", "0801", "0802", "0803"),
]


def backfill_public_ids(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    pks = list(Event.objects.filter(public_id__isnull=True).values_list("pk", flat=True))
    for start in range(0, len(pks), 2000):
        batch = [Event(pk=pk, public_id=secrets.token_hex(10)) for pk in pks[start : start + 2000]]
        Event.objects.bulk_update(batch, ["public_id"])


def hide_sensitive(apps, schema_editor):
    Category = apps.get_model("events", "Category")
    Category.objects.filter(code__in=DEFAULT_PRIVATE).update(public=False)
    for cat in Category.objects.filter(public=True).select_related("parent"):
        names = cat.name + (cat.parent.name if cat.parent_id else "")
        if any(word in names for word in SENSITIVE):
            Category.objects.filter(pk=cat.pk).update(public=False)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_open_events_covering_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="category",
            name="public",
            field=models.BooleanField(
                default=False,
                help_text="默认不公开。治安、信访、困难群众、投诉、矛盾纠纷、重点人员等敏感类别不得公开。",
                verbose_name="公开（Open311 可见）",
            ),
        ),
        migrations.RunPython(hide_sensitive, migrations.RunPython.noop),
        migrations.AddField(
            model_name="event",
            name="public_id",
            field=models.CharField(editable=False, max_length=24, null=True, verbose_name="公开编号"),
        ),
        migrations.RunPython(backfill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="public_id",
            field=models.CharField(
                default=fengqiao.events.models.new_public_id,
                editable=False,
                max_length=24,
                unique=True,
                verbose_name="公开编号",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="reporter_secret_index",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.CreateModel(
            name="DeviceNonce",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("nonce", models.CharField(max_length=64)),
                ("seen_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                (
                    "device",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="events.device"
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("device", "nonce"), name="device_nonce_once")],
            },
        ),
    ]
