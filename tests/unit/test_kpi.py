"""The KPI engine against DESIGN.md's definitions, on small hand-built facts with figures worked out by hand
(or by a plain-Python loop in the test), across grains, sources, periods and segments."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pytest

from metrics.dataset import Dataset, Fact
from metrics.kpi import (
    evaluate,
    evaluate_all,
    kpi_pool,
    missing_sentence,
    report_goal,
    report_kpis,
    target_status,
)
from metrics.periods import Period

# ---------------------------------------------------------------------------------------------------- builders


@dataclass(frozen=True)
class Line:
    order: str
    customer: str | None
    revenue: float
    day: int = 1
    channel: str = "paid"
    product: str = "mug"
    quantity: float = 1


def order_lines(*lines: Line, name: str = "shop.xlsx") -> Fact:
    frame = pd.DataFrame(
        {
            "order_id": [x.order for x in lines],
            "customer_id": pd.Series([x.customer for x in lines], dtype="str"),
            "revenue": [x.revenue for x in lines],
            "date": pd.to_datetime([date(2024, 1, x.day) for x in lines]),
            "channel": [x.channel for x in lines],
            "product": [x.product for x in lines],
            "quantity": [x.quantity for x in lines],
        }
    )
    return Fact(name, "line", frame)


def daily(rows: list[dict[str, object]], name: str = "ads.csv") -> Fact:
    frame = pd.DataFrame(rows)
    if "day" in frame:
        frame["date"] = pd.to_datetime([date(2024, 1, int(d)) for d in frame.pop("day")])
    return Fact(name, "aggregate", frame)


def entities(rows: list[dict[str, object]], entity: str, name: str = "list.csv") -> Fact:
    frame = pd.DataFrame(rows)
    if "day" in frame:
        frame["date"] = pd.to_datetime([date(2024, 1, int(d)) for d in frame.pop("day")])
    return Fact(name, "entity", frame, entity)


def dataset(*facts: Fact) -> Dataset:
    return Dataset(facts=tuple(facts))


#: A small shop, worked by hand:
#:   order 1 (ann): 10 + 5 = 15   counted      order C2 (bob): −20     not counted (cancellation)
#:   order 3 (bob): 20            counted      order 4 (ann): 8 − 8 = 0 not counted (fully returned)
#:   order 5 (ann): 7             counted      order 6 (no customer): 3 counted
#: revenue = 15 − 20 + 20 + 0 + 7 + 3 = 25; orders = 4 (1, 3, 5, 6); counted revenue = 45; aov = 11.25
#: customers = {ann, bob} = 2; ann has 2 counted orders, bob 1 → repeat rate 1/2
SHOP = (
    Line("1", "ann", 10, day=1), Line("1", "ann", 5, day=1, product="plate"),
    Line("C2", "bob", -20, day=2, channel="organic"), Line("3", "bob", 20, day=2, channel="organic"),
    Line("4", "ann", 8, day=8), Line("4", "ann", -8, day=8),
    Line("5", "ann", 7, day=9, product="bowl"), Line("6", None, 3, day=9),
)
ADS = [
    {"day": 1, "channel": "paid", "cost": 10.0, "clicks": 5, "impressions": 100, "sessions": 50},
    {"day": 8, "channel": "Paid ", "cost": 20.0, "clicks": 10, "impressions": 300, "sessions": 30},
    {"day": 8, "channel": "organic", "cost": 0.0, "clicks": 0, "impressions": 0, "sessions": 20},
]


def value(kpi: str, data: Dataset, **kwargs: object) -> float | None:
    result = evaluate(kpi, data, **kwargs)  # type: ignore[arg-type]
    assert result.available, result.missing_roles
    return result.value


# ---------------------------------------------------------------------------------------------------- grains


class TestLineGrain:
    @pytest.mark.parametrize(
        ("kpi", "expected"),
        [
            ("revenue", 25.0), ("orders", 4.0), ("aov", 45 / 4), ("customers", 2.0), ("repeat_purchase_rate", 0.5),
            ("repeat_customers", 1.0), ("arpu", 25 / 2), ("orders_per_customer", 3 / 2),
            ("return_rate", 28 / 53), ("items_per_order", 8 / 4),
            ("cross_sell_rate", 1 / 2), ("products_per_customer", (3 + 1) / 2), ("multi_category_rate", 1 / 2),
        ],
    )
    def test_design_definitions(self, kpi: str, expected: float) -> None:
        assert value(kpi, dataset(order_lines(*SHOP))) == pytest.approx(expected, rel=1e-12)

    @pytest.mark.parametrize("seed", range(8))
    def test_matches_a_plain_loop_on_random_orders(self, seed: int) -> None:
        rng = random.Random(seed)
        lines = [
            Line(
                order=f"{'C' if rng.random() < 0.1 else ''}{rng.randint(1, 40)}",
                customer=rng.choice([None, *(f"c{i}" for i in range(12))]),
                revenue=round(rng.uniform(-30, 60), 2),
            )
            for _ in range(200)
        ]
        # One customer per order, as in real exports: the order's first line names it.
        owner: dict[str, str | None] = {}
        lines = [Line(x.order, owner.setdefault(x.order, x.customer), x.revenue) for x in lines]
        net: dict[str, float] = defaultdict(float)
        for x in lines:
            net[x.order] += x.revenue
        counted = [o for o, total in net.items() if total > 0]
        per_customer: dict[str, int] = defaultdict(int)
        for o in counted:
            if owner[o] is not None:
                per_customer[owner[o]] += 1  # type: ignore[index]
        data = dataset(order_lines(*lines))
        assert value("revenue", data) == pytest.approx(sum(x.revenue for x in lines), abs=1e-9)
        assert value("orders", data) == len(counted)
        assert value("aov", data) == pytest.approx(sum(net[o] for o in counted) / len(counted), rel=1e-12)
        assert value("customers", data) == len(per_customer)
        expected_repeat = sum(1 for n in per_customer.values() if n >= 2) / len(per_customer)
        assert value("repeat_purchase_rate", data) == pytest.approx(expected_repeat, rel=1e-12)

    def test_revenue_is_quantity_times_unit_price_without_a_revenue_column(self) -> None:
        frame = pd.DataFrame({"order_id": ["1", "1", "C2"], "quantity": [2, 1, -1], "unit_price": [3.5, 4.0, 3.5]})
        data = dataset(Fact("retail.xlsx", "line", frame))
        assert value("revenue", data) == pytest.approx(2 * 3.5 + 4.0 - 3.5)
        assert value("orders", data) == 1
        assert value("aov", data) == pytest.approx(11.0)

    def test_orders_without_revenue_are_distinct_order_ids(self) -> None:
        frame = pd.DataFrame({"order_id": ["1", "1", "2", " ", None], "customer_id": ["a", "a", "b", "c", "d"]})
        data = dataset(Fact("orders.csv", "line", frame))
        assert value("orders", data) == 2
        assert value("customers", data) == 2


class TestAggregateGrain:
    def test_orders_are_summed_and_conversion_uses_sessions(self) -> None:
        data = dataset(daily([{"day": 1, "orders": 3, "sessions": 100, "visitors": 80, "revenue": 90.0},
                              {"day": 2, "orders": 5, "sessions": 100, "visitors": 70, "revenue": 110.0}]))
        assert value("orders", data) == 8
        assert value("conversion_rate", data) == pytest.approx(8 / 200)
        assert value("aov", data) == pytest.approx(200 / 8)

    def test_conversion_falls_back_to_visitors(self) -> None:
        data = dataset(daily([{"day": 1, "orders": 3, "visitors": 60}]))
        assert value("conversion_rate", data) == pytest.approx(3 / 60)

    @pytest.mark.parametrize(
        ("kpi", "expected"),
        [("ctr", 15 / 400), ("cpc", 30 / 15), ("cpm", 30 / 400 * 1000), ("cost", 30.0), ("sessions", 100.0),
         ("clicks", 15.0), ("impressions", 400.0)],
    )
    def test_ad_report(self, kpi: str, expected: float) -> None:
        assert value(kpi, dataset(daily(ADS))) == pytest.approx(expected)

    def test_cpa_uses_conversions_without_orders(self) -> None:
        data = dataset(daily([{"cost": 50.0, "conversions": 4}, {"cost": 30.0, "conversions": 0}]))
        assert value("cpa", data) == pytest.approx(80 / 4)
        assert evaluate("click_conversion_rate", data).missing_roles == ("clicks",)


class TestEntityGrain:
    CUSTOMERS = [
        {"customer_id": "a", "churned": True, "revenue": 10.0}, {"customer_id": "b", "churned": False, "revenue": 20.0},
        {"customer_id": "c", "churned": "yes", "revenue": 30.0}, {"customer_id": "c", "churned": "yes", "revenue": 0.0},
        {"customer_id": "d", "churned": None, "revenue": 40.0},
    ]

    def test_churn_counts_distinct_customers(self) -> None:
        data = dataset(entities(self.CUSTOMERS, "customer"))
        assert value("customers", data) == 4
        assert value("churn_rate", data) == pytest.approx(2 / 3)  # a, c of a, b, c (d has no flag)
        assert value("retention_rate", data) == pytest.approx(1 / 3)
        assert value("churned_customers", data) == 2
        assert value("arpu", data) == pytest.approx(100 / 4)

    def test_churn_flag_as_one_and_zero(self) -> None:
        data = dataset(entities([{"customer_id": str(i), "churned": i % 4 == 0} for i in range(8)], "customer"))
        assert value("churn_rate", data) == pytest.approx(2 / 8)

    @pytest.mark.parametrize(
        ("scores", "expected"),
        [
            ([10, 9, 8, 7, 6, 0], 100 * (2 / 6 - 2 / 6)),
            ([10, 10, 9, 3], 100 * (3 / 4 - 1 / 4)),
            ([0, 1, 2], -100.0),
            ([9, 10], 100.0),
            ([7, 8, None], 0.0),
        ],
    )
    def test_nps(self, scores: list[int | None], expected: float) -> None:
        data = dataset(entities([{"score": s} for s in scores], "answer"))
        assert value("nps", data) == pytest.approx(expected)

    def test_leads_and_deals_from_two_files(self) -> None:
        leads = entities([{"lead_id": f"L{i}", "channel": "organic_search" if i < 6 else "paid_search", "day": 1 + i}
                          for i in range(10)], "lead", "leads.csv")
        deals = entities([{"lead_id": "L1", "day": 20}, {"lead_id": "L7", "day": 21}, {"lead_id": "L7", "day": 22}],
                         "deal", "deals.csv")
        data = dataset(leads, deals)
        assert value("leads", data) == 10
        assert value("deals", data) == 2
        assert value("lead_to_deal_rate", data) == pytest.approx(2 / 10)
        assert value("inbound_lead_share", data) == pytest.approx(6 / 10)

    def test_entity_file_without_id_counts_rows(self) -> None:
        data = dataset(entities([{"churned": True}, {"churned": False}, {"churned": False}], "customers"))
        assert value("customers", data) == 3
        assert value("churn_rate", data) == pytest.approx(1 / 3)


# ---------------------------------------------------------------------------------------------------- across sources


class TestAcrossSources:
    def test_roas_reads_cost_from_ads_and_revenue_from_orders(self) -> None:
        data = dataset(order_lines(*SHOP), daily(ADS))
        assert value("roas", data) == pytest.approx(25 / 30)
        assert value("conversion_rate", data) == pytest.approx(4 / 100)
        assert value("cpa", data) == pytest.approx(30 / 4)

    def test_period_aligns_both_facts_by_date(self) -> None:
        data = dataset(order_lines(*SHOP), daily(ADS))
        week2 = Period(date(2024, 1, 8), date(2024, 1, 14), "week")
        assert value("revenue", data, period=week2) == pytest.approx(0 + 7 + 3)
        assert value("roas", data, period=week2) == pytest.approx(10 / 20)
        assert value("sessions", data, period=(date(2024, 1, 1), date(2024, 1, 7))) == 50

    def test_segment_aligns_by_channel_ignoring_case_and_spaces(self) -> None:
        data = dataset(order_lines(*SHOP), daily(ADS))
        paid = {"channel": "paid"}
        assert value("revenue", data, segment=paid) == pytest.approx(15 + 0 + 7 + 3)
        assert value("cost", data, segment=paid) == pytest.approx(30)
        assert value("roas", data, segment=paid) == pytest.approx(25 / 30)
        assert value("conversion_rate", data, segment={"channel": "ORGANIC"}) == pytest.approx(1 / 20)

    def test_a_fact_without_the_segment_dimension_cannot_speak_for_it(self) -> None:
        data = dataset(order_lines(*SHOP), daily([{"day": 1, "cost": 10.0}]))
        result = evaluate("roas", data, segment={"channel": "paid"})
        assert not result.available and result.missing_roles == ("cost",)

    def test_user_formula_across_sources(self) -> None:
        data = dataset(order_lines(*SHOP), daily(ADS))
        result = evaluate('(sum(revenue) - sum(cost, where=channel == "paid")) / sum(cost)', data)
        assert result.value == pytest.approx((25 - 30) / 30)


# ---------------------------------------------------------------------------------------------------- edges


class TestEdges:
    @pytest.mark.parametrize("kpi", ["aov", "ctr", "cpc", "roas", "conversion_rate", "repeat_purchase_rate"])
    def test_zero_denominator_gives_no_value_not_zero(self, kpi: str) -> None:
        data = dataset(
            order_lines(Line("C1", "a", -5)),
            daily([{"day": 1, "cost": 0.0, "clicks": 0, "impressions": 0, "sessions": 0}]),
        )
        result = evaluate(kpi, data)
        assert result.available and result.value is None

    def test_empty_period_sums_to_zero(self) -> None:
        data = dataset(order_lines(*SHOP))
        empty = Period(date(2023, 1, 1), date(2023, 1, 7))
        assert value("revenue", data, period=empty) == 0
        assert value("aov", data, period=empty) is None

    @pytest.mark.parametrize(
        ("kpi", "missing"),
        [("ctr", ("clicks", "impressions")), ("churn_rate", ("churned",)), ("nps", ("score",)),
         ("lead_to_deal_rate", ("deals", "leads")), ("cart_rate", ("add_to_cart", "sessions")),
         ("first_login_rate", ("status",)), ("click_conversion_rate", ("clicks", "conversions"))],
    )
    def test_missing_roles_are_named(self, kpi: str, missing: tuple[str, ...]) -> None:
        result = evaluate(kpi, dataset(order_lines(*SHOP)))
        assert not result.available and result.value is None
        assert set(result.missing_roles) == set(missing)

    def test_a_bad_user_formula_comes_back_with_its_issues(self) -> None:
        result = evaluate("sum(revenue) / ordrs()", dataset(order_lines(*SHOP)))
        assert not result.available and "unknown function 'ordrs'" in result.issues[0].message

    def test_conditions_on_text_and_blank_values(self) -> None:
        data = dataset(order_lines(*SHOP))
        assert evaluate("count(where=customer_id == None)", data).value == 1
        assert evaluate('sum(revenue, where=customer_id in ("ANN", "bob "))', data).value == pytest.approx(22)
        assert evaluate('sum(revenue, where=not channel == "paid")', data).value == pytest.approx(0)
        assert evaluate('count_distinct(product, where=channel != "organic")', data).value == 3
        assert evaluate("share(revenue > 0)", data).value == pytest.approx(6 / 8)

    def test_numeric_ids_match_text_literals(self) -> None:
        frame = pd.DataFrame({"customer_id": [17850.0, 13047.0, None], "revenue": [1.0, 2.0, 4.0]})
        data = dataset(Fact("x.csv", "entity", frame, "customer"))
        assert evaluate('sum(revenue, where=customer_id == "17850")', data).value == 1.0

    def test_evaluate_all_covers_the_catalog_and_agrees_with_evaluate(self) -> None:
        data = dataset(order_lines(*SHOP), daily(ADS))
        every = evaluate_all(data)
        assert len(every) >= 60
        assert every["roas"] == evaluate("roas", data)


# ---------------------------------------------------------------------------------------------------- reports


class TestReports:
    def test_report_kpis_lists_exactly_what_the_data_can_compute(self) -> None:
        data = dataset(order_lines(*SHOP))
        kpis = report_kpis(data)
        assert kpis["revenue"] == {"value": 25.0, "unit": "currency", "formula": "sum(revenue)"}
        assert kpis["orders"]["value"] == 4 and kpis["aov"]["unit"] == "currency"
        assert "ctr" not in kpis and "nps" not in kpis
        assert all(set(v) == {"value", "unit", "formula"} for v in kpis.values())

    def test_report_goal_has_the_design_shape(self) -> None:
        goal = report_goal(dataset(order_lines(*SHOP)), "raise_ltv")
        assert set(goal) == {"id", "kfs"} and goal["id"] == "raise_ltv"
        first = goal["kfs"][0]
        assert set(first) == {"id", "name", "kpis"} and isinstance(first["name"], str)
        entry = next(k for k in first["kpis"] if k["id"] == "repeat_purchase_rate")
        assert entry == {"id": "repeat_purchase_rate", "available": True, "missing_roles": [], "value": 0.5}
        refunds = next(k for kfs in goal["kfs"] for k in kfs["kpis"] if k["id"] == "refund_rate")
        assert refunds["available"] is False and refunds["missing_roles"] == ["refunds"]

    def test_pool_ranks_recommended_then_measurable_then_fast(self) -> None:
        data = dataset(order_lines(*SHOP))
        weeks = [Period(date(2024, 1, 1), date(2024, 1, 7), "week"), Period(date(2024, 1, 8), date(2024, 1, 14), "week")]
        pool = kpi_pool(data, "grow_online_revenue", roles={"revenue": "매출액", "sessions": "Sessions"}, trend_periods=weeks)
        recommended = [e for e in pool if e.recommended]
        assert pool[: len(recommended)] == recommended
        assert [e.rank for e in pool] == list(range(1, len(pool) + 1))
        rest = pool[len(recommended):]
        measurable = [e.available for e in rest]
        assert measurable == sorted(measurable, reverse=True)
        by_id = {e.kpi.id: e for e in pool}
        assert by_id["revenue_per_session"].formula == "sum(매출액) / first_available(sum(Sessions), sum(visitors))"
        assert by_id["cart_rate"].missing_sentence == "add cart and sessions columns to measure this"
        assert [p.value for p in by_id["revenue"].trend] == [pytest.approx(15.0), pytest.approx(10.0)]
        assert by_id["cart_rate"].trend == ()

    @pytest.mark.parametrize(
        ("missing", "lang", "sentence"),
        [(("add_to_cart",), "en", "add a cart column to measure this"),
         (("order_id",), "en", "add an order id column to measure this"),
         (("sessions",), "ko", "이 지표를 측정하려면 세션 열을 추가하세요"),
         ((), "en", "")],
    )
    def test_missing_sentence(self, missing: tuple[str, ...], lang: str, sentence: str) -> None:
        assert missing_sentence(missing, lang) == sentence


class TestTargetStatus:
    @pytest.mark.parametrize(
        ("value", "target", "direction", "expected"),
        [
            (100, 100, "up", "on_track"), (120, 100, "up", "on_track"), (91, 100, "up", "at_risk"),
            (90, 100, "up", "at_risk"), (89.9, 100, "up", "off_track"),
            (0.05, 0.05, "down", "on_track"), (0.054, 0.05, "down", "at_risk"), (0.06, 0.05, "down", "off_track"),
            (-5, -10, "down", "off_track"), (-10.5, -10, "up", "at_risk"),
            (None, 100, "up", None), (100, None, "up", None),
        ],
    )
    def test_bands(self, value: float | None, target: float | None, direction: str, expected: str | None) -> None:
        assert target_status(value, target, direction) == expected


class TestTagsTheDataNeverHas:
    """A filter on a text value no row carries makes the KPI unmeasurable (not 0 %), with a sentence saying so."""

    def _dataset(self, segments: list[str]):
        import pandas as pd

        from metrics.dataset import Dataset, Fact

        frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(len(segments))], "segment": segments})
        return Dataset((Fact("customers.csv", "entity", frame, "customer"),))

    def test_absent_tag_is_unavailable_with_a_tagging_sentence(self) -> None:
        from metrics.kpi import evaluate, missing_sentence

        value = evaluate("persona_share", self._dataset(["Month-to-month", "One year", "Two year"]))
        assert (value.available, value.value) == (False, None)
        assert value.missing_roles == ("segment=persona",)
        assert "persona" in missing_sentence(value.missing_roles)

    def test_present_tag_is_measured(self) -> None:
        from metrics.kpi import evaluate

        value = evaluate("persona_share", self._dataset(["persona", "other", "other", "persona"]))
        assert value.available
        assert value.value == pytest.approx(2 / 4)  # two of four tagged customers are "persona"


def test_organic_share_falls_back_to_a_korean_channel_column() -> None:
    """Without a medium column, 자연유입 in the channel column is organic traffic (the shop sample's daily report)."""
    import pandas as pd

    from metrics.dataset import Dataset, Fact
    from metrics.kpi import evaluate

    frame = pd.DataFrame({"channel": ["검색광고", "자연유입", "SNS광고", "자연유입"], "sessions": [100.0, 40.0, 50.0, 10.0]})
    value = evaluate("organic_session_share", Dataset((Fact("daily.xlsx", "aggregate", frame),)))
    assert value.value == pytest.approx((40 + 10) / 200)


def test_first_login_rate_reads_a_yes_no_first_login_column(tmp_path) -> None:
    """The subscription sample's 첫로그인 (Y/N) column is the status the first-login KPI counts."""
    import csv

    from metrics.dataset import Dataset
    from metrics.ingest import ingest_path
    from metrics.kpi import evaluate
    from sample_data.make_samples import ensure_samples

    path = next(p for p in ensure_samples()["subscription"] if p.suffix == ".csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected = sum(row["첫로그인"] == "Y" for row in rows) / len(rows)
    result = ingest_path(path)
    assert result.sources[0].roles["status"] == "첫로그인"
    value = evaluate("first_login_rate", Dataset.from_sources(result.sources))
    assert value.value == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("missing", "sentence"),
    [
        (("add_to_cart",), "add a cart column to measure this"),
        (("order_id",), "add an order id column to measure this"),
        (("clicks", "impressions"), "add clicks and impressions columns to measure this"),
        (("cost", "clicks", "impressions"), "add cost, clicks and impressions columns to measure this"),
    ],
)
def test_missing_column_sentences_read_as_english(missing: tuple[str, ...], sentence: str) -> None:
    from metrics.kpi import missing_sentence

    assert missing_sentence(missing) == sentence


def test_text_filters_read_spaces_underscores_and_case_alike() -> None:
    """A lead source written 'Organic Search' is the catalog's "organic_search" (the B2B sample's leads file)."""
    import pandas as pd

    from metrics.dataset import Dataset, Fact
    from metrics.kpi import evaluate

    frame = pd.DataFrame({"lead_id": ["a", "b", "c", "d"], "source": ["Organic Search", "Google Ads", "referral", "E-mail"]})
    value = evaluate("inbound_lead_share", Dataset((Fact("leads.csv", "entity", frame, "lead"),)))
    assert value.value == pytest.approx(2 / 4)  # Organic Search and referral; "E-mail" reads as "e mail", not "email"
