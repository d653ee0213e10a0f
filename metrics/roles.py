"""The canonical roles of DESIGN.md: the shared vocabulary between ingest, the KPI engine and the funnel.

Everything downstream of ingest speaks in roles, never in a team's own column names, so a KPI formula written
once works on every upload. Only ingest (and the user, through overrides) decides which column plays which role.
"""

from __future__ import annotations

from typing import Final, Literal

RoleKind = Literal["dimension", "measure", "flag", "score"]

DIMENSIONS: Final[tuple[str, ...]] = (
    "date", "order_id", "customer_id", "lead_id", "channel", "source", "medium", "campaign", "device",
    "region", "product", "segment", "status",
)
MEASURES: Final[tuple[str, ...]] = (
    "impressions", "clicks", "cost", "sessions", "visitors", "signups", "leads", "add_to_cart",
    "checkouts", "orders", "revenue", "quantity", "unit_price", "conversions", "deals", "refunds",
)
FLAGS: Final[tuple[str, ...]] = ("churned",)
SCORES: Final[tuple[str, ...]] = ("score",)

ALL_ROLES: Final[tuple[str, ...]] = DIMENSIONS + MEASURES + FLAGS + SCORES

#: Measures that entity-grain files produce by counting distinct ids (DESIGN.md "entity" grain).
ENTITY_MEASURES: Final[tuple[str, ...]] = ("customers", "leads", "deals")

#: The customer journey in funnel order. `repeat_orders` is derived from order lines with customer ids.
FUNNEL_ORDER: Final[tuple[str, ...]] = (
    "impressions", "clicks", "sessions", "visitors", "signups", "leads", "add_to_cart", "checkouts",
    "orders", "conversions", "deals", "repeat_orders",
)

#: Segment dimensions a funnel or KPI can be broken down by, in the order a marketer asks about them.
SEGMENT_DIMENSIONS: Final[tuple[str, ...]] = (
    "channel", "source", "medium", "campaign", "device", "region", "product", "segment",
)


def role_kind(role: str) -> RoleKind:
    """Returns what kind of value a role holds; ingest uses it to pick the cleaner for the column."""
    if role in DIMENSIONS:
        return "dimension"
    if role in MEASURES:
        return "measure"
    if role in FLAGS:
        return "flag"
    if role in SCORES:
        return "score"
    raise KeyError(f"unknown role {role!r}")


#: Names a marketer reads instead of role ids: {role: (English, Korean)}.
ROLE_LABELS: Final[dict[str, tuple[str, str]]] = {
    "date": ("Date", "날짜"),
    "order_id": ("Order number", "주문번호"),
    "customer_id": ("Customer ID", "고객 ID"),
    "lead_id": ("Lead ID", "리드 ID"),
    "channel": ("Channel", "채널"),
    "source": ("Traffic source", "유입 소스"),
    "medium": ("Medium", "매체"),
    "campaign": ("Campaign", "캠페인"),
    "device": ("Device", "기기"),
    "region": ("Region / country", "지역"),
    "product": ("Product", "상품"),
    "segment": ("Customer segment", "고객 세그먼트"),
    "status": ("Status", "상태"),
    "impressions": ("Impressions", "노출수"),
    "clicks": ("Clicks", "클릭수"),
    "cost": ("Ad cost", "광고비"),
    "sessions": ("Visits (sessions)", "방문수(세션)"),
    "visitors": ("Visitors", "방문자수"),
    "signups": ("Sign-ups", "회원가입"),
    "leads": ("Leads", "리드"),
    "add_to_cart": ("Add to cart", "장바구니 담기"),
    "checkouts": ("Checkouts", "결제 시작"),
    "orders": ("Orders", "주문수"),
    "revenue": ("Revenue", "매출"),
    "quantity": ("Quantity", "수량"),
    "unit_price": ("Unit price", "단가"),
    "conversions": ("Conversions", "전환수"),
    "deals": ("Deals won", "계약 성사"),
    "refunds": ("Refunds", "환불"),
    "churned": ("Churned (yes/no)", "이탈 여부"),
    "score": ("Recommendation score (0–10)", "추천 점수(0–10)"),
    "customers": ("Customers", "고객수"),
    "repeat_orders": ("Repeat orders", "재구매 주문"),
}


def role_label(role: str, language: str = "en") -> str:
    """The marketer-facing name of a role; unknown roles fall back to the id so nothing disappears."""
    english, korean = ROLE_LABELS.get(role, (role, role))
    return korean if language == "ko" else english
