"""django-tasks' database backend under a Chinese name in the admin; its model and field names are in
locale/zh_Hans.

A module of its own for the same reason as accounts/lockouts.py: the app keeps its label and models, only its name
changes.
"""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TaskQueueConfig(TasksAppConfig):
    # The base class assigns a plain str, so mypy narrows the attribute; Django itself takes a lazy string here.
    verbose_name = _("后台任务")  # type: ignore[assignment]
