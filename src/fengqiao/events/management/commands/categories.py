"""``fengqiao categories import FILE.json`` and ``fengqiao categories export [-o FILE]``: the event catalogue."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.events.catalogue import CatalogueError, export_catalogue, load_file


class Command(BaseCommand):
    help = "Import or export the event catalogue (大类/小类) as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import", help="create or update categories from a file; nothing is written if any entry is bad"
        )
        imp.add_argument("file", type=Path)
        imp.add_argument(
            "--force-public",
            action="store_true",
            help="allow a sensitive category (治安, 信访, 困难群众, 投诉, 纠纷, 重点人员) to be marked public",
        )
        exp = sub.add_parser("export", help="write the catalogue in the shape `import` reads")
        exp.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            file: Path = options["file"]
            if not file.is_file():
                raise CommandError(f"cannot read {file}: no such file")
            try:
                written = load_file(file, force_public=options["force_public"])
            except CatalogueError as exc:
                for where, what in exc.problems:
                    self.stderr.write(f"{where}: {what}")
                raise CommandError(f"{len(exc.problems)} problem(s) found; nothing was imported") from exc
            self.stdout.write(self.style.SUCCESS(f"imported {written} leaf categories"))
            return
        text = json.dumps(export_catalogue(), ensure_ascii=False, indent=2)
        if options.get("output"):
            options["output"].write_text(text + "\n", encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"wrote {options['output']}"))
        else:
            sys.stdout.write(text + "\n")
