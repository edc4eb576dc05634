"""A covering partial index for the one map's open-event counts (PostgreSQL only: INCLUDE and operator classes)."""

from django.db import migrations

OPEN = "('reported','registered','routed','signed','in_progress','handled','verified')"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS event_open_path_cover_idx ON events_event "
            "(grid_path varchar_pattern_ops) INCLUDE (due_at, warn_at, category_id) "
            f"WHERE state IN {OPEN}"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS event_open_path_cover_idx")


class Migration(migrations.Migration):
    dependencies = [("events", "0004_open_due_index")]
    operations = [migrations.RunPython(create, drop)]
