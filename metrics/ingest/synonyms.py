"""Role synonyms and value vocabularies, as data: English and Korean words teams really put in their headers.

Kept apart from the matching code (metrics/ingest/roles.py) so that adding a synonym is a one-line data change that
needs no new logic. Every header and synonym is compared after `normalise()`, so spacing, case, punctuation,
brackets and currency marks never matter ("Revenue ($)" and "revenue" are the same word here).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

_NON_WORD = re.compile(r"[^0-9a-z\uac00-\ud7a3\u3131-\u318e]+")


def normalise(header: object) -> str:
    """Header → comparison key: NFKC, case-folded, only letters and digits (Hangul kept)."""
    text = unicodedata.normalize("NFKC", str(header)).casefold()
    return _NON_WORD.sub("", text)


def _keys(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalise(w) for w in words)


#: Exact header names (after normalise) → strong evidence for a role.
_STRONG: Final[dict[str, tuple[str, ...]]] = {
    "date": (
        "날짜", "일자", "날자", "일시", "기준일", "기준일자", "주문일", "주문일자", "주문일시", "결제일", "결제일자", "구매일",
        "구매일자", "거래일", "거래일자", "매출일", "매출일자", "판매일", "판매일자", "등록일", "가입일", "방문일", "접수일",
        "date", "day", "dt", "timestamp", "datetime", "invoicedate", "invoice date", "orderdate", "order date",
        "won_date", "first_contact_date", "created_at", "event_date", "reporting_starts", "purchase date", "sale date",
        "transaction date", "기간", "period", "month", "week", "연월", "년월", "월", "주",
    ),
    "order_id": (
        "주문번호", "주문ID", "주문코드", "거래번호", "영수증번호", "전표번호", "invoiceno", "invoice no", "invoice",
        "invoice_id", "invoice number", "order_id", "orderid", "order no", "order number", "transaction_id",
        "transaction id", "receipt", "receipt no",
    ),
    "customer_id": (
        "고객ID", "고객아이디", "고객번호", "고객코드", "회원ID", "회원번호", "회원아이디", "아이디", "고객", "회원", "고객명",
        "거래처", "거래처명", "customerid", "customer_id", "customer", "customer no", "client", "client_id",
        "user_id", "userid", "member_id", "account_id", "buyer_id",
    ),
    "lead_id": ("리드ID", "리드번호", "잠재고객ID", "lead_id", "leadid", "mql_id", "mqlid", "prospect_id"),
    "channel": (
        "채널", "유입채널", "유입경로", "판매채널", "판매유형", "판매경로", "channel", "channel grouping",
        "default channel grouping", "origin", "sales channel", "acquisition channel",
    ),
    "source": ("소스", "유입소스", "출처", "source", "utm_source", "traffic source", "referrer"),
    "medium": ("매체", "medium", "utm_medium"),
    "campaign": (
        "캠페인", "캠페인명", "캠페인이름", "캠페인ID", "campaign", "campaign name", "campaign_id", "utm_campaign",
        "xyz_campaign_id",
    ),
    "device": ("기기", "디바이스", "기기유형", "장치", "device", "device category", "devicecategory", "platform"),
    "region": (
        "지역", "지역명", "국가", "국가명", "국가(대륙)", "국가(대륙)별", "대륙", "시도", "도시", "region", "country",
        "city", "state", "location", "market",
    ),
    "product": (
        "상품", "상품명", "제품", "제품명", "품목", "품목명", "상품군", "상품군별", "메뉴", "product", "product name",
        "productname", "item", "item name", "description", "sku", "product_id",
    ),
    "segment": (
        "세그먼트", "고객등급", "회원등급", "등급", "고객유형", "고객구분", "카테고리", "분류", "segment", "customer segment",
        "tier", "business_segment", "category", "plan", "연령대", "age group",
    ),
    "status": (
        "상태", "주문상태", "결제상태", "처리상태", "status", "order status", "deal stage", "stage",
        # a yes/no activation flag is the status the first-login KPI reads (DESIGN has no separate role for it)
        "첫로그인", "첫 로그인", "첫로그인여부", "로그인여부", "first_login", "first login", "logged_in", "activated",
    ),
    "impressions": ("노출", "노출수", "노출량", "impressions", "impression", "impr", "imps"),
    "clicks": ("클릭", "클릭수", "clicks", "click", "link clicks"),
    "cost": (
        "비용", "광고비", "광고비용", "집행금액", "소진금액", "소진액", "지출", "지출액", "spend", "spent", "cost",
        "amount spent", "ad spend", "media cost",
    ),
    "sessions": ("세션", "세션수", "방문수", "방문자수", "유입수", "유입", "방문", "sessions", "session", "visits"),
    "visitors": ("순방문자", "순방문자수", "방문자", "사용자", "사용자수", "users", "unique visitors", "visitors", "uv"),
    "signups": ("회원가입", "가입", "가입수", "가입자", "가입자수", "신규가입", "signups", "sign ups", "registrations"),
    "leads": ("리드", "리드수", "문의", "문의수", "상담신청", "leads", "lead count", "inquiries", "mqls"),
    "add_to_cart": ("장바구니", "장바구니담기", "장바구니수", "add to cart", "adds to cart", "carts", "atc"),
    "checkouts": ("결제시작", "주문서작성", "체크아웃", "checkouts", "checkout", "initiate checkout", "begin checkout"),
    "orders": (
        "주문수", "주문건수", "주문", "구매건수", "구매수", "결제건수", "거래수", "orders", "transactions", "purchases",
        "order count", "num orders",
    ),
    "revenue": (
        "매출", "매출액", "구매금액", "결제금액", "요금", "판매액", "판매금액", "주문금액", "거래액", "총매출", "해외직접판매액",
        "sales", "revenue", "revenue ($)", "charges", "mrr", "monthlycharges", "monthly charges", "sales amount",
        "gmv", "purchase value", "amount", "deal value", "deal amount", "contract value", "order value", "won amount",
        "계약금액", "계약액", "수주액", "수주금액",
    ),
    "quantity": ("수량", "판매수량", "주문수량", "구매수량", "개수", "qty", "quantity", "units", "units sold"),
    "unit_price": ("단가", "판매가", "판매단가", "가격", "개당가격", "unitprice", "unit price", "price", "item price"),
    "conversions": ("전환", "전환수", "전환건수", "conversions", "conversion", "total_conversion", "results"),
    "deals": ("계약", "계약수", "계약건수", "성사", "수주", "deals", "won deals", "closed deals", "deals won"),
    "refunds": ("환불", "환불액", "환불금액", "반품", "반품액", "취소금액", "refunds", "refund", "returns", "refund amount"),
    "churned": (
        "churn", "churned", "이탈", "이탈여부", "해지", "해지여부", "탈퇴", "탈퇴여부", "exited", "attrition", "is_churned",
    ),
    "score": ("score", "nps", "rating", "점수", "평점", "추천의향", "추천 의향", "만족도", "likelihood to recommend"),
}

#: Exact header names that are plausible but second-best (another column usually plays the role better).
_WEAK: Final[dict[str, tuple[str, ...]]] = {
    "product": ("stockcode", "stock code", "상품코드", "제품코드", "item code"),
    "revenue": ("totalcharges", "total charges", "total", "합계금액"),
    "campaign": ("fb_campaign_id", "ad set", "adset", "광고그룹"),
    "order_id": ("번호", "no", "#"),
    "segment": ("contract", "age", "구분", "type"),
    "customer_id": ("seller_id", "name", "이름", "what is your name"),
    "date": ("time", "시간"),
}

#: Substrings of a normalised header → weaker evidence (checked only when no exact synonym matched).
_KEYWORDS: Final[dict[str, tuple[str, ...]]] = {
    "date": ("date", "날짜", "일자", "일시", "timestamp"),
    "order_id": ("주문번호", "orderid", "invoice", "transactionid", "ordernumber"),
    "customer_id": ("customerid", "고객id", "고객번호", "회원번호", "userid", "clientid"),
    "lead_id": ("leadid", "mqlid"),
    "channel": ("channel", "채널", "유입경로", "판매유형"),
    "source": ("utmsource", "소스"),
    "medium": ("utmmedium",),
    "campaign": ("campaign", "캠페인"),
    "device": ("device", "기기", "디바이스"),
    "region": ("region", "country", "지역", "국가", "대륙"),
    "product": ("product", "상품", "제품", "품목"),
    "segment": ("segment", "세그먼트", "등급", "category", "카테고리"),
    "status": ("status", "상태"),
    "impressions": ("impression", "노출"),
    "clicks": ("click", "클릭"),
    "cost": ("cost", "spend", "spent", "광고비", "비용"),
    "sessions": ("session", "세션", "유입", "visit"),
    "visitors": ("visitor", "방문자", "users"),
    "signups": ("signup", "가입", "registration"),
    "leads": ("leads", "리드수", "문의"),
    "add_to_cart": ("cart", "장바구니"),
    "checkouts": ("checkout", "체크아웃"),
    "orders": ("orders", "주문수", "주문건", "구매건", "purchases", "transactions"),
    "revenue": ("revenue", "sales", "매출", "판매액", "금액", "charges", "요금", "gmv"),
    "quantity": ("quantity", "qty", "수량"),
    "unit_price": ("price", "단가", "가격"),
    "conversions": ("conversion", "전환"),
    "deals": ("deal", "계약"),
    "refunds": ("refund", "환불", "반품"),
    "churned": ("churn", "이탈", "해지", "탈퇴"),
    "score": ("recommend", "추천", "rating", "평점", "score", "점수", "howwouldyourate", "만족도", "nps"),
}

#: Header words that mean "not the real thing" (a plan, a declaration): they veto keyword matches of every role.
PLAN_WORDS: Final[tuple[str, ...]] = (
    "declared", "expected", "target", "budget", "goal", "forecast", "estimated", "목표", "예상", "계획", "예산",
)

#: Header words that mean money, not a count: they veto keyword matches of the counted measures, so a
#: "deal_value" column is never read as the number of deals.
AMOUNT_WORDS: Final[tuple[str, ...]] = ("value", "amount", "금액", "액수")
COUNTED_MEASURES: Final[frozenset[str]] = frozenset({
    "impressions", "clicks", "sessions", "visitors", "signups", "leads", "add_to_cart", "checkouts", "orders",
    "conversions", "deals", "quantity",
})

#: Header words that mean a ratio or an average, not a total: they veto keyword matches of measures.
NEGATIVE_WORDS: Final[tuple[str, ...]] = (
    "rate", "ratio", "per", "률", "율", "당", "ctr", "cpc", "cpm", "cpa", "roas", "avg", "average", "평균",
)

STRONG: Final[dict[str, frozenset[str]]] = {role: _keys(words) for role, words in _STRONG.items()}
WEAK: Final[dict[str, frozenset[str]]] = {role: _keys(words) for role, words in _WEAK.items()}
KEYWORDS: Final[dict[str, tuple[str, ...]]] = {role: tuple(normalise(w) for w in ws) for role, ws in _KEYWORDS.items()}

#: Labels of total and subtotal rows (compared after normalise): set aside so sums are not doubled.
TOTAL_LABELS: Final[frozenset[str]] = _keys(
    ("합계", "소계", "계", "총계", "총합계", "전체합계", "total", "totals", "grand total", "subtotal", "sub total", "sum")
)

#: Cell texts that mean "no value" (compared stripped and case-folded).
MISSING_TOKENS: Final[frozenset[str]] = frozenset(
    ("", "-", "--", "---", "—", "–", "n/a", "na", "#n/a", "null", "none", "nan", "(null)", "n.a.", "없음")
)

BOOL_TRUE: Final[frozenset[str]] = frozenset(("yes", "y", "true", "t", "예", "네", "o", "churned", "이탈", "해지"))
BOOL_FALSE: Final[frozenset[str]] = frozenset(("no", "n", "false", "f", "아니오", "아니요", "x", "유지"))

#: Words in a file name that say what one row of an entity-grain file is.
ENTITY_FILE_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "deal": ("deal", "closed", "won", "계약", "수주"),
    "lead": ("lead", "mql", "리드", "문의", "잠재"),
    "answer": ("nps", "survey", "response", "answer", "설문", "응답"),
    "customer": ("customer", "churn", "client", "member", "고객", "회원", "이탈"),
}
