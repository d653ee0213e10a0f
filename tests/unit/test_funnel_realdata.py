"""The funnel, breakdown, leaks and cohorts on the real public files, checked against figures computed here with the
csv module, openpyxl or plain Python loops (never with the code under test).

Each file is tested twice where it matters: from a Dataset mapped by hand (so the funnel's own logic is pinned even
if ingest changes), and through `metrics.ingest` (so the whole path a user takes agrees).
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from metrics.cohort import cohort_retention, first_vs_repeat
from metrics.dataset import Dataset, Fact
from metrics.funnel import NOT_SET, FunnelSpec, breakdown, funnel, report_funnel
from metrics.ingest import ingest_path
from metrics.whatif import rank_leaks, what_if
from tests.unit.funnel_builders import dataset


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def through_ingest(*paths: Path) -> Dataset:
    sources = []
    for path in paths:
        result = ingest_path(path)
        assert result.ok, [i.message for i in result.issues]
        sources.extend(result.sources)
    return Dataset.from_sources(sources)


def stage_counts(result) -> dict[str, float]:
    return {s.role: s.count for s in result.stages}


# --------------------------------------------------------------------------------------------------- Olist


@pytest.fixture(scope="module")
def olist(realdata: Path) -> tuple[Path, Path]:
    folder = realdata / "olist_funnel"
    return folder / "olist_marketing_qualified_leads_dataset.csv", folder / "olist_closed_deals_dataset.csv"


def olist_expected(leads_path: Path, deals_path: Path, month: tuple[int, int] | None = None) -> dict[str, Counter]:
    """Leads and deals per origin with the csv module; blank origins and deals without a lead are "(not set)"."""
    leads = read_csv_rows(leads_path)
    origin = {row["mql_id"]: (row["origin"] or NOT_SET) for row in leads}

    def in_month(text: str) -> bool:  # DD-MM-YYYY[ HH:MM]
        return month is None or (int(text[6:10]), int(text[3:5])) == month

    lead_ids = {row["mql_id"]: origin[row["mql_id"]] for row in leads if in_month(row["first_contact_date"])}
    deal_ids = {row["mql_id"] for row in read_csv_rows(deals_path) if in_month(row["won_date"])}
    return {
        "leads": Counter(lead_ids.values()),
        "deals": Counter(origin.get(i, NOT_SET) for i in deal_ids),
    }


def olist_by_hand(leads_path: Path, deals_path: Path) -> Dataset:
    leads = pd.read_csv(leads_path, dtype=str)
    deals = pd.read_csv(deals_path, dtype=str)
    lead_frame = pd.DataFrame({
        "lead_id": leads["mql_id"], "channel": leads["origin"],
        "date": pd.to_datetime(leads["first_contact_date"], format="%d-%m-%Y"),
    })
    deal_frame = pd.DataFrame({
        "lead_id": deals["mql_id"], "date": pd.to_datetime(deals["won_date"], format="%d-%m-%Y %H:%M"),
    })
    return dataset(Fact("leads", "entity", lead_frame, "lead"), Fact("deals", "entity", deal_frame, "deal"))


class TestOlist:
    @pytest.mark.parametrize("route", ["by_hand", "ingest"])
    def test_leads_to_deals_overall_and_by_origin(self, olist, route: str) -> None:
        data = olist_by_hand(*olist) if route == "by_hand" else through_ingest(*olist)
        expected = olist_expected(*olist)
        total_leads, total_deals = sum(expected["leads"].values()), sum(expected["deals"].values())
        assert report_funnel(data) == [
            {"stage": "leads", "count": total_leads, "rate_from_previous": None, "rate_from_top": 1.0},
            {"stage": "deals", "count": total_deals, "rate_from_previous": total_deals / total_leads,
             "rate_from_top": total_deals / total_leads},
        ]
        split = breakdown(data, "channel")
        table = split.frame.pivot(index="segment", columns="stage", values="count")
        for origin, leads in expected["leads"].items():
            assert (table.loc[origin, "leads"], table.loc[origin, "deals"]) == (leads, expected["deals"][origin]), origin
        rates = split.frame[split.frame["stage"] == "deals"].set_index("segment")["rate_from_previous"]
        assert rates["paid_search"] == pytest.approx(expected["deals"]["paid_search"] / expected["leads"]["paid_search"])

    def test_a_month_counts_leads_contacted_and_deals_won_in_it(self, olist) -> None:
        data = through_ingest(*olist)
        expected = olist_expected(*olist, month=(2018, 3))
        result = funnel(data, period=(date(2018, 3, 1), date(2018, 3, 31)))
        assert stage_counts(result) == {"leads": sum(expected["leads"].values()), "deals": sum(expected["deals"].values())}

    def test_leaks_name_origins_below_the_best(self, olist) -> None:
        expected = olist_expected(*olist)
        leaks = rank_leaks(olist_by_hand(*olist), by="channel")
        rates = {o: expected["deals"][o] / n for o, n in expected["leads"].items() if n >= 30 and o != NOT_SET}
        best = max(rates, key=rates.get)
        worst = leaks.frame[leaks.frame["segment"] != best]
        assert set(worst["reference"]) == {f"best segment: {best}"}
        row = worst.iloc[0]
        gap = rates[best] - rates[row["segment"]]
        assert row["extra_orders"] == pytest.approx(expected["leads"][row["segment"]] * gap)
        assert worst["extra_orders"].is_monotonic_decreasing  # no revenue, so ranked by extra deals


# --------------------------------------------------------------------------------------------------- Facebook ads


@pytest.fixture(scope="module")
def facebook(realdata: Path) -> Path:
    return realdata / "facebook_ads" / "KAG_conversion_data.csv"


def facebook_by_hand(path: Path) -> Dataset:
    """`conversions` = Total_Conversion (what the ad platform counts after a click, the stage a CPA divides by);
    Approved_Conversion (the advertiser's later approval, a subset) stays an extra column."""
    raw = pd.read_csv(path, encoding="utf-8-sig")
    frame = pd.DataFrame({
        "campaign": raw["xyz_campaign_id"].astype(str), "age": raw["age"], "impressions": raw["Impressions"],
        "clicks": raw["Clicks"], "cost": raw["Spent"], "conversions": raw["Total_Conversion"],
        "Approved_Conversion": raw["Approved_Conversion"],
    })
    return dataset(Fact("ads", "aggregate", frame))


def facebook_expected(path: Path, key: str) -> dict[str, dict[str, int]]:
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"impressions": 0, "clicks": 0, "conversions": 0})
    for row in read_csv_rows(path):
        for segment in ("All", row[key]):
            totals[segment]["impressions"] += int(row["Impressions"])
            totals[segment]["clicks"] += int(row["Clicks"])
            totals[segment]["conversions"] += int(row["Total_Conversion"])
    return totals


