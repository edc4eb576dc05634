from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "fengqiao.metrics"
    label = "metrics"
    verbose_name = _("考核评价")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

        from fengqiao.core import audit, periodic

        audit.register_verbs({"export_events": _("导出事件清单")})
        from fengqiao.metrics import reports, services
        from fengqiao.metrics.optional import dispatch_models

        for source in services.sources():
            model = source.model
            uid = f"metrics-{model._meta.label_lower}"
            pre_save.connect(services.before_save, sender=model, dispatch_uid=f"{uid}-pre")
            post_save.connect(services.after_save, sender=model, dispatch_uid=f"{uid}-post")
            pre_delete.connect(services.before_delete, sender=model, dispatch_uid=f"{uid}-pre-delete")
            post_delete.connect(services.after_delete, sender=model, dispatch_uid=f"{uid}-delete")
        from fengqiao.core.signals import created_in_bulk

        created_in_bulk.connect(services.created_in_bulk_counted, dispatch_uid="metrics-created-in-bulk")
        dispatch = dispatch_models()
        if dispatch is not None:  # an instruction's deadline decides whether its acknowledgements were on time
            instruction = dispatch["instruction"]
            pre_save.connect(services.before_instruction_save, sender=instruction, dispatch_uid="metrics-instr-pre")
            post_save.connect(services.after_instruction_save, sender=instruction, dispatch_uid="metrics-instr-post")
            from fengqiao.dispatch.services import acknowledgements_due_counted

            acknowledgements_due_counted.connect(
                services.acknowledgements_due_counted, dispatch_uid="metrics-acknowledgements-due"
            )
        periodic.register("metrics.fold", 10, services.fold_pending)
        from fengqiao.metrics.selectors import warm_open_figures

        periodic.register("metrics.warm_open_figures", 10, warm_open_figures)
        periodic.register("metrics.monthly_reports", 3600, reports.generate_due_reports)
