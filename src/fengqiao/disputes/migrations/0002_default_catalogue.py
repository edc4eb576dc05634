"""Load the default dispute types and the starter case library."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from fengqiao.disputes.catalogue import load_catalogue

    load_catalogue(apps.get_model("disputes", "DisputeType"), apps.get_model("disputes", "CaseStudy"))


class Migration(migrations.Migration):
    dependencies = [("disputes", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
