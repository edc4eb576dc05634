"""Two more assessment indicators from dispatch: 指令按时签收率 and 巡查履职率 (weight 5 each).

Existing indicators keep their weights; the score is a weighted mean, so the new ones take a small share, and only
where a unit has acknowledgements or duty rules (no data is left out, not counted as zero).
"""

from django.db import migrations

DEFAULTS = [
    ("ack_on_time", "指令按时签收率", 5, "在指令完成期限前签收的占需签收指令签收数的比例"),
    ("duty", "巡查履职率", 5, "按履职规则应完成的巡查、走访、日志、风险上报中已完成的比例"),
]


def load(apps, schema_editor):
    Indicator = apps.get_model("metrics", "Indicator")
    order = Indicator.objects.count()
    for offset, (code, name, weight, description) in enumerate(DEFAULTS):
        Indicator.objects.get_or_create(
            code=code, defaults={"name": name, "weight": weight, "order": order + offset, "description": description}
        )


def unload(apps, schema_editor):
    apps.get_model("metrics", "Indicator").objects.filter(code__in=[code for code, *_rest in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("metrics", "0003_dispatch_counters")]
    operations = [migrations.RunPython(load, unload)]
