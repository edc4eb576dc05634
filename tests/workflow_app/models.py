"""A minimal case model used to test the workflow engine on a real table."""

from django.db import models

from fengqiao.core.models import InGrid


class Ticket(InGrid):
    state = models.CharField(max_length=20, default="new")
    result = models.TextField(blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    # A declared clock (core.deadlines), for the deadline engine's own tests.
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    answer_due_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"ticket {self.pk}"
