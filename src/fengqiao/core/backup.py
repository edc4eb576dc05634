"""Backup and restore of the whole platform: the database (as Django's portable JSON) and the uploaded media.

An archive is a ``.tar.gz`` holding ``manifest.json`` (when, from which engine, row counts per model), ``data.json``
and ``media/``. Personal identifiers stay encrypted inside it, so the archive is no more sensitive than the database
— but it is useless without the same ``FENGQIAO_DATA_KEY``. Restoring checks every count against the manifest.
For very large PostgreSQL installations, ``pg_dump -Fc`` is faster; see docs/deployment.md.
"""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

EXCLUDE = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",
    "axes",
    "django_tasks_database",
]
FORMAT_VERSION = 1


@dataclass
class RestoreResult:
    counts: dict[str, int]
    media_files: int


def _models() -> list[Any]:
    skip_apps = {"contenttypes", "sessions", "axes", "django_tasks_database"}
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label not in skip_apps
        and m._meta.label_lower not in {"auth.permission", "admin.logentry"}
        and not m._meta.proxy
        and m._meta.managed
    ]


def counts() -> dict[str, int]:
    return {m._meta.label_lower: m._default_manager.count() for m in _models()}


def create_backup(target: Path) -> Path:
    """Write an archive to ``target`` (a file path, or a folder to put a dated file in)."""
    if target.is_dir():
        target = target / f"fengqiao-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.json"
        outer = connection.in_atomic_block
        with transaction.atomic():  # one consistent snapshot (repeatable on PostgreSQL, serialised on SQLite)
            if connection.vendor == "postgresql" and not outer:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            call_command(
                "dumpdata",
                *[arg for app in EXCLUDE for arg in ("--exclude", app)],
                natural_foreign=True,
                natural_primary=False,
                output=str(data),
                verbosity=0,
            )
            manifest = {
                "format": FORMAT_VERSION,
                "created": timezone.now().isoformat(),
                "engine": connection.vendor,
                "counts": counts(),
            }
        media_root = Path(settings.MEDIA_ROOT)
        with tarfile.open(target, "w:gz") as archive:
            blob = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(blob)
            archive.addfile(info, io.BytesIO(blob))
            archive.add(data, arcname="data.json")
            if media_root.exists():
                archive.add(media_root, arcname="media")
    return target


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or member.issym() or member.islnk():
            raise ValueError(f"unsafe path in archive: {member.name}")
        members.append(member)
    return members


def restore_backup(source: Path, *, replace: bool = False) -> RestoreResult:
    """Load an archive into this (migrated) database. Refuses a database with data unless ``replace``."""
    with tarfile.open(source, "r:gz") as archive:
        members = _safe_members(archive)
        manifest_file = archive.extractfile("manifest.json")
        if manifest_file is None:
            raise ValueError("the archive has no manifest.json")
        manifest = json.loads(manifest_file.read())
        if manifest.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported backup format {manifest.get('format')}")
        existing = sum(counts().values())
        if existing and not replace:
            raise ValueError(f"the database already holds {existing} rows; pass --replace to overwrite it")
        with tempfile.TemporaryDirectory() as tmp:
            archive.extractall(tmp, members=members, filter="data")
            with transaction.atomic():
                if existing:
                    call_command("flush", interactive=False, verbosity=0)
                call_command("loaddata", str(Path(tmp) / "data.json"), verbosity=0)
                found = counts()
                expected = manifest["counts"]
                wrong = {k: (v, found.get(k)) for k, v in expected.items() if found.get(k) != v}
                if wrong:
                    raise ValueError(f"restored counts differ from the backup: {wrong}")
            media = Path(tmp) / "media"
            restored_media = 0
            if media.exists():
                root = Path(settings.MEDIA_ROOT)
                for path in media.rglob("*"):
                    if path.is_file():
                        dest = root / path.relative_to(media)
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        dest.write_bytes(path.read_bytes())
                        restored_media += 1
    if connection.vendor == "postgresql":
        # loaddata keeps primary keys; move the sequences past them.
        from django.core.management.color import no_style

        statements = connection.ops.sequence_reset_sql(no_style(), _models())
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    return RestoreResult(counts=found, media_files=restored_media)
