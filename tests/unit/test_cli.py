"""The command line of DESIGN.md, run as scripts run it: `python -m metrics report|catalog` in a subprocess.

Expected figures are computed from the files with the csv module; the JSON shape is checked key by key against the
contract, and every unusable input must end with exit status 2 and one sentence on stderr, never a traceback.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, xlsx_bytes
from tests.unit import hostile

SOURCE_KEYS = {"file", "sheet", "grain", "rows_read", "rows_used", "roles", "issues"}
ISSUE_KEYS = {"severity", "row", "column", "message"}
FUNNEL_KEYS = {"stage", "count", "rate_from_previous", "rate_from_top"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=180,
    )


def report(*args: str) -> dict:
    done = run("report", *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


class TestReport:
    def test_facebook_ads_totals_rates_and_funnel(self, realdata: Path) -> None:
        path = realdata / "facebook_ads" / "KAG_conversion_data.csv"
        rows = _rows(path)
        impressions = sum(float(r["Impressions"]) for r in rows)
        clicks = sum(float(r["Clicks"]) for r in rows)
        spent = sum(float(r["Spent"]) for r in rows)
        conversions = sum(float(r["Total_Conversion"]) for r in rows)
        out = report(str(path))
        assert set(out) == {"sources", "period", "kpis", "funnel", "goal"}
        (source,) = out["sources"]
        assert set(source) == SOURCE_KEYS and all(set(i) == ISSUE_KEYS for i in source["issues"])
        assert (source["grain"], source["rows_read"], source["rows_used"]) == ("aggregate", len(rows), len(rows))
        assert source["roles"]["clicks"] == "Clicks" and source["roles"]["cost"] == "Spent"
        kpis = out["kpis"]
        assert all(set(k) == {"value", "unit", "formula"} for k in kpis.values())
        assert kpis["clicks"]["value"] == pytest.approx(clicks, rel=1e-9)
        assert kpis["ctr"]["value"] == pytest.approx(clicks / impressions, rel=1e-9)
        assert kpis["cpc"]["value"] == pytest.approx(spent / clicks, rel=1e-9)
        assert kpis["cpm"]["value"] == pytest.approx(spent / impressions * 1000, rel=1e-9)
        assert kpis["cpa"]["value"] == pytest.approx(spent / conversions, rel=1e-9)
        assert kpis["ctr"]["unit"] == "percent" and kpis["cost"]["unit"] == "currency"
        assert [s["stage"] for s in out["funnel"]] == ["impressions", "clicks", "conversions"]
        assert all(set(s) == FUNNEL_KEYS for s in out["funnel"])
        assert out["funnel"][0]["rate_from_previous"] is None
        assert out["funnel"][1]["rate_from_previous"] == pytest.approx(clicks / impressions, rel=1e-9)
        assert out["period"] is None and out["goal"] is None

    def test_two_files_a_goal_and_a_period(self, realdata: Path) -> None:
        leads_path = realdata / "olist_funnel" / "olist_marketing_qualified_leads_dataset.csv"
        deals_path = realdata / "olist_funnel" / "olist_closed_deals_dataset.csv"
        start, end = datetime(2018, 3, 1), datetime(2018, 3, 31, 23, 59)
        leads = sum(start <= datetime.strptime(r["first_contact_date"], "%d-%m-%Y") <= end for r in _rows(leads_path))
        deals = sum(start <= datetime.strptime(r["won_date"], "%d-%m-%Y %H:%M") <= end for r in _rows(deals_path))
        out = report(str(leads_path), str(deals_path), "--goal", "b2b_leads", "--from", "2018-03-01", "--to", "2018-03-31")
        assert [s["grain"] for s in out["sources"]] == ["entity", "entity"]
        assert out["kpis"]["leads"]["value"] == leads
        assert out["kpis"]["deals"]["value"] == deals
        assert out["kpis"]["lead_to_deal_rate"]["value"] == pytest.approx(deals / leads, rel=1e-9)
        assert out["period"]["start"] >= "2018-03-01" and out["period"]["end"] <= "2018-03-31"
        goal = out["goal"]
        assert goal["id"] == "b2b_leads" and goal["kfs"]
        entries = {k["id"]: k for kfs in goal["kfs"] for k in kfs["kpis"]}
        assert entries["lead_to_deal_rate"]["available"] is True
        assert entries["lead_to_deal_rate"]["value"] == pytest.approx(deals / leads, rel=1e-9)
        assert entries["cost_per_lead"]["available"] is False and "cost" in entries["cost_per_lead"]["missing_roles"]

    def test_map_overrides_a_role(self, tmp_path: Path) -> None:
        path = tmp_path / "daily.csv"
        path.write_text("date,visits,buyers,amount\n2026-10-01,100,3,300\n2026-10-02,50,2,200\n", encoding="utf-8")
        out = report(str(path), "--map", "orders=buyers", "--map", "revenue=amount")
        assert out["sources"][0]["roles"]["orders"] == "buyers"
        assert out["kpis"]["orders"]["value"] == 5 and out["kpis"]["revenue"]["value"] == 500
        assert out["kpis"]["aov"]["value"] == pytest.approx(100.0)

    def test_text_format(self, realdata: Path) -> None:
        done = run("report", str(realdata / "telco_churn" / "WA_Fn-UseC_-Telco-Customer-Churn.csv"))
        assert done.returncode == 0, done.stderr
        assert "churn_rate" in done.stdout and "entity" in done.stdout


def test_catalog_json_has_the_contract_shape() -> None:
    done = run("catalog", "--format", "json")
    assert done.returncode == 0, done.stderr
    catalog = json.loads(done.stdout)
    assert set(catalog) == {"goals", "kpis"} and len(catalog["goals"]) >= 7 and len(catalog["kpis"]) >= 60
    for goal in catalog["goals"]:
        assert set(goal) == {"id", "name", "kfs"} and set(goal["name"]) == {"en", "ko"}
        for kfs in goal["kfs"]:
            assert set(kfs) == {"id", "name", "kpis"} and all(k in catalog["kpis"] for k in kfs["kpis"])
    for kpi in catalog["kpis"].values():
        assert set(kpi) == {"name", "formula", "unit", "direction", "stage", "lead_lag", "recommended"}


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("name", "make", "extra", "fragment"),
    [
        ("missing.csv", None, (), "does not exist"),
        ("empty.csv", lambda: b"", (), "empty.csv"),
        ("header_only.csv", lambda: b"date,revenue\n", (), "header_only.csv"),
        ("garbage.xlsx", lambda: b"\x00\x01 not a workbook \xff" * 40, (), "garbage.xlsx"),
        ("locked.xlsx", hostile.encrypted_ooxml, (), "locked.xlsx"),
        ("bomb.xlsx", hostile.zip_bomb, (), "bomb.xlsx"),
        ("laughs.xlsx", hostile.billion_laughs, (), "laughs.xlsx"),
        ("ok.xlsx", lambda: xlsx_bytes({"S": [["date", "revenue"], ["2026-10-01", 5]]}), ("--map", "nonsense=revenue"),
         "not a role"),
        ("ok.xlsx", lambda: xlsx_bytes({"S": [["date", "revenue"], ["2026-10-01", 5]]}), ("--map", "orders=buyers"),
         "no file has a column named"),
        ("ok.xlsx", lambda: xlsx_bytes({"S": [["date", "revenue"], ["2026-10-01", 5]]}), ("--goal", "world_peace"),
         "is not a goal"),
    ],
)
def test_unusable_input_exits_2_with_one_sentence(tmp_path: Path, name: str, make, extra: tuple[str, ...], fragment: str) -> None:
    target = _write(tmp_path, name, make()) if make else str(tmp_path / name)
    done = run("report", target, *extra, "--format", "json")
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert fragment in done.stderr
