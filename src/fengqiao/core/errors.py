"""Domain errors shared by every app; views and the API turn them into clear answers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """A request that the domain refuses, with a message meant for the user."""

    status = 400

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class WorkflowError(DomainError):
    """A transition that is not declared, not allowed now, or missing what it needs."""

    status = 409


class OutsideJurisdiction(DomainError, PermissionDenied):
    """The actor tried to read or change something outside the grids they serve."""

    status = 403

    def __init__(self, message: str = "", *, code: str = "outside_jurisdiction") -> None:
        from django.utils.translation import gettext as _

        super().__init__(message or _("这不在您的管辖范围内。"), code=code)
