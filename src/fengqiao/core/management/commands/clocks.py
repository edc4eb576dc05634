"""``fengqiao clocks``: print docs/clocks.md, every declared deadline clock, its signals and who is told."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fengqiao.core import deadlines


class Command(BaseCommand):
    help = "Print the declared deadline clocks as Markdown (docs/clocks.md is this output)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(deadlines.render_catalogue(), ending="")
