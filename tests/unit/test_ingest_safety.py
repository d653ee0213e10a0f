"""Stage 1 of ingest: hostile uploads end in one clear refusal (or a safe read), never an exception or a blow-up."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from metrics.ingest import ingest, safety
from metrics.ingest.model import Issue, Limits
from tests.conftest import REPO_ROOT, xlsx_bytes
from tests.unit import hostile


def _errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == "error"]


def _assert_one_refusal(issues: list[Issue], code: str, filename: str) -> Issue:
    errors = _errors(issues)
    assert len(errors) == 1, f"expected one refusal, got {[(i.code, i.message) for i in issues]}"
    (error,) = errors
    assert error.code == code, error.message
    assert filename in error.message, f"the message must name the file: {error.message!r}"
    assert error.message.endswith(".") and "\n" not in error.message
    return error


HOSTILE: list[tuple[str, Callable[[], bytes], str, str, str]] = [
    ("sparse bomb", hostile.sparse_bomb, "report.xlsx", "too_many_cells", "702,000,000 cells"),
    ("positional bomb", hostile.positional_bomb, "report.xlsx", "too_many_cells", "1,500,000 rows × 50 columns"),
    ("zip bomb", hostile.zip_bomb, "report.xlsx", "zip_bomb", "zip bomb"),
    ("too many zip entries", hostile.many_entries, "report.xlsx", "zip_entries", "2,5"),
    ("billion laughs in sheet", lambda: hostile.billion_laughs("sheet"), "report.xlsx", "xml_entities", "Data"),
    ("billion laughs in strings", lambda: hostile.billion_laughs("sst"), "report.xlsx", "xml_entities", "entity"),
    ("encrypted xlsx", hostile.encrypted_ooxml, "report.xlsx", "encrypted", "password"),
    ("encrypted xls", hostile.encrypted_xls, "report.xls", "encrypted", "password"),
    ("not a zip", lambda: b"Date,Revenue\n2024-01-01,5\n", "report.xlsx", "not_zip", "zip"),
    ("empty file", lambda: b"", "report.csv", "empty", "0 bytes"),
    ("binary garbage csv", hostile.binary_garbage, "report.csv", "not_text", "binary"),
    ("binary garbage xlsx", hostile.binary_garbage, "report.xlsx", "not_zip", "zip"),
    ("truncated zip", lambda: hostile.dimension_bomb()[:200], "report.xlsx", "corrupt", "damaged"),
    ("exe", lambda: b"MZ\x90\x00", "setup.exe", "extension", ".xlsx"),
    ("html", lambda: b"<html><body>hi</body></html>", "page.html", "extension", ".csv"),
    ("html saved as xls", lambda: b"<html><table><tr><td>1</td></tr></table></html>", "export.xls",
     "html_as_excel", "web page"),
]


class TestRefusals:
    @pytest.mark.parametrize(("case", "build", "filename", "code", "fragment"), HOSTILE, ids=[h[0] for h in HOSTILE])
    def test_one_clear_refusal(self, case: str, build: Callable[[], bytes], filename: str, code: str,
                               fragment: str) -> None:
        error = _assert_one_refusal(safety.check(build(), filename, Limits()), code, filename)
        assert fragment in error.message

    @pytest.mark.parametrize(("case", "build", "filename", "code", "fragment"), HOSTILE, ids=[h[0] for h in HOSTILE])
    def test_ingest_returns_the_refusal_without_sources(self, case: str, build: Callable[[], bytes], filename: str,
                                                       code: str, fragment: str) -> None:
        result = ingest(build(), filename)
        assert result.sources == []
        assert [i.code for i in _errors(result.issues)] == [code]

    def test_too_large_upload(self) -> None:
        _assert_one_refusal(safety.check(b"a,b\n1,2\n" * 200, "big.csv", Limits(max_bytes=1000)), "too_large", "big.csv")

    def test_message_names_only_the_file_not_the_server_path(self) -> None:
        (error,) = safety.check(b"", "/srv/uploads/tmp123/weekly.csv", Limits())
        assert "weekly.csv" in error.message and "/srv" not in error.message


class TestDeclaredDimension:
    def test_absurd_declaration_is_read_safely_with_a_warning(self) -> None:
        issues = safety.check(hostile.dimension_bomb(), "report.xlsx", Limits())
        assert [(i.severity, i.code) for i in issues] == [("warning", "dimension_declared")]
        assert "1,048,576 rows × 16,384 columns" in issues[0].message and "1 × 2" in issues[0].message

    def test_honest_dimension_gives_no_issue(self) -> None:
        data = hostile.raw_xlsx(hostile.sheet_xml([("A1", 1), ("C4", 2)], dimension="A1:C4"))
        assert safety.check(data, "report.xlsx", Limits()) == []


class TestBoundingBoxScan:
    """The scan must find the real extent of the cells, or calamine's dense grid could exhaust memory."""

    @staticmethod
    def _wide_sheet() -> bytes:
        rows = [[f"h{c}" for c in range(30)], *[[r * 100 + c for c in range(30)] for r in range(39)]]
        return xlsx_bytes({"Wide": rows})  # 40 rows × 30 columns (A1:AD40), written by openpyxl

    @pytest.mark.parametrize(("limits", "code"), [
        (Limits(max_columns=29), "too_many_columns"),
        (Limits(max_rows=39), "too_many_rows"),
        (Limits(max_cells=40 * 30 - 1), "too_many_cells"),
    ])
    def test_limit_one_below_the_real_extent_refuses(self, limits: Limits, code: str) -> None:
        _assert_one_refusal(safety.check(self._wide_sheet(), "wide.xlsx", limits), code, "wide.xlsx")

    def test_limits_equal_to_the_real_extent_pass(self) -> None:
        limits = Limits(max_columns=30, max_rows=40, max_cells=1200)
        assert safety.check(self._wide_sheet(), "wide.xlsx", limits) == []

    def test_cell_far_below_its_row_element_is_found(self) -> None:
        sheet = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                 b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B999999"><v>1</v></c></row>'
                 b'<row r="3"><c r="A3"><v>1</v></c></row></sheetData></worksheet>')
        error = _assert_one_refusal(safety.check(hostile.raw_xlsx(sheet), "r.xlsx", Limits(max_rows=100_000)),
                                    "too_many_rows", "r.xlsx")
        assert "999,999" in error.message

    def test_refs_split_across_scan_chunks_are_found(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(safety, "_CHUNK", 7)
        data = hostile.raw_xlsx(hostile.sheet_xml([("A1", 1), ("B2", 2), ("AB3", 3)]))
        _assert_one_refusal(safety.check(data, "s.xlsx", Limits(max_columns=27)), "too_many_columns", "s.xlsx")
        assert safety.check(data, "s.xlsx", Limits(max_columns=28)) == []

    @pytest.mark.parametrize(("letters", "number"), [("A", 1), ("Z", 26), ("AA", 27), ("AZ", 52), ("XFD", 16384)])
    def test_column_number(self, letters: str, number: int) -> None:
        assert safety.column_number(letters) == number


class TestRealWorkbooksPass:
    @pytest.mark.parametrize("relative", [
        "online_retail/Online Retail.xlsx",
        "google_sheets/PD 2021 Wk 3 Input.xlsx",
        "korean_sales/매출데이터.xlsx",
        "nps_survey/NPS Input.xlsx",
        "korean_kosis/국가_대륙_별_상품군별_온라인쇼핑_해외직접판매액_202002.csv",
        "facebook_ads/KAG_conversion_data.csv",
    ])
    def test_no_issue(self, realdata: Path, relative: str) -> None:
        path = realdata / relative
        assert safety.check(path.read_bytes(), path.name, Limits()) == []


_MEMORY_PROBE = textwrap.dedent("""
    import json, resource, sys
    sys.path.insert(0, sys.argv[1])
    from metrics.ingest import ingest
    from tests.unit import hostile
    builders = {name: getattr(hostile, name) for name in sys.argv[2].split(",")}
    out = {}
    for name, build in builders.items():
        data = build()
        result = ingest(data, name + ".xlsx")
        del data
        out[name] = [i.code for i in result.all_issues() if i.severity != "info"][:3]
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))
""")


@pytest.mark.slow
def test_hostile_files_stay_under_1_5_gb_in_a_subprocess() -> None:
    """Runs full ingest on every hostile workbook in a fresh interpreter and reads its peak resident memory."""
    names = ("sparse_bomb,positional_bomb,zip_bomb,dimension_bomb,billion_laughs,many_entries,encrypted_ooxml,"
             "sparse_at_limit")
    completed = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(REPO_ROOT), names], capture_output=True,
                               text=True, timeout=240, check=False)
    assert completed.returncode == 0, completed.stderr[-2000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["max_rss_mb"] < 1536, report
    assert report["sparse_bomb"] == ["too_many_cells"]
    assert report["zip_bomb"] == ["zip_bomb"]
    assert "too_many_cells" not in report["sparse_at_limit"]  # 12M cells is allowed: it was really read
