"""The default event catalogue (大类/小类) and loading a catalogue from a JSON file.

Each leaf carries its handling tier, the department kind that usually owns it, the stage deadlines, whether
on-site acceptance is needed (hazards), and a few example sentences that seed the category suggester.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

# (code, name, department kind, tier, handle amount, unit, acceptance, skip level, examples)
DEFAULT_CATALOGUE: list[dict[str, Any]] = [
    {
        "code": "01",
        "name": "矛盾纠纷",
        "children": [
            (
                "0101",
                "邻里纠纷",
                "justice",
                "community",
                5,
                "workdays",
                False,
                False,
                "邻居装修噪音扰民 楼上漏水到楼下 邻居占用公共楼道堆放杂物 邻里因停车位发生争吵",
            ),
            (
                "0102",
                "婚姻家庭纠纷",
                "justice",
                "community",
                5,
                "workdays",
                False,
                False,
                "夫妻吵架闹离婚 赡养老人问题兄弟不和 家庭暴力 子女抚养费纠纷",
            ),
            (
                "0103",
                "劳资纠纷",
                "labour",
                "street",
                10,
                "workdays",
                False,
                True,
                "工地拖欠农民工工资 老板不发工资 公司欠薪跑路 讨薪",
            ),
            (
                "0104",
                "土地山林权属纠纷",
                "land",
                "street",
                15,
                "workdays",
                False,
                False,
                "宅基地边界争议 承包地界址纠纷 山林权属 土地被占",
            ),
        ],
    },
    {
        "code": "02",
        "name": "社会治安",
        "children": [
            (
                "0201",
                "治安隐患",
                "police",
                "street",
                24,
                "hours",
                False,
                True,
                "有人打架斗殴 可疑人员徘徊 小区有人偷电动车 深夜聚众喧哗",
            ),
            ("0202", "黄赌毒线索", "police", "county", 24, "hours", False, True, "有人聚众赌博 疑似卖淫窝点 吸毒"),
        ],
    },
    {
        "code": "03",
        "name": "安全隐患",
        "children": [
            (
                "0301",
                "消防隐患",
                "emergency",
                "street",
                24,
                "hours",
                True,
                True,
                "楼道堆放杂物堵塞消防通道 消防栓损坏 灭火器过期 烟感报警",
            ),
            (
                "0302",
                "燃气隐患",
                "emergency",
                "street",
                4,
                "hours",
                True,
                True,
                "闻到燃气泄漏味道 燃气管道老化 液化气罐违规存放 燃气报警器报警",
            ),
            (
                "0303",
                "电动车违规充电",
                "emergency",
                "community",
                24,
                "hours",
                True,
                False,
                "电动车在楼道充电 飞线充电 电瓶车推进电梯 私拉电线给电动车充电",
            ),
            (
                "0304",
                "危房与建筑安全",
                "housing",
                "street",
                3,
                "workdays",
                True,
                True,
                "墙体开裂 危房 广告牌松动要掉下来 建筑工地围挡倒塌",
            ),
        ],
    },
    {
        "code": "04",
        "name": "城市管理",
        "children": [
            (
                "0401",
                "占道经营",
                "urban",
                "community",
                2,
                "workdays",
                False,
                False,
                "路边摆摊占道经营 商户出店经营 夜市占用人行道",
            ),
            (
                "0402",
                "违章搭建",
                "urban",
                "street",
                10,
                "workdays",
                False,
                False,
                "楼顶违建 私搭乱建 违规加盖 圈占绿地",
            ),
            (
                "0403",
                "市容环卫",
                "urban",
                "grid",
                1,
                "workdays",
                False,
                False,
                "垃圾没人清运 垃圾桶满了 道路脏乱 乱贴小广告",
            ),
            (
                "0404",
                "市政设施损坏",
                "urban",
                "street",
                3,
                "workdays",
                False,
                False,
                "井盖丢失 路灯不亮 道路塌陷坑洼 人行道砖松动",
            ),
        ],
    },
    {
        "code": "05",
        "name": "生态环境",
        "children": [
            (
                "0501",
                "噪声污染",
                "environment",
                "street",
                3,
                "workdays",
                False,
                False,
                "夜间施工噪音 广场舞音响太吵 工厂噪声扰民",
            ),
            (
                "0502",
                "大气与水污染",
                "environment",
                "county",
                5,
                "workdays",
                False,
                True,
                "工厂排放黑烟 焚烧垃圾 河道污水直排 油烟扰民",
            ),
        ],
    },
    {
        "code": "06",
        "name": "民生服务",
        "children": [
            (
                "0601",
                "困难群众帮扶",
                "civil",
                "community",
                3,
                "workdays",
                False,
                False,
                "独居老人需要照顾 低保申请 残疾人求助 孤寡老人生病无人管",
            ),
            (
                "0602",
                "供水供电供暖",
                "housing",
                "street",
                2,
                "workdays",
                False,
                False,
                "小区停水 停电 暖气不热 水管爆裂",
            ),
        ],
    },
    {
        "code": "07",
        "name": "物业管理",
        "children": [
            (
                "0701",
                "物业服务",
                "housing",
                "community",
                5,
                "workdays",
                False,
                False,
                "物业不作为 电梯坏了没人修 小区门禁损坏 物业乱收费",
            ),
        ],
    },
    {
        "code": "08",
        "name": "咨询投诉建议",
        "children": [
            (
                "0801",
                "政策咨询",
                "centre",
                "street",
                3,
                "workdays",
                False,
                False,
                "咨询社保怎么办理 咨询落户政策 如何办理居住证",
            ),
            ("0802", "投诉", "centre", "street", 5, "workdays", False, False, "投诉窗口工作人员态度差 投诉办事效率低"),
            ("0803", "意见建议", "centre", "street", 10, "workdays", False, False, "建议增设公交站 建议小区增加充电桩"),
        ],
    },
]


# Leaves of the default catalogue an Open311 client may read and file into: things in the street, not people.
PUBLIC_BY_DEFAULT = frozenset({"0403", "0404", "0502", "0602"})  # sanitation, roads and lights, pollution, utilities

# Families about people (crime leads, petitions, hardship, complaints, disputes, key persons): a leaf whose name or
# whose top category's name holds one of these is refused as public unless the import is explicitly forced.
SENSITIVE_WORDS = ("治安", "信访", "困难群众", "投诉", "纠纷", "重点人员", "黄赌毒")


def is_sensitive(*names: Any) -> bool:
    return any(word in str(name or "") for name in names for word in SENSITIVE_WORDS)


def load_catalogue(data: list[dict[str, Any]] | None = None, *, category_model: Any = None) -> int:
    """Create or update categories from the structure above (or a file in the same shape); returns leaves written."""
    if category_model is None:
        from fengqiao.events.models import Category

        category_model = Category
    data = DEFAULT_CATALOGUE if data is None else data
    written = 0
    with transaction.atomic():
        for top in data:
            parent, _ = category_model.objects.update_or_create(
                code=str(top["code"]), defaults={"name": top["name"], "parent": None}
            )
            for child in top.get("children", []):
                if isinstance(child, dict):
                    fields = child
                else:
                    code, name, dept, tier, amount, unit, acceptance, skip, examples = child
                    fields = {
                        "code": code,
                        "name": name,
                        "department_kind": dept,
                        "tier": tier,
                        "handle_amount": amount,
                        "handle_unit": unit,
                        "requires_acceptance": acceptance,
                        "allows_skip_level": skip,
                        "keywords": "\n".join(examples.split()),
                    }
                defaults = {k: v for k, v in fields.items() if k != "code"}
                # Nothing leaves the platform through Open311 unless the catalogue says so, leaf by leaf.
                if any(f.name == "public" for f in category_model._meta.fields):
                    defaults.setdefault("public", str(fields["code"]) in PUBLIC_BY_DEFAULT)
                category_model.objects.update_or_create(
                    code=str(fields["code"]), defaults={**defaults, "parent": parent}
                )
                written += 1
    return written


# The fields of a leaf in a catalogue file, with the type each must have; only ``code`` and ``name`` are required.
LEAF_FIELDS: dict[str, type | tuple[type, ...]] = {
    "code": str,
    "name": str,
    "department_kind": str,
    "tier": str,
    "register_hours": (int, float),
    "sign_hours": (int, float),
    "handle_amount": (int, float),
    "handle_unit": str,
    "verify_hours": (int, float),
    "requires_acceptance": bool,
    "allows_skip_level": bool,
    "keywords": (str, list),
    "public": bool,
    "active": bool,
}


class CatalogueError(ValueError):
    """A catalogue file with problems; ``problems`` lists each as (where, what). Nothing was written."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the catalogue")
        self.problems = problems


