"""Backup and restore: everything comes back, personal data stays encrypted inside the archive."""

from __future__ import annotations

import io
import json
import tarfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from fengqiao.accounts.models import User
from fengqiao.core import backup
from fengqiao.core.models import Action, Attachment
from fengqiao.events import services
from fengqiao.events.models import Event, Source
from fengqiao.grids.models import GridNode


@pytest.fixture
def populated(tree, worker_a, catalogue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(out, format="JPEG")
    worker_a.phone = "13912345678"
    worker_a.save()
    return services.report_event(
        actor=worker_a,
        source=Source.PATROL,
        description="井盖丢失",
        lon=113.602,
        lat=34.708,
        photos=[SimpleUploadedFile("a.jpg", out.getvalue())],
    )


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_everything(populated, tmp_path, settings):
    before = backup.counts()
    archive = backup.create_backup(tmp_path / "b.tar.gz")
    call_command("flush", interactive=False, verbosity=0)
    for item in (settings.MEDIA_ROOT).rglob("*"):
        if item.is_file():
            item.unlink()
    assert GridNode.objects.count() == 0
    result = backup.restore_backup(archive)
    assert result.counts == before
    assert result.media_files == 2  # the photo and its thumbnail
    event = Event.objects.get(tracking_code=populated.tracking_code)
    assert event.grid.code == "410105001001001"
    assert Action.objects.for_object(event).get().verb == "report"
    assert User.objects.get(username="worker_a").phone == "13912345678"
    photo = Attachment.objects.get(object_id=str(event.pk))
    assert (settings.MEDIA_ROOT / photo.file.name).exists()


def test_the_archive_never_holds_a_plain_phone_number(populated, tmp_path):
    archive = backup.create_backup(tmp_path / "b.tar.gz")
    with tarfile.open(archive) as tar:
        data = tar.extractfile("data.json").read().decode()
    assert "13912345678" not in data
    rows = json.loads(data)
    user = next(r for r in rows if r["model"] == "accounts.user" and r["fields"]["username"] == "worker_a")
    assert user["fields"]["phone"].startswith("fq1:sm4gcm:")


@pytest.mark.django_db(transaction=True)
def test_restoring_over_existing_data_needs_replace(populated, tmp_path):
    archive = backup.create_backup(tmp_path / "b.tar.gz")
    with pytest.raises(ValueError, match="--replace"):
        backup.restore_backup(archive)
    result = backup.restore_backup(archive, replace=True)
    assert result.counts["events.event"] == 1
