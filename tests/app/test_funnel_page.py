"""Funnel page flows: stage counts, what moved, segments, leaks, step targets, what-if, cohorts, stage choice, Korean,
golden tables.

Data is loaded the way a user loads it (the Data page's sample buttons). Expected figures are computed here from the
sample files themselves with openpyxl / csv and plain Python (DESIGN.md definitions), never with `metrics`.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from sample_data.make_samples import ensure_samples
from store import engine as store_engine
from store import repo
from tests.app.conftest import no_exceptions
from tests.goldens import assert_matches_golden

# The default funnel is one nested journey: in the shop sample clicks < sessions (organic visits never clicked
# an ad) and sign-ups < carts, so those two side branches are left out (the first test checks that premise).
SHOP_STAGES_EN = ["Impressions", "Sessions", "Add to cart", "Orders", "Repeat orders"]
SHOP_STAGES_KO = ["노출", "방문", "장바구니", "주문", "재구매"]
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
SEPTEMBER = (date(2026, 9, 1), date(2026, 9, 30))


# ------------------------------------------------------------------ independent figures from the sample files


def _files(sample_id: str) -> dict[str, Path]:
    return {path.name: path for path in ensure_samples()[sample_id]}


def daily_totals(span: tuple[date, date] | None = None) -> dict[str, float]:
    """Σ of each column of the daily channel report (header on row 1), optionally within `span`."""
    rows = list(load_workbook(_files("online_shop")["shop_daily_channels.xlsx"], read_only=True).worksheets[0].iter_rows(values_only=True))
    header, totals = rows[0], defaultdict(float)
    for row in rows[1:]:
        if not isinstance(row[0], datetime) or (span and not span[0] <= row[0].date() <= span[1]):
            continue
        for name, value in zip(header[2:], row[2:], strict=True):
            totals[name] += value or 0
    return dict(totals)


def shop_orders() -> list[dict[str, object]]:
    """Order lines (title rows above the header, a 합계 row below it) grouped into orders: net amount, date, customer."""
    rows = list(load_workbook(_files("online_shop")["shop_orders.xlsx"], read_only=True).worksheets[0].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "주문번호") + 1
    orders: dict[str, dict[str, object]] = {}
    for order_id, when, customer, *_rest, amount, _channel, _device in rows[start:]:
        if not isinstance(when, datetime):
            continue
        order = orders.setdefault(order_id, {"id": order_id, "net": 0.0, "date": when.date(), "customer": customer})
        order["net"] += amount
        order["date"] = min(order["date"], when.date())
    return list(orders.values())


def shop_figures(span: tuple[date, date] | None = None) -> dict[str, float]:
    """Every stage count of the shop funnel, plus revenue; repeat = not the customer's first counted order ever."""
    report = daily_totals(span)
    counted = sorted((o for o in shop_orders() if o["net"] > 0), key=lambda o: (o["date"], o["id"]))
    seen: set[object] = set()
    repeat_ids = set()
    for order in counted:
        if order["customer"] in seen:
            repeat_ids.add(order["id"])
        seen.add(order["customer"])
    inside = [o for o in counted if span is None or span[0] <= o["date"] <= span[1]]
    everything = [o for o in shop_orders() if span is None or span[0] <= o["date"] <= span[1]]
    return {
        "Impressions": report["노출수"], "Clicks": report["클릭수"], "Sessions": report["방문자수"],
        "Sign-ups": report["회원가입"], "Add to cart": report["장바구니"], "Orders": len(inside),
        "Repeat orders": sum(o["id"] in repeat_ids for o in inside), "revenue": sum(o["net"] for o in everything),
    }


def leads_by(column: str) -> dict[str, int]:
    with open(_files("b2b_leads")["leads.csv"], encoding="utf-8-sig", newline="") as handle:
        counts: dict[str, int] = defaultdict(int)
        for row in csv.DictReader(handle):
            counts[row[column].strip() or "(not set)"] += 1  # blank cells form their own segment
    return dict(counts)


