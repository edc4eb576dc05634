"""The table behind the "shared" cache (Django's DatabaseCache), created with the schema so no extra command is needed."""

from django.core.management import call_command
from django.db import migrations


def create(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS fengqiao_cache")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_rate_counter")]
    operations = [migrations.RunPython(create, drop)]
