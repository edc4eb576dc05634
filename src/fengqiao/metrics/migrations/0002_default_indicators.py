"""The default assessment indicators and weights (排查率、办理率、办结率、按时办结率、满意率、化解率)."""

from django.db import migrations

DEFAULTS = [
    ("discovery", "排查发现率", 15, "网格员巡查发现的事件占上报事件的比例"),
    ("handling", "办理率", 20, "已处置事件占立案事件的比例"),
    ("closure", "办结率", 20, "已办结事件占立案事件的比例"),
    ("on_time", "按时办结率", 15, "在办理时限内处置的事件占办结事件的比例"),
    ("satisfaction", "满意率", 20, "评价为 4–5 星的事件占已评价事件的比例"),
    ("resolution", "化解率", 10, "化解的纠纷占同期排查录入纠纷的比例"),
]


def load(apps, schema_editor):
    Indicator = apps.get_model("metrics", "Indicator")
    for order, (code, name, weight, description) in enumerate(DEFAULTS):
        Indicator.objects.get_or_create(
            code=code, defaults={"name": name, "weight": weight, "order": order, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("metrics", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