def won_deals() -> int:
    rows = list(load_workbook(_files("b2b_leads")["deals.xlsx"], read_only=True).worksheets[0].iter_rows(values_only=True))
    return len({row[0] for row in rows[1:] if row[0]})


# ------------------------------------------------------------------ page helpers


def load(make_app: Callable[..., AppTest], sample_id: str) -> None:
    data = make_app("pages/data.py").run()
    data.button(key=f"data_sample_{sample_id}").click().run()
    no_exceptions(data)


def open_funnel(make_app: Callable[..., AppTest], language: str = "en", grain: str | None = None, **state: object) -> AppTest:
    app = make_app("pages/funnel.py", language)
    for key, value in state.items():
        app.session_state[key] = value
    if grain:
        app.session_state["period_grain"] = grain
    app.run()
    no_exceptions(app)
    return app


def stage_table(app: AppTest) -> list[dict[str, str]]:
    """The funnel table as the user sees it (the one dataframe with a from-top column)."""
    for frame in app.dataframe:
        if {"From top", "첫 단계 대비"} & set(frame.value.columns):
            return frame.value.to_dict("records")
    raise AssertionError("no funnel table on the page")


def number(text: str) -> float:
    return float(text.replace("₩", "").replace(",", "").replace("%", "").replace("pp", "").strip())


def sentences(app: AppTest) -> str:
    return " ".join(m.value for m in app.markdown)


# ------------------------------------------------------------------ tests


def test_without_data_the_page_says_where_to_start(make_app) -> None:
    app = open_funnel(make_app)
    assert any("Data" in i.value for i in app.info)


@pytest.mark.slow
def test_shop_stages_in_order_with_counts_from_the_files(make_app) -> None:
    load(make_app, "online_shop")
    app = open_funnel(make_app, grain="all")
    table = stage_table(app)
    expected = shop_figures()
    assert expected["Clicks"] < expected["Sessions"] and expected["Sign-ups"] < expected["Add to cart"]
    assert [row["Stage"] for row in table] == SHOP_STAGES_EN
    for row in table:
        assert number(row["Count"]) == expected[row["Stage"]], row["Stage"]
    cart, orders = expected["Add to cart"], expected["Orders"]
    orders_row = next(r for r in table if r["Stage"] == "Orders")
    assert orders_row["From previous stage"] == f"{orders / cart:.1%}"
    assert orders_row["From top"] == f"{orders / expected['Impressions']:.1%}"
    assert number(orders_row["Drop-off"]) == cart - orders


@pytest.mark.slow
def test_the_period_comparison_names_the_stage_that_moved_most(make_app) -> None:
    load(make_app, "online_shop")
    app = open_funnel(make_app)  # default: the latest whole month, October 2026
    now, before = shop_figures(OCTOBER), shop_figures(SEPTEMBER)
    changes = {
        f"{prev} → {stage}": now[stage] / now[prev] - before[stage] / before[prev]
        for prev, stage in zip(SHOP_STAGES_EN, SHOP_STAGES_EN[1:], strict=False)
    }
    step, change = max(changes.items(), key=lambda item: abs(item[1]))
    text = sentences(app)
    assert f"**{step}** moved most: **{change * 100:+.1f} pp**" in text, text


@pytest.mark.slow
def test_breakdown_marks_small_segments_instead_of_ranking_them(make_app) -> None:
    load(make_app, "b2b_leads")
    app = open_funnel(make_app, grain="all", funnel_view="segments", funnel_dimension="campaign")
    table = next(f.value for f in app.dataframe if "Segment" in f.value.columns)
    sizes = leads_by("campaign")
    assert set(table["Segment"]) == set(sizes)
    small = [c for c, n in sizes.items() if n < 30]
    assert small, "the sample should have a campaign with fewer than 30 leads"
    for row in table.to_dict("records"):
        assert number(row["Leads"]) == sizes[row["Segment"]]
        if sizes[row["Segment"]] < 30:
            assert row["Rank"] == "—" and "small sample" in row["Note"]
        else:
            assert row["Rank"].isdigit() and row["Note"] == ""


