from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "fengqiao.people"
    label = "people"
    verbose_name = _("基础数据（人地事物组织）")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fengqiao.core import periodic
        from fengqiao.people import rentals, todos_rental  # noqa: F401  (the home count of tenants to verify)

        # 一出: credentials unused for FENGQIAO_CREDENTIAL_IDLE_DAYS are revoked; hourly, so none outlives its
        # deadline by more than an hour (the statement is idempotent and set-based).
        periodic.register("people.revoke_idle_credentials", 3600, rentals.revoke_idle)

        # Key persons: the record's steps are labelled in its workflow table (registered with core.audit); the visit
        # clock is declared to core.deadlines, whose one periodic job sends its warnings; missed visits count in duty.
        from fengqiao.core import duty
        from fengqiao.people import clocks, keyflow, keypersons  # noqa: F401

        duty.register(keypersons.DUTY_SOURCE)

        # Base data: the verbs its audit rows carry, and the retention job of the personal-information duties
        # (daily; anonymising is idempotent and claims each row under a lock).
        from fengqiao.core import audit
        from fengqiao.people import pii_duties

        audit.register_verbs(
            {
                "people_lookup": _("按身份证号查找人员"),
                "people_building_saved": _("登记/修改楼栋"),
                "people_room_saved": _("登记/修改房屋"),
                "people_person_registered": _("登记人员"),
                "people_person_linked": _("关联已登记人员"),
                "people_person_moved": _("人员迁入本网格"),
                "people_person_edited": _("修改人员信息"),
                "people_residence_started": _("登记居住关系"),
                "people_residence_ended": _("结束居住关系"),
                "people_household_saved": _("登记/变更户"),
                "people_place_saved": _("登记/修改场所设施"),
                "people_organisation_saved": _("登记/修改组织"),
                "people_exported": _("导出个人信息"),
                "people_erased": _("删除个人信息（匿名化）"),
                "people_retention_anonymised": _("保存期满自动匿名化"),
                "import_persons": _("批量导入人员"),
                "export_persons": _("批量导出人员信息"),
            }
        )
        periodic.register("people.pii_retention", 24 * 3600, pii_duties.run_retention)

        # Other apps' records name a person by reference (a household visit); core resolves it through the base data.
        from fengqiao.core import links
        from fengqiao.people import selectors

        links.register_person_resolver(lambda ref, actor: selectors.person_ref(ref=ref, actor=actor))
