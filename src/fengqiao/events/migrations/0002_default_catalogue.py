from django.db import migrations


def load(apps, schema_editor):
    from fengqiao.events.catalogue import load_catalogue

    load_catalogue(category_model=apps.get_model("events", "Category"))


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
