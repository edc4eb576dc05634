"""The nine default kinds of key person (重点人员 / 特殊人群), with visit intervals per risk level and the purpose for
which their data is processed (PIPL art. 17, 28: sensitive personal information needs a specific purpose).

A county changes the intervals and purposes in the admin; loading again never overwrites what it changed. The two
columns added here carry the visit clock's orange time and, on each visit, the deadline it answered.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

# code, name, (red, yellow, blue) days between visits, retention days after the listing ends, purpose.
DEFAULT_CATEGORIES: list[tuple[str, str, tuple[int, int, int], int, str]] = [
    (
        "community_correction",
        "社区矫正对象",
        (7, 15, 30),
        5 * 365,
        "依据《社区矫正法》协助司法所开展日常走访、掌握动态，落实监督管理与教育帮扶",
    ),
    (
        "released_prisoner",
        "刑满释放人员（安置帮教）",
        (7, 30, 90),
        5 * 365,
        "依据安置帮教工作规定，在帮教期内开展走访帮扶，协助就业、救助和社会融入",
    ),
    (
        "drug_rehabilitation",
        "社区戒毒社区康复人员",
        (7, 15, 30),
        3 * 365,
        "依据《禁毒法》配合社区戒毒、社区康复工作小组开展走访和帮扶，防止复吸",
    ),
    (
        "severe_mental_illness",
        "严重精神障碍患者",
        (7, 14, 90),
        3 * 365,
        "依据《精神卫生法》协助做好随访、服药监护和关爱帮扶，预防肇事肇祸",
    ),
    (
        "five_losses",
        "“五失一偏”人员",
        (7, 30, 90),
        2 * 365,
        "及时发现心理危机和现实困难，开展心理疏导、矛盾化解和帮扶救助，预防个人极端事件",
    ),
    (
        "lone_elderly",
        "独居老人",
        (7, 15, 30),
        365,
        "定期探访独居老人，了解生活、健康和安全状况，及时提供关爱服务和应急帮助",
    ),
    (
        "left_behind_child",
        "留守儿童",
        (7, 30, 60),
        365,
        "依据《未成年人保护法》掌握监护落实情况，开展关爱保护，发现侵害时及时报告",
    ),
    (
        "disabled",
        "残疾人",
        (7, 30, 90),
        365,
        "了解残疾人生活和康复需求，落实救助、补贴和无障碍等帮扶服务",
    ),
    (
        "petition_prone",
        "重点信访人员",
        (7, 15, 30),
        3 * 365,
        "掌握诉求和思想动态，及时化解矛盾、依法解决合理诉求",
    ),
]


def load(apps: Any, schema_editor: Any) -> None:
    category = apps.get_model("people", "KeyCategory")
    for order, (code, name, (red, yellow, blue), retention, purpose) in enumerate(DEFAULT_CATEGORIES, start=1):
        category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "red_days": red,
                "yellow_days": yellow,
                "blue_days": blue,
                "retention_days": retention,
                "purpose": purpose,
                "order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="keyperson",
            name="visit_warn_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="走访临期时间"),
        ),
        migrations.AddField(
            model_name="keyvisit",
            name="due_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="应走访期限"),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
