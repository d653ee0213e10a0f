"""Writes the three demo datasets (online shop, subscription, B2B leads) the app can load in one click.

The files imitate what a Korean marketing team really exports — a title row above the header and a 합계 row under
an order list, a daily channel report, an Excel CSV with a BOM, a CRM lead list and a deals workbook — so that the
demo exercises ingest the way real uploads do. Six months of data end on 2026-10-31 with weekly seasonality and a
few campaigns that change things mid-period, so week-over-week comparisons and funnel leaks have something to show.

Everything is deterministic (fixed seeds, fixed workbook timestamps, fixed zip entry times): running the script
twice gives byte-identical files, so a cache keyed by content hash stays warm and tests can pin figures.

Run `python -m sample_data.make_samples [--out DIR]` to (re)write all files; the app calls `ensure_samples()`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

SAMPLE_DIR = Path(__file__).resolve().parent
START = date(2026, 5, 1)
END = date(2026, 10, 31)
DAYS: tuple[date, ...] = tuple(START + timedelta(days=n) for n in range((END - START).days + 1))

#: Workbook metadata and zip entry times are pinned so the bytes never depend on when the script ran.
FIXED_TIMESTAMP = datetime(2026, 11, 1, 9, 0, 0)
ZIP_TIME = (2026, 11, 1, 9, 0, 0)
WON = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class SampleInfo:
    """What the data page shows about a sample before loading it, and which files belong to it."""

    id: str
    name: dict[str, str]
    description: dict[str, str]
    goal_id: str
    files: tuple[str, ...]
    seed: int = field(repr=False)


SAMPLES: dict[str, SampleInfo] = {
    "online_shop": SampleInfo(
        id="online_shop",
        name={"en": "Online shop (own store)", "ko": "온라인 쇼핑몰 (자사몰)"},
        description={
            "en": "Six months of order lines plus a daily channel report: find where visitors drop out before paying.",
            "ko": "6개월 주문 내역과 일별 채널 리포트: 방문자가 결제 전 어디서 이탈하는지 찾아보세요.",
        },
        goal_id="grow_online_revenue",
        files=("shop_orders.xlsx", "shop_daily_channels.xlsx"),
        seed=20261031,
    ),
    "subscription": SampleInfo(
        id="subscription",
        name={"en": "Subscription service", "ko": "구독 서비스"},
        description={
            "en": "3,000 subscribers with plan, channel, first login and churn, plus 800 NPS survey answers.",
            "ko": "요금제·가입경로·첫 로그인·해지 여부가 담긴 가입자 3,000명과 NPS 설문 응답 800건.",
        },
        goal_id="customer_success",
        files=("subscribers.csv", "nps_answers.xlsx"),
        seed=20261101,
    ),
    "b2b_leads": SampleInfo(
        id="b2b_leads",
        name={"en": "B2B lead funnel", "ko": "B2B 리드 퍼널"},
        description={
            "en": "2,000 leads by source and campaign from a CRM, and the deals they turned into (joined on lead_id).",
            "ko": "CRM에서 내려받은 유입경로·캠페인별 리드 2,000건과 성사된 딜 (lead_id로 연결).",
        },
        goal_id="b2b_leads",
        files=("leads.csv", "deals.xlsx"),
        seed=20261102,
    ),
}


# ---------------------------------------------------------------------------------------------------------------
# Writing files with stable bytes
# ---------------------------------------------------------------------------------------------------------------


def _write_atomic(path: Path, data: bytes) -> None:
    """Replaces the file in one step, so two app sessions creating samples at once never read half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _normalise_zip(data: bytes) -> bytes:
    """Re-packs an xlsx with fixed entry times: openpyxl stamps every zip entry with the current local time."""
    output = io.BytesIO()
    with ZipFile(io.BytesIO(data)) as source, ZipFile(output, "w", ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = ZipInfo(entry.filename, date_time=ZIP_TIME)
            fixed.compress_type = ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(entry.filename))
    return output.getvalue()


