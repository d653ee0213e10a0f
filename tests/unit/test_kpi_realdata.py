"""KPIs on the real public files (ingested as a user would upload them) against figures computed independently from
the raw files with the csv module or openpyxl, following DESIGN.md's definitions by hand."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from metrics.dataset import Dataset
from metrics.ingest import ingest_path
from metrics.ingest.model import Source
from metrics.kpi import evaluate, report_kpis

REL = 1e-6


def sources(*paths: Path) -> list[Source]:
    found: list[Source] = []
    for path in paths:
        result = ingest_path(path)
        assert result.ok, [i.message for i in result.issues]
        found.extend(result.sources)
    return found


def kpi(data: Dataset, kpi_id: str, **kwargs: object) -> float:
    result = evaluate(kpi_id, data, **kwargs)  # type: ignore[arg-type]
    assert result.available, f"{kpi_id} lacks {result.missing_roles}"
    assert result.value is not None
    return result.value


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


@pytest.fixture(scope="module")
def retail(realdata: Path) -> tuple[Dataset, dict[str, float]]:
    from openpyxl import load_workbook

    path = realdata / "online_retail" / "Online Retail.xlsx"
    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows))
    at = {name: header.index(name) for name in ("InvoiceNo", "Quantity", "UnitPrice", "CustomerID")}
    revenue = 0.0
    net: dict[str, float] = defaultdict(float)
    owner: dict[str, str] = {}
    for row in rows:
        if row[at["InvoiceNo"]] is None:
            continue
        order = str(row[at["InvoiceNo"]]).strip()
        line = float(row[at["Quantity"]]) * float(row[at["UnitPrice"]])
        revenue += line
        net[order] += line
        customer = row[at["CustomerID"]]
        if customer not in (None, ""):
            owner[order] = str(customer)
    counted = [o for o, total in net.items() if total > 0]
    per_customer: dict[str, int] = defaultdict(int)
    for order in counted:
        if order in owner:
            per_customer[owner[order]] += 1
    expected = {
        "revenue": revenue,
        "orders": len(counted),
        "aov": sum(net[o] for o in counted) / len(counted),
        "customers": len(per_customer),
        "repeat_purchase_rate": sum(1 for n in per_customer.values() if n >= 2) / len(per_customer),
        "arpu": revenue / len(per_customer),
    }
    return Dataset.from_sources(sources(path)), expected


@pytest.mark.slow
class TestOnlineRetail:
    @pytest.mark.parametrize("kpi_id", ["revenue", "orders", "aov", "customers", "repeat_purchase_rate", "arpu"])
    def test_design_kpis(self, retail: tuple[Dataset, dict[str, float]], kpi_id: str) -> None:
        data, expected = retail
        assert kpi(data, kpi_id) == pytest.approx(expected[kpi_id], rel=REL)

    def test_report_lists_what_order_lines_support(self, retail: tuple[Dataset, dict[str, float]]) -> None:
        kpis = report_kpis(retail[0])
        assert {"revenue", "orders", "aov", "customers", "repeat_purchase_rate", "arpu"} <= set(kpis)
        assert "ctr" not in kpis and "churn_rate" not in kpis


@pytest.fixture(scope="module")
def telco(realdata: Path) -> tuple[Dataset, list[dict[str, str]], str]:
    path = realdata / "telco_churn" / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
    found = sources(path)
    revenue_column = found[0].roles["revenue"]
    assert revenue_column in ("MonthlyCharges", "TotalCharges")
    return Dataset.from_sources(found), csv_rows(path), revenue_column


class TestTelco:
    def test_churn_customers_arpu(self, telco: tuple[Dataset, list[dict[str, str]], str]) -> None:
        data, rows, revenue_column = telco
        customers = {r["customerID"] for r in rows}
        churned = {r["customerID"] for r in rows if r["Churn"] == "Yes"}
        revenue = sum(v for r in rows if (v := number(r[revenue_column])) is not None)
        assert kpi(data, "customers") == len(customers)
        assert kpi(data, "churn_rate") == pytest.approx(len(churned) / len(customers), rel=REL)
        assert kpi(data, "arpu") == pytest.approx(revenue / len(customers), rel=REL)
        assert kpi(data, "churned_customers") == len(churned)


@pytest.fixture(scope="module")
def ads(realdata: Path) -> tuple[Dataset, dict[str, float]]:
    path = realdata / "facebook_ads" / "KAG_conversion_data.csv"
    found = sources(path)
    rows = csv_rows(path)
    conversions_column = found[0].roles["conversions"]
    totals = {
        "impressions": sum(float(r["Impressions"]) for r in rows),
        "clicks": sum(float(r["Clicks"]) for r in rows),
        "cost": sum(float(r["Spent"]) for r in rows),
        "conversions": sum(float(r[conversions_column]) for r in rows),
    }
    return Dataset.from_sources(found), totals


class TestFacebookAds:
    @pytest.mark.parametrize("measure", ["impressions", "clicks", "cost", "conversions"])
    def test_totals(self, ads: tuple[Dataset, dict[str, float]], measure: str) -> None:
        assert kpi(ads[0], measure) == pytest.approx(ads[1][measure], rel=REL)

    def test_rates(self, ads: tuple[Dataset, dict[str, float]]) -> None:
        data, t = ads
        assert kpi(data, "ctr") == pytest.approx(t["clicks"] / t["impressions"], rel=REL)
        assert kpi(data, "cpc") == pytest.approx(t["cost"] / t["clicks"], rel=REL)
        assert kpi(data, "cpm") == pytest.approx(t["cost"] / t["impressions"] * 1000, rel=REL)
        assert kpi(data, "cpa") == pytest.approx(t["cost"] / t["conversions"], rel=REL)
        assert kpi(data, "click_conversion_rate") == pytest.approx(t["conversions"] / t["clicks"], rel=REL)


class TestNps:
    def test_nps_per_sheet(self, realdata: Path) -> None:
        from openpyxl import load_workbook

        path = realdata / "nps_survey" / "NPS Input.xlsx"
        found = sources(path)
        data = Dataset.from_sources(found)
        for sheet in load_workbook(path, read_only=True).worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            column = rows[0].index("How likely are you to recommend this airline?")
            scores = [float(r[column]) for r in rows[1:] if isinstance(r[column], int | float)]
            expected = 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)
            own = [s for s in found if s.sheet == sheet.title]
            if own:  # one source per sheet
                assert kpi(Dataset.from_sources(own), "nps") == pytest.approx(expected, rel=REL)
            else:  # sheets stacked into one source with a Sheet column
                assert kpi(data, "nps", segment={"Sheet": sheet.title}) == pytest.approx(expected, rel=REL)
                assert kpi(data, "survey_responses", segment={"Sheet": sheet.title}) == len(scores)


class TestOlist:
    def test_leads_deals_and_rate(self, realdata: Path) -> None:
        folder = realdata / "olist_funnel"
        leads_path = folder / "olist_marketing_qualified_leads_dataset.csv"
        deals_path = folder / "olist_closed_deals_dataset.csv"
        data = Dataset.from_sources(sources(leads_path, deals_path))
        leads = {r["mql_id"] for r in csv_rows(leads_path) if r["mql_id"]}
        lead_rows = csv_rows(leads_path)
        deals = {r["mql_id"] for r in csv_rows(deals_path) if r["mql_id"]}
        assert kpi(data, "leads") == len(leads)
        assert kpi(data, "deals") == len(deals)
        assert kpi(data, "lead_to_deal_rate") == pytest.approx(len(deals) / len(leads), rel=REL)
        inbound = {"organic_search", "direct_traffic", "referral", "email"}
        expected_share = sum(1 for r in lead_rows if r["origin"].strip().casefold() in inbound) / len(leads)
        assert kpi(data, "inbound_lead_share") == pytest.approx(expected_share, rel=REL)
