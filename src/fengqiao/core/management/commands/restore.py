"""``fengqiao restore ARCHIVE [--replace]``: load a backup into a migrated database and check every count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.core.backup import restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive made by `fengqiao backup`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--replace", action="store_true", help="overwrite a database that already holds data")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore_backup(options["archive"], replace=options["replace"])
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(result.counts.values())
        self.stdout.write(self.style.SUCCESS(f"restored {rows} rows and {result.media_files} media files"))
