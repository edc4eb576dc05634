from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fengqiao.accounts"
    label = "accounts"
    verbose_name = _("账号与机构")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from fengqiao.accounts import security

        def failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
            security.note_failure(request, str(credentials.get("username") or ""))

        def signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
            if request is not None and hasattr(request, "session"):
                security.stamp_session(request)

        # Strong references: these receivers are local to this method.
        user_login_failed.connect(failed, weak=False, dispatch_uid="fengqiao.accounts.failed")
        user_logged_in.connect(signed_in, weak=False, dispatch_uid="fengqiao.accounts.signed_in")
