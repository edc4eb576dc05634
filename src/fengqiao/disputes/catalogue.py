"""The default dispute types and a starter library of typical cases (示范调解指引); admins edit both later."""

from __future__ import annotations

from typing import Any

# code, name, industry, order
TYPES: list[tuple[str, str, str]] = [
    ("marriage", "婚姻家庭纠纷", "family"),
    ("neighbours", "邻里纠纷", ""),
    ("property", "物业纠纷", "property"),
    ("land", "土地山林权属纠纷", ""),
    ("wages", "劳资欠薪纠纷", "labour"),
    ("traffic", "交通事故纠纷", "traffic"),
    ("medical", "医疗纠纷", "medical"),
    ("construction", "工程建设纠纷", ""),
    ("consumer", "消费纠纷", "consumer"),
    ("other", "其他纠纷", ""),
]

# The ladder each type climbs (disputes.tiers): industry fields go to their industry organisation first (行业枫桥),
# marriage and family to relatives, elders and the family committee; the rest climb Huanglou's five tiers (default).
TYPE_LADDERS: dict[str, str] = {
    "marriage": "family",
    "property": "industry",
    "wages": "industry",
    "traffic": "industry",
    "medical": "industry",
    "consumer": "industry",
}

STUDIES: list[dict[str, str]] = [
    {
        "type": "property",
        "title": "业主以服务质量差为由拒交物业费",
        "facts": "某小区业主以电梯频繁故障、绿化无人打理为由，连续两年拒交物业费，物业公司诉至法院前申请调解。",
        "points": "物业服务是否存在瑕疵；瑕疵能否成为拒交全部物业费的理由；欠费金额和违约金如何计算。",
        "legal_basis": "《中华人民共和国民法典》第九百三十七条、第九百四十四条；《物业管理条例》第四十一条。",
        "approach": "先核实服务瑕疵并督促物业限期整改，再以整改情况为基础协商适当减免违约金，业主分期补交物业费。",
    },
    {
        "type": "neighbours",
        "title": "楼上漏水致楼下房屋受损",
        "facts": "楼上住户卫生间防水层老化，多次漏水致楼下天花板霉变，双方多次争吵。",
        "points": "漏水原因及责任方；维修方式；损失金额的认定。",
        "legal_basis": "《中华人民共和国民法典》第二百八十八条、第二百九十六条、第一千一百六十五条。",
        "approach": "请物业或专业人员现场查明漏水点，先修后赔；损失金额按维修报价协商，必要时由五老乡贤从中说和。",
    },
    {
        "type": "wages",
        "title": "建筑工地农民工讨薪",
        "facts": "某工地分包队伍撤场后，12 名农民工工资共 18 万元未结清，总包称已将工程款付给分包。",
        "points": "欠薪主体的认定；总包单位的清偿责任；工资数额的确认。",
        "legal_basis": "《保障农民工工资支付条例》第二十九条、第三十条；《中华人民共和国劳动合同法》第三十条。",
        "approach": "人社、住建部门联合调解，依据考勤和工资表核定数额，由总包单位先行清偿后向分包追偿。",
    },
    {
        "type": "marriage",
        "title": "赡养老人费用分担",
        "facts": "三兄妹因母亲住院费用分担发生争执，老人无人照料。",
        "points": "赡养义务的履行方式；医疗费用的分担比例。",
        "legal_basis": "《中华人民共和国民法典》第一千零六十七条；《中华人民共和国老年人权益保障法》第十四条。",
        "approach": "以亲情为切入点，请村里德高望重的老人参与，按经济条件约定分担比例，并明确轮流照料安排。",
    },
    {
        "type": "traffic",
        "title": "电动车与行人碰撞赔偿",
        "facts": "电动车骑行人在小区路口撞倒行人致其骨折，双方对赔偿数额分歧较大。",
        "points": "责任比例；医疗费、误工费、护理费的计算。",
        "legal_basis": "《中华人民共和国道路交通安全法》第七十六条；《中华人民共和国民法典》第一千一百七十九条。",
        "approach": "依据交警责任认定书，按票据逐项核算损失，约定一次性赔偿并当场履行。",
    },
]


def load_catalogue(type_model: Any = None, study_model: Any = None) -> None:
    """Create the default types and studies that are missing (safe to run twice; used by the data migration)."""
    if type_model is None or study_model is None:
        from fengqiao.disputes.models import CaseStudy, DisputeType

        type_model, study_model = DisputeType, CaseStudy
    for order, (code, name, industry) in enumerate(TYPES):
        type_model.objects.get_or_create(code=code, defaults={"name": name, "industry": industry, "order": order})
    assign_ladders(type_model)
    by_code = {t.code: t for t in type_model.objects.all()}
    for study in STUDIES:
        if not study_model.objects.filter(title=study["title"]).exists():
            study_model.objects.create(**{k: v for k, v in study.items() if k != "type"}, type=by_code[study["type"]])


def assign_ladders(type_model: Any = None) -> None:
    """Give the default types whose ladder is still the county default their own ladder; a ladder an administrator
    chose is left alone. Skipped on a schema from before ladders existed (the early data migration)."""
    if type_model is None:
        from fengqiao.disputes.models import DisputeType

        type_model = DisputeType
    if not any(f.name == "ladder" for f in type_model._meta.get_fields()):
        return
    for code, ladder in TYPE_LADDERS.items():
        type_model.objects.filter(code=code, ladder="").update(ladder=ladder)
