"""``fengqiao rekey``: move personal data to the newest data key and the current index key (after a rotation)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.core import crypto, rekeying


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column under the newest key of FENGQIAO_DATA_KEYS and recompute blind indexes; "
        "--check only counts what is left."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="count values not yet under the newest key")
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        keys = crypto.ring()
        write = not options["check"]
        self.stdout.write(f"provider {keys.provider.name} ({keys.provider.cipher}), newest key id {keys.newest.kid}")
        try:
            tallies = rekeying.rekey(batch_size=options["batch_size"], write=write)
        except crypto.DecryptionError as exc:
            raise CommandError(f"{exc}; add the missing key to FENGQIAO_DATA_KEYS and run again") from exc
        verb = ("re-encrypted", "re-indexed") if write else ("not under the newest key", "indexes out of date")
        for t in tallies:
            self.stdout.write(
                f"{t.label}: {t.rows} rows, {t.values} values; {t.reencrypted} {verb[0]}, {t.reindexed} {verb[1]}"
            )
        pending = sum(t.reencrypted + t.reindexed for t in tallies)
        if write:
            self.stdout.write(self.style.SUCCESS(f"done: {pending} changes"))
        elif pending:
            self.stdout.write(self.style.WARNING(f"{pending} values or indexes wait for `fengqiao rekey`"))
        else:
            self.stdout.write(self.style.SUCCESS("everything is under the newest key"))
