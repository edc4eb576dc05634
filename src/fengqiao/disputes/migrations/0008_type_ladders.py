"""Industry types climb the industry ladder, marriage and family its own, the rest Huanglou's five tiers; and the
consumer type is served by consumer-dispute organisations."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from fengqiao.disputes.catalogue import assign_ladders

    DisputeType = apps.get_model("disputes", "DisputeType")
    DisputeType.objects.filter(code="consumer", industry="").update(industry="consumer")
    assign_ladders(DisputeType)


class Migration(migrations.Migration):
    dependencies = [("disputes", "0007_ledger")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
