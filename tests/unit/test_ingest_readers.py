"""Stage 2 of ingest: bytes → RawSheets, checked against the csv module and openpyxl read independently."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from metrics.ingest import fetch, ingest, readers
from metrics.ingest.model import Issue, Limits, RawSheet
from tests.conftest import xlsx_bytes
from tests.unit import hostile

KOSIS = "korean_kosis/국가_대륙_별_상품군별_온라인쇼핑_해외직접판매액_202002.csv"
FACEBOOK = "facebook_ads/KAG_conversion_data.csv"


def _read(data: bytes, filename: str, limits: Limits | None = None) -> tuple[list[RawSheet], list[Issue]]:
    return readers.read(data, filename, limits or Limits())


def _only_sheet(data: bytes, filename: str) -> tuple[RawSheet, list[Issue]]:
    sheets, issues = _read(data, filename)
    assert len(sheets) == 1, issues
    return sheets[0], issues


def _rows(sheet: RawSheet) -> list[list[object]]:
    return sheet.cells.values.tolist()


def _assert_frame_contract(sheet: RawSheet) -> None:
    assert list(sheet.cells.columns) == list(range(sheet.cells.shape[1]))
    assert list(sheet.cells.index) == list(range(len(sheet.cells)))
    assert all(str(dtype) == "object" for dtype in sheet.cells.dtypes)


class TestRealCsv:
    @pytest.mark.parametrize(("relative", "encoding"), [(KOSIS, "cp949"), (FACEBOOK, "utf-8-sig")])
    def test_cells_equal_the_csv_module(self, realdata: Path, relative: str, encoding: str) -> None:
        data = (realdata / relative).read_bytes()
        expected = list(csv.reader(io.StringIO(data.decode(encoding), newline="")))
        sheet, issues = _only_sheet(data, Path(relative).name)
        _assert_frame_contract(sheet)
        assert _rows(sheet) == expected
        assert [i for i in issues if i.severity != "info"] == []

    def test_kosis_korean_header_survives(self, realdata: Path) -> None:
        sheet, _ = _only_sheet((realdata / KOSIS).read_bytes(), "kosis.csv")
        assert sheet.cells.iat[0, 0] == "국가(대륙)별" and sheet.cells.iat[0, 26] == "2019 4/4 p)"

    def test_bom_and_crlf_do_not_leak_into_cells(self, realdata: Path) -> None:
        sheet, _ = _only_sheet((realdata / FACEBOOK).read_bytes(), "fb.csv")
        assert sheet.cells.iat[0, 0] == "ad_id"
        assert not any(str(v).endswith("\r") for v in sheet.cells.iloc[:, -1])


class TestMadeCsv:
    def test_utf16_tab_export(self) -> None:
        rows = [["날짜", "매출액", "채널"], ["2024-03-01", "1200000", "네이버"], ["2024-03-02", "990000", "카카오"]]
        sheet, issues = _only_sheet(hostile.utf16_csv(rows), "export.txt")
        assert _rows(sheet) == rows and issues == []

    def test_semicolon_and_decimal_comma(self) -> None:
        data = "Datum;Umsatz;Klicks\n01.03.2024;1.234,50;12\n02.03.2024;99,9;7\n".encode("cp1252")
        sheet, issues = _only_sheet(data, "umsatz.csv")
        assert _rows(sheet) == [["Datum", "Umsatz", "Klicks"], ["01.03.2024", "1.234,50", "12"],
                                ["02.03.2024", "99,9", "7"]]
        assert sheet.decimal == ","
        assert [i.code for i in issues] == ["decimal_comma"]

    @pytest.mark.parametrize(("text", "delimiter"), [
        ("a,b,c\n1,2,3\n", ","), ("a;b;c\n1;2;3\n", ";"), ("a\tb\tc\n1\t2\t3\n", "\t"), ("a|b|c\n1|2|3\n", "|"),
        ('name,note\n"Kim, J","x;y;z"\n"Lee, K","p;q;r"\n', ","),
    ])
    def test_delimiter_sniffing(self, text: str, delimiter: str) -> None:
        assert readers.sniff(text, "utf-8").delimiter == delimiter
        sheet, _ = _only_sheet(text.encode(), "f.csv")
        assert _rows(sheet) == list(csv.reader(io.StringIO(text), delimiter=delimiter))

    def test_point_decimal_with_semicolons_stays_point(self) -> None:
        assert readers.sniff("a;b\n1.5;2.25\n3.75;4.5\n", "utf-8").decimal == "."

    def test_ragged_rows_are_reported_and_never_shifted(self) -> None:
        sheet, issues = _only_sheet(b"date,channel,revenue\n2024-01-01,naver,100\n2024-01-02,kakao\n"
                                    b"2024-01-03,google,300,oops\n", "ragged.csv")
        assert _rows(sheet) == [["date", "channel", "revenue", ""], ["2024-01-01", "naver", "100", ""],
                                ["2024-01-02", "kakao", "", ""], ["2024-01-03", "google", "300", "oops"]]
        assert [(i.severity, i.row, i.code) for i in issues] == [("warning", 3, "ragged_row"), ("warning", 4, "ragged_row")]
        assert "2 fields" in issues[0].message and "4 fields" in issues[1].message and "ragged.csv" in issues[0].message

    def test_many_ragged_rows_end_in_one_summary(self) -> None:
        data = ("a,b,c\n" + "1,2,3\n" * 40 + "1,2\n" * 30).encode()
        _, issues = _only_sheet(data, "r.csv")
        assert len(issues) == 21 and issues[-1].rows_affected == 10

    def test_quoted_delimiters_and_line_breaks_are_not_ragged(self) -> None:
        text = 'a,b\n"x, y","two\nlines"\n3,4\n'
        sheet, issues = _only_sheet(text.encode(), "q.csv")
        assert _rows(sheet) == [["a", "b"], ["x, y", "two\nlines"], ["3", "4"]] and issues == []

    def test_blank_lines_keep_row_numbers(self) -> None:
        sheet, _ = _only_sheet(b"a,b\n\n1,2\n", "b.csv")
        assert _rows(sheet)[2] == ["1", "2"] and all(v in ("", None) for v in _rows(sheet)[1])

    def test_header_only_csv_is_passed_on_then_layout_says_no_data(self) -> None:
        sheet, issues = _only_sheet(b"date,revenue\n", "h.csv")
        assert _rows(sheet) == [["date", "revenue"]] and issues == []
        result = ingest(b"date,revenue\n", "h.csv")
        assert result.sources == [] and any(i.severity == "error" for i in result.all_issues())

    def test_blank_only_text_is_one_error(self) -> None:
        sheets, issues = _read(b"\n\n  \n", "blank.csv")
        assert sheets == [] and [i.code for i in issues] == ["empty"]

    def test_row_cap(self) -> None:
        data = ("n\n" + "".join(f"{i}\n" for i in range(10))).encode()
        sheets, issues = _read(data, "n.csv", Limits(max_rows=4))
        assert _rows(sheets[0]) == [["n"], ["0"], ["1"], ["2"]]
        assert [i.code for i in issues] == ["rows_truncated"]

    def test_latin1_fallback_is_flagged(self) -> None:
        sheet, issues = _only_sheet("ville,prix\nZürich\xa0,3\n".encode("latin-1"), "x.csv")
        assert sheet.cells.iat[1, 0] == "Zürich\xa0" and [i.code for i in issues] == ["encoding_guess"]

    def test_text_named_xls_is_read_as_text(self) -> None:
        sheet, _ = _only_sheet(b"a\tb\n1\t2\n", "erp_export.xls")
        assert _rows(sheet) == [["a", "b"], ["1", "2"]]


class TestWorkbooks:
    @pytest.mark.parametrize("relative", ["google_sheets/PD 2021 Wk 3 Input.xlsx", "korean_sales/매출데이터.xlsx"])
    def test_every_sheet_matches_openpyxl(self, realdata: Path, relative: str) -> None:
        from openpyxl import load_workbook

        data = (realdata / relative).read_bytes()
        sheets, issues = _read(data, Path(relative).name)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        assert [s.name for s in sheets] == workbook.sheetnames and len(sheets) > 1
        for sheet in sheets:
            _assert_frame_contract(sheet)
            expected = [list(r) for r in workbook[sheet.name].iter_rows(values_only=True)]
            expected = [r for r in expected if any(v is not None for v in r)]
            got = [[None if v == "" else v for v in row] for row in _rows(sheet)]
            assert len(got) == len(expected), sheet.name
            assert got[0][: len(expected[0])] == expected[0], sheet.name
        assert issues == []

    def test_values_types_and_positions(self) -> None:
        import datetime as dt

        when = dt.datetime(2024, 3, 1, 9, 30)
        data = xlsx_bytes({"S": [[None, None, None], [None, "채널", 1200], [None, True, when]]})
        sheet, _ = _only_sheet(data, "t.xlsx")
        assert _rows(sheet) == [["", "", ""], ["", "채널", 1200.0], ["", True, when]]

    def test_merged_ranges(self) -> None:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.append(["Q1", None, None, "Q2"])
        sheet.append(["jan", "feb", "mar", "apr"])
        sheet.merge_cells("A1:C1")
        buffer = io.BytesIO()
        workbook.save(buffer)
        raw, _ = _only_sheet(buffer.getvalue(), "m.xlsx")
        assert raw.merged == [(0, 0, 0, 2)]

    def test_empty_sheets_are_skipped_and_an_empty_workbook_is_one_error(self) -> None:
        sheets, _ = _read(xlsx_bytes({"Empty": [], "Data": [["a"], [1]]}), "w.xlsx")
        assert [s.name for s in sheets] == ["Data"]
        sheets, issues = _read(xlsx_bytes({"Empty": []}), "w.xlsx")
        assert sheets == [] and [i.code for i in issues] == ["no_data"]

    def test_workbook_renamed_csv_is_read_as_workbook(self) -> None:
        sheet, _ = _only_sheet(xlsx_bytes({"S": [["a", "b"], [1, 2]]}), "renamed.csv")
        assert _rows(sheet) == [["a", "b"], [1.0, 2.0]]

    def test_row_cap(self) -> None:
        sheets, issues = _read(xlsx_bytes({"S": [[i] for i in range(10)]}), "n.xlsx", Limits(max_rows=4))
        assert _rows(sheets[0]) == [[0.0], [1.0], [2.0], [3.0]] and [i.code for i in issues] == ["rows_truncated"]

    def test_encrypted_xls_is_refused_by_the_reader_too(self) -> None:
        sheets, issues = _read(hostile.encrypted_xls(), "old.xls")
        assert sheets == [] and [i.code for i in issues] == ["encrypted"]

    def test_legacy_xls(self) -> None:
        """A real BIFF8 .xls (written by xlwt, as old Excel did): every sheet read, Korean text and numbers intact."""
        import datetime as dt

        import xlwt

        workbook = xlwt.Workbook(encoding="utf-8")
        sales = workbook.add_sheet("매출")
        for col, header in enumerate(["날짜", "채널", "매출액"]):
            sales.write(0, col, header)
        date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
        sales.write(1, 0, dt.date(2024, 3, 1), date_style)
        sales.write(1, 1, "검색광고")
        sales.write(1, 2, 1234000)
        workbook.add_sheet("메모").write(0, 0, "참고")
        buffer = io.BytesIO()
        workbook.save(buffer)
        sheets, issues = _read(buffer.getvalue(), "old.xls")
        assert [s.name for s in sheets] == ["매출", "메모"]
        assert not [i for i in issues if i.severity == "error"]
        rows = _rows(sheets[0])
        assert rows[0] == ["날짜", "채널", "매출액"]
        assert rows[1][1:] == ["검색광고", 1234000.0]
        assert pd.Timestamp(rows[1][0]) == pd.Timestamp("2024-03-01")


class TestGoogleSheets:
    ID = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-xyz"

    @pytest.mark.parametrize(("url", "expected"), [
        (f"https://docs.google.com/spreadsheets/d/{ID}/edit#gid=123",
         f"https://docs.google.com/spreadsheets/d/{ID}/export?format=csv&gid=123"),
        (f"https://docs.google.com/spreadsheets/d/{ID}/edit?usp=sharing",
         f"https://docs.google.com/spreadsheets/d/{ID}/export?format=csv"),
        (f"https://docs.google.com/spreadsheets/d/{ID}/edit?gid=7#gid=7",
         f"https://docs.google.com/spreadsheets/d/{ID}/export?format=csv&gid=7"),
        (f"https://docs.google.com/spreadsheets/u/0/d/{ID}/view#gid=0",
         f"https://docs.google.com/spreadsheets/d/{ID}/export?format=csv&gid=0"),
        (f"  https://docs.google.com/spreadsheets/d/{ID}  ",
         f"https://docs.google.com/spreadsheets/d/{ID}/export?format=csv"),
        (f"https://docs.google.com/spreadsheets/d/e/{ID}/pubhtml?gid=55&single=true",
         f"https://docs.google.com/spreadsheets/d/e/{ID}/pub?output=csv&gid=55"),
        ("https://evil.example.com/spreadsheets/d/abcdefghijkl/edit", None),
        ("https://docs.google.com.evil.example/spreadsheets/d/abcdefghijkl/edit", None),
        ("https://docs.google.com/document/d/abcdefghijkl/edit", None),
        ("file:///etc/passwd", None),
    ])
    def test_csv_export_url(self, url: str, expected: str | None) -> None:
        assert fetch.google_sheet_csv_url(url) == expected

    def test_non_google_link_is_refused_without_a_request(self) -> None:
        data, _, issues = fetch.fetch_google_sheet("http://127.0.0.1:9/x.csv", 1.0, 1000)
        assert data is None and [i.code for i in issues] == ["not_google_sheet"]

    def test_offline_is_one_clear_sentence(self) -> None:
        data, issues = fetch.download("http://127.0.0.1:9/", 2.0, 1000, "sheet.csv")
        assert data is None and [i.code for i in issues] == ["offline"]
        assert issues[0].message.startswith("Could not reach Google Sheets") and "\n" not in issues[0].message


class TestNothingRaises:
    """Bad input becomes an issue, never an exception: property tests over messy text files."""

    CELL = __import__("hypothesis").strategies.text(alphabet='ab1,;"\t\r\n x한', max_size=6)

    @staticmethod
    def _csv(rows: list[list[str]], delimiter: str, newline: str) -> str:
        return newline.join(delimiter.join(row) for row in rows)

    def test_random_delimited_text(self) -> None:
        from hypothesis import given, settings
        from hypothesis import strategies as st

        @settings(max_examples=300, deadline=None)
        @given(
            rows=st.lists(st.lists(self.CELL, min_size=1, max_size=4), min_size=1, max_size=6),
            delimiter=st.sampled_from([",", ";", "\t", "|"]),
            newline=st.sampled_from(["\n", "\r\n", "\r"]),
            encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp949"]),
            name=st.sampled_from(["r.csv", "r.tsv", "r.txt"]),
        )
        def check(rows: list[list[str]], delimiter: str, newline: str, encoding: str, name: str) -> None:
            result = ingest(self._csv(rows, delimiter, newline).encode(encoding), name)
            assert result.ok or result.issues  # either a table or a reason, never an exception

        check()

    def test_random_bytes(self) -> None:
        from hypothesis import given, settings
        from hypothesis import strategies as st

        @settings(max_examples=200, deadline=None)
        @given(data=st.binary(max_size=300), name=st.sampled_from(["x.csv", "x.xlsx", "x.xls", "x.txt"]))
        def check(data: bytes, name: str) -> None:
            result = ingest(data, name)
            assert result.ok or result.issues

        check()

    def test_a_lone_carriage_return_inside_a_quoted_line(self) -> None:
        """Old Mac line ends inside a line with quotes made the csv module raise; now it is read."""
        result = ingest(b'name,amount\n"a"b,1\rx,2\n"c",3\n', "mac.csv")
        assert result.ok


def test_an_unexpected_failure_is_one_sentence_naming_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from metrics.ingest import layout

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(layout, "build_sources", broken)
    result = ingest(b"a,b\n1,2\n", "weekly.csv")
    assert not result.ok
    assert [(i.severity, i.code) for i in result.issues] == [("error", "internal")]
    assert "weekly.csv could not be read" in result.issues[0].message
