"""``fengqiao metrics rebuild|fold|report``: maintain the assessment counters and monthly reviews."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.grids.models import GridNode
from fengqiao.metrics import reports, services


class Command(BaseCommand):
    help = (
        "考核评价：rebuild 从事件、纠纷、指令签收、巡查走访和日志重算全部日统计；"
        "fold 立即汇总待处理变更；report 生成月度讲评"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "fold", "report"])
        parser.add_argument("--node", help="report：单位编码（默认按计划生成全部到期的讲评）")
        parser.add_argument("--month", help="report：月份 YYYY-MM（默认上月）")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "rebuild":
            self.stdout.write("从事件、纠纷、指令签收、巡查走访和日志重算网格日统计…\n")
            result = services.rebuild(say=self.stdout.write)
            self.stdout.write(
                f"完成：{result['objects']:,} 条记录，{result['rows']:,} 行日统计，{result['seconds']} s\n"
            )
        elif action == "fold":
            self.stdout.write(f"已汇总 {services.fold_pending():,} 条待处理变更\n")
        else:
            if not options["node"]:
                self.stdout.write(f"已生成 {reports.generate_due_reports()} 份月度讲评\n")
                return
            node = GridNode.objects.filter(code=options["node"]).first()
            if node is None:
                raise CommandError(f"没有编码为 {options['node']} 的单位")
            if options["month"]:
                month = dt.date.fromisoformat(options["month"] + "-01")
            else:
                month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
            report = reports.generate_monthly_report(node=node, month=month)
            self.stdout.write(f"已生成：{report.xlsx.name}，{report.pdf.name}\n")
