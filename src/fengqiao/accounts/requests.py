"""The request of a page or API route that only a signed-in user reaches.

``login_required`` (pages) and the API's session authentication (``django_auth``) turn anonymous callers away before
the view runs, so there ``request.user`` is always an :class:`~fengqiao.accounts.models.User`. Views annotate their
request with :class:`AuthenticatedRequest` to say so, and pass ``request.user`` to services typed ``actor: User``.
"""

from __future__ import annotations

from django.http import HttpRequest

from fengqiao.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """For type checking only: Django never builds one; it is an ``HttpRequest`` whose user has signed in."""

    user: User
