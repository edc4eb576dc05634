from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "fengqiao.people"
    label = "people"
    verbose_name = _("基础数据（人地事物组织）")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fengqiao.core import periodic
        from fengqiao.people import rentals

        # 一出: credentials unused for FENGQIAO_CREDENTIAL_IDLE_DAYS are revoked; hourly, so none outlives its
        # deadline by more than an hour (the statement is idempotent and set-based).
        periodic.register("people.revoke_idle_credentials", 3600, rentals.revoke_idle)

        # Key persons: the record's steps are labelled in its workflow table (registered with core.audit); the visit
        # clock is declared to core.deadlines, whose one periodic job sends its warnings; missed visits count in duty.
        from fengqiao.core import duty
        from fengqiao.people import clocks, keyflow, keypersons  # noqa: F401

        duty.register(keypersons.DUTY_SOURCE)