class TestFacebookAds:
    @pytest.mark.parametrize("route", ["by_hand", "ingest"])
    def test_impressions_clicks_conversions(self, facebook, route: str) -> None:
        data = facebook_by_hand(facebook) if route == "by_hand" else through_ingest(facebook)
        expected = facebook_expected(facebook, "xyz_campaign_id")
        result = funnel(data)
        assert stage_counts(result) == expected["All"]
        assert result.stage("conversions").rate_from_previous == pytest.approx(
            expected["All"]["conversions"] / expected["All"]["clicks"]
        )
        split = breakdown(data, "campaign")
        table = split.frame.pivot(index="segment", columns="stage", values="count")
        assert {c: table.loc[c].to_dict() for c in table.index} == {k: v for k, v in expected.items() if k != "All"}

    def test_any_extra_column_is_a_dimension(self, facebook) -> None:
        expected = facebook_expected(facebook, "age")
        split = breakdown(facebook_by_hand(facebook), "age", FunnelSpec.of("clicks", "conversions"))
        top = split.segments.set_index("segment")["top_count"].to_dict()
        assert top == {age: v["clicks"] for age, v in expected.items() if age != "All"}

    def test_what_if_on_real_rates(self, facebook) -> None:
        current = funnel(facebook_by_hand(facebook))
        same = what_if(current, {s.role: s.rate_from_previous for s in current.stages[1:]})
        assert same.orders == facebook_expected(facebook, "age")["All"]["conversions"]
        assert same.revenue is None  # an ad report has no revenue


# --------------------------------------------------------------------------------------------------- Online Retail


def retail_expected(rows) -> dict[str, object]:
    """Orders, repeat orders, customers and cohort shares with plain loops over (invoice, customer, when, amount)."""
    net: dict[str, float] = defaultdict(float)
    customer: dict[str, str | None] = {}
    when: dict[str, datetime] = {}
    blank_lines = 0
    for invoice, cust, moment, amount in rows:
        invoice = str(invoice)
        net[invoice] += amount
        if cust is None:
            blank_lines += 1
        customer.setdefault(invoice, cust)
        if customer[invoice] is None:
            customer[invoice] = cust
        if moment is not None and (invoice not in when or moment < when[invoice]):
            when[invoice] = moment
    counted = [i for i, value in net.items() if value > 0]
    per_customer: dict[str, list[str]] = defaultdict(list)
    for invoice in counted:
        if customer[invoice] is not None:
            per_customer[customer[invoice]].append(invoice)
    known = sum(len(v) for v in per_customer.values())
    return {
        "orders": len(counted), "repeat_orders": known - len(per_customer), "customers": len(per_customer),
        "repeat_customers": sum(1 for v in per_customer.values() if len(v) >= 2), "blank_lines": blank_lines,
        "per_customer": per_customer, "when": when,
    }


