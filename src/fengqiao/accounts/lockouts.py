"""django-axes (sign-in lockouts) under a Chinese name in the admin; its other strings are in locale/zh_Hans.

A module of its own: a second AppConfig in accounts/apps.py would stop Django choosing the accounts app's config.
"""

from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _


class LockoutsConfig(AxesConfig):
    verbose_name = _("登录安全")