def validate_catalogue(data: Any, *, force_public: bool = False) -> list[tuple[str, str]]:
    """Every problem in a catalogue file's structure, before anything is written. A sensitive leaf marked public
    is a problem unless ``force_public`` says someone decided so on purpose."""
    from fengqiao.accounts.models import Department
    from fengqiao.events.models import Category, Tier

    problems: list[tuple[str, str]] = []
    if not isinstance(data, list) or not data:
        return [("file", "expected a non-empty JSON list of top-level categories")]
    seen: set[str] = set()
    kinds = set(Department.Kind.values)

    def code_ok(where: str, code: Any, prefix: str = "") -> None:
        if not isinstance(code, str) or not code.isdigit() or len(code) > 20:
            problems.append((where, f"code must be a string of digits (got {code!r})"))
        elif prefix and not code.startswith(prefix):
            problems.append((where, f"code {code} must start with its top category's code {prefix}"))
        elif code in seen:
            problems.append((where, f"code {code} appears twice"))
        else:
            seen.add(code)

    for i, top in enumerate(data, start=1):
        where = f"category {i}"
        if not isinstance(top, dict):
            problems.append((where, "expected an object with code, name and children"))
            continue
        code_ok(where, top.get("code"))
        if not isinstance(top.get("name"), str) or not top["name"].strip() or len(top["name"]) > 50:
            problems.append((where, "name must be 1 to 50 characters"))
        children = top.get("children")
        if not isinstance(children, list) or not children:
            problems.append((where, "children must be a non-empty list of leaf categories"))
            continue
        for j, child in enumerate(children, start=1):
            cwhere = f"{where}, leaf {j}"
            if not isinstance(child, dict):
                problems.append((cwhere, "expected an object"))
                continue
            unknown = sorted(set(child) - set(LEAF_FIELDS))
            if unknown:
                problems.append((cwhere, f"unknown field(s): {', '.join(unknown)}"))
            code_ok(cwhere, child.get("code"), str(top.get("code", "")))
            if not isinstance(child.get("name"), str) or not child["name"].strip() or len(child["name"]) > 50:
                problems.append((cwhere, "name must be 1 to 50 characters"))
            for name, kind in LEAF_FIELDS.items():
                if name in child and name not in ("code", "name"):
                    value = child[name]
                    if not isinstance(value, kind) or (kind == (int, float) and isinstance(value, bool)):
                        problems.append((cwhere, f"{name} has the wrong type ({type(value).__name__})"))
                    elif kind == (int, float) and not value > 0:
                        problems.append((cwhere, f"{name} must be greater than 0"))
            if "tier" in child and child["tier"] not in Tier.values:
                problems.append((cwhere, f"tier must be one of {', '.join(Tier.values)}"))
            if "handle_unit" in child and child["handle_unit"] not in Category.Unit.values:
                problems.append((cwhere, f"handle_unit must be one of {', '.join(Category.Unit.values)}"))
            if child.get("public") is True and not force_public and is_sensitive(child.get("name"), top.get("name")):
                problems.append(
                    (cwhere, "public must stay false for a sensitive category (people, petitions, disputes, crime)")
                )
            if child.get("department_kind") and child["department_kind"] not in kinds:
                problems.append((cwhere, f"department_kind {child['department_kind']!r} is not a department kind"))
    return problems


def load_file(path: Path, *, force_public: bool = False) -> int:
    """Load a catalogue file (the shape ``export_catalogue`` writes); all or nothing."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CatalogueError([("file", f"not valid JSON: {exc.msg} at line {exc.lineno}")]) from exc
    problems = validate_catalogue(data, force_public=force_public)
    if problems:
        raise CatalogueError(problems)
    for top in data:
        for child in top["children"]:
            if isinstance(child.get("keywords"), list):
                child["keywords"] = "\n".join(str(k) for k in child["keywords"])
    return load_catalogue(data)


def export_catalogue() -> list[dict[str, Any]]:
    """The catalogue as stored, in the file shape ``load_file`` reads (examples as a list)."""
    from fengqiao.events.models import Category

    out = []
    for top in Category.objects.filter(parent=None).order_by("code"):
        children = []
        for leaf in top.children.order_by("code"):
            row: dict[str, Any] = {name: getattr(leaf, name) for name in LEAF_FIELDS}
            row["keywords"] = [k for k in leaf.keywords.splitlines() if k.strip()]
            children.append(row)
        out.append({"code": top.code, "name": top.name, "children": children})
    return out
