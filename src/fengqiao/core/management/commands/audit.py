"""``fengqiao audit seal|verify``: chain the audit trail now, or check that nobody changed, removed or added rows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.core import auditchain


class Command(BaseCommand):
    help = (
        "审计记录哈希链：seal 立即封存尚未入链的记录；verify 按链序号逐条校验，报告第一处断链并打印链头，"
        "请将链头（序号和哈希）另行登记保存"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["seal", "verify"])
        parser.add_argument("--since", type=int, help="verify：从此链序号开始校验（默认从头）")
        parser.add_argument("--expect", help="verify：另行登记的链头，格式 序号:哈希，链中必须仍有此条")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            sealed = auditchain.seal()
            head = auditchain.head()
            self.stdout.write(f"已封存 {sealed:,} 条记录\n")
            if head:
                self.stdout.write(f"链头：{head[0]}:{head[1]}\n")
            return
        expect = None
        if options["expect"]:
            seq, sep, digest = options["expect"].partition(":")
            if not sep or not seq.isdigit() or not digest:
                raise CommandError("--expect 的格式应为 序号:哈希，例如 1024:sm3:66c7f0…")
            expect = (int(seq), digest)
        report = auditchain.verify(since=options["since"], expect=expect)
        self.stdout.write(
            f"已校验 {report.checked:,} 条记录，{report.anchors:,} 个锚点；尚未封存 {report.unsealed:,} 条\n"
        )
        if report.head_seq is not None:
            self.stdout.write(f"链头：{report.head_seq}:{report.head_hash}\n")
        if report.broken is not None:
            where = f"（记录编号 {report.broken.action_id}）" if report.broken.action_id is not None else ""
            raise CommandError(f"断链于链序号 {report.broken.seq}{where}：{report.broken.detail}")
        self.stdout.write(self.style.SUCCESS("哈希链完整\n"))
