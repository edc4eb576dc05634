"""``fengqiao demo --scale small|medium|city``: load the demo city into an empty database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.demo.generator import DEFAULT_SEED, DEMO_LOGINS, DEMO_PASSWORD, SCALES, DemoError, generate
from fengqiao.grids.models import GridNode

EVENTS_BY_SCALE = {"small": 800, "medium": 20_000, "city": 0}
# Cases per community over the months shown: the city's 3,460 communities give about 7,000 disputes, every source in
# the seeds' proportions (disputes.demo.SOURCE_WEIGHTS).
DISPUTES_BY_SCALE = {"small": 12, "medium": 3, "city": 2}
# Days of patrols, visits, diaries, screening records and instructions (the first 3,000 workers at city scale).
DISPATCH_DAYS_BY_SCALE = {"small": 28, "medium": 28, "city": 7}
# Grids given buildings, rooms, residents, places and organisations (the demo worker's grid first).
PEOPLE_GRIDS_BY_SCALE = {"small": 12, "medium": 12, "city": 12}


class Command(BaseCommand):
    help = "生成演示城市（郑州）：网格树、职能部门、人员与演示账号。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=list(SCALES), default="small", help="规模：small、medium、city")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子（同一种子生成相同数据）")
        parser.add_argument("--if-empty", action="store_true", help="库中已有网格时什么也不做")
        parser.add_argument("--logins", action="store_true", help="只打印演示账号")
        parser.add_argument(
            "--events", type=int, default=None, help="演示事件数量（默认：small 800，medium 20000，city 0）"
        )
        parser.add_argument("--events-only", action="store_true", help="只向已有的演示城市追加演示事件")
        parser.add_argument("--months", type=int, default=6, help="演示事件分布在过去几个月")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["logins"]:
            self.print_logins()
            return
        if options["events_only"]:
            self.add_events(options["events"] or 0, options["months"], options["seed"])
            self.rebuild_metrics()
            return
        if options["if_empty"] and GridNode.objects.exists():
            self.stdout.write("库中已有网格数据，跳过演示数据生成。")
            return
        try:
            summary = generate(scale=options["scale"], seed=options["seed"], stdout=self.stdout)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"演示城市已导入：{SCALES[summary.scale].label}，种子 {summary.seed}，"
                f"生成 {summary.plan_seconds:.1f} s，写入 {summary.load_seconds:.1f} s。"
            )
        )
        for label, count in summary.rows():
            self.stdout.write(f"  {count:>12,}  {label}")
        self.stdout.write("  按角色：" + "，".join(f"{role} {n:,}" for role, n in summary.roles.items()))
        events = options["events"] if options["events"] is not None else EVENTS_BY_SCALE.get(options["scale"], 0)
        self.add_events(events, options["months"], options["seed"])
        self.add_disputes(DISPUTES_BY_SCALE.get(options["scale"], 0), options["months"], options["seed"])
        self.add_dispatch(DISPATCH_DAYS_BY_SCALE.get(options["scale"], 0), options["seed"])
        self.add_people(PEOPLE_GRIDS_BY_SCALE.get(options["scale"], 0), options["seed"])
        self.add_petitions(options["seed"])
        self.add_participation(options["seed"])
        self.add_deliberation(options["seed"])
        self.rebuild_metrics()
        if not options["if_empty"]:  # `make run` passes --if-empty and prints the logins when the server starts
            self.print_logins()

    def add_events(self, count: int, months: int, seed: int) -> None:
        from fengqiao.events.demo import generate_events

        if count > 0:
            self.stdout.write(f"生成演示事件 {count:,} 条（过去 {months} 个月）…")
            generate_events(count=count, months=months, seed=seed, stdout=self.stdout)

    def add_disputes(self, per_community: int, months: int, seed: int) -> None:
        from fengqiao.disputes.demo import generate_disputes

        if per_community > 0:
            self.stdout.write(f"生成演示矛盾纠纷（每个社区 {per_community} 件，过去 {months} 个月）…")
            generate_disputes(rng_seed=seed, months=months, per_community=per_community, stdout=self.stdout)

    def add_dispatch(self, days: int, seed: int) -> None:
        from fengqiao.dispatch.demo import generate_dispatch

        if days > 0:
            self.stdout.write(f"生成演示履职记录与指令（过去 {days} 天）…")
            generate_dispatch(seed=seed, days=days, stdout=self.stdout)

    def add_people(self, grids: int, seed: int) -> None:
        from fengqiao.people.demo import generate_people

        if grids > 0:
            self.stdout.write(f"生成演示基础数据（{grids} 个网格的楼栋、房屋、人员、场所和组织）…")
            generate_people(seed=seed, grids=grids, stdout=self.stdout)

    def add_petitions(self, seed: int) -> None:
        from fengqiao.petitions.demo import generate_petitions

        self.stdout.write("生成演示信访件与信访联席会议…")
        generate_petitions(seed=seed, stdout=self.stdout)

    def add_participation(self, seed: int) -> None:
        from fengqiao.participation.demo import generate_participation

        self.stdout.write("生成演示居民积分与爱心超市…")
        generate_participation(seed=seed, stdout=self.stdout)

    def add_deliberation(self, seed: int) -> None:
        from fengqiao.deliberation.demo import generate_deliberation

        self.stdout.write("生成演示议事协商与三务公开…")
        generate_deliberation(seed=seed, stdout=self.stdout)

    def rebuild_metrics(self) -> None:
        """Demo rows are written in bulk, past the signals that keep the map's counters: count them once now."""
        from django.core.management import call_command

        call_command("metrics", "rebuild", stdout=self.stdout)

    def print_logins(self) -> None:
        from fengqiao.accounts.models import User

        present = set(
            User.objects.filter(username__in=[u for u, _, _ in DEMO_LOGINS]).values_list("username", flat=True)
        )
        if not present:
            return
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role, description in DEMO_LOGINS:
            if username in present:
                self.stdout.write(f"  {username:<12}{role} — {description}")
