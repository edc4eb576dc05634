"""Sent deadline warnings move from the event's own columns to core's ledger, so none is sent twice."""

from django.db import migrations


def forwards(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    DeadlineWarning = apps.get_model("core", "DeadlineWarning")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="events", model="event")
    rows = []
    sent = Event.objects.exclude(orange_sent_at=None, red_sent_at=None).values_list(
        "pk", "due_at", "orange_sent_at", "red_sent_at"
    )
    for pk, due_at, orange_sent_at, red_sent_at in sent.iterator(chunk_size=2000):
        for signal, at in (("nearly_due", orange_sent_at), ("overdue", red_sent_at)):
            if at is not None:
                rows.append(
                    DeadlineWarning(content_type=content_type, object_id=pk, signal=signal, due_at=due_at, sent_at=at)
                )
        if len(rows) >= 2000:
            DeadlineWarning.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    DeadlineWarning.objects.bulk_create(rows, ignore_conflicts=True)


def backwards(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    DeadlineWarning = apps.get_model("core", "DeadlineWarning")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="events", model="event").first()
    if content_type is None:
        return
    for row in DeadlineWarning.objects.filter(content_type=content_type).iterator():
        column = "orange_sent_at" if row.signal == "nearly_due" else "red_sent_at"
        Event.objects.filter(pk=row.object_id, due_at=row.due_at).update(**{column: row.sent_at})
    DeadlineWarning.objects.filter(content_type=content_type).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_public_and_secrets"),
        ("core", "0006_deadline_ledger"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="event", name="orange_sent_at"),
        migrations.RemoveField(model_name="event", name="red_sent_at"),
    ]
