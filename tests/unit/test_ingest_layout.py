"""Layout: header found under titles, two-row headers joined, totals and blanks set aside, wide sheets unpivoted,
sheets stacked or joined — and every row below the header accounted for."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pytest

from metrics.ingest.layout import build_sources
from metrics.ingest.model import IngestOptions, RawSheet, Source


def sheet(rows: Sequence[Sequence[object]], name: str | None = "Sheet1", merged: list | None = None) -> RawSheet:
    width = max(len(r) for r in rows)
    cells = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows], dtype=object)
    return RawSheet(name, cells, merged=merged or [])


def one(*sheets: RawSheet, options: IngestOptions | None = None, filename: str = "report.xlsx") -> Source:
    sources, issues = build_sources(list(sheets), filename, options or IngestOptions())
    assert len(sources) == 1, issues
    source = sources[0]
    assert source.rows_read == source.rows_used + len(source.set_aside)
    return source


def codes(source: Source) -> set[str]:
    return {i.code for i in source.issues}


ORDERS = [["날짜", "채널", "매출액", "주문수"], ["2024-03-01", "검색", "1,000", 2], ["2024-03-02", "SNS", "2,500", 3]]


class TestHeader:
    def test_title_and_note_rows_above_the_header(self) -> None:
        source = one(sheet([["3월 매출 보고서"], ["단위: 원"], [], *ORDERS]))
        assert source.header_row == 4
        assert source.rows_read == 2
        assert "title_rows" in codes(source)
        assert source.roles["revenue"] == "매출액"
        assert source.table["매출액"].tolist() == [1000.0, 2500.0]

    def test_user_header_row_wins(self) -> None:
        source = one(sheet([["a", "b"], ["x", "y"], ["1", "2"]]), options=IngestOptions(header_row=2))
        assert list(source.table.columns) == ["x", "y"]
        assert source.rows_read == 1

    def test_two_row_header_is_joined_top_dash_sub(self) -> None:
        rows = [["Date", "New", None, "Existing", None], [None, "Saddles", "Bags", "Saddles", "Bags"],
                ["2021-01-01", 1, 2, 3, 4], ["2021-02-01", 5, 6, 7, 8]]
        source = one(sheet(rows, merged=[(0, 1, 0, 2), (0, 3, 0, 4)]))
        assert "two_row_header" in codes(source)
        # 'Group - Item' columns are then unpivoted: 2 sheet rows × 4 columns
        assert sorted(source.table["Group"].unique()) == ["Existing", "New"]
        assert source.table["Value"].sum() == sum(range(1, 9))
        assert source.layout == "wide"

    def test_duplicate_and_blank_headers_are_made_unique_and_reported(self) -> None:
        source = one(sheet([["a", "a", None], [1, 2, 3], [4, 5, 6]]))
        assert list(source.table.columns) == ["a", "a (2)", "Column C"]
        assert {"duplicate_header", "blank_header"} <= codes(source)


class TestRowsSetAside:
    def test_total_rows_set_aside_with_reason_and_count(self) -> None:
        rows = [["지역", "매출"], ["서울", 10], ["부산", 20], ["소계", 30], ["대구", 5], ["합계", 35], ["Grand total", 35]]
        source = one(sheet(rows))
        assert source.rows_read == 6
        assert source.rows_used == 3
        assert source.set_aside["row"].tolist() == [4, 6, 7]
        assert set(source.set_aside["reason"]) == {"total row"}
        [issue] = [i for i in source.issues if i.code == "total_row"]
        assert issue.rows_affected == 3
        assert source.table["매출"].sum() == 35

    def test_blank_separator_rows_and_notes_under_the_table(self) -> None:
        rows = [["date", "sessions", "orders"], ["2024-01-01", 10, 1], [], ["2024-01-02", 20, 2], [],
                ["※ 자료: 내부 집계"]]
        source = one(sheet(rows))
        assert source.rows_read == 5
        assert sorted(source.set_aside["reason"]) == ["blank row", "blank row", "note row"]
        assert source.table["sessions"].tolist() == [10.0, 20.0]


class TestWide:
    def test_periods_as_columns_unpivoted_to_aggregate(self) -> None:
        rows = [["지역", "2019 3/4", "2019 4/4 p)", "2020 1/4"], ["합계", 30, 40, 50], ["서울", 10, "-", 20],
                ["부산", 20, 25, 30]]
        source = one(sheet(rows, name=None), filename="지역별_매출액.csv")
        assert source.layout == "wide"
        assert source.grain == "aggregate"
        assert (source.rows_read, source.rows_used, len(source.set_aside)) == (3, 2, 1)
        assert len(source.table) == 6
        assert source.roles["revenue"] == "매출액"
        assert source.roles["date"] == "period"
        assert source.table["매출액"].sum() == 10 + 20 + 20 + 25 + 30
        assert source.table["매출액"].isna().sum() == 1
        assert source.table["period"].min() == pd.Timestamp(2019, 7, 1)
        assert {"unpivot", "preliminary", "total_row"} <= codes(source)


class TestSheets:
    def test_data_sheet_found_among_notes(self) -> None:
        notes = sheet([["이 파일은 3월 보고서입니다"]], name="설명")
        source = one(notes, sheet(ORDERS, name="데이터"))
        assert source.sheet == "데이터"
        assert source.sheets == ["설명", "데이터"]

    def test_sheet_option_forces_a_sheet(self) -> None:
        other = sheet([["x", "y"], [1, 2], [3, 4], [5, 6]], name="Other")
        source = one(other, sheet(ORDERS, name="Orders"), options=IngestOptions(sheet="Orders"))
        assert source.sheet == "Orders"

    def test_unknown_sheet_is_an_error_issue(self) -> None:
        sources, issues = build_sources([sheet(ORDERS)], "f.xlsx", IngestOptions(sheet="Nope"))
        assert sources == []
        assert issues[0].severity == "error" and "Nope" in issues[0].message

    def test_same_columns_are_stacked_with_a_sheet_column(self) -> None:
        source = one(sheet(ORDERS, name="Seoul"), sheet(ORDERS, name="Busan"))
        assert len(source.table) == 4
        assert source.table["Sheet"].tolist() == ["Seoul", "Seoul", "Busan", "Busan"]
        assert "stacked_sheets" in codes(source)
        assert source.rows_read == 4

    def test_lookup_sheet_joined_and_duplicate_key_reported(self) -> None:
        sales = sheet([["주문번호", "날자", "제품명", "수량"], [1, "2024-03-01", "빵", 2], [2, "2024-03-01", "우유", 1],
                       [3, "2024-03-02", "빵", -1]], name="매출")
        products = sheet([["제품명", "단가"], ["빵", 3000], ["우유", 1500], ["빵", 9999]], name="제품")
        source = one(products, sales)
        assert source.sheet == "매출"
        assert source.grain == "line"
        assert source.roles["date"] == "날자"
        revenue = source.table[source.roles["revenue"]]
        assert revenue.sum() == 2 * 3000 + 1500 - 3000
        [dup] = [i for i in source.issues if i.code == "duplicate_key"]
        assert "빵" in dup.message and "row 2" in dup.message and dup.severity == "warning"


@pytest.mark.parametrize(
    "rows",
    [
        [["only"]],
        [["a", "b"]],
        [[None, None], [None, None]],
        [["a", "b"], [None, None], ["합계", 1]],
    ],
)
def test_tiny_or_empty_sheets_never_raise(rows: list[list[object]]) -> None:
    sources, issues = build_sources([sheet(rows)], "x.csv", IngestOptions())
    for source in sources:
        assert source.rows_read == source.rows_used + len(source.set_aside)
    assert sources or issues
