from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fengqiao.core"
    label = "core"
    verbose_name = _("平台内核")

    def ready(self) -> None:
        from fengqiao.core import auditchain, checks, deadlines, logs, periodic, ratelimit

        checks.register()
        logs.install_redaction()  # bearer codes in addresses never reach the access log

        periodic.register("core.prune_rate_counters", 3600, ratelimit.prune)
        periodic.register("core.seal_audit_trail", 5, auditchain.seal_job)
        # The one deadline job: every kind of case that declares clocks (core.deadlines) is warned through it.
        periodic.register("core.deadline_warnings", 60, deadlines.send_warnings)