def cohort_share(expected: dict[str, object], cohort: str, months_since: int) -> float:
    when: dict[str, datetime] = expected["when"]  # type: ignore[assignment]
    members = active = 0
    for invoices in expected["per_customer"].values():  # type: ignore[union-attr]
        months = {when[i].year * 12 + when[i].month - 1 for i in invoices}
        first = min(months)
        if f"{first // 12}-{first % 12 + 1:02d}" == cohort:
            members += 1
            active += (first + months_since) in months
    return active / members


@pytest.fixture(scope="module")
def retail_parquet(realdata: Path) -> pd.DataFrame:
    return pd.read_parquet(realdata / "online_retail" / "online_retail.parquet")


@pytest.fixture(scope="module")
def retail_loops(retail_parquet: pd.DataFrame) -> dict[str, object]:
    rows = zip(
        retail_parquet["InvoiceNo"].tolist(),
        [None if c != c else str(int(c)) for c in retail_parquet["CustomerID"].tolist()],
        retail_parquet["InvoiceDate"].tolist(),
        [q * p for q, p in zip(retail_parquet["Quantity"].tolist(), retail_parquet["UnitPrice"].tolist(), strict=True)],
        strict=True,
    )
    return retail_expected(rows)


@pytest.fixture(scope="module")
def retail(retail_parquet: pd.DataFrame) -> Dataset:
    frame = pd.DataFrame({
        "order_id": retail_parquet["InvoiceNo"], "customer_id": retail_parquet["CustomerID"],
        "date": retail_parquet["InvoiceDate"], "region": retail_parquet["Country"],
        "revenue": retail_parquet["Quantity"] * retail_parquet["UnitPrice"],
    })
    return Dataset((Fact("online_retail", "line", frame),))


@pytest.mark.slow
class TestOnlineRetailFull:
    def test_orders_and_repeat_orders(self, retail: Dataset, retail_loops) -> None:
        result = funnel(retail)
        assert stage_counts(result) == {"orders": retail_loops["orders"], "repeat_orders": retail_loops["repeat_orders"]}
        split = first_vs_repeat(retail)
        assert split is not None
        assert (split.customers, split.repeat_customers) == (retail_loops["customers"], retail_loops["repeat_customers"])
        assert split.first_orders == retail_loops["customers"]
        assert split.blank_customer_lines == retail_loops["blank_lines"]

    @pytest.mark.parametrize(("cohort", "months_since"), [("2010-12", 0), ("2010-12", 1), ("2010-12", 11), ("2011-06", 3)])
    def test_cohort_shares(self, retail: Dataset, retail_loops, cohort: str, months_since: int) -> None:
        table = cohort_retention(retail)
        assert table is not None
        assert table.retention.loc[cohort, months_since] == pytest.approx(cohort_share(retail_loops, cohort, months_since))
        assert table.customers == retail_loops["customers"]

    def test_breakdown_by_region_adds_up(self, retail: Dataset, retail_loops) -> None:
        split = breakdown(retail, "region")
        orders = split.frame[split.frame["stage"] == "orders"]
        # An invoice belongs to one country, so the regions' orders add up to the whole.
        assert orders["count"].sum() == retail_loops["orders"]
        assert split.segments["small"].any() and not split.segments.loc[split.segments["small"], "rank"].notna().any()


@pytest.mark.slow
def test_online_retail_xlsx_through_ingest(realdata: Path) -> None:
    """The 49,999-line workbook through ingest, checked against openpyxl reading the same cells."""
    from openpyxl import load_workbook

    path = realdata / "online_retail" / "Online Retail.xlsx"
    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows))
    at = {name: header.index(name) for name in ("InvoiceNo", "CustomerID", "Quantity", "UnitPrice")}

    def customer(value: object) -> str | None:
        return None if value in (None, "") else str(int(float(value)))  # type: ignore[arg-type]

    cells = [
        (r[at["InvoiceNo"]], customer(r[at["CustomerID"]]), None, r[at["Quantity"]] * r[at["UnitPrice"]])
        for r in rows
        if r[at["InvoiceNo"]] is not None
    ]
    expected = retail_expected(cells)
    data = through_ingest(path)
    assert stage_counts(funnel(data)) == {"orders": expected["orders"], "repeat_orders": expected["repeat_orders"]}
    split = first_vs_repeat(data)
    assert split is not None and split.customers == expected["customers"]
