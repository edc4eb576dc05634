"""``fengqiao backup [PATH]``: the database and uploaded media in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fengqiao.core.backup import create_backup


class Command(BaseCommand):
    help = "Back up the database and media into a .tar.gz archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default="var/backups", type=Path, help="archive file or folder")

    def handle(self, *args: Any, **options: Any) -> None:
        target: Path = options["path"]
        if not target.suffix:
            target.mkdir(parents=True, exist_ok=True)
        archive = create_backup(target)
        self.stdout.write(self.style.SUCCESS(f"backup written to {archive}"))