@pytest.mark.slow
def test_leaks_are_ranked_by_money(make_app) -> None:
    load(make_app, "online_shop")
    app = open_funnel(make_app, funnel_view="leaks")
    table = next(f.value for f in app.dataframe if "Revenue at stake" in f.value.columns)
    money = [number(v) for v in table["Revenue at stake"]]
    assert len(money) >= 3
    assert money == sorted(money, reverse=True)
    assert list(table["Rank"]) == list(range(1, len(money) + 1))
    assert "best_segment" not in " ".join(table["Compared with"])  # words, not basis ids


@pytest.mark.slow
def test_what_if_a_better_cart_rate_adds_the_hand_computed_revenue(make_app) -> None:
    load(make_app, "online_shop")
    app = open_funnel(make_app, grain="all", funnel_view="whatif")
    figures = shop_figures()
    cart, orders, revenue = figures["Add to cart"], figures["Orders"], figures["revenue"]
    rate = orders / cart
    app.number_input(key="funnel_whatif_rate_orders").set_value(rate * 100 + 4).run()
    no_exceptions(app)
    expected = cart * 0.04 * revenue / orders  # extra orders × net revenue per order; later rates held
    card = next(m for m in app.metric if m.label == "Revenue in scenario")
    assert abs(number(card.delta) - expected) <= 1, (card.delta, expected)
    assert abs(number(card.value) - (revenue + expected)) <= 1


@pytest.mark.slow
def test_repeat_orders_and_cohort_heatmap_for_the_shop(make_app) -> None:
    load(make_app, "online_shop")
    app = open_funnel(make_app, grain="all", funnel_view="repeat")
    figures = shop_figures()
    cards = {m.label: m.value for m in app.metric}
    assert number(cards["Repeat orders"]) == figures["Repeat orders"]
    assert number(cards["First orders"]) == figures["Orders"] - figures["Repeat orders"]
    assert any("Monthly cohorts" in m.value for m in app.markdown)
    assert [e for e in app.main.children.values() if getattr(e, "type", "") == "vega_lite_chart"][-1:]


@pytest.mark.slow
def test_skipping_and_renaming_stages_changes_the_table(make_app) -> None:
    load(make_app, "online_shop")
    app = open_funnel(make_app, grain="all")
    app.multiselect(key="funnel_stages").set_value(["sessions", "add_to_cart", "orders"]).run()
    app.text_input(key="funnel_label_orders").set_value("Purchases").run()
    no_exceptions(app)
    table = stage_table(app)
    figures = shop_figures()
    assert [row["Stage"] for row in table] == ["Sessions", "Add to cart", "Purchases"]
    assert table[1]["From previous stage"] == f"{figures['Add to cart'] / figures['Sessions']:.1%}"
    app.run()  # the choice is kept across reruns
    assert [row["Stage"] for row in stage_table(app)] == ["Sessions", "Add to cart", "Purchases"]


@pytest.mark.slow
def test_korean_ui_shows_korean_labels(make_app) -> None:
    load(make_app, "online_shop")
    app = open_funnel(make_app, language="ko")
    table = stage_table(app)
    assert [row["단계"] for row in table] == SHOP_STAGES_KO
    text = sentences(app)
    assert "가장 큰 누수" in text and "가장 크게 움직인 단계" in text
    assert "impressions" not in text and "add_to_cart" not in text


