"""``fengqiao error_codes``: print docs/error-codes.md, every stable error code with its app and meaning."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fengqiao.core import errors


class Command(BaseCommand):
    help = "Print the catalogue of error codes as Markdown (docs/error-codes.md is this output)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(errors.render_catalogue(), ending="")
