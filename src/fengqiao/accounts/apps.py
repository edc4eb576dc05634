from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How the audit trail names what this app records (三员分立: the audit administrator reads labels, not identifiers).
AUDIT_VERBS = {
    "sign_in": _("登录"),
    "password_changed": _("修改密码"),
    "password_reset": _("重置他人密码"),
    "totp_enrolled": _("绑定动态口令"),
    "totp_reset": _("重置动态口令"),
    "user_create": _("新建账号"),
    "user_change": _("修改账号"),
    "membership_grant": _("授予任职"),
    "membership_change": _("调整任职"),
    "membership_revoke": _("撤销任职"),
    "superuser_use": _("超级管理员操作后台"),
}


class AccountsConfig(AppConfig):
    name = "fengqiao.accounts"
    label = "accounts"
    verbose_name = _("账号与机构")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from fengqiao.accounts import security
        from fengqiao.core import audit

        audit.register_verbs(AUDIT_VERBS)

        def failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
            security.note_failure(request, str(credentials.get("username") or ""))

        def signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
            if request is not None and hasattr(request, "session"):
                security.stamp_session(request)

        # Strong references: these receivers are local to this method.
        user_login_failed.connect(failed, weak=False, dispatch_uid="fengqiao.accounts.failed")
        user_logged_in.connect(signed_in, weak=False, dispatch_uid="fengqiao.accounts.signed_in")