def map_deal_value_to_revenue(make_app: Callable[..., AppTest]) -> None:
    """What a user does on the Data page when ingest takes the deals file's deal_value (an amount) for a count."""
    data = make_app("pages/data.py").run()
    suffix = next(s.key.removeprefix("data_override_column_") for s in data.selectbox
                  if s.key and s.key.startswith("data_override_column_") and "deal_value" in s.options)
    data.selectbox(key=f"data_override_column_{suffix}").set_value("deal_value")
    data.selectbox(key=f"data_override_role_{suffix}").set_value("revenue")
    data.button(key=f"data_override_apply_{suffix}").click().run()
    no_exceptions(data)


@pytest.mark.slow
def test_b2b_leads_to_deals_after_fixing_the_deal_value_column(make_app) -> None:
    """deal_value is an amount: once the user maps it to revenue, deals are the won deals (distinct lead ids)."""
    load(make_app, "b2b_leads")
    map_deal_value_to_revenue(make_app)
    table = stage_table(open_funnel(make_app, grain="all"))
    leads = sum(leads_by("source").values())
    assert [(r["Stage"], number(r["Count"])) for r in table] == [("Leads", leads), ("Deals", won_deals())]
    assert table[1]["From previous stage"] == f"{won_deals() / leads:.1%}"


@pytest.mark.slow
def test_b2b_deals_are_counted_without_any_fix(make_app) -> None:
    load(make_app, "b2b_leads")
    table = stage_table(open_funnel(make_app, grain="all"))
    assert number(table[-1]["Count"]) == won_deals()


@pytest.mark.slow
@pytest.mark.parametrize("sample_id", ["online_shop", "b2b_leads"])
def test_funnel_table_matches_golden(make_app, sample_id: str) -> None:
    """The default view's table (latest whole month). Update: LOOPBOARD_UPDATE_GOLDEN=1 pytest …, then read the diff."""
    load(make_app, sample_id)
    if sample_id == "b2b_leads":
        map_deal_value_to_revenue(make_app)
    table = stage_table(open_funnel(make_app))
    assert_matches_golden(f"funnel_{sample_id}", table)


# ------------------------------------------------------------------ step targets

CART_TO_ORDERS = "Add to cart → Orders"


def open_leaks(make_app: Callable[..., AppTest], language: str = "en") -> AppTest:
    """The whole funnel's leaks over all the data (no previous period: only segments and targets are references)."""
    return open_funnel(make_app, language, grain="all", funnel_view="leaks", funnel_leak_scope="")


def save_target(app: AppTest, step: str, percent: float | None) -> None:
    """Types a target into the editor row of `step` and presses Save, as a user does."""
    rows = list(app.data_editor(key="funnel_targets_editor").value["step"])
    edits = {"edited_rows": {rows.index(step): {"target": percent}}, "added_rows": [], "deleted_rows": []}
    app.session_state["funnel_targets_editor"] = edits
    app.button(key="funnel_targets_save").click().run()
    no_exceptions(app)


def leak_rows(app: AppTest) -> list[dict[str, str]]:
    for frame in app.dataframe:
        if {"Revenue at stake", "걸린 매출"} & set(frame.value.columns):
            return frame.value.to_dict("records")
    return []


def stored_targets(database: str) -> dict[tuple[str, str], float]:
    """The saved targets read with sqlite3 directly, not through the store's code."""
    with sqlite3.connect(database.removeprefix("sqlite:///")) as connection:
        return {(f, s): r for f, s, r in connection.execute("SELECT from_stage, stage, target_rate FROM funnel_target")}


def cart_target() -> tuple[float, float]:
    """A target 5 points above today's cart → order rate (in %, one decimal) and the revenue it would add back:
    cart × (target − rate) more orders, priced at net revenue per counted order."""
    figures = shop_figures()
    cart, orders, revenue = figures["Add to cart"], figures["Orders"], figures["revenue"]
    percent = round(orders / cart * 100 + 5, 1)
    return percent, cart * (percent / 100 - orders / cart) * revenue / orders


