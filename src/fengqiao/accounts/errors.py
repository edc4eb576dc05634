"""Stable error codes of sign-in and accounts."""

from __future__ import annotations

from fengqiao.core.errors import ErrorCode


class AccountErrorCode(ErrorCode):
    SESSION_EXPIRED = "session_expired", "The session is older than the longest allowed; sign in again."
    PASSWORD_EXPIRED = "password_expired", "The password has expired; change it before going on."
