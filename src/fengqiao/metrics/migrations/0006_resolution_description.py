"""The resolution indicator's stated definition follows the one the figures use: resolved ÷ entered in the period.

Only a description still reading the old default is changed; one a county wrote itself is left alone."""

from django.db import migrations

OLD = "调解成功的纠纷占已办结纠纷的比例"
NEW = "化解的纠纷占同期排查录入纠纷的比例"


def forwards(apps, schema_editor):
    apps.get_model("metrics", "Indicator").objects.filter(code="resolution", description=OLD).update(description=NEW)


def backwards(apps, schema_editor):
    apps.get_model("metrics", "Indicator").objects.filter(code="resolution", description=NEW).update(description=OLD)


class Migration(migrations.Migration):
    dependencies = [("metrics", "0005_acknowledgements_due")]
    operations = [migrations.RunPython(forwards, backwards)]