def _save_workbook(workbook: Workbook, path: Path) -> None:
    """Saves with pinned created/modified times; `Workbook.save` would overwrite `modified` with now()."""
    workbook.properties.creator = "Loopboard sample generator"
    workbook.properties.lastModifiedBy = "Loopboard sample generator"
    workbook.properties.created = FIXED_TIMESTAMP
    workbook.properties.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    ExcelWriter(workbook, ZipFile(buffer, "w", ZIP_DEFLATED, allowZip64=True)).save()
    _write_atomic(path, _normalise_zip(buffer.getvalue()))


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool) -> None:
    """Writes CRLF-terminated CSV as Excel does; `bom` adds the UTF-8 signature Excel puts on 'CSV UTF-8' saves."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    _write_atomic(path, text.getvalue().encode("utf-8-sig" if bom else "utf-8"))


def _fill_sheet(
    sheet: Worksheet,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    formats: dict[str, str],
    *,
    widths: dict[str, float] | None = None,
    first_row: int = 1,
) -> int:
    """Writes a bold header at `first_row` and the rows under it; returns the last row number written."""
    for column, title in enumerate(header, start=1):
        sheet.cell(first_row, column, title).font = Font(bold=True)
    formatted = {header.index(name) + 1: fmt for name, fmt in formats.items()}
    row_number = first_row
    for row_number, values in enumerate(rows, start=first_row + 1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row_number, column, value)
            if column in formatted:
                cell.number_format = formatted[column]
    for name, width in (widths or {}).items():
        sheet.column_dimensions[get_column_letter(header.index(name) + 1)].width = width
    sheet.freeze_panes = sheet.cell(first_row + 1, 1)
    return row_number


# ---------------------------------------------------------------------------------------------------------------
# Shared calendar helpers
# ---------------------------------------------------------------------------------------------------------------


def _between(day: date, first: date, last: date) -> bool:
    """True when `day` lies in the closed interval, the way campaign calendars are written."""
    return first <= day <= last


def _trend(day: date, weekly_growth: float) -> float:
    """A gentle compound growth per week since START, so later weeks are slightly busier."""
    return float((1 + weekly_growth) ** ((day - START).days / 7))


# ---------------------------------------------------------------------------------------------------------------
# 1. Online shop: order lines (Korean headers) + daily channel report, consistent per day × channel
# ---------------------------------------------------------------------------------------------------------------

SALE = (date(2026, 8, 10), date(2026, 8, 23))  # 여름 SNS 세일: double SNS spend, 10 % off, low-intent traffic
CRM = (date(2026, 9, 14), END)  # 재구매 CRM 이메일: more email visits, more returning buyers
CHECKOUT_BUG = (date(2026, 10, 5), date(2026, 10, 11))  # mobile payment page broken: cart → order halves
CPC_RISE_FROM = date(2026, 10, 1)  # search competitors bid up: search CPC +35 %
SHOP_WEEKDAY = (1.06, 1.08, 1.02, 1.0, 0.94, 0.86, 0.93)
EMAIL_WEEKDAY = (0.75, 1.7, 0.85, 1.55, 0.8, 0.55, 0.6)  # newsletters go out on Tuesday and Thursday


@dataclass(frozen=True)
class ShopChannel:
    """Per-channel behaviour: traffic, ad economics (paid only) and the funnel rates that create orders."""

    name: str
    sessions: float
    paid: bool
    ctr: float
    cpc: float
    signup: float
    cart: float
    order_from_cart: float
    returning: float


SHOP_CHANNELS = (
    ShopChannel("검색광고", 420, True, 0.041, 640, 0.034, 0.085, 0.34, 0.16),
    ShopChannel("SNS광고", 350, True, 0.012, 410, 0.022, 0.062, 0.27, 0.10),
    ShopChannel("이메일", 120, False, 0.0, 0.0, 0.008, 0.115, 0.42, 0.86),
    ShopChannel("자연유입", 560, False, 0.0, 0.0, 0.030, 0.072, 0.31, 0.36),
)

#: (상품명, 카테고리, 단가, popularity weight)
PRODUCTS = (
    ("수분 크림 50ml", "스킨케어", 32000, 9),
    ("진정 토너 200ml", "스킨케어", 24000, 8),
    ("비타민C 세럼 30ml", "스킨케어", 38000, 6),
    ("약산성 클렌징 폼 150ml", "스킨케어", 14000, 9),
    ("데일리 선크림 SPF50+", "스킨케어", 22000, 8),
    ("수분 시트 마스크 10매", "스킨케어", 19000, 7),
    ("커버 쿠션 파운데이션", "메이크업", 29000, 6),
    ("벨벳 립 틴트", "메이크업", 16000, 7),
    ("아이섀도 팔레트 9색", "메이크업", 34000, 3),
    ("오토 브로우 펜슬", "메이크업", 12000, 4),
    ("두피 쿨링 샴푸 500ml", "헤어/바디", 18000, 6),
    ("단백질 트리트먼트 300ml", "헤어/바디", 15000, 4),
    ("시어버터 바디로션 400ml", "헤어/바디", 21000, 5),
    ("핸드크림 3종 세트", "헤어/바디", 17000, 4),
    ("수분 라인 기프트 세트", "선물/기타", 59000, 3),
    ("여행용 미니 키트", "선물/기타", 25000, 3),
    ("브랜드 파우치", "선물/기타", 9000, 2),
)
ORDER_HEADER = ("주문번호", "주문일자", "고객ID", "상품명", "카테고리", "수량", "단가", "결제금액", "유입채널", "기기")
DAILY_HEADER = ("날짜", "채널", "노출수", "클릭수", "광고비", "방문자수", "회원가입", "장바구니", "주문수", "매출액")


@dataclass(frozen=True)
class ChannelDay:
    """One row of the daily channel report before orders and revenue are filled in from the order lines."""

    day: date
    channel: ShopChannel
    impressions: int
    clicks: int
    cost: int
    sessions: int
    signups: int
    carts: int
    orders_by_device: dict[str, int]


@dataclass
class ShopBook:
    """Mutable state while orders are drawn: customer pool (a Pólya urn, so loyal buyers buy again) and lines."""

    rng: np.random.Generator
    urn: list[str] = field(default_factory=list)
    next_customer: int = 10001
    lines: list[tuple[object, ...]] = field(default_factory=list)


def _traffic_factor(day: date, channel: ShopChannel) -> float:
    """Seasonality and campaigns acting on visits: weekly rhythm, slow growth, the SNS sale and the CRM push."""
    weekday = EMAIL_WEEKDAY if channel.name == "이메일" else SHOP_WEEKDAY
    factor = weekday[day.weekday()] * _trend(day, 0.006)
    if channel.name == "SNS광고" and _between(day, *SALE):
        factor *= 2.1
    if channel.name == "이메일" and _between(day, *CRM):
        factor *= 1.8
    if 7 <= day.month <= 8 and channel.name != "SNS광고":
        factor *= 0.93  # summer holidays
    return factor


def _channel_day(rng: np.random.Generator, day: date, channel: ShopChannel) -> ChannelDay:
    """Draws the funnel of one channel on one day: sessions → signups, carts → orders per device."""
    sessions = int(rng.poisson(channel.sessions * _traffic_factor(day, channel) * rng.lognormal(0, 0.08)))
    low_intent = channel.name == "SNS광고" and _between(day, *SALE)
    carts = int(rng.binomial(sessions, channel.cart * (0.7 if low_intent else 1.0)))
    mobile_carts = int(rng.binomial(carts, 0.68))
    order_rate = channel.order_from_cart * (1.1 if _between(day, *SALE) else 1.0)
    mobile_rate = order_rate * 0.94 * (0.5 if _between(day, *CHECKOUT_BUG) else 1.0)
    orders = {
        "모바일": int(rng.binomial(mobile_carts, mobile_rate)),
        "PC": int(rng.binomial(carts - mobile_carts, min(order_rate * 1.12, 1.0))),
    }
    clicks = impressions = cost = 0
    if channel.paid:
        clicks = round(sessions / rng.uniform(0.86, 0.93))
        impressions = round(clicks / (channel.ctr * rng.lognormal(0, 0.07)))
        cpc = channel.cpc * rng.lognormal(0, 0.06)
        if channel.name == "검색광고" and day >= CPC_RISE_FROM:
            cpc *= 1.35
        cost = round(clicks * cpc)
    signups = int(rng.binomial(sessions, channel.signup))
    return ChannelDay(day, channel, impressions, clicks, cost, sessions, signups, carts, orders)


def _customer_for(book: ShopBook, day: date, channel: ShopChannel) -> str:
    """Returning buyers come from the urn (weight = past orders); the CRM push brings more of them back."""
    returning = channel.returning * (1.25 if _between(day, *CRM) else 1.0)
    if book.urn and book.rng.random() < returning:
        customer = book.urn[int(book.rng.integers(len(book.urn)))]
    else:
        customer = f"C{book.next_customer}"
        book.next_customer += 1
    book.urn.append(customer)
    return customer


def _order_lines(book: ShopBook, order_id: str, day: date, customer: str, channel: str, device: str) -> list[tuple]:
    """One to five distinct products; during the sale every line is paid at 10 % off (결제금액 < 수량 × 단가)."""
    rng = book.rng
    weights = np.array([product[3] for product in PRODUCTS], dtype=float)
    count = 1 + min(int(rng.poisson(0.6)), 4)
    picks = rng.choice(len(PRODUCTS), size=count, replace=False, p=weights / weights.sum())
    discount = 0.9 if _between(day, *SALE) else 1.0
    lines = []
    for index in picks:
        name, category, price, _ = PRODUCTS[int(index)]
        quantity = int(rng.choice((1, 2, 3), p=(0.83, 0.13, 0.04)))
        paid = int(round(quantity * price * discount, -1))
        lines.append((order_id, day, customer, name, category, quantity, price, paid, channel, device))
    return lines


def _return_lines(book: ShopBook, lines: list[tuple]) -> list[tuple]:
    """About 2.5 % of orders are cancelled in full within a day, 4 % return one line within two weeks ("R-" ids)."""
    draw = book.rng.random()
    if draw < 0.025:
        returned, delay = lines, int(book.rng.integers(0, 2))
    elif draw < 0.065:
        returned, delay = [lines[int(book.rng.integers(len(lines)))]], int(book.rng.integers(3, 15))
    else:
        return []
    when = lines[0][1] + timedelta(days=delay)
    if when > END:
        return []
    return [
        (f"R-{line[0]}", when, line[2], line[3], line[4], -line[5], line[6], -line[7], line[8], line[9])
        for line in returned
    ]


def _shop_data(seed: int) -> tuple[list[ChannelDay], list[tuple]]:
    """Draws every channel-day, then the orders those days produced, in date order so the urn grows naturally."""
    rng = np.random.default_rng(seed)
    book = ShopBook(rng)
    channel_days: list[ChannelDay] = []
    returns: list[tuple] = []
    for day in DAYS:
        todays = [_channel_day(rng, day, channel) for channel in SHOP_CHANNELS]
        channel_days.extend(todays)
        slots = [(cd.channel, device) for cd in todays for device, n in cd.orders_by_device.items() for _ in range(n)]
        for sequence, slot in enumerate(rng.permutation(len(slots)), start=1):
            channel, device = slots[int(slot)]
            order_id = f"{day:%Y%m%d}-{sequence:04d}"
            customer = _customer_for(book, day, channel)
            lines = _order_lines(book, order_id, day, customer, channel.name, device)
            book.lines.extend(lines)
            returns.extend(_return_lines(book, lines))
    all_lines = sorted(book.lines + returns, key=lambda line: (line[1], str(line[0]).startswith("R-"), line[0]))
    return channel_days, all_lines


def _daily_rows(channel_days: list[ChannelDay], lines: list[tuple]) -> list[tuple]:
    """Orders and revenue come from the order lines themselves, so ROAS across the two files adds up exactly."""
    revenue: dict[tuple[date, str], int] = defaultdict(int)
    for line in lines:
        revenue[(line[1], line[8])] += line[7]
    return [
        (
            cd.day, cd.channel.name, cd.impressions, cd.clicks, cd.cost, cd.sessions, cd.signups, cd.carts,
            sum(cd.orders_by_device.values()), revenue[(cd.day, cd.channel.name)],
        )
        for cd in channel_days
    ]


def _write_online_shop(folder: Path, info: SampleInfo) -> list[Path]:
    """Writes the order list (title row, blank row, header, lines, 합계 row) and the daily channel report."""
    channel_days, lines = _shop_data(info.seed)
    orders_book = Workbook()
    sheet = orders_book.active
    sheet.title = "주문내역"
    sheet["A1"] = "2026년 주문 내역 (자사몰)"
    sheet["A1"].font = Font(bold=True, size=14)
    formats = {"주문일자": DATE_FORMAT, "단가": WON, "결제금액": WON}
    widths = {"주문번호": 17, "주문일자": 12, "고객ID": 10, "상품명": 24, "카테고리": 11, "유입채널": 10}
    last = _fill_sheet(sheet, ORDER_HEADER, lines, formats, widths=widths, first_row=3)
    total_row = last + 1
    sheet.cell(total_row, 1, "합계").font = Font(bold=True)
    sheet.cell(total_row, 6, sum(line[5] for line in lines)).font = Font(bold=True)
    total = sheet.cell(total_row, 8, sum(line[7] for line in lines))
    total.font, total.number_format = Font(bold=True), WON
    orders_path = folder / info.files[0]
    _save_workbook(orders_book, orders_path)

    daily_book = Workbook()
    daily = daily_book.active
    daily.title = "일별 채널 리포트"
    money = {"날짜": DATE_FORMAT, "광고비": WON, "매출액": WON} | {name: WON for name in ("노출수", "클릭수", "방문자수")}
    _fill_sheet(daily, DAILY_HEADER, _daily_rows(channel_days, lines), money, widths={"날짜": 12, "채널": 10})
    daily_path = folder / info.files[1]
    _save_workbook(daily_book, daily_path)
    return [orders_path, daily_path]


# ---------------------------------------------------------------------------------------------------------------
# 2. Subscription: subscriber list (Excel CSV with BOM, Korean headers) + NPS answers
# ---------------------------------------------------------------------------------------------------------------

FREE_MONTH = (date(2026, 7, 6), date(2026, 7, 26))  # 첫 달 무료 promotion on SNS and YouTube
ONBOARDING_FIX = date(2026, 9, 1)  # new onboarding e-mails: more first logins from September
SUB_WEEKDAY = (1.08, 1.02, 1.0, 0.98, 0.95, 0.97, 1.0)
SUB_CHANNELS = ("검색광고", "SNS광고", "유튜브", "지인추천", "자연유입")
SUB_CHANNEL_SHARE = (0.26, 0.24, 0.14, 0.14, 0.22)
PLANS = (("베이직", 9900), ("스탠다드", 14900), ("프리미엄", 19900))
SUBSCRIBER_HEADER = ("고객번호", "가입일", "요금제", "월요금", "가입경로", "첫로그인", "해지여부")
NPS_HEADER = ("응답일", "고객번호", "추천의향", "코멘트")
COMMENTS = {
    "promoter": (
        "콘텐츠가 다양해서 만족합니다", "가격 대비 좋아요", "친구에게도 추천했어요", "앱이 빠르고 편해요",
        "매주 새 강의가 올라와서 좋아요", "출퇴근길에 잘 쓰고 있어요",
    ),
    "passive": (
        "괜찮은데 가격이 조금 부담돼요", "업데이트가 더 자주 됐으면 좋겠어요", "보통이에요",
        "검색 기능이 아쉬워요", "원하는 강의가 가끔 없어요",
    ),
    "detractor": (
        "해지 방법이 너무 복잡해요", "로그인 오류가 자주 나요", "볼 만한 콘텐츠가 별로 없어요",
        "무료 기간 끝나고 요금이 비싸요", "고객센터 연결이 안 돼요", "결제가 자동으로 돼서 당황했어요",
    ),
}


@dataclass(frozen=True)
class Subscriber:
    """One row of the subscriber list, with the hidden facts the NPS answers depend on."""

    customer_id: str
    signup: date
    plan: str
    fee: int
    channel: str
    first_login: bool
    churned: bool


def _draw_subscriber(rng: np.random.Generator, customer_id: str, day: date, promo: bool) -> Subscriber:
    """Promotion sign-ups pick cheaper plans, log in less and churn more: the classic 'free month' leak."""
    shares = np.array(SUB_CHANNEL_SHARE)
    if promo:
        shares = shares * np.array((1.0, 3.0, 3.5, 1.0, 1.0))
    channel = SUB_CHANNELS[int(rng.choice(len(SUB_CHANNELS), p=shares / shares.sum()))]
    plan_share = (0.72, 0.21, 0.07) if promo and channel in ("SNS광고", "유튜브") else (0.5, 0.35, 0.15)
    plan, fee = PLANS[int(rng.choice(len(PLANS), p=plan_share))]
    login_rate = 0.93 if channel == "지인추천" else 0.83
    if promo and channel in ("SNS광고", "유튜브"):
        login_rate = 0.64
    if day >= ONBOARDING_FIX:
        login_rate = min(login_rate + 0.07, 0.97)
    first_login = bool(rng.random() < login_rate)
    monthly_hazard = (0.022 if first_login else 0.13) * (1.6 if promo else 1.0)
    months = (END - day).days / 30.4
    churned = bool(rng.random() < 1 - (1 - monthly_hazard) ** months)
    return Subscriber(customer_id, day, plan, fee, channel, first_login, churned)


def _subscribers(rng: np.random.Generator) -> list[Subscriber]:
    """About 15 sign-ups a day with a weekly rhythm, slow growth and the free-month burst in July."""
    subscribers: list[Subscriber] = []
    for day in DAYS:
        promo = _between(day, *FREE_MONTH)
        expected = 14.2 * SUB_WEEKDAY[day.weekday()] * _trend(day, 0.004) * (1.9 if promo else 1.0)
        for _ in range(int(rng.poisson(expected))):
            customer_id = f"S{len(subscribers) + 20001}"
            subscribers.append(_draw_subscriber(rng, customer_id, day, promo))
    return subscribers


def _nps_score(rng: np.random.Generator, subscriber: Subscriber, answered: date) -> int:
    """Happy, active users promote; churned or never-logged-in users detract; September onboarding helps a bit."""
    happy = subscriber.first_login and not subscriber.churned
    shares = (0.62, 0.25, 0.13)  # (detractor, passive, promoter)
    if happy:
        shares = (0.16, 0.30, 0.54) if answered < ONBOARDING_FIX else (0.13, 0.29, 0.58)
    bucket = int(rng.choice(3, p=shares))
    if bucket == 0:
        return int(rng.choice(7, p=(0.04, 0.03, 0.05, 0.1, 0.13, 0.3, 0.35)))
    if bucket == 1:
        return int(rng.choice((7, 8), p=(0.45, 0.55)))
    return int(rng.choice((9, 10), p=(0.55, 0.45)))


def _nps_rows(rng: np.random.Generator, subscribers: list[Subscriber], count: int) -> list[tuple]:
    """The survey goes out 30 days after sign-up; `count` customers answer within a week, some with a comment."""
    eligible = [s for s in subscribers if s.signup + timedelta(days=30) <= END]
    chosen = sorted(int(i) for i in rng.choice(len(eligible), size=count, replace=False))
    rows = []
    for index in chosen:
        subscriber = eligible[index]
        answered = min(subscriber.signup + timedelta(days=30 + int(rng.integers(0, 8))), END)
        score = _nps_score(rng, subscriber, answered)
        kind = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
        comment = None
        if rng.random() < 0.45:
            options = COMMENTS[kind]
            comment = options[int(rng.integers(len(options)))]
        rows.append((answered, subscriber.customer_id, score, comment))
    rows.sort(key=lambda row: (row[0], row[1]))
    return rows


def _write_subscription(folder: Path, info: SampleInfo) -> list[Path]:
    """Writes subscribers.csv (UTF-8 with BOM, CRLF, as Excel saves it) and nps_answers.xlsx."""
    rng = np.random.default_rng(info.seed)
    subscribers = _subscribers(rng)
    csv_path = folder / info.files[0]
    rows = (
        (s.customer_id, s.signup.isoformat(), s.plan, s.fee, s.channel, "Y" if s.first_login else "N",
         "예" if s.churned else "아니오")
        for s in subscribers
    )
    _write_csv(csv_path, SUBSCRIBER_HEADER, rows, bom=True)

    book = Workbook()
    sheet = book.active
    sheet.title = "설문응답"
    nps = _nps_rows(rng, subscribers, 800)
    _fill_sheet(sheet, NPS_HEADER, nps, {"응답일": DATE_FORMAT}, widths={"응답일": 12, "고객번호": 10, "코멘트": 36})
    nps_path = folder / info.files[1]
    _save_workbook(book, nps_path)
    return [csv_path, nps_path]


# ---------------------------------------------------------------------------------------------------------------
# 3. B2B leads: CRM lead export (CSV, English headers) + won deals (xlsx), joined on lead_id
# ---------------------------------------------------------------------------------------------------------------

WEBINARS = {
    date(2026, 6, 18): "Webinar: KPI dashboards 101",
    date(2026, 8, 20): "Webinar: CRM automation",
    date(2026, 10, 15): "Webinar: PDCA for marketers",
}
EXPO = (date(2026, 9, 16), "Marketing Expo Seoul 2026")
ABM_FROM = date(2026, 8, 3)  # LinkedIn ABM pilot: fewer, larger leads that sales close faster and more often
LEAD_WEEKDAY = (1.15, 1.1, 1.05, 1.0, 0.9, 0.2, 0.15)
COMPANY_SIZES = ("1-10", "11-50", "51-200", "201-1000", "1000+")
#: source → (share of everyday leads, win probability, company-size mix)
LEAD_SOURCES = {
    "Google Ads": (0.38, 0.10, (0.34, 0.34, 0.2, 0.09, 0.03)),
    "LinkedIn": (0.18, 0.12, (0.12, 0.28, 0.3, 0.2, 0.1)),
    "Organic Search": (0.26, 0.15, (0.3, 0.33, 0.22, 0.11, 0.04)),
    "Referral": (0.08, 0.34, (0.15, 0.3, 0.3, 0.17, 0.08)),
    "Webinar": (0.10, 0.12, (0.25, 0.32, 0.24, 0.13, 0.06)),
}
DEAL_SIZE = {"1-10": 3.5e6, "11-50": 8e6, "51-200": 18e6, "201-1000": 38e6, "1000+": 75e6}
OWNERS = ("김지훈", "박서연", "이도윤", "최하은")
LEAD_HEADER = ("lead_id", "created_date", "source", "campaign", "company_size", "status")
DEAL_HEADER = ("lead_id", "won_date", "deal_value", "owner")


@dataclass(frozen=True)
class Lead:
    """One CRM lead; `won` holds the deal (date, value, owner) when it closed by the end of the period."""

    lead_id: str
    created: datetime
    source: str
    campaign: str
    company_size: str
    status: str
    won: tuple[date, int, str] | None


def _lead_campaign(rng: np.random.Generator, source: str, day: date) -> str:
    """CRM campaign names as teams type them; organic and referral leads often have none."""
    if source == "Google Ads":
        return "Search - Brand" if rng.random() < 0.35 else "Search - Generic"
    if source == "LinkedIn":
        return "LinkedIn ABM pilot" if day >= ABM_FROM and rng.random() < 0.6 else "LinkedIn Lead Gen"
    if source == "Webinar":
        upcoming = [when for when in WEBINARS if when >= day]
        return WEBINARS[min(upcoming)] if upcoming else "Webinar: on-demand"
    if source == "Referral":
        return "Partner referral" if rng.random() < 0.5 else ""
    return ""


def _lead_sources_for(day: date) -> list[tuple[str, int]]:
    """Extra webinar registrations in the 10 days before each webinar and the expo badge scans."""
    extra: list[tuple[str, int]] = []
    for when in WEBINARS:
        if 0 <= (when - day).days < 10:
            extra.append(("Webinar", 9))
    if _between(day, EXPO[0], EXPO[0] + timedelta(days=1)):
        extra.append(("Event", 70))
    return extra


def _status_and_deal(rng: np.random.Generator, source: str, campaign: str, size: str, day: date) -> tuple:
    """Wins need 2–10 weeks; a would-be win not yet closed by END stays in the open pipeline."""
    win_rate = 0.07 if source == "Event" else LEAD_SOURCES[source][1]
    abm = campaign == "LinkedIn ABM pilot"
    if abm:
        win_rate = 0.24
    age = (END - day).days
    if rng.random() < win_rate:
        won_on = day + timedelta(days=int(14 + rng.gamma(2.0, 8.0) if abm else 14 + rng.gamma(3.0, 10.0)))
        if won_on <= END:
            value = int(round(DEAL_SIZE[size] * rng.lognormal(0, 0.35), -5))
            return "Won", (won_on, value, OWNERS[int(rng.integers(len(OWNERS)))])
        return ("Proposal" if rng.random() < 0.6 else "Qualified"), None
    if age < 7:
        return ("New" if rng.random() < 0.6 else "Contacted"), None
    open_share = min(0.5, 12 / max(age, 1))
    statuses = ("Contacted", "Qualified", "Lost", "Disqualified")
    shares = np.array((open_share * 0.6, open_share * 0.4, (1 - open_share) * 0.45, (1 - open_share) * 0.55))
    return statuses[int(rng.choice(4, p=shares / shares.sum()))], None


def _leads(rng: np.random.Generator) -> list[Lead]:
    """About 10 leads a working day plus webinar and expo spikes; ids follow creation time as in a CRM."""
    sources = list(LEAD_SOURCES)
    shares = np.array([LEAD_SOURCES[name][0] for name in sources])
    drafts: list[tuple[datetime, str]] = []
    for day in DAYS:
        count = int(rng.poisson(10.2 * LEAD_WEEKDAY[day.weekday()] * _trend(day, 0.005)))
        todays = [sources[int(i)] for i in rng.choice(len(sources), size=count, p=shares)]
        for source, extra in _lead_sources_for(day):
            todays.extend([source] * int(rng.poisson(extra)))
        for source in todays:
            minute = int(rng.integers(8 * 60, 22 * 60))
            drafts.append((datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute), source))
    drafts.sort()
    leads = []
    for number, (created, source) in enumerate(drafts, start=1):
        day = created.date()
        campaign = EXPO[1] if source == "Event" else _lead_campaign(rng, source, day)
        mix = (0.1, 0.25, 0.3, 0.22, 0.13) if source == "Event" else LEAD_SOURCES[source][2]
        if campaign == "LinkedIn ABM pilot":
            mix = (0.0, 0.05, 0.25, 0.4, 0.3)
        size = COMPANY_SIZES[int(rng.choice(len(COMPANY_SIZES), p=mix))]
        status, won = _status_and_deal(rng, source, campaign, size, day)
        leads.append(Lead(f"L-2026-{number:05d}", created, source, campaign, size, status, won))
    return leads


def _write_b2b_leads(folder: Path, info: SampleInfo) -> list[Path]:
    """Writes leads.csv (plain UTF-8, CRLF, times without seconds) and deals.xlsx (one row per won lead)."""
    leads = _leads(np.random.default_rng(info.seed))
    leads_path = folder / info.files[0]
    rows = (
        (lead.lead_id, f"{lead.created:%Y-%m-%d %H:%M}", lead.source, lead.campaign, lead.company_size, lead.status)
        for lead in leads
    )
    _write_csv(leads_path, LEAD_HEADER, rows, bom=False)

    deals = sorted((lead.won[0], lead.lead_id, lead.won[1], lead.won[2]) for lead in leads if lead.won)
    book = Workbook()
    sheet = book.active
    sheet.title = "Won deals"
    deal_rows = [(lead_id, won_on, value, owner) for won_on, lead_id, value, owner in deals]
    _fill_sheet(sheet, DEAL_HEADER, deal_rows, {"won_date": DATE_FORMAT, "deal_value": WON},
                widths={"lead_id": 14, "won_date": 12, "deal_value": 14})
    deals_path = folder / info.files[1]
    _save_workbook(book, deals_path)
    return [leads_path, deals_path]


# ---------------------------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------------------------

WRITERS: dict[str, Callable[[Path, SampleInfo], list[Path]]] = {
    "online_shop": _write_online_shop,
    "subscription": _write_subscription,
    "b2b_leads": _write_b2b_leads,
}


def generate(folder: Path | None = None, samples: Iterable[str] | None = None) -> dict[str, list[Path]]:
    """(Re)writes the named samples (all by default) into `folder`; returns each sample's file paths."""
    target = folder or SAMPLE_DIR
    return {sample_id: WRITERS[sample_id](target, SAMPLES[sample_id]) for sample_id in (samples or SAMPLES)}


def ensure_samples(folder: Path | None = None) -> dict[str, list[Path]]:
    """Writes only the samples with a missing file (the files are gitignored), so the first demo load is fast.

    A stamp holding the generator's own hash is kept beside the files: when this script changes, every sample is
    rewritten, so a checkout never serves files from an older generator.
    """
    target = folder or SAMPLE_DIR
    stamp = target / ".generator-sha256"
    current = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    stale = not stamp.is_file() or stamp.read_text(encoding="ascii").strip() != current
    missing = [
        sid for sid, info in SAMPLES.items() if stale or not all((target / name).is_file() for name in info.files)
    ]
    if missing:
        generate(target, missing)
        stamp.write_text(current, encoding="ascii")
    return {sid: [target / name for name in info.files] for sid, info in SAMPLES.items()}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: rewrite every sample and print what was written."""
    parser = argparse.ArgumentParser(description="Write Loopboard's demo datasets.")
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR, help="target folder (default: this folder)")
    args = parser.parse_args(argv)
    for sample_id, paths in generate(args.out).items():
        for path in paths:
            print(f"{sample_id:13} {path}  {path.stat().st_size:>9,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
