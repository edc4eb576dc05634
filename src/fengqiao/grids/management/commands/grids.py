"""``fengqiao grids import FILE.geojson`` and ``fengqiao grids export [--root CODE] [-o FILE]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.grids.models import GridNode
from fengqiao.grids.services import GridValidationError, export_geojson, import_geojson


class Command(BaseCommand):
    help = "Import or export the grid tree as a GeoJSON FeatureCollection."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a FeatureCollection; nothing is written if any feature is bad")
        imp.add_argument("file", type=Path)
        exp = sub.add_parser("export", help="write the tree (or a subtree) as a FeatureCollection")
        exp.add_argument("--root", help="code of the subtree's root")
        exp.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options["file"])
        else:
            self._export(options.get("root"), options.get("output"))

    def _import(self, file: Path) -> None:
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from exc
        try:
            nodes = import_geojson(actor=None, data=text)
        except GridValidationError as exc:
            for where, reason in exc.problems:
                label = f"feature {where}" if isinstance(where, int) else str(where)
                self.stderr.write(f"{label}: {reason}")
            raise CommandError(f"{len(exc.problems)} problem(s) found; nothing was imported") from exc
        self.stdout.write(self.style.SUCCESS(f"imported {len(nodes)} grid node(s)"))

    def _export(self, root: str | None, output: Path | None) -> None:
        nodes = GridNode.objects.select_related("parent").order_by("depth", "code")
        if root:
            top = GridNode.objects.filter(code=root).first()
            if top is None:
                raise CommandError(f"no grid node with code {root}")
            nodes = nodes.filter(path__startswith=top.path)
        text = json.dumps(export_geojson(nodes=nodes.iterator(chunk_size=2000)), ensure_ascii=False)
        if output:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"wrote {output}"))
        else:
            sys.stdout.write(text + "\n")