@pytest.mark.slow
def test_a_step_target_above_today_ranks_a_target_leak_worth_the_hand_computed_revenue(make_app, database) -> None:
    load(make_app, "online_shop")
    app = open_leaks(make_app)
    assert not any(r["Compared with"] == "your target" for r in leak_rows(app))  # no target yet
    percent, expected = cart_target()
    save_target(app, CART_TO_ORDERS, percent)
    assert [s.value for s in app.success] == ["1 step target(s) saved."]
    assert stored_targets(database) == {("add_to_cart", "orders"): pytest.approx(percent / 100)}
    row = next(r for r in leak_rows(app) if r["Step"] == CART_TO_ORDERS and r["Compared with"] == "your target")
    assert row["Reference"] == f"{percent:.1f}%"
    assert abs(number(row["Revenue at stake"]) - expected) <= 1, (row, expected)
    money = [number(r["Revenue at stake"]) for r in leak_rows(app)]
    assert money == sorted(money, reverse=True)


@pytest.mark.slow
def test_step_targets_persist_into_a_new_session_and_blank_removes_them(make_app, database) -> None:
    load(make_app, "online_shop")
    percent, _ = cart_target()
    save_target(open_leaks(make_app), CART_TO_ORDERS, percent)
    again = open_leaks(make_app)  # another browser tab: a new session on the same database
    editor = again.data_editor(key="funnel_targets_editor").value
    assert dict(zip(editor["step"], editor["target"], strict=True))[CART_TO_ORDERS] == pytest.approx(percent)
    assert any(r["Step"] == CART_TO_ORDERS and r["Compared with"] == "your target" for r in leak_rows(again))
    save_target(again, CART_TO_ORDERS, None)
    assert stored_targets(database) == {}
    assert not any(r["Compared with"] == "your target" for r in leak_rows(again))


@pytest.mark.slow
def test_a_target_of_a_skipped_step_does_not_apply(make_app) -> None:
    """A cart → order target says nothing about visit → order: without the cart stage it is not used."""
    load(make_app, "online_shop")
    app = open_leaks(make_app)
    save_target(app, CART_TO_ORDERS, 99.0)
    app.multiselect(key="funnel_stages").set_value(["sessions", "orders"]).run()
    no_exceptions(app)
    assert list(app.data_editor(key="funnel_targets_editor").value["step"]) == ["Sessions → Orders"]
    assert not any(r["Compared with"] == "your target" for r in leak_rows(app))


@pytest.mark.slow
def test_a_stale_step_target_is_refused_with_a_reload_message(make_app, database) -> None:
    load(make_app, "online_shop")
    app = open_leaks(make_app)  # the editor is drawn: no target yet
    engine = store_engine.make_engine(database)  # someone else saves a target for the same step meanwhile
    try:
        with store_engine.unit_of_work(store_engine.session_factory(engine)) as session:
            workspace = repo.get_or_create_workspace(session, "default", "default")
            repo.save_funnel_targets(session, workspace.id, {("add_to_cart", "orders"): 0.5})
    finally:
        engine.dispose()
    save_target(app, CART_TO_ORDERS, 70.0)
    errors = [e.value for e in app.error]
    assert any("Someone else changed the step targets" in e and "Reload" in e for e in errors), errors
    assert stored_targets(database) == {("add_to_cart", "orders"): 0.5}  # their change is kept


@pytest.mark.slow
def test_step_targets_in_korean(make_app) -> None:
    load(make_app, "online_shop")
    app = open_leaks(make_app, language="ko")
    assert "단계별 목표 전환율" in [e.label for e in app.expander]
    percent, _ = cart_target()
    save_target(app, "장바구니 → 주문", percent)
    assert [s.value for s in app.success] == ["단계 목표 1개를 저장했습니다."]
    row = next(r for r in leak_rows(app) if r["단계"] == "장바구니 → 주문" and r["비교 기준"] == "목표")
    assert row["기준"] == f"{percent:.1f}%"
    assert "your target" not in json.dumps(leak_rows(app), ensure_ascii=False)
