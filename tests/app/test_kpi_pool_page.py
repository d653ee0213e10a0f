"""KPI pool page flows: goal chooser, the tree, missing columns, tracking, targets and their status, a stale
target edit, custom KPIs (bad and good), the Korean UI, and a golden file of the KPI table for the shop sample.

Expected figures come from the sample workbooks read with openpyxl in this file, never from the code under test.
Golden files: set LOOPBOARD_UPDATE_GOLDEN=1 to rewrite them, then read the diff before committing.
"""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sample_data.make_samples import ensure_samples
from store import engine as store_engine
from store import repo
from tests.app.conftest import REPO_ROOT, no_exceptions
from tests.goldens import assert_matches_golden

PAGE = "pages/kpi_pool.py"
GOAL = "grow_online_revenue"
GOLDEN = REPO_ROOT / "tests" / "golden" / "kpi_pool_online_shop.json"
CATALOG = tomllib.loads((REPO_ROOT / "metrics" / "catalog" / "catalog.toml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------- builders and helpers


def _with_store(database: str):
    engine = store_engine.make_engine(database)
    store_engine.upgrade(engine)
    return engine, store_engine.session_factory(engine)


def load_shop(database: str) -> None:
    """Stores the shop sample in the test database as the Data page would (workspace "default")."""
    engine, factory = _with_store(database)
    with store_engine.unit_of_work(factory) as session:
        workspace = repo.get_or_create_workspace(session, "default", "default")
        for path in ensure_samples()["online_shop"]:
            repo.save_source_file(session, workspace.id, path.name, path.read_bytes())
    engine.dispose()


def stored_selections(database: str) -> dict[str, tuple[float | None, str, int]]:
    engine, factory = _with_store(database)
    with store_engine.read_session(factory) as session:
        workspace = repo.get_or_create_workspace(session, "default", "default")
        rows = {r.kpi_id: (r.target_value, r.target_kind, r.version) for r in repo.list_kpi_selections(session, workspace.id, GOAL)}
    engine.dispose()
    return rows


def daily_totals(month: str | None = None) -> dict[str, float]:
    """Column totals of the daily channel report (optionally one month, "2026-10"), read with openpyxl."""
    path = next(p for p in ensure_samples()["online_shop"] if p.name == "shop_daily_channels.xlsx")
    rows = list(load_workbook(path, read_only=True, data_only=True).worksheets[0].iter_rows(values_only=True))
    header, totals = rows[0], defaultdict(float)
    for row in rows[1:]:
        if isinstance(row[0], datetime) and (month is None or row[0].strftime("%Y-%m") == month):
            for name, value in zip(header[2:], row[2:], strict=True):
                totals[name] += value or 0
    return dict(totals)


def order_revenue(month: str) -> float:
    """Σ 결제금액 of the order lines dated in `month` (returns are negative lines), read with openpyxl."""
    path = next(p for p in ensure_samples()["online_shop"] if p.name == "shop_orders.xlsx")
    rows = load_workbook(path, read_only=True, data_only=True).worksheets[0].iter_rows(values_only=True)
    return sum(r[7] for r in rows if isinstance(r[1], datetime) and r[1].strftime("%Y-%m") == month)


def hand_status(value: float, target: float, at_least: bool) -> str:
    """The rule of the issue, written out: met → on track; short by ≤ 10 % of the target → at risk; else off."""
    short = (target - value) if at_least else (value - target)
    if short <= 0:
        return "on track"
    return "at risk" if short <= 0.1 * abs(target) else "off track"


def texts(app) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption", "warning", "error", "info", "success") for e in getattr(app, kind))


@pytest.fixture
def shop_app(make_app, database):
    """The KPI page on the shop sample with the online-revenue goal chosen and the latest full month (2026-10)."""

    def build(language: str = "en"):
        load_shop(database)
        app = make_app(PAGE, language=language)
        app.session_state["goal"] = GOAL
        return app.run()

    return build


def view(app, name: str):
    app.segmented_control(key="kpi_view").set_value(name).run()
    no_exceptions(app)
    return app


# ------------------------------------------------------------------------------------------------------- the tests


def test_without_a_goal_the_page_asks_for_one(make_app) -> None:
    app = make_app(PAGE).run()
    no_exceptions(app)
    assert "What is your goal?" in [s.value for s in app.subheader]
    buttons = {b.key for b in app.button if b.key and b.key.startswith("kpi_goal_")}
    assert buttons == {f"kpi_goal_{g['id']}" for g in CATALOG["goal"]}
    shown = texts(app)
    for goal in CATALOG["goal"]:
        assert goal["name"]["en"] in shown and goal["description"]["en"] in shown


def test_choosing_a_goal_shows_strategies_and_kpis(make_app, database) -> None:
    load_shop(database)
    app = make_app(PAGE).run()
    app.button(key=f"kpi_goal_{GOAL}").click().run()
    no_exceptions(app)
    goal = next(g for g in CATALOG["goal"] if g["id"] == GOAL)
    headings = texts(app)
    for number, kfs in enumerate(goal["kfs"], start=1):
        assert f"Strategy {number}: {kfs['name']['en']}" in headings
    labels = {m.label.replace("\\", "") for m in app.metric}
    expected = {CATALOG["kpi"][k]["name"]["en"] for kfs in goal["kfs"] for k in kfs["kpis"]}
    assert labels == expected
    assert {c.key for c in app.checkbox} == {f"kpi_pick_{k}" for kfs in goal["kfs"] for k in kfs["kpis"]}


def test_a_kpi_the_data_cannot_measure_names_the_missing_column(shop_app) -> None:
    app = shop_app()
    no_exceptions(app)
    warnings = [w.value for w in app.warning]
    # The shop files have no checkout column, and 방문자수 is read as sessions, so nothing counts visitors
    # (see the headers printed by daily_totals).
    assert "add a checkouts column to measure this" in warnings
    assert "add a visitors column to measure this" in warnings


def test_ticking_a_kpi_persists_into_a_new_session(shop_app, make_app, database) -> None:
    app = shop_app()
    app.checkbox(key="kpi_pick_roas").check().run()
    no_exceptions(app)
    assert set(stored_selections(database)) == {"roas"}
    second = make_app(PAGE)
    second.session_state["goal"] = GOAL
    second.run()
    assert second.checkbox(key="kpi_pick_roas").value is True
    assert second.checkbox(key="kpi_pick_cpc").value is False


def test_targets_give_the_status_of_an_up_and_a_down_kpi(shop_app) -> None:
    app = shop_app()
    app.checkbox(key="kpi_pick_roas").check().run()
    app.checkbox(key="kpi_pick_cpc").check().run()
    view(app, "targets")
    october = daily_totals("2026-10")
    roas = order_revenue("2026-10") / october["광고비"]  # revenue from order lines ÷ ad cost, DESIGN.md's roas
    cpc = october["광고비"] / october["클릭수"]
    roas_target, cpc_target = round(roas * 1.05, 4), round(cpc * 0.5)
    app.session_state["kpi_targets_editor"] = {
        "edited_rows": {0: {"target": roas_target}, 1: {"target": cpc_target}}, "added_rows": [], "deleted_rows": [],
    }
    app.button(key="kpi_targets_save").click().run()
    no_exceptions(app)
    table = app.data_editor[0].value
    status = dict(zip(table["kpi"], table["status"], strict=True))
    kinds = dict(zip(table["kpi"], table["kind"], strict=True))
    assert kinds == {"Return on ad spend": "at_least", "Cost per click": "at_most"}  # cpc should go down
    assert status["Return on ad spend"].endswith(hand_status(roas, roas_target, at_least=True))
    assert status["Cost per click"].endswith(hand_status(cpc, cpc_target, at_least=False))
    assert hand_status(roas, roas_target, True) == "at risk" and hand_status(cpc, cpc_target, False) == "off track"


def test_a_stale_target_edit_is_refused_with_a_reload_message(shop_app, database) -> None:
    app = shop_app()
    app.checkbox(key="kpi_pick_roas").check().run()
    view(app, "targets")
    engine, factory = _with_store(database)  # someone else saves a target after this page drew the editor
    with store_engine.unit_of_work(factory) as session:
        workspace = repo.get_or_create_workspace(session, "default", "default")
        row = repo.list_kpi_selections(session, workspace.id, GOAL)[0]
        repo.update_target(session, workspace.id, row.id, row.version, value=9.0)
    engine.dispose()
    app.session_state["kpi_targets_editor"] = {"edited_rows": {0: {"target": 2.0}}, "added_rows": [], "deleted_rows": []}
    app.button(key="kpi_targets_save").click().run()
    no_exceptions(app)
    assert any("Someone else changed" in e.value and "Reload" in e.value for e in app.error), [e.value for e in app.error]
    assert stored_selections(database)["roas"][0] == 9.0  # their change is kept


def _submit_custom(app, name: str, kpi_id: str, formula: str, unit: str = "count") -> None:
    view(app, "custom")
    app.text_input(key="kpi_custom_name").input(name)
    app.text_input(key="kpi_custom_id").input(kpi_id)
    app.text_input(key="kpi_custom_formula").input(formula)
    app.selectbox(key="kpi_custom_unit").set_value(unit)
    app.button(key="kpi_custom_save").click().run()
    no_exceptions(app)


def test_a_bad_custom_formula_points_at_the_mistake(shop_app) -> None:
    app = shop_app()
    formula = "sum(revenue) / sum(revenu)"
    column = formula.rindex("revenu)") + 1  # 1-based, where the misspelt name starts
    _submit_custom(app, "Broken", "broken", formula)
    errors = [e.value for e in app.error]
    assert any(f"character {column}" in e and "revenu" in e for e in errors), errors
    assert any(c.value == f"{formula}\n{' ' * (column - 1)}^" for c in app.code)


def test_a_good_custom_kpi_is_saved_and_shows_the_right_value(shop_app) -> None:
    app = shop_app()
    app.segmented_control(key="period_grain__widget").set_value("all").run()
    _submit_custom(app, "Ad spend per sign-up", "spend_per_signup", "sum(cost) / sum(signups)", unit="currency")
    assert any("saved" in s.value for s in app.success), [s.value for s in app.success]
    totals = daily_totals()
    expected = f"₩{totals['광고비'] / totals['회원가입']:,.0f}"
    view(app, "tree")
    values = {m.label.replace("\\", ""): m.value for m in app.metric}
    assert values["Ad spend per sign-up"] == expected


def test_a_custom_kpi_in_the_teams_own_column_names(shop_app, database: str) -> None:
    """광고비 and 회원가입 are the daily report's headers: the formula may use them, and is stored in role names."""
    app = shop_app()
    app.segmented_control(key="period_grain__widget").set_value("all").run()
    _submit_custom(app, "가입당 광고비", "cost_per_join", "sum(광고비) / sum(회원가입)", unit="currency")
    assert any("saved" in s.value for s in app.success), [s.value for s in app.success] + [e.value for e in app.error]
    totals = daily_totals()
    view(app, "tree")
    values = {m.label.replace("\\", ""): m.value for m in app.metric}
    assert values["가입당 광고비"] == f"₩{totals['광고비'] / totals['회원가입']:,.0f}"
    from sqlalchemy import create_engine, text

    with create_engine(database).connect() as connection:
        stored = connection.execute(text("SELECT formula FROM custom_kpi WHERE kpi_id = 'cost_per_join'")).scalar_one()
    assert stored == "sum(cost) / sum(signups)"


def test_the_korean_ui_shows_korean_labels(shop_app) -> None:
    app = shop_app(language="ko")
    no_exceptions(app)
    assert app.title[0].value == "KPI 풀"
    goal = next(g for g in CATALOG["goal"] if g["id"] == GOAL)
    shown = texts(app)
    assert f"전략 1: {goal['kfs'][0]['name']['ko']}" in shown
    assert CATALOG["kpi"]["roas"]["name"]["ko"] in {m.label.replace("\\", "") for m in app.metric}
    assert app.checkbox(key="kpi_pick_roas").label == "추적"
    assert "이 지표를 측정하려면" in " ".join(w.value for w in app.warning)


def test_the_kpi_table_of_the_shop_sample_matches_the_golden_file(shop_app) -> None:
    app = shop_app()
    app.segmented_control(key="period_grain__widget").set_value("all").run()
    view(app, "table")
    records = json.loads(app.dataframe[0].value.to_json(orient="records", force_ascii=False))
    assert_matches_golden("kpi_pool_online_shop", records)


def test_the_golden_revenue_agrees_with_the_workbook() -> None:
    """The golden file is only trusted because its key figures match an independent reading of the sample."""
    rows = {r["KPI"]: r for r in json.loads(Path(GOLDEN).read_text(encoding="utf-8"))}
    path = next(p for p in ensure_samples()["online_shop"] if p.name == "shop_orders.xlsx")
    lines = load_workbook(path, read_only=True, data_only=True).worksheets[0].iter_rows(values_only=True)
    revenue = sum(r[7] for r in lines if isinstance(r[1], datetime))
    totals = daily_totals()
    assert rows["Revenue"]["Value"] == f"₩{revenue:,.0f}"
    assert rows["Ad spend"]["Value"] == f"₩{totals['광고비']:,.0f}"
    assert rows["Click-through rate"]["Value"] == f"{totals['클릭수'] / totals['노출수'] * 100:.1f}%"


def test_revenue_drivers_compare_the_month_with_the_one_before(shop_app) -> None:
    app = view(shop_app(), "drivers")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Previous period"] == f"₩{order_revenue('2026-09'):,.0f}"
    assert metrics["This period"] == f"₩{order_revenue('2026-10'):,.0f}"
    assert len(app.get("arrow_vega_lite_chart") or app.get("vega_lite_chart")) == 1  # the waterfall
    channels = app.dataframe[0].value["Channel"]
    assert sorted(channels) == ["SNS광고", "검색광고", "이메일", "자연유입"]  # the 채널 values of the daily report
