"""Structured logs: one JSON object per line when ``LOG_FORMAT=json`` (for journald, Loki, ELK)."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) or value is None else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# Bearer codes that travel in addresses: a resident's personal page and a receipt's private link (``k``), an
# attachment's signed link (``t``). Whoever reads the access log must not be able to open those pages.
_SECRET_PARAMETER = re.compile(r"([?&](?:k|t)=)[^&\s\"']*")


def redact(text: str) -> str:
    return _SECRET_PARAMETER.sub(r"\1***", text)


class RedactSecrets(logging.Filter):
    """Replaces the values of secret query parameters in a record's message and arguments (access log lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install_redaction() -> None:
    """On the access loggers of the server (uvicorn) and of Django's development server."""
    for name in ("uvicorn.access", "django.server", "django.request"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
