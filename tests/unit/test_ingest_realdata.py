"""Every real public spreadsheet in ../shared/realdata goes in with the right header, grain, roles and row counts.

Expected figures are computed here independently: rows counted with the csv module or python-calamine directly,
sums with plain loops. Each trait listed in realdata/README.md is asserted as handled or reported by name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest

from metrics.ingest import IngestOptions, Source, ingest_path
from metrics.ingest.model import Issue


def load(path: Path, options: IngestOptions | None = None) -> tuple[Source, list[Issue]]:
    result = ingest_path(path, options)
    assert len(result.sources) == 1, result.issues
    source = result.sources[0]
    assert source.rows_read == source.rows_used + len(source.set_aside)
    assert all(i.file == path.name for i in result.all_issues())
    return source, result.all_issues()


def csv_rows(path: Path, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def calamine_rows(path: Path, sheet: str) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def issue(issues: list[Issue], code: str, column: str | None = None) -> Issue:
    found = [i for i in issues if i.code == code and (column is None or i.column == column)]
    assert found, f"no {code} issue for {column}: {[(i.code, i.column) for i in issues]}"
    return found[0]


@pytest.mark.slow
def test_online_retail(realdata: Path) -> None:
    path = realdata / "online_retail" / "Online Retail.xlsx"
    rows = calamine_rows(path, "Online Retail")[1:]
    source, issues = load(path)
    assert (source.grain, source.header_row, source.rows_read, source.rows_used) == ("line", 1, len(rows), len(rows))
    assert {
        "order_id": "InvoiceNo", "date": "InvoiceDate", "quantity": "Quantity", "unit_price": "UnitPrice",
        "customer_id": "CustomerID", "region": "Country", "product": "Description",
    }.items() <= source.roles.items()
    table = source.table
    # order ids mix numbers and text: kept as text, numbers without ".0"
    assert table["InvoiceNo"].dtype == "str"
    assert table["InvoiceNo"].iloc[0] == "536365"
    cancelled = sum(1 for r in rows if str(r[0]).startswith("C"))
    assert table["InvoiceNo"].str.startswith("C").sum() == cancelled > 0
    issue(issues, "mixed_id", "InvoiceNo")
    # negative quantities (returns) stay, and derived revenue nets them
    negatives = sum(1 for r in rows if r[3] < 0)
    assert (table["Quantity"] < 0).sum() == negatives > 0
    expected_revenue = sum(r[3] * r[5] for r in rows)
    assert table[source.roles["revenue"]].sum() == pytest.approx(expected_revenue)
    issue(issues, "derived_revenue")
    # ~18k blank customer ids: missing, reported; present ids are text without ".0"
    blanks = sum(1 for r in rows if r[6] in ("", None))
    assert table["CustomerID"].isna().sum() == blanks
    assert issue(issues, "missing_id", "CustomerID").rows_affected == blanks
    assert table["CustomerID"].dropna().iloc[0] == "17850"
    # dates were Excel serials: real datetimes now
    assert table["InvoiceDate"].dtype.kind == "M"
    assert table["InvoiceDate"].min() == pd.Timestamp(min(r[4] for r in rows))


def test_telco_churn(realdata: Path) -> None:
    path = realdata / "telco_churn" / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
    rows = csv_rows(path)
    source, issues = load(path)
    assert (source.grain, source.entity, source.header_row) == ("entity", "customer", 1)
    assert source.rows_read == source.rows_used == len(rows) == 7043
    assert source.roles["customer_id"] == "customerID"
    assert source.roles["churned"] == "Churn"
    assert source.roles["revenue"] == "MonthlyCharges"
    table = source.table
    assert table["Churn"].dtype == "bool"
    assert table["Churn"].sum() == sum(1 for r in rows if r["Churn"] == "Yes")
    assert table["MonthlyCharges"].sum() == pytest.approx(sum(float(r["MonthlyCharges"]) for r in rows))
    blanks = [i + 2 for i, r in enumerate(rows) if r["TotalCharges"].strip() == ""]
    warning = issue(issues, "bad_number", "TotalCharges")
    assert warning.severity == "warning" and warning.rows_affected == len(blanks) == 11
    assert warning.row == blanks[0]
    assert table["TotalCharges"].isna().sum() == 11
    # SeniorCitizen is 0/1 while the other flags are Yes/No: read as a flag like them
    issue(issues, "zero_one_flag", "SeniorCitizen")
    assert table["SeniorCitizen"].sum() == sum(1 for r in rows if r["SeniorCitizen"] == "1")
    assert table["Partner"].dtype == "bool"


@pytest.mark.parametrize(
    ("name", "entity", "date_column", "date_format"),
    [
        ("olist_marketing_qualified_leads_dataset.csv", "lead", "first_contact_date", "%d-%m-%Y"),
        ("olist_closed_deals_dataset.csv", "deal", "won_date", "%d-%m-%Y %H:%M"),
    ],
)
def test_olist_funnel(realdata: Path, name: str, entity: str, date_column: str, date_format: str) -> None:
    path = realdata / "olist_funnel" / name
    rows = csv_rows(path)
    assert b"\r\n" in path.read_bytes()[:2000]
    source, issues = load(path)
    assert (source.grain, source.entity, source.header_row) == ("entity", entity, 1)
    assert source.rows_read == source.rows_used == len(rows)
    assert source.roles["lead_id"] == "mql_id"
    assert source.roles["date"] == date_column
    expected = [dt.datetime.strptime(r[date_column], date_format) if r[date_column] else None for r in rows]
    got = source.table[date_column]
    assert got.min() == pd.Timestamp(min(d for d in expected if d))
    assert got.max() == pd.Timestamp(max(d for d in expected if d))
    assert got.isna().sum() == sum(1 for d in expected if d is None)
    assert "day-month-year" in issue(issues, "day_first", date_column).message
    if entity == "lead":
        assert source.roles["channel"] == "origin"
        assert source.table["origin"].isna().sum() == sum(1 for r in rows if not r["origin"].strip())


def test_facebook_ads(realdata: Path) -> None:
    path = realdata / "facebook_ads" / "KAG_conversion_data.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = csv_rows(path)
    source, _ = load(path)
    assert (source.grain, source.header_row, source.rows_read, source.rows_used) == ("aggregate", 1, len(rows), len(rows))
    assert list(source.table.columns)[0] == "ad_id"  # BOM stripped
    expected = {"impressions": "Impressions", "clicks": "Clicks", "cost": "Spent", "conversions": "Total_Conversion",
                "campaign": "xyz_campaign_id"}
    assert expected.items() <= source.roles.items()
    assert source.table["Spent"].sum() == pytest.approx(sum(float(r["Spent"]) for r in rows))
    assert (source.table["Clicks"] == 0).sum() == sum(1 for r in rows if r["Clicks"] == "0") == 207


def test_nps_survey(realdata: Path) -> None:
    path = realdata / "nps_survey" / "NPS Input.xlsx"
    sheets = {s: calamine_rows(path, s)[1:] for s in ("Airlines", "Prep Air")}
    source, issues = load(path)
    total = sum(len(r) for r in sheets.values())
    assert (source.grain, source.entity, source.header_row, source.rows_read) == ("entity", "answer", 1, total)
    assert source.roles["score"] == "How likely are you to recommend this airline?"
    assert source.roles["customer_id"] == "CustomerID"
    issue(issues, "stacked_sheets")
    assert source.table["Sheet"].value_counts().to_dict() == {k: len(v) for k, v in sheets.items()}
    mangled = sum(1 for rows in sheets.values() for r in rows if not isinstance(r[1], str))
    assert issue(issues, "mangled_id", "CustomerID").rows_affected == mangled > 0
    assert source.table["CustomerID"].dtype == "str"
    assert not source.table["CustomerID"].str.endswith(".0").any()
    score = source.table[source.roles["score"]]
    assert score.sum() == sum(r[2] for rows in sheets.values() for r in rows)


def test_google_sheets_stores(realdata: Path) -> None:
    path = realdata / "google_sheets" / "PD 2021 Wk 3 Input.xlsx"
    stores = ["Manchester", "London", "Leeds", "York", "Birmingham"]
    data = {s: calamine_rows(path, s) for s in stores}
    source, issues = load(path)
    sheet_rows = sum(len(rows) - 1 for rows in data.values())
    assert (source.grain, source.header_row, source.rows_read, source.rows_used) == ("aggregate", 1, sheet_rows,
                                                                                     sheet_rows)
    assert source.sheets == stores
    assert source.roles["date"] == "Date"
    issue(issues, "stacked_sheets")
    issue(issues, "unpivot_pairs")
    assert set(source.table["Sheet"]) == set(stores)
    assert set(source.table["Group"]) == {"New", "Existing"}
    expected = sum(v for rows in data.values() for r in rows[1:] for v in r[1:])
    assert source.table["Value"].sum() == pytest.approx(expected)
    london_new_saddles = sum(r[1] for r in data["London"][1:])
    picked = source.table[(source.table["Sheet"] == "London") & (source.table["Group"] == "New")
                          & (source.table["Item"] == "Saddles")]
    assert picked["Value"].sum() == london_new_saddles


def test_google_forms_survey(realdata: Path) -> None:
    path = realdata / "google_sheets" / "PD 2020W17 Survey.xlsx"
    rows = calamine_rows(path, "Form responses 1")
    source, _ = load(path)
    assert (source.grain, source.entity, source.header_row, source.rows_read) == ("entity", "answer", 1, len(rows) - 1)
    assert source.roles["date"] == "Timestamp"
    assert source.table["Timestamp"].iloc[0] == pd.Timestamp(rows[1][0])
    assert source.table["Timestamp"].iloc[0].microsecond == rows[1][0].microsecond > 0
    score = source.roles["score"]
    assert score.startswith("How would you rate")
    assert source.table[score].dropna().between(0, 10).all()


def test_korean_kosis(realdata: Path) -> None:
    path = next((realdata / "korean_kosis").glob("*.csv"))
    text = path.read_bytes().decode("cp949")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    totals = [r for r in body if any(c in ("합계", "계") for c in r[:3])]
    details = [r for r in body if r not in totals]
    source, issues = load(path)
    assert (source.grain, source.layout, source.header_row) == ("aggregate", "wide", 1)
    assert (source.rows_read, source.rows_used, len(source.set_aside)) == (len(body), len(details), len(totals))
    assert set(source.set_aside["reason"]) == {"total row"}
    assert issue(issues, "total_row").rows_affected == len(totals)
    issue(issues, "unpivot")
    issue(issues, "preliminary")
    assert source.roles["date"] == "period"
    assert source.table["period"].max() == pd.Timestamp(2019, 10, 1)
    revenue = source.table[source.roles["revenue"]]
    assert len(revenue) == len(details) * (len(header) - 3)
    assert revenue.sum() == sum(int(c) for r in details for c in r[3:] if c != "-")
    dashes = sum(1 for r in details for c in r[3:] if c == "-")
    assert revenue.isna().sum() == dashes
    assert issue(issues, "missing_token").rows_affected == dashes
    assert {"region", "product"} <= source.roles.keys()


@pytest.mark.slow
def test_korean_sales_workbook(realdata: Path) -> None:
    path = realdata / "korean_sales" / "매출데이터.xlsx"
    sales = calamine_rows(path, "매출")
    products = calamine_rows(path, "제품")[1:]
    source, issues = load(path)
    assert (source.sheet, source.grain, source.header_row) == ("매출", "line", 1)
    assert source.rows_read == source.rows_used == len(sales) - 1
    assert source.sheets == ["제품", "매출", "거래처"]
    assert source.roles["date"] == "날자"
    assert source.roles["quantity"] == "수량" and source.roles["unit_price"] == "단가"
    first_price: dict[str, float] = {}
    for name, _code, price, _category in products:
        first_price.setdefault(name, price)
    expected = sum(r[3] * first_price[r[2]] for r in sales[1:] if r[2] in first_price)
    assert source.table[source.roles["revenue"]].sum() == pytest.approx(expected)
    duplicate = issue(issues, "duplicate_key", "제품명")
    assert "다진 토마토" in duplicate.message and "first one" in duplicate.message
    assert duplicate.severity == "warning"
    assert source.roles["region"] == "지역"
    assert any(i.code == "lookup_join" and "거래처" in i.message for i in issues)


def test_no_issue_of_a_csv_names_a_sheet(realdata) -> None:
    """A CSV has no sheets; an issue must not say sheet "None" (the KOSIS file's missing-value note did)."""
    from metrics.ingest import ingest_path

    result = ingest_path(realdata / "korean_kosis" / "국가_대륙_별_상품군별_온라인쇼핑_해외직접판매액_202002.csv")
    assert {issue.sheet for issue in result.all_issues()} == {None}
