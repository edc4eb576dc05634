"""月度讲评 (the monthly review of a unit) as XLSX and PDF, its scheduled generation, and XLSX exports of lists."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from fengqiao.accounts.models import User
from fengqiao.core import audit, sla
from fengqiao.core.exports import append_row, xlsx_cell
from fengqiao.events.models import Event
from fengqiao.events.selectors import QueueFilters, event_queue, with_colour
from fengqiao.events.workflow import OPEN_STATES, STATES
from fengqiao.grids.models import GridNode, Level, full_names
from fengqiao.grids.selectors import widest_node
from fengqiao.metrics import selectors
from fengqiao.metrics.models import MonthlyReport
from fengqiao.metrics.selectors import Figures, Period, Ranked

# Labels are lazy: a review is written in the language active when it is generated (the default one in the worker).
FIGURE_ROWS = [
    ("reported", pgettext_lazy("figure", "上报事件")),
    ("discovered", gettext_lazy("巡查发现")),
    ("registered", gettext_lazy("立案")),
    ("handled", gettext_lazy("处置")),
    ("closed", gettext_lazy("办结")),
    ("closed_on_time", gettext_lazy("按时办结")),
    ("rated", pgettext_lazy("figure", "评价")),
    ("satisfied", gettext_lazy("满意（4–5 星）")),
    ("disputes_entered", gettext_lazy("纠纷录入")),
    ("disputes_resolved", gettext_lazy("纠纷化解")),
]
RATE_ROWS = [
    ("discovery", gettext_lazy("排查发现率")),
    ("handling", gettext_lazy("办理率")),
    ("closure", gettext_lazy("办结率")),
    ("on_time", gettext_lazy("按时办结率")),
    ("satisfaction", gettext_lazy("满意率")),
    ("resolution", gettext_lazy("化解率")),
]


@dataclass
class Review:
    node: GridNode
    period: Period
    figures: Figures
    score: float | None
    ranking: list[Ranked]
    best: list[Ranked]
    worst: list[Ranked]
    overdue: list[Event]
    open_total: dict[str, int]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def monthly_review(*, node: GridNode, month: dt.date, now: dt.datetime | None = None) -> Review:
    """The figures of one unit for one calendar month (a system job: the unit's own subtree, no viewer scope)."""
    period = selectors.month_period(month)
    figures = selectors.stats([node.path], period)[node.path]
    weights = selectors.indicators()
    children = list(GridNode.objects.filter(parent=node).only("code", "name", "path", "level").order_by("code"))
    child_figures = selectors.stats([c.path for c in children], period)
    child_names = full_names(children)
    ranking = selectors.rank(
        [
            Ranked(
                c.code,
                child_names[c.path],
                c.path,
                c.level,
                child_figures[c.path],
                selectors.score(child_figures[c.path], weights),
            )
            for c in children
        ]
    )
    grid_level = max(node.level + 1, Level.GRID)
    grids = list(
        GridNode.objects.filter(path__startswith=node.path, level=grid_level).only("code", "name", "path", "level")
    )
    grid_figures = selectors.stats([g.path for g in grids], period)
    grid_names = full_names(grids)
    scored = selectors.rank(
        [
            Ranked(
                g.code,
                grid_names[g.path],
                g.path,
                g.level,
                grid_figures[g.path],
                selectors.score(grid_figures[g.path], weights),
            )
            for g in grids
        ]
    )
    scored = [r for r in scored if r.score is not None and r.figures.counts["reported"] >= 3]
    now = now or timezone.now()
    overdue = list(
        with_colour(Event.objects.filter(state__in=OPEN_STATES, grid_path__startswith=node.path, due_at__lt=now), now)
        .select_related("category", "grid")
        .order_by("due_at")[:30]
    )
    open_total = {
        "open": Event.objects.filter(state__in=OPEN_STATES, grid_path__startswith=node.path).count(),
        "red": Event.objects.filter(state__in=OPEN_STATES, grid_path__startswith=node.path, due_at__lt=now).count(),
    }
    return Review(
        node=node,
        period=period,
        figures=figures,
        score=selectors.score(figures, weights),
        ranking=ranking,
        best=scored[:5],
        worst=list(reversed(scored[-5:])) if len(scored) > 5 else [],
        overdue=overdue,
        open_total=open_total,
    )


def _title(review: Review) -> str:
    month = date_format(review.period.start, "YEAR_MONTH_FORMAT")
    return _("%(unit)s %(month)s 月度讲评") % {"unit": review.node.name, "month": month}


def _period(review: Review) -> dict[str, str]:
    return {"start": f"{review.period.start:%Y-%m-%d}", "end": f"{review.period.end:%Y-%m-%d}"}


# --- XLSX ------------------------------------------------------------------------------------------------------


def review_xlsx(review: Review) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill

    head_fill = PatternFill("solid", fgColor="123B6D")
    head_font = Font(color="FFFFFF", bold=True)

    def header(ws: Any, row: list[str]) -> None:
        append_row(ws, row, fill=head_fill, font=head_font, alignment=Alignment(horizontal="center"))

    wb = Workbook()
    ws = wb.active
    ws.title = _("概况")
    append_row(ws, [_title(review)])
    ws["A1"].font = Font(size=16, bold=True)
    append_row(ws, [_("统计期间：%(start)s 至 %(end)s") % _period(review)])
    ws.append([])
    header(ws, [_("指标"), _("数值")])
    append_row(ws, [_("综合得分"), review.score if review.score is not None else "—"])
    for key, label in FIGURE_ROWS:
        append_row(ws, [str(label), review.figures.counts[key]])
    append_row(ws, [_("平均办结用时（小时）"), review.figures.average_hours or "—"])
    for key, label in RATE_ROWS:
        append_row(ws, [str(label), _pct(review.figures.rates[key])])
    append_row(ws, [_("当前未办结事件"), review.open_total["open"]])
    append_row(ws, [_("当前超期事件"), review.open_total["red"]])
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 16

    rs = wb.create_sheet(_("下级排名"))
    header(
        rs,
        [
            _("名次"),
            _("单位"),
            _("编码"),
            _("综合得分"),
            pgettext("figure", "上报"),
            _("办结"),
            _("办结率"),
            _("按时办结率"),
            _("满意率"),
        ],
    )
    for r in review.ranking:
        rates = r.figures.rates
        append_row(
            rs,
            [
                r.rank,
                r.name,
                r.code,
                r.score,
                r.figures.counts["reported"],
                r.figures.counts["closed"],
                _pct(rates["closure"]),
                _pct(rates["on_time"]),
                _pct(rates["satisfaction"]),
            ],
        )
    for col, width in zip("ABCDEFGHI", (6, 22, 18, 10, 8, 8, 10, 12, 10), strict=True):
        rs.column_dimensions[col].width = width
    if review.ranking:
        chart = BarChart()
        chart.type = "bar"
        chart.title = _("综合得分")
        chart.height = max(7, len(review.ranking) * 0.6)
        chart.width = 18
        data = Reference(rs, min_col=4, min_row=1, max_row=len(review.ranking) + 1)
        cats = Reference(rs, min_col=2, min_row=2, max_row=len(review.ranking) + 1)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        chart.legend = None
        rs.add_chart(chart, "K2")

    bs = wb.create_sheet(_("网格红黑榜"))
    header(bs, [_("榜单"), _("网格"), _("编码"), _("综合得分"), pgettext("figure", "上报"), _("办结"), _("满意率")])
    for tag, rows in ((_("红榜（前五）"), review.best), (_("黑榜（后五）"), review.worst)):
        for r in rows:
            append_row(
                bs,
                [
                    tag,
                    r.name,
                    r.code,
                    r.score,
                    r.figures.counts["reported"],
                    r.figures.counts["closed"],
                    _pct(r.figures.rates["satisfaction"]),
                ],
            )
    bs.column_dimensions["B"].width = 24

    os_ = wb.create_sheet(_("超期事件"))
    header(os_, [_("查询码"), _("分类"), _("网格"), _("状态"), _("上报时间"), _("本环节时限")])
    for e in review.overdue:
        append_row(
            os_,
            [
                e.tracking_code,
                str(e.category or ""),
                e.grid.full_name,
                str(STATES.get(e.state, e.state)),
                timezone.localtime(e.reported_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(e.due_at).strftime("%Y-%m-%d %H:%M") if e.due_at else "",
            ],
        )
    for col, width in zip("ABCDEF", (16, 22, 20, 10, 18, 18), strict=True):
        os_.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- PDF -------------------------------------------------------------------------------------------------------


def review_pdf(review: Review) -> bytes:
    from fpdf import FPDF

    from fengqiao.core.fonts import cjk_font

    path, face = cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(16, 16, 16)
    pdf.add_font("cjk", "", path, collection_font_number=face)
    pdf.set_title(_title(review))
    pdf.set_creator("fengqiao")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font("cjk", size=18)
    pdf.set_text_color(18, 59, 109)
    pdf.cell(width, 10, _title(review), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("cjk", size=10)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(
        width,
        6,
        _("统计期间 %(start)s 至 %(end)s · 生成于 %(generated)s")
        % {**_period(review), "generated": f"{timezone.localtime():%Y-%m-%d %H:%M}"},
        new_x="LMARGIN",
        new_y="NEXT",
        align="C",
    )
    pdf.ln(3)

    def heading(text: str) -> None:
        pdf.ln(2)
        pdf.set_font("cjk", size=13)
        pdf.set_text_color(192, 57, 43)
        pdf.cell(width, 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(30, 30, 30)
        pdf.set_font("cjk", size=10)

    def table(
        head: list[str], rows: Iterable[list[Any]], widths: list[float], styles: Iterable[str] | None = None
    ) -> None:
        # A table takes its body colours from the pen in hand (the score bars leave theirs behind): set them.
        text, background = TABLE_STYLES["body"]
        pdf.set_text_color(*text)
        pdf.set_fill_color(*background)
        pdf.set_font("cjk", size=9.5)
        stripe = TABLE_STYLES["stripe"][1]
        with pdf.table(
            col_widths=widths,
            text_align="CENTER",
            line_height=6.2,
            headings_style=_row_style("heading"),
            cell_fill_color=stripe,
            cell_fill_mode="ROWS",
        ) as t:
            t.row([str(h) for h in head])
            kinds = iter(styles or ())
            for row in rows:
                kind = next(kinds, "")
                t.row(["" if v is None else str(v) for v in row], style=_row_style(kind) if kind else None)
        pdf.set_fill_color(255, 255, 255)

    heading(_("一、总体情况"))
    f = review.figures
    hours = _("%(hours)s 小时") % {"hours": f.average_hours or "—"}
    summary: list[list[Any]] = [
        [
            _("综合得分"),
            review.score if review.score is not None else "—",
            pgettext("figure", "上报事件"),
            f.counts["reported"],
        ],
        [_("立案"), f.counts["registered"], _("办结"), f.counts["closed"]],
        [_("办结率"), _pct(f.rates["closure"]), _("按时办结率"), _pct(f.rates["on_time"])],
        [_("满意率"), _pct(f.rates["satisfaction"]), _("平均办结用时"), hours],
        [_("排查发现率"), _pct(f.rates["discovery"]), _("化解率"), _pct(f.rates["resolution"])],
        [_("当前未办结"), review.open_total["open"], _("当前超期"), review.open_total["red"]],
    ]
    table([_("指标"), _("数值"), _("指标"), _("数值")], summary, [1, 1, 1, 1])

    if review.ranking:
        heading(_("二、下级单位排名"))
        scored = [r for r in review.ranking if r.score is not None]
        if scored:
            _bars(pdf, [(r.name, r.score or 0) for r in scored[:15]], width)
        table(
            [_("名次"), _("单位"), _("综合得分"), pgettext("figure", "上报"), _("办结"), _("办结率"), _("满意率")],
            [
                [
                    r.rank,
                    r.name,
                    r.score if r.score is not None else "—",
                    r.figures.counts["reported"],
                    r.figures.counts["closed"],
                    _pct(r.figures.rates["closure"]),
                    _pct(r.figures.rates["satisfaction"]),
                ]
                for r in review.ranking
            ],
            [0.6, 2, 1, 0.8, 0.8, 1, 1],
        )
    if review.best:
        heading(_("三、网格红黑榜"))
        table(
            [_("榜单"), _("网格"), _("综合得分"), pgettext("figure", "上报"), _("办结"), _("满意率")],
            [
                [
                    _("红榜"),
                    r.name,
                    r.score,
                    r.figures.counts["reported"],
                    r.figures.counts["closed"],
                    _pct(r.figures.rates["satisfaction"]),
                ]
                for r in review.best
            ]
            + [
                [
                    _("黑榜"),
                    r.name,
                    r.score,
                    r.figures.counts["reported"],
                    r.figures.counts["closed"],
                    _pct(r.figures.rates["satisfaction"]),
                ]
                for r in review.worst
            ],
            [0.7, 2.4, 1, 0.8, 0.8, 1],
            styles=["red_list"] * len(review.best) + ["black_list"] * len(review.worst),
        )
    heading(_("四、超期未办结事件") if review.overdue else _("四、超期未办结事件：无"))
    if review.overdue:
        table(
            [_("查询码"), _("分类"), _("网格"), _("状态"), pgettext("deadline", "时限")],
            [
                [
                    e.tracking_code,
                    str(e.category or ""),
                    e.grid.full_name,
                    str(STATES.get(e.state, e.state)),
                    timezone.localtime(e.due_at).strftime("%m-%d %H:%M") if e.due_at else "",
                ]
                for e in review.overdue
            ],
            [1.3, 1.8, 1.8, 0.9, 1],
        )
    return bytes(pdf.output())


# (text, background) of each kind of table row in the PDF. Each pair keeps a WCAG contrast ratio of at least 4.5:1,
# so rows stay readable printed in grey or on a poor projector: dark text on a light tint, white on a dark fill.
TABLE_STYLES: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]] = {
    "heading": ((255, 255, 255), (18, 59, 109)),
    "body": ((30, 30, 30), (255, 255, 255)),
    "stripe": ((30, 30, 30), (243, 246, 250)),
    "red_list": ((20, 83, 45), (232, 245, 236)),  # 红榜: commended, dark green on a light green tint
    "black_list": ((127, 29, 29), (253, 236, 234)),  # 黑榜: dark red on a light red tint
}


def _row_style(kind: str) -> Any:
    from fpdf.fonts import FontFace

    text, background = TABLE_STYLES[kind]
    return FontFace(color=text, fill_color=background)


def _bars(pdf: Any, rows: list[tuple[str, float]], width: float) -> None:
    """A horizontal bar chart of scores (0–100), drawn with rectangles."""
    label_w, bar_h, gap = 38.0, 5.0, 1.6
    scale = (width - label_w - 14) / 100.0
    pdf.set_font("cjk", size=8.5)
    for name, value in rows:
        y = pdf.get_y()
        pdf.set_text_color(60, 60, 60)
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(label_w - 2, bar_h, name[:14], align="R")
        colour = (46, 160, 67) if value >= 85 else (230, 145, 56) if value >= 70 else (192, 57, 43)
        pdf.set_fill_color(*colour)
        pdf.rect(pdf.l_margin + label_w, y + 0.6, max(0.5, value * scale), bar_h - 1.2, style="F")
        pdf.set_xy(pdf.l_margin + label_w + value * scale + 1.5, y)
        pdf.cell(12, bar_h, f"{value:.1f}")
        pdf.set_y(y + bar_h + gap)
    pdf.ln(2)


# --- storing and scheduling ------------------------------------------------------------------------------------


def generate_monthly_report(*, node: GridNode, month: dt.date) -> MonthlyReport:
    """Build and store the XLSX and PDF review of ``node`` for the month starting ``month`` (replacing an old one)."""
    month = month.replace(day=1)
    review = monthly_review(node=node, month=month)
    xlsx, pdf = review_xlsx(review), review_pdf(review)
    report, _created = MonthlyReport.objects.get_or_create(node=node, month=month, defaults={"node_path": node.path})
    name = f"{node.code}-{month:%Y%m}"
    for field_name, data, ext in (("xlsx", xlsx, "xlsx"), ("pdf", pdf, "pdf")):
        old = getattr(report, field_name)
        if old:
            old.delete(save=False)
        getattr(report, field_name).save(f"{name}.{ext}", ContentFile(data), save=False)
    report.node_path = node.path
    report.generated_at = timezone.now()
    report.save()
    return report


def first_working_day(month: dt.date) -> dt.date:
    day = month.replace(day=1)
    while not sla.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def report_levels() -> list[int]:
    return list(getattr(settings, "FENGQIAO_MONTHLY_REPORT_LEVELS", [Level.CITY, Level.DISTRICT, Level.STREET]))


def generate_due_reports(*, today: dt.date | None = None) -> int:
    """On (or after) the first working day of a month, generate last month's review for every unit still missing one.

    Safe to run twice or from two workers: the (unit, month) row is claimed first, and a claimed unit is skipped.
    """
    today = today or timezone.localdate()
    if today < first_working_day(today):
        return 0
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    done = set(MonthlyReport.objects.filter(month=last_month).values_list("node_id", flat=True))
    made = 0
    for node in GridNode.objects.filter(level__in=report_levels()).exclude(pk__in=done).order_by("path"):
        try:
            with transaction.atomic():
                MonthlyReport.objects.create(node=node, node_path=node.path, month=last_month)
        except IntegrityError:
            continue  # another worker has it
        generate_monthly_report(node=node, month=last_month)
        made += 1
    return made


# --- list exports ----------------------------------------------------------------------------------------------

EXPORT_LIMIT = 100_000


def export_events(*, actor: User, filters: QueueFilters) -> bytes:
    """导出事件清单: the actor's queue with ``filters`` as a spreadsheet, and one audit row saying who took how many
    rows of which area with which filters. The row is written after the last row is read: a page read on the replica
    that fails there is answered again from the primary (core.dbrouting), and must not be audited twice."""
    data, count = events_xlsx(event_queue(actor=actor, filters=filters).iterator(chunk_size=2000))
    node = widest_node(actor)
    if node is not None:
        chosen = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in asdict(filters).items() if v}
        audit.record(
            actor=actor,
            verb="export_events",
            target=node,
            grid_path=node.path,
            data={"count": count, "filters": chosen},
        )
    return data


def events_xlsx(events: Iterable[Event]) -> tuple[bytes, int]:
    """The events of a queue as a spreadsheet (at most ``EXPORT_LIMIT`` rows, most urgent first), and how many."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    colours = {"green": _("正常"), "orange": _("临期"), "red": _("超期")}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("事件"))
    widths = (16, 10, 22, 40, 20, 12, 8, 18, 18, 18, 6)
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(65 + i)].width = w
    head = [
        _("查询码"),
        pgettext("time-limit colour", "时限"),
        _("分类"),
        _("描述"),
        _("网格"),
        _("状态"),
        _("来源"),
        _("上报时间"),
        _("本环节时限"),
        _("办结时间"),
        pgettext("column", "评价"),
    ]
    head_style = {"font": Font(bold=True, color="FFFFFF"), "fill": PatternFill("solid", fgColor="123B6D")}
    ws.append([xlsx_cell(ws, text, **head_style) for text in head])

    def when(moment: Any) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    count = 0
    for e in events:
        if count >= EXPORT_LIMIT:
            break
        count += 1
        append_row(
            ws,
            [
                e.tracking_code,
                colours.get(getattr(e, "colour", ""), ""),
                str(e.category or ""),
                e.description[:500],
                e.grid.full_name if e.grid_id else "",
                str(STATES.get(e.state, e.state)),
                e.get_source_display(),
                when(e.reported_at),
                when(e.due_at),
                when(e.closed_at),
                e.stars or "",
            ],
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), count
