"""The demo datasets: byte-identical on every run, internally consistent, and telling the story they promise.

Every expected figure is recomputed here from the written files with openpyxl and the csv module, never by
calling the generator's own helpers, so a bug in the generator shows up as a mismatch between its two files.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sample_data import make_samples
from sample_data.make_samples import SAMPLES, ensure_samples, generate

FIRST_DAY, LAST_DAY = date(2026, 5, 1), date(2026, 10, 31)
ORDER_HEADER = ["주문번호", "주문일자", "고객ID", "상품명", "카테고리", "수량", "단가", "결제금액", "유입채널", "기기"]
DAILY_HEADER = ["날짜", "채널", "노출수", "클릭수", "광고비", "방문자수", "회원가입", "장바구니", "주문수", "매출액"]
ALL_FILES = [name for info in SAMPLES.values() for name in info.files]


@dataclass(frozen=True)
class Generated:
    """One generation run: where the files are and how long writing all of them took."""

    folder: Path
    seconds: float


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    folder = tmp_path_factory.mktemp("samples")
    started = time.perf_counter()
    generate(folder)
    return Generated(folder, time.perf_counter() - started)


def sheet_rows(path: Path) -> list[tuple]:
    """All rows of the first sheet as values (dates come back as datetimes), blank rows included."""
    workbook = load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def csv_rows(path: Path, encoding: str) -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def as_date(value: object) -> date:
    assert isinstance(value, datetime), f"expected a date cell, got {value!r}"
    return value.date()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ----------------------------------------------------------------------------------------------------------------


class TestGeneration:
    def test_two_runs_give_identical_bytes(self, generated: Generated, tmp_path: Path) -> None:
        generate(tmp_path)
        for name in ALL_FILES:
            assert sha256(tmp_path / name) == sha256(generated.folder / name), f"{name} differs between runs"

    def test_generation_is_fast(self, generated: Generated) -> None:
        assert generated.seconds < 10, f"generation took {generated.seconds:.1f} s"

    @pytest.mark.parametrize("name", ALL_FILES)
    def test_file_size_is_reasonable(self, generated: Generated, name: str) -> None:
        size = (generated.folder / name).stat().st_size
        assert 1_000 < size < 3_000_000, f"{name} is {size:,} bytes"

    def test_workbook_metadata_is_pinned(self, generated: Generated) -> None:
        workbook = load_workbook(generated.folder / "deals.xlsx", read_only=True)
        try:
            assert workbook.properties.created == workbook.properties.modified == datetime(2026, 11, 1, 9, 0, 0)
        finally:
            workbook.close()

    def test_ensure_samples_writes_only_what_is_missing(self, generated: Generated, tmp_path: Path) -> None:
        for name in ALL_FILES:
            shutil.copy(generated.folder / name, tmp_path / name)
        (tmp_path / "leads.csv").write_bytes(b"kept as is")
        (tmp_path / "nps_answers.xlsx").unlink()
        generator = Path(make_samples.__file__).read_bytes()
        (tmp_path / ".generator-sha256").write_text(hashlib.sha256(generator).hexdigest(), encoding="ascii")

        paths = ensure_samples(tmp_path)

        assert paths == {sid: [tmp_path / name for name in info.files] for sid, info in SAMPLES.items()}
        assert (tmp_path / "leads.csv").read_bytes() == b"kept as is"
        assert sha256(tmp_path / "nps_answers.xlsx") == sha256(generated.folder / "nps_answers.xlsx")

    def test_ensure_samples_rewrites_everything_after_a_generator_change(
        self, generated: Generated, tmp_path: Path
    ) -> None:
        for name in ALL_FILES:
            shutil.copy(generated.folder / name, tmp_path / name)
        (tmp_path / "leads.csv").write_bytes(b"from an older generator")
        (tmp_path / ".generator-sha256").write_text("0" * 64, encoding="ascii")

        ensure_samples(tmp_path)

        assert sha256(tmp_path / "leads.csv") == sha256(generated.folder / "leads.csv")

    @pytest.mark.parametrize("sample_id", list(SAMPLES))
    def test_sample_info_is_complete(self, sample_id: str) -> None:
        info = SAMPLES[sample_id]
        assert info.id == sample_id
        for text in (info.name, info.description):
            assert set(text) == {"en", "ko"} and all(value.strip() for value in text.values())
        assert info.goal_id and len(info.files) == 2
        assert len(set(ALL_FILES)) == len(ALL_FILES)


# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shop:
    """The order list split into its parts, and the daily report keyed by (day, channel)."""

    title_rows: list[tuple]
    lines: list[tuple]
    total_row: tuple
    daily: dict[tuple[date, str], dict[str, object]]


@pytest.fixture(scope="module")
def shop(generated: Generated) -> Shop:
    rows = sheet_rows(generated.folder / "shop_orders.xlsx")
    assert list(rows[2]) == ORDER_HEADER
    daily_rows = sheet_rows(generated.folder / "shop_daily_channels.xlsx")
    assert list(daily_rows[0]) == DAILY_HEADER
    daily = {(as_date(row[0]), row[1]): dict(zip(DAILY_HEADER, row, strict=True)) for row in daily_rows[1:]}
    return Shop(rows[:3], rows[3:-1], rows[-1], daily)


def net_by_order(lines: list[tuple]) -> dict[str, int]:
    net: dict[str, int] = defaultdict(int)
    for line in lines:
        net[line[0]] += line[7]
    return net


class TestOnlineShop:
    def test_title_blank_row_and_total_row(self, shop: Shop) -> None:
        assert shop.title_rows[0][0] == "2026년 주문 내역 (자사몰)"
        assert all(value is None for value in shop.title_rows[1])
        assert shop.total_row[0] == "합계"
        assert shop.total_row[5] == sum(line[5] for line in shop.lines)
        assert shop.total_row[7] == sum(line[7] for line in shop.lines)

    def test_line_count_and_date_range(self, shop: Shop) -> None:
        assert 8_000 <= len(shop.lines) <= 15_000
        days = {as_date(line[1]) for line in shop.lines}
        assert min(days) == FIRST_DAY and max(days) == LAST_DAY

    def test_returns_are_negative_lines_of_an_earlier_order(self, shop: Shop) -> None:
        originals = {(line[0], line[3]): line for line in shop.lines if not line[0].startswith("R-")}
        returns = [line for line in shop.lines if line[0].startswith("R-")]
        assert 0.02 < len(returns) / len(shop.lines) < 0.08
        for line in returns:
            original = originals[(line[0][2:], line[3])]
            assert line[5] == -original[5] and line[7] == -original[7]
            assert (line[2], line[8], line[9]) == (original[2], original[8], original[9])
            assert as_date(original[1]) <= as_date(line[1]) <= as_date(original[1]) + timedelta(days=14)

    def test_amounts_are_whole_won_and_never_above_list_price(self, shop: Shop) -> None:
        for line in shop.lines:
            assert all(isinstance(line[column], int) for column in (5, 6, 7))
            assert abs(line[7]) <= abs(line[5]) * line[6]

    def test_daily_orders_and_revenue_match_the_order_lines(self, shop: Shop) -> None:
        net = net_by_order(shop.lines)
        orders: Counter[tuple[date, str]] = Counter()
        revenue: dict[tuple[date, str], int] = defaultdict(int)
        seen: set[str] = set()
        for line in shop.lines:
            key = (as_date(line[1]), line[8])
            revenue[key] += line[7]
            if net[line[0]] > 0 and line[0] not in seen:
                seen.add(line[0])
                orders[key] += 1
        assert len(shop.daily) == 184 * 4
        for key, row in shop.daily.items():
            assert row["주문수"] == orders[key], key
            assert row["매출액"] == revenue[key], key

    def test_daily_funnel_is_ordered_and_organic_has_no_ad_cost(self, shop: Shop) -> None:
        for (_, channel), row in shop.daily.items():
            assert row["방문자수"] >= row["장바구니"] >= row["주문수"] >= 0
            assert row["방문자수"] >= row["회원가입"]
            if channel in ("이메일", "자연유입"):
                assert row["노출수"] == row["클릭수"] == row["광고비"] == 0
            else:
                assert row["노출수"] > row["클릭수"] >= row["방문자수"] and row["광고비"] > 0

    def test_repeat_purchase_rate_is_realistic(self, shop: Shop) -> None:
        net = net_by_order(shop.lines)
        orders_per_customer: dict[str, set[str]] = defaultdict(set)
        for line in shop.lines:
            if net[line[0]] > 0:
                orders_per_customer[line[2]].add(line[0])
        repeaters = sum(1 for orders in orders_per_customer.values() if len(orders) >= 2)
        assert 0.20 <= repeaters / len(orders_per_customer) <= 0.30

    def test_checkout_bug_week_shows_a_conversion_leak(self, shop: Shop) -> None:
        def conversion(first: date) -> float:
            days = [first + timedelta(days=n) for n in range(7)]
            rows = [row for (day, _), row in shop.daily.items() if day in days]
            return sum(row["주문수"] for row in rows) / sum(row["방문자수"] for row in rows)

        before = (conversion(date(2026, 9, 21)) + conversion(date(2026, 9, 28))) / 2
        assert conversion(date(2026, 10, 5)) < 0.8 * before


# ----------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def subscribers(generated: Generated) -> list[list[str]]:
    return csv_rows(generated.folder / "subscribers.csv", "utf-8-sig")


class TestSubscription:
    def test_csv_is_written_the_way_excel_writes_it(self, generated: Generated) -> None:
        raw = (generated.folder / "subscribers.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        assert raw.count(b"\r\n") == raw.count(b"\n")

    def test_subscriber_rows(self, subscribers: list[list[str]]) -> None:
        header, rows = subscribers[0], subscribers[1:]
        assert header == ["고객번호", "가입일", "요금제", "월요금", "가입경로", "첫로그인", "해지여부"]
        assert 2_700 <= len(rows) <= 3_300
        assert len({row[0] for row in rows}) == len(rows)
        fees = {"베이직": "9900", "스탠다드": "14900", "프리미엄": "19900"}
        for row in rows:
            assert FIRST_DAY <= date.fromisoformat(row[1]) <= LAST_DAY
            assert fees[row[2]] == row[3]
            assert row[5] in ("Y", "N") and row[6] in ("예", "아니오")

    def test_churn_rate_is_realistic(self, subscribers: list[list[str]]) -> None:
        rows = subscribers[1:]
        assert 0.08 <= sum(row[6] == "예" for row in rows) / len(rows) <= 0.15

    def test_nps_answers(self, generated: Generated, subscribers: list[list[str]]) -> None:
        rows = sheet_rows(generated.folder / "nps_answers.xlsx")
        assert list(rows[0]) == ["응답일", "고객번호", "추천의향", "코멘트"]
        answers = rows[1:]
        assert len(answers) == 800
        signed_up = {row[0]: date.fromisoformat(row[1]) for row in subscribers[1:]}
        for answered, customer, score, _ in answers:
            assert customer in signed_up
            assert signed_up[customer] < as_date(answered) <= LAST_DAY
            assert isinstance(score, int) and 0 <= score <= 10
        scores = [row[2] for row in answers]
        nps = 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)
        assert 10 <= nps <= 30


# ----------------------------------------------------------------------------------------------------------------


class TestB2BLeads:
    def test_leads_and_deals_join_on_lead_id(self, generated: Generated) -> None:
        leads = csv_rows(generated.folder / "leads.csv", "utf-8")
        assert leads[0] == ["lead_id", "created_date", "source", "campaign", "company_size", "status"]
        created = {row[0]: datetime.strptime(row[1], "%Y-%m-%d %H:%M").date() for row in leads[1:]}
        assert len(created) == len(leads) - 1 and 1_800 <= len(created) <= 2_200

        deals = sheet_rows(generated.folder / "deals.xlsx")
        assert list(deals[0]) == ["lead_id", "won_date", "deal_value", "owner"]
        won = {row[0]: row for row in deals[1:]}
        assert len(won) == len(deals) - 1
        for lead_id, won_date, value, owner in deals[1:]:
            assert lead_id in created
            assert created[lead_id] <= as_date(won_date) <= LAST_DAY
            assert isinstance(value, int) and value > 0 and owner
        assert {row[0] for row in leads[1:] if row[5] == "Won"} == set(won)
        assert 0.08 <= len(won) / len(created) <= 0.12


@pytest.mark.parametrize("sample_id", list(SAMPLES))
def test_suggested_goal_exists_in_the_catalog(sample_id: str) -> None:
    from metrics.catalog import load_catalog

    assert SAMPLES[sample_id].goal_id in {goal.id for goal in load_catalog().goals}
