"""Role mapping: synonyms in English and Korean, checked against values, one-to-one, and overrides always win."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.ingest.roles import assign_roles, header_candidates
from metrics.ingest.values import ValueKind, clean_column
from metrics.roles import ALL_ROLES


def mapped(columns: dict[str, list[object]], filename: str = "", overrides: tuple = ()) -> dict[str, str]:
    table, kinds = typed(columns)
    return assign_roles(table, kinds, filename, overrides).roles


def typed(columns: dict[str, list[object]]) -> tuple[pd.DataFrame, dict[str, ValueKind]]:
    cleaned = {name: clean_column(pd.Series(cells, dtype=object), name) for name, cells in columns.items()}
    return pd.DataFrame({n: c.values for n, c in cleaned.items()}), {n: c.kind for n, c in cleaned.items()}


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("매출", "revenue"), ("매출액", "revenue"), ("구매금액", "revenue"), ("결제금액", "revenue"), ("요금", "revenue"),
        ("Sales", "revenue"), ("Revenue ($)", "revenue"), ("charges", "revenue"), ("MRR", "revenue"),
        ("방문자수", "sessions"), ("유입수", "sessions"), ("세션", "sessions"), ("Visits", "sessions"),
        ("주문수", "orders"), ("구매건수", "orders"), ("Transactions", "orders"), ("purchases", "orders"),
        ("노출수", "impressions"), ("Impressions", "impressions"), ("클릭수", "clicks"), ("Clicks", "clicks"),
        ("광고비", "cost"), ("비용", "cost"), ("Spend", "cost"), ("Spent", "cost"), ("Cost", "cost"),
        ("전환수", "conversions"), ("Total_Conversion", "conversions"),
        ("날짜", "date"), ("일자", "date"), ("날자", "date"), ("Date", "date"), ("InvoiceDate", "date"),
        ("Timestamp", "date"), ("won_date", "date"), ("first_contact_date", "date"),
        ("주문번호", "order_id"), ("InvoiceNo", "order_id"), ("order_id", "order_id"),
        ("고객ID", "customer_id"), ("CustomerID", "customer_id"), ("고객번호", "customer_id"),
        ("mql_id", "lead_id"), ("채널", "channel"), ("origin", "channel"), ("Source", "source"),
        ("캠페인", "campaign"), ("Campaign", "campaign"), ("기기", "device"), ("Device Category", "device"),
        ("지역", "region"), ("Country", "region"), ("상품", "product"), ("제품명", "product"),
        ("Description", "product"), ("수량", "quantity"), ("Quantity", "quantity"), ("단가", "unit_price"),
        ("UnitPrice", "unit_price"), ("price", "unit_price"), ("Churn", "churned"), ("이탈여부", "churned"),
        ("해지", "churned"), ("How likely are you to recommend this airline?", "score"), ("추천 의향", "score"),
        ("NPS", "score"), ("rating", "score"), ("매출액(원)", "revenue"), ("환불금액", "refunds"),
        ("장바구니", "add_to_cart"), ("회원가입", "signups"), ("리드수", "leads"), ("계약건수", "deals"),
        ("deal_value", "revenue"), ("계약금액", "revenue"), ("Deals won", "deals"),
    ],
)
def test_header_synonyms(header: str, role: str) -> None:
    assert header_candidates(header)[0].role == role


@pytest.mark.parametrize("header", ["declared_monthly_revenue", "DeviceProtection", "CTR", "클릭률", "평균 주문금액"])
def test_headers_that_only_look_like_a_role(header: str) -> None:
    roles = {c.role for c in header_candidates(header)}
    assert not roles & {"revenue", "device", "clicks", "orders"}


@pytest.mark.parametrize("header", ["deal_value_usd", "order amount total", "lead value", "클릭 금액"])
def test_money_headers_are_never_counts(header: str) -> None:
    """A column of amounts must not be read as a count of deals, orders, leads or clicks."""
    roles = {c.role for c in header_candidates(header)}
    assert not roles & {"deals", "orders", "leads", "clicks"}


def test_every_canonical_role_has_a_synonym() -> None:
    from metrics.ingest.synonyms import STRONG

    assert set(ALL_ROLES) <= set(STRONG)


def test_values_must_fit_the_role() -> None:
    roles = mapped({"Revenue": ["a", "b"], "Churn": ["maybe", "x"], "Date": ["soon", "later"]})
    assert roles == {}


def test_one_column_per_role_the_best_wins() -> None:
    roles = mapped({"StockCode": ["85123A", "71053"], "Description": ["HEART", "LANTERN"],
                    "MonthlyCharges": [1.0, 2.0], "TotalCharges": [5.0, 9.0]})
    assert roles["product"] == "Description"
    assert roles["revenue"] == "MonthlyCharges"


def test_score_needs_0_to_10_answers() -> None:
    assert mapped({"rating": [3, 10, 0]})["score"] == "rating"
    assert "score" not in mapped({"rating": [35, 100, 0]})


def test_churn_yes_no_is_a_flag() -> None:
    assert mapped({"Churn": ["Yes", "No"]}) == {"churned": "Churn"}


class TestOverrides:
    def test_override_wins_and_evicts(self) -> None:
        columns = {"매출": [1.0, 2.0], "금액2": [3.0, 4.0]}
        roles = mapped(columns, overrides=(("revenue", "금액2"),))
        assert roles["revenue"] == "금액2"
        assert "매출" not in roles.values()

    def test_override_column_loses_its_other_role(self) -> None:
        roles = mapped({"clicks": [1.0, 2.0], "x": [3.0, 4.0]}, overrides=(("sessions", "clicks"),))
        assert roles == {"sessions": "clicks"}

    def test_empty_column_clears_a_role(self) -> None:
        roles = mapped({"매출": [1.0, 2.0]}, overrides=(("revenue", ""),))
        assert "revenue" not in roles

    def test_unknown_column_or_role_is_a_note_not_an_error(self) -> None:
        table, kinds = typed({"매출": [1.0]})
        result = assign_roles(table, kinds, "", (("revenue", "nope"), ("wizardry", "매출")))
        assert result.roles == {"revenue": "매출"}
        assert len(result.notes) == 2

    def test_matches_explain_every_column(self) -> None:
        table, kinds = typed({"매출": [1.0], "메모": ["hi"]})
        result = assign_roles(table, kinds, "", (("revenue", "매출"),))
        by_column = {m.column: m for m in result.matches}
        assert by_column["매출"].confidence == 1.0 and by_column["매출"].reason == "set by you"
        assert by_column["메모"].role is None
