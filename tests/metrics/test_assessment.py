"""Indicators, composite scores and rankings; the monthly review as XLSX and PDF; the events list as XLSX."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from fengqiao.metrics import reports, selectors
from fengqiao.metrics.models import Indicator, MonthlyReport
from fengqiao.metrics.selectors import Figures
from tests.factories import make_user
from tests.metrics.conftest import GRID_A1, GRID_B1


@pytest.fixture
def leader(tree):
    return make_user("leader", role="leader", node=tree["410105"])


@pytest.fixture
def scored_events(tree, make_event, fold):
    now = timezone.now()
    h = dt.timedelta(hours=1)
    for stars in (5, 5, 4):  # street A: everything closed on time and rated well
        make_event(
            GRID_A1,
            hours_ago=5,
            state="closed",
            registered_at=now - 4 * h,
            handled_at=now - 3 * h,
            closed_at=now - 2 * h,
            stars=stars,
        )
    make_event(GRID_B1, hours_ago=5, state="registered", registered_at=now - 4 * h)  # street B: nothing closed
    make_event(
        GRID_B1,
        hours_ago=5,
        state="closed",
        registered_at=now - 4 * h,
        handled_at=now - 3 * h,
        closed_at=now - 2 * h,
        stars=1,
    )
    fold()


def test_the_composite_score_is_the_weighted_mean_of_indicators_that_have_data():
    f = Figures()
    f.counts.update(reported=4, discovered=2, registered=4, handled=4, closed=2, closed_on_time=1, rated=2, satisfied=2)
    weights = [("discovery", "", 1.0), ("closure", "", 1.0), ("satisfaction", "", 2.0), ("resolution", "", 5.0)]
    # discovery .5, closure .5, satisfaction 1.0 (weight 2); resolution has no disputes and is left out
    assert selectors.score(f, weights) == 75.0


def test_indicator_weights_are_configurable(tree, scored_events, leader):
    period = selectors.period_of("month")
    Indicator.objects.exclude(code="satisfaction").update(active=False)
    ranking = selectors.children_ranking(actor=leader, node=tree["410105"], period=period)
    assert [(r.code, r.score) for r in ranking] == [("410105001", 100.0), ("410105002", 0.0)]


def test_streets_are_ranked_best_first_among_their_siblings(tree, scored_events, leader):
    ranking = selectors.children_ranking(actor=leader, node=tree["410105"], period=selectors.period_of("week"))
    assert [r.code for r in ranking] == ["410105001", "410105002"]
    assert [r.rank for r in ranking] == [1, 2]


def test_grid_workers_of_a_street_are_ranked_by_their_grids(tree, scored_events, leader):
    make_user("wa", role="grid_worker", node=tree[GRID_A1], full_name="张伟")
    make_user("wb", role="grid_worker", node=tree[GRID_B1], full_name="李娜")
    ranking = selectors.worker_ranking(actor=leader, node=tree["410105001"], period=selectors.period_of("day"))
    assert [r.name for r in ranking] == ["张伟"]  # only the street's own workers


def test_the_ranking_page_refuses_a_node_outside_the_jurisdiction(client, tree, scored_events):
    street_leader = make_user("sl", role="leader", node=tree["410105002"])
    client.force_login(street_leader)
    # A node outside the jurisdiction answers like one that does not exist.
    assert client.get("/metrics/ranking/", {"node": "410105001"}).status_code == 404
    assert client.get("/metrics/ranking/", {"node": "999999999"}).status_code == 404
    assert client.get("/metrics/ranking/", {"node": "410105002"}).status_code == 200


def test_grid_workers_may_not_open_the_assessment_pages(client, tree):
    client.force_login(make_user("w", role="grid_worker", node=tree[GRID_A1]))
    assert client.get("/metrics/ranking/").status_code == 403


def test_the_efficiency_list_shows_one_days_figures(client, tree, scored_events, leader):
    client.force_login(leader)
    page = client.get("/metrics/efficiency/", {"node": "410105"})
    assert page.status_code == 200
    assert [u.code for u in page.context["units"]] == ["410105001", "410105002"]


def test_the_monthly_review_is_stored_as_xlsx_and_a_pdf_with_chinese_text(tree, scored_events):
    from openpyxl import load_workbook

    month = timezone.localdate().replace(day=1)
    report = reports.generate_monthly_report(node=tree["410105"], month=month)
    book = load_workbook(io.BytesIO(report.xlsx.read()))
    assert book.sheetnames == ["概况", "下级排名", "网格红黑榜", "超期事件"]
    assert book["下级排名"]["B2"].value == "甲街道"
    pdf = report.pdf.read()
    assert pdf.startswith(b"%PDF") and b"NotoSans" in pdf  # the CJK font is embedded


def test_monthly_reviews_are_generated_once_on_the_first_working_day(tree, settings):
    settings.FENGQIAO_MONTHLY_REPORT_LEVELS = [2]
    assert reports.generate_due_reports(today=dt.date(2026, 10, 1)) == 0  # National Day: not a working day
    assert reports.generate_due_reports(today=dt.date(2026, 10, 9)) == 1  # first working day of October 2026
    assert reports.generate_due_reports(today=dt.date(2026, 10, 9)) == 0  # already there
    assert MonthlyReport.objects.get().month == dt.date(2026, 9, 1)


def test_the_events_list_exports_to_xlsx_with_the_queues_filters(client, tree, scored_events, leader):
    from openpyxl import load_workbook

    client.force_login(leader)
    response = client.get("/metrics/export/events.xlsx", {"grid": "410105002", "state": "closed"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2  # header + the one closed event of street B
    assert rows[1][5] == "已办结"


def test_the_ranking_api_lists_the_children_best_first(client, tree, scored_events, leader):
    client.force_login(leader)
    rows = client.get("/api/v1/metrics/ranking", {"period": "year"}).json()
    assert [(r["rank"], r["code"]) for r in rows] == [(1, "410105001"), (2, "410105002")]
