"""Funnel stages, rates, period comparison, breakdowns, what-ifs and leaks on small hand-built datasets.

Every expected figure is worked out by hand in the comments next to it (never by calling the code under test).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.funnel import (
    NOT_SET,
    STAGE_COLUMNS,
    FunnelSpec,
    StageSpec,
    breakdown,
    compare_periods,
    default_stages,
    funnel,
    previous_period,
    report_funnel,
    wilson_interval,
)
from metrics.whatif import LEAK_COLUMNS, rank_leaks, what_if
from tests.unit.funnel_builders import ad_report, dataset, entity_file, order_lines

# --------------------------------------------------------------------------------------------------- fixtures

# Three channels. Totals: impressions 4010, clicks 252, sessions 200, orders 16, revenue 1100.
CHANNELS = [
    {"channel": "Email", "impressions": 1000, "clicks": 100, "sessions": 80, "orders": 10, "revenue": 500.0},
    {"channel": "Search", "impressions": 3000, "clicks": 150, "sessions": 120, "orders": 6, "revenue": 600.0},
    {"channel": "Social", "impressions": 10, "clicks": 2, "sessions": 0, "orders": 0, "revenue": 0.0},
]
SHOP_STAGES = ("impressions", "clicks", "sessions", "orders")


def shop() -> pd.DataFrame:
    return ad_report(CHANNELS)


def by_month() -> list[dict[str, object]]:
    # January: clicks 2000 → sessions 1000 (50 %) → orders 30 (3 %), revenue 3000 (AOV 100).
    # February: clicks 2500 → sessions 1000 (40 %) → orders 20 (2 %), revenue 2000 (AOV 100).
    return [
        {"date": "2024-01-15", "clicks": 2000, "sessions": 1000, "orders": 30, "revenue": 3000.0},
        {"date": "2024-02-15", "clicks": 2500, "sessions": 1000, "orders": 20, "revenue": 2000.0},
    ]


def shop_lines() -> list[tuple[object, ...]]:
    """Order lines: o2 has a partial return (net 40, counted); C6 is a cancellation; o7 nets 0; o5 has no customer."""
    return [
        ("o1", "A", "2024-01-05", 100.0),
        ("o2", "A", "2024-03-02", 50.0),
        ("o2", "A", "2024-03-02", -10.0),
        ("o3", "B", "2024-03-03", 30.0),
        ("o4", "B", "2024-03-10", 20.0),
        ("o5", None, "2024-03-11", 70.0),
        ("C6", "A", "2024-03-12", -50.0),
        ("o7", "C", "2024-03-15", 0.0),
    ]


def leads_and_deals() -> tuple:
    leads = entity_file("lead", [
        {"lead_id": "L1", "date": "2024-01-03", "channel": "email"},
        {"lead_id": "L2", "date": "2024-01-20", "channel": "email"},
        {"lead_id": "L2", "date": "2024-01-20", "channel": "email"},  # the same lead listed twice
        {"lead_id": "L3", "date": "2024-02-01", "channel": "ads"},
        {"lead_id": "L4", "date": "2024-02-02", "channel": None},
    ])
    deals = entity_file("deal", [
        {"lead_id": "L1", "date": "2024-02-10"},
        {"lead_id": "L3", "date": "2024-02-15"},
        {"lead_id": "L9", "date": "2024-02-20"},  # a deal whose lead is not in the lead file
    ])
    return leads, deals


def counts(result) -> dict[str, float]:
    return {s.role: s.count for s in result.stages}


# --------------------------------------------------------------------------------------------------- stages


class TestDefaultStages:
    @pytest.mark.parametrize(
        ("facts", "expected"),
        [
            pytest.param(lambda: [shop()], SHOP_STAGES, id="ads-and-shop"),
            pytest.param(
                lambda: [ad_report([{"impressions": 5, "clicks": 2, "conversions": 1}])],
                ("impressions", "clicks", "conversions"),
                id="ad-platform",
            ),
            pytest.param(
                lambda: [ad_report([{"sessions": 9, "visitors": 7, "orders": 2, "conversions": 2}])],
                ("sessions", "orders"),
                id="alternatives-keep-one",
            ),
            pytest.param(lambda: [order_lines(shop_lines())], ("orders", "repeat_orders"), id="order-lines"),
            pytest.param(lambda: list(leads_and_deals()), ("leads", "deals"), id="b2b-pair"),
        ],
    )
    def test_stages_follow_the_data_in_journey_order(self, facts, expected) -> None:
        assert default_stages(dataset(*facts())).roles == expected

    def test_no_customer_ids_means_no_repeat_stage(self) -> None:
        lines = order_lines(shop_lines())
        without = lines.frame.drop(columns="customer_id")
        from tests.unit.funnel_builders import with_frame

        assert default_stages(dataset(with_frame(lines, without))).roles == ("orders",)

    def test_labels_are_bilingual(self) -> None:
        assert default_stages(dataset(shop()), lang="ko").stages[0] == StageSpec("impressions", "노출")


class TestFunnel:
    def test_counts_rates_and_drop_off_by_hand(self) -> None:
        result = funnel(dataset(shop()), FunnelSpec.of(*SHOP_STAGES))
        frame = result.frame()
        assert list(frame.columns) == list(STAGE_COLUMNS)
        assert counts(result) == {"impressions": 4010, "clicks": 252, "sessions": 200, "orders": 16}
        clicks = result.stage("clicks")
        assert clicks.rate_from_previous == pytest.approx(252 / 4010)
        assert clicks.drop_off == 3758
        assert clicks.drop_off_share == pytest.approx(3758 / 4010)
        assert result.stage("orders").rate_from_previous == pytest.approx(16 / 200)
        assert result.stage("orders").rate_from_top == pytest.approx(16 / 4010)
        top = result.stages[0]
        assert (top.rate_from_previous, top.rate_from_top, top.drop_off) == (None, 1.0, None)
        assert result.revenue == 1100 and result.aov == pytest.approx(1100 / 16)

    def test_zero_denominator_is_none_not_zero(self) -> None:
        social = dataset(shop()).where("channel", "Social")  # 10 impressions, 2 clicks, 0 sessions, 0 orders
        result = funnel(social, FunnelSpec.of(*SHOP_STAGES))
        assert result.stage("sessions").rate_from_previous == 0.0
        assert result.stage("orders").rate_from_previous is None
        assert result.stage("orders").drop_off_share is None
        assert math.isnan(result.frame().loc[3, "rate_from_previous"])
        assert report_funnel_like(result)[3]["rate_from_previous"] is None

    def test_every_stage_is_returned_zero_filled(self) -> None:
        spec = FunnelSpec.of("clicks", "signups", "sessions")
        result = funnel(dataset(shop()), spec)
        assert counts(result) == {"clicks": 252, "signups": 0, "sessions": 200}
        assert result.stage("sessions").rate_from_previous is None  # 200 ÷ 0
        assert [i.code for i in result.issues] == ["funnel_stage_missing"]

    def test_empty_data_still_gives_every_stage(self) -> None:
        empty = dataset(shop()).between(date(2030, 1, 1), date(2030, 1, 31))  # no date column → kept whole
        nothing = dataset(ad_report(by_month())).between(date(2030, 1, 1), date(2030, 1, 31))
        assert counts(funnel(empty, FunnelSpec.of("clicks")))["clicks"] == 252
        result = funnel(nothing, FunnelSpec.of("clicks", "sessions", "orders"))
        assert counts(result) == {"clicks": 0, "sessions": 0, "orders": 0}
        assert [s.rate_from_top for s in result.stages] == [None, None, None]

    def test_user_can_skip_reorder_and_rename(self) -> None:
        spec = FunnelSpec((StageSpec("sessions", "Visits"), StageSpec("clicks", "Ad clicks")))
        result = funnel(dataset(shop()), spec)
        assert [(s.role, s.label, s.count) for s in result.stages] == [("sessions", "Visits", 200), ("clicks", "Ad clicks", 252)]
        assert result.stage("clicks").rate_from_previous == pytest.approx(252 / 200)

    @pytest.mark.parametrize(
        ("roles", "codes", "kept"),
        [
            (("clicks", "bananas", "orders"), ["funnel_unknown_stage"], ("clicks", "orders")),
            (("clicks", "clicks", "orders"), ["funnel_duplicate_stage"], ("clicks", "orders")),
            ((), ["funnel_empty"], ()),
        ],
    )
    def test_spec_problems_become_issues(self, roles, codes, kept) -> None:
        spec = FunnelSpec(tuple(StageSpec(r, r) for r in roles))
        result = funnel(dataset(shop()), spec)
        assert [i.code for i in result.issues] == codes
        assert result.roles == kept

    def test_report_funnel_is_the_cli_shape(self) -> None:
        assert report_funnel(dataset(ad_report([{"impressions": 200, "clicks": 10, "conversions": 0}]))) == [
            {"stage": "impressions", "count": 200.0, "rate_from_previous": None, "rate_from_top": 1.0},
            {"stage": "clicks", "count": 10.0, "rate_from_previous": 0.05, "rate_from_top": 0.05},
            {"stage": "conversions", "count": 0.0, "rate_from_previous": 0.0, "rate_from_top": 0.0},
        ]


def report_funnel_like(result) -> list[dict[str, object]]:
    return result.to_records()


class TestOrderLines:
    def test_orders_are_distinct_ids_with_positive_net_revenue(self) -> None:
        # Counted: o1, o2 (50 − 10 = 40), o3, o4, o5. Not: C6 (−50), o7 (0).
        result = funnel(dataset(order_lines(shop_lines())))
        assert counts(result) == {"orders": 5, "repeat_orders": 2}  # A: o2 after o1; B: o4 after o3
        assert result.revenue == pytest.approx(210)  # 100 + 40 + 30 + 20 + 70 − 50 + 0
        assert result.order_revenue == pytest.approx(260)  # 100 + 40 + 30 + 20 + 70
        assert result.aov == pytest.approx(52)

    def test_repeat_orders_look_back_before_the_period(self) -> None:
        data = dataset(order_lines(shop_lines()))
        march = (date(2024, 3, 1), date(2024, 3, 31))
        # March orders o2, o3, o4, o5; o2 repeats A's January order, o4 repeats B's o3.
        assert counts(funnel(data, period=march)) == {"orders": 4, "repeat_orders": 2}
        # A pre-filtered dataset has no history, so o2 looks like A's first order.
        assert counts(funnel(data.between(*march))) == {"orders": 4, "repeat_orders": 1}

    def test_numeric_and_text_order_ids_are_one_column(self) -> None:
        lines = order_lines([(536365, "A", "2024-01-01", 10.0), ("C536379", "A", "2024-01-02", -5.0)])
        assert counts(funnel(dataset(lines))) == {"orders": 1, "repeat_orders": 0}


class TestEntities:
    def test_leads_are_distinct_ids_and_deals_count_every_won_deal(self) -> None:
        result = funnel(dataset(*leads_and_deals()))
        assert counts(result) == {"leads": 4, "deals": 3}  # L1–L4; L1, L3 and the orphan L9

    def test_deals_in_a_period_need_not_have_their_lead_in_it(self) -> None:
        feb = (date(2024, 2, 1), date(2024, 2, 29))
        result = funnel(dataset(*leads_and_deals()), period=feb)
        assert counts(result) == {"leads": 2, "deals": 3}  # leads L3, L4; deals L1, L3, L9
        assert result.stage("deals").rate_from_previous == 1.5

    def test_deals_split_by_the_channel_of_their_lead(self) -> None:
        split = breakdown(dataset(*leads_and_deals()), "channel")
        table = split.frame.pivot(index="segment", columns="stage", values="count")
        assert table.to_dict("index") == {
            "email": {"leads": 2, "deals": 1},
            "ads": {"leads": 1, "deals": 1},
            NOT_SET: {"leads": 1, "deals": 1},  # L4 has no channel; L9 has no lead to take one from
        }


# --------------------------------------------------------------------------------------------------- periods


class TestPeriods:
    @pytest.mark.parametrize(
        ("period", "expected"),
        [
            ((date(2024, 3, 1), date(2024, 3, 31)), (date(2024, 2, 1), date(2024, 2, 29))),
            ((date(2024, 4, 1), date(2024, 6, 30)), (date(2024, 1, 1), date(2024, 3, 31))),
            ((date(2024, 3, 11), date(2024, 3, 17)), (date(2024, 3, 4), date(2024, 3, 10))),
            ((date(2024, 3, 1), None), None),
        ],
    )
    def test_previous_period(self, period, expected) -> None:
        assert previous_period(period) == expected

    def test_a_period_object_works_like_a_tuple(self) -> None:
        from metrics.periods import Period

        data = dataset(order_lines(shop_lines()))
        result = funnel(data, period=Period(date(2024, 3, 1), date(2024, 3, 31), "month"))
        assert counts(result) == {"orders": 4, "repeat_orders": 2}

    def test_compare_in_percentage_points_and_name_the_mover(self) -> None:
        feb = (date(2024, 2, 1), date(2024, 2, 29))
        result = compare_periods(dataset(ad_report(by_month())), feb, spec=FunnelSpec.of("clicks", "sessions", "orders"))
        rows = result.frame.set_index("stage")
        assert rows.loc["sessions", "change_pp_from_previous"] == pytest.approx(-10.0)  # 40 % vs 50 %
        assert rows.loc["orders", "change_pp_from_previous"] == pytest.approx(-1.0)  # 2 % vs 3 %
        assert rows.loc["orders", "change_pp_from_top"] == pytest.approx((20 / 2500 - 30 / 2000) * 100)
        assert (rows.loc["orders", "count"], rows.loc["orders", "previous_count"]) == (20, 30)
        assert (result.moved_most, result.moved_most_pp) == ("sessions", pytest.approx(-10.0))


# --------------------------------------------------------------------------------------------------- breakdown


class TestBreakdown:
    def test_per_segment_funnels_small_marked_and_unranked(self) -> None:
        split = breakdown(dataset(shop()), "channel", FunnelSpec.of(*SHOP_STAGES))
        segments = split.segments.set_index("segment")
        assert segments["top_count"].to_dict() == {"Email": 1000, "Search": 3000, "Social": 10}
        assert segments["small"].to_dict() == {"Email": False, "Search": False, "Social": True}
        # conversion impressions → orders: Email 10/1000 = 1 %, Search 6/3000 = 0.2 %.
        assert segments.loc["Email", "rank"] == 1 and segments.loc["Search", "rank"] == 2
        assert segments.loc["Social", "rank"] is pd.NA
        assert segments.loc["Search", "aov"] == 100
        social = split.funnel("Social")
        assert social.stage("orders").rate_from_previous is None  # 0 sessions

    def test_each_segment_equals_the_filtered_funnel(self) -> None:
        lines = order_lines(shop_lines(), extra={"device": ["web", "app", "app", "web", "web", "app", "app", "web"]})
        for data, dim in ((dataset(shop()), "channel"), (dataset(lines), "device")):
            split = breakdown(data, dim)
            for segment in split.segments["segment"]:
                assert counts(split.funnel(segment)) == counts(funnel(data.where(dim, segment), FunnelSpec(split.stages)))

    def test_blank_values_form_a_not_set_segment(self) -> None:
        rows = [{"channel": "a", "sessions": 40, "orders": 4}, {"channel": None, "sessions": 50, "orders": 1}]
        split = breakdown(dataset(ad_report(rows)), "channel")
        assert sorted(split.segments["segment"]) == [NOT_SET, "a"]

    def test_stages_the_dimension_cannot_reach_are_reported(self) -> None:
        ads = ad_report([{"channel": "a", "clicks": 100, "sessions": 50}])
        data = dataset(ads, order_lines(shop_lines()))
        split = breakdown(data, "channel", FunnelSpec.of("clicks", "sessions", "orders"))
        assert split.unsplit == ("orders",)
        assert [s.role for s in split.stages] == ["clicks", "sessions"]

    def test_wilson_interval_matches_the_textbook(self) -> None:
        # x = 5 of n = 10: centre 0.5, half-width 1.96·√(0.025 + 0.009604)/1.38416 = 0.26341.
        low, high = wilson_interval(np.array([5.0, 3.0, 0.0]), np.array([10.0, 2.0, 0.0]))
        assert (low[0], high[0]) == (pytest.approx(0.23659, abs=1e-5), pytest.approx(0.76341, abs=1e-5))
        assert np.isnan(low[1]) and np.isnan(high[2])  # 3 of 2 is not a proportion; 0 trials has none


# --------------------------------------------------------------------------------------------------- what-if


class TestWhatIf:
    def test_current_rates_reproduce_current_revenue_exactly(self) -> None:
        for data in (dataset(shop()), dataset(order_lines(shop_lines()))):
            current = funnel(data)
            same = {s.role: s.rate_from_previous for s in current.stages[1:]}
            scenario = what_if(current, same)
            assert scenario.revenue == current.revenue
            assert scenario.orders == current.stage(current.money_stage).count

    @pytest.mark.parametrize("stage", ["clicks", "sessions", "orders"])
    def test_doubling_one_step_doubles_orders(self, stage: str) -> None:
        current = funnel(dataset(shop()), FunnelSpec.of(*SHOP_STAGES))
        scenario = what_if(current, {stage: 2 * current.stage(stage).rate_from_previous})
        assert scenario.orders == pytest.approx(32)
        assert scenario.revenue == pytest.approx(32 * 1100 / 16)  # order value held at 68.75
        assert scenario.delta_orders == pytest.approx(16)

    def test_traffic_and_aov_follow_the_driver_decomposition(self) -> None:
        current = funnel(dataset(shop()), FunnelSpec.of(*SHOP_STAGES))
        scenario = what_if(current, traffic=8020, aov=100)
        assert scenario.orders == pytest.approx(32)
        assert scenario.revenue == pytest.approx(3200)
        assert scenario.traffic * scenario.conversion * scenario.aov == pytest.approx(scenario.revenue)

    def test_orders_are_priced_at_net_order_value(self) -> None:
        current = funnel(dataset(order_lines(shop_lines())), FunnelSpec.of("orders"))
        assert (current.aov, current.order_value) == (52, 42)  # 260 / 5 counted; 210 net / 5
        scenario = what_if(current, traffic=10)  # 5 → 10 orders at 42: returns scale with orders
        assert scenario.revenue == pytest.approx(420)
        assert scenario.traffic * scenario.conversion * scenario.aov == pytest.approx(420)

    def test_repeat_orders_add_to_orders(self) -> None:
        current = funnel(dataset(order_lines(shop_lines())))  # 5 orders, 2 repeat (40 %)
        scenario = what_if(current, {"repeat_orders": 0.6})
        assert scenario.orders == pytest.approx(6)  # 5 + 5 × (0.6 − 0.4)
        assert scenario.revenue == pytest.approx(6 * 42)  # net order value 210 / 5
        assert scenario.traffic * scenario.conversion * scenario.aov == pytest.approx(scenario.revenue)

    def test_unknown_stage_is_an_issue(self) -> None:
        scenario = what_if(funnel(dataset(shop())), {"signups": 0.5, "impressions": 0.1})
        assert [i.code for i in scenario.issues] == ["whatif_unknown_stage", "whatif_top_rate"]
        assert scenario.orders == 16


# --------------------------------------------------------------------------------------------------- leaks


class TestLeaks:
    def test_best_segment_and_target_leaks_ranked_by_money(self) -> None:
        leaks = rank_leaks(dataset(shop()), FunnelSpec.of(*SHOP_STAGES), by="channel", targets={"orders": 0.2})
        frame = leaks.frame
        assert list(frame.columns) == list(LEAK_COLUMNS)
        got = list(frame[["segment", "stage", "basis", "extra_orders", "extra_revenue"]].itertuples(index=False, name=None))
        # Search orders: 120 sessions × (0.2 − 0.05) = 18 orders × AOV 100; vs Email's 12.5 %: 9 orders.
        # Search clicks: 5 % → Email's 10 % doubles clicks, so 6 more orders × 100.
        # Email orders: 80 × (0.2 − 0.125) = 6 orders × AOV 50. Social is small: never judged.
        expected = [
            ("Search", "orders", "target", 18, 1800),
            ("Search", "orders", "best_segment", 9, 900),
            ("Search", "clicks", "best_segment", 6, 600),
            ("Email", "orders", "target", 6, 300),
        ]
        assert [(s, st, b, pytest.approx(o), pytest.approx(r)) for s, st, b, o, r in expected] == got
        assert frame["rank"].tolist() == [1, 2, 3, 4]
        first = leaks.top(1)[0]
        assert first["reference"] == "target" and first["from_stage"] == "sessions"
        assert "Search" in first["summary"] and "1,800" in first["summary"]

    def test_baseline_is_the_previous_period(self) -> None:
        feb = (date(2024, 2, 1), date(2024, 2, 29))
        leaks = rank_leaks(dataset(ad_report(by_month())), FunnelSpec.of("clicks", "sessions", "orders"), period=feb)
        got = list(leaks.frame[["stage", "basis", "current_rate", "reference_rate", "extra_orders", "extra_revenue"]].itertuples(index=False, name=None))
        # orders: 1000 sessions × (3 % − 2 %) = 10 orders × AOV 100. sessions: 2500 × (50 % − 40 %) = 250
        # sessions × 2 % = 5 orders × 100.
        assert got == [
            ("orders", "baseline", pytest.approx(0.02), pytest.approx(0.03), pytest.approx(10), pytest.approx(1000)),
            ("sessions", "baseline", pytest.approx(0.4), pytest.approx(0.5), pytest.approx(5), pytest.approx(500)),
        ]
        assert leaks.previous == (date(2024, 1, 1), date(2024, 1, 31))
        assert leaks.frame.loc[0, "segment"] == "All"

    def test_no_revenue_ranks_by_orders_and_leaves_revenue_empty(self) -> None:
        rows = [
            {"campaign": "a", "clicks": 100, "conversions": 10},
            {"campaign": "b", "clicks": 100, "conversions": 20},
        ]
        leaks = rank_leaks(dataset(ad_report(rows)), by="campaign")
        assert len(leaks.frame) == 1
        assert leaks.frame.loc[0, "extra_orders"] == pytest.approx(10)
        assert leaks.top(1)[0]["extra_revenue"] is None

    def test_blank_segment_is_never_the_reference(self) -> None:
        rows = [
            {"campaign": "a", "clicks": 100, "conversions": 10},
            {"campaign": None, "clicks": 100, "conversions": 50},
            {"campaign": "b", "clicks": 100, "conversions": 20},
        ]
        frame = rank_leaks(dataset(ad_report(rows)), by="campaign").frame
        # a is judged against b (20 %): 100 × 10 % = 10 more; b, the best real campaign, has no leak.
        assert frame[["segment", "reference", "extra_orders"]].values.tolist() == [["a", "best segment: b", pytest.approx(10)]]

    def test_small_denominators_are_not_judged(self) -> None:
        rows = [{"campaign": "a", "clicks": 20, "conversions": 1}, {"campaign": "b", "clicks": 20, "conversions": 9}]
        assert rank_leaks(dataset(ad_report(rows)), by="campaign").frame.empty


# --------------------------------------------------------------------------------------------------- properties

LINE = st.tuples(
    st.sampled_from(["o1", "o2", "o3", "o4", "o5", "o6"]),
    st.sampled_from(["A", "B", "C", None]),
    st.sampled_from(["2024-01-02", "2024-02-03", "2024-03-04"]),
    st.integers(-50, 100).map(float),
    st.sampled_from(["web", "app"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=25))
def test_random_order_lines_agree_with_a_plain_loop(rows) -> None:
    net: dict[str, float] = {}
    first_customer: dict[str, str | None] = {}
    for order, customer, _, revenue, _ in rows:
        net[order] = net.get(order, 0.0) + revenue
        if first_customer.get(order) is None:
            first_customer[order] = customer
    counted = [o for o, value in net.items() if value > 0]
    known = [o for o in counted if first_customer[o] is not None]
    expected_repeat = len(known) - len({first_customer[o] for o in known})

    lines = order_lines([r[:4] for r in rows], extra={"device": [r[4] for r in rows]})
    data = dataset(lines)
    result = funnel(data, FunnelSpec.of("orders", "repeat_orders"))
    assert counts(result) == {"orders": len(counted), "repeat_orders": expected_repeat}
    split = breakdown(data, "device", FunnelSpec.of("orders", "repeat_orders"))
    for segment in split.segments["segment"]:
        assert counts(split.funnel(segment)) == counts(funnel(data.where("device", segment), FunnelSpec(split.stages)))


class TestNestedDefaultStages:
    """The default funnel keeps one journey: a stage smaller than the one after it is a side branch."""

    @pytest.mark.parametrize(
        ("counts", "expected"),
        [
            # organic visits never clicked an ad: clicks (40) < sessions (100) → clicks is a side branch
            ({"impressions": 1000, "clicks": 40, "sessions": 100, "orders": 5}, ["impressions", "sessions", "orders"]),
            # carts filled without signing up: signups (10) < add_to_cart (30)
            ({"sessions": 100, "signups": 10, "add_to_cart": 30, "orders": 5}, ["sessions", "add_to_cart", "orders"]),
            ({"leads": 50, "deals": 5}, ["leads", "deals"]),
            ({"orders": 5, "repeat_orders": 2}, ["orders", "repeat_orders"]),
            # an already nested funnel is untouched
            ({"impressions": 9, "clicks": 8, "orders": 8}, ["impressions", "clicks", "orders"]),
        ],
    )
    def test_side_branches_leave_the_default(self, counts: dict[str, float], expected: list[str]) -> None:
        from metrics.funnel import nested_roles

        assert nested_roles(list(counts), counts) == expected
