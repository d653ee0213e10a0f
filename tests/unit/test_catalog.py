"""The shipped catalog is valid and complete; validation reports every problem of a broken one."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from typing import Any

import pytest

from metrics.catalog import CATALOG_PATH, DESIGN_KPIS, catalog_json, load_catalog, validate_catalog
from metrics.expr import KNOWN_ROLES, aggregates
from metrics.roles import ENTITY_MEASURES, MEASURES


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    with CATALOG_PATH.open("rb") as handle:
        return tomllib.load(handle)


class TestShippedCatalog:
    def test_has_no_issue(self, raw: dict[str, Any]) -> None:
        assert validate_catalog(raw) == []

    def test_size_follows_the_method(self) -> None:
        catalog = load_catalog()
        assert len(catalog.goals) >= 7
        assert len(catalog.kpis) >= 60
        for goal in catalog.goals:
            assert 3 <= len(goal.kfs) <= 5, goal.id
            for kfs in goal.kfs:
                assert 2 <= len(kfs.kpis) <= 6, kfs.id
                assert kfs.recommended, f"{kfs.id} recommends no KPI"

    @pytest.mark.parametrize(
        "goal_id",
        ["grow_online_revenue", "critical_mass", "raise_ltv", "customer_success", "cross_sell_profitable",
         "main_payment", "b2b_leads"],
    )
    def test_has_the_method_goals(self, goal_id: str) -> None:
        assert load_catalog().goal(goal_id).kfs

    @pytest.mark.parametrize("kpi_id", [*DESIGN_KPIS, *MEASURES, *ENTITY_MEASURES])
    def test_has_every_contract_kpi(self, kpi_id: str) -> None:
        assert kpi_id in load_catalog().kpis

    @pytest.mark.parametrize(
        ("kpi_id", "formula"),
        [
            ("revenue", "sum(revenue)"), ("orders", "orders()"), ("aov", "order_revenue() / orders()"),
            ("customers", "customers()"), ("repeat_purchase_rate", "repeat_customers() / customers()"),
            ("conversion_rate", "orders() / first_available(sum(sessions), sum(visitors))"),
            ("signup_rate", "sum(signups) / sum(sessions)"), ("cart_rate", "sum(add_to_cart) / sum(sessions)"),
            ("ctr", "sum(clicks) / sum(impressions)"), ("cpc", "sum(cost) / sum(clicks)"),
            ("cpm", "sum(cost) / sum(impressions) * 1000"),
            ("cpa", "sum(cost) / first_available(orders(), sum(conversions))"), ("roas", "sum(revenue) / sum(cost)"),
            ("arpu", "sum(revenue) / customers()"), ("nps", "nps(score)"), ("lead_to_deal_rate", "deals() / leads()"),
        ],
    )
    def test_design_definitions_are_written_as_designed(self, kpi_id: str, formula: str) -> None:
        """The values are checked in test_kpi; this pins the wording users see next to each number."""
        assert load_catalog().kpi(kpi_id).formula == formula

    @pytest.mark.parametrize("measure", [m for m in MEASURES if m not in ("orders", "leads", "deals", "unit_price")])
    def test_measure_kpi_is_its_total(self, measure: str) -> None:
        assert load_catalog().kpi(measure).formula == f"sum({measure})"

    def test_texts_are_bilingual(self) -> None:
        catalog = load_catalog()
        for kpi in catalog.kpis.values():
            assert kpi.name.en and kpi.name.ko and kpi.description.en and kpi.description.ko, kpi.id
            assert any("\uac00" <= ch <= "\ud7a3" for ch in kpi.name.ko + kpi.description.ko), kpi.id

    def test_formulas_read_only_canonical_roles(self) -> None:
        for kpi in load_catalog().kpis.values():
            for agg in aggregates(kpi.expr):
                assert str(getattr(agg, "role", None) or getattr(agg, "group", None) or "revenue") in KNOWN_ROLES

    def test_recommended_lists_goals(self) -> None:
        catalog = load_catalog()
        assert catalog.kpi("repeat_purchase_rate").recommended_for == ("raise_ltv",)
        assert catalog.kpi("sessions").recommended_for == ()

    def test_is_cached_and_immutable(self) -> None:
        catalog = load_catalog()
        assert load_catalog() is catalog
        with pytest.raises(TypeError):
            catalog.kpis["x"] = catalog.kpis["revenue"]  # type: ignore[index]


class TestCatalogJson:
    def test_has_exactly_the_design_shape(self) -> None:
        data = catalog_json()
        assert set(data) == {"goals", "kpis"}
        for goal in data["goals"]:
            assert set(goal) == {"id", "name", "kfs"}
            assert set(goal["name"]) == {"en", "ko"}
            for kfs in goal["kfs"]:
                assert set(kfs) == {"id", "name", "kpis"}
                assert all(k in data["kpis"] for k in kfs["kpis"])
        for kpi in data["kpis"].values():
            assert set(kpi) == {"name", "formula", "unit", "direction", "stage", "lead_lag", "recommended"}
            assert kpi["unit"] in {"currency", "percent", "count", "ratio", "score"}
            assert kpi["direction"] in {"up", "down"} and kpi["lead_lag"] in {"lead", "lag"}

    def test_is_json_serialisable(self) -> None:
        import json

        assert json.loads(json.dumps(catalog_json(), ensure_ascii=False)) == catalog_json()


def _kpi(raw: dict[str, Any], kpi_id: str) -> dict[str, Any]:
    return raw["kpi"][kpi_id]


Mutation = Callable[[dict[str, Any]], None]


class TestValidation:
    @pytest.mark.parametrize(
        ("mutate", "fragment", "context"),
        [
            (lambda r: _kpi(r, "aov").update(formula="order_revenue() / ordrs()"), "unknown function 'ordrs'", "kpi.aov.formula"),
            (lambda r: _kpi(r, "aov").update(formula="sum(revnue)"), "unknown role 'revnue'", "kpi.aov.formula"),
            (lambda r: _kpi(r, "aov").update(unit="euros"), "unit must be one of", "kpi.aov.unit"),
            (lambda r: _kpi(r, "aov").update(direction="sideways"), "direction must be one of", "kpi.aov.direction"),
            (lambda r: _kpi(r, "aov").update(stage="nowhere"), "stage must be one of", "kpi.aov.stage"),
            (lambda r: _kpi(r, "aov").update(responds="yearly"), "responds must be one of", "kpi.aov.responds"),
            (lambda r: _kpi(r, "aov").update(name={"en": "AOV"}), "the ko text is missing", "kpi.aov.name"),
            (lambda r: _kpi(r, "aov").pop("description"), "needs an English and a Korean text", "kpi.aov.description"),
            (lambda r: r["kpi"].pop("roas"), "the contract KPI 'roas' is missing", "kpi.roas"),
            (lambda r: r["kpi"].pop("sessions"), "the contract KPI 'sessions' is missing", "kpi.sessions"),
            (lambda r: r["goal"][0]["kfs"][0].update(kpis=["sessions"], recommended=[]), "a KFS needs 2–6 KPIs", "goal.grow_online_revenue.kfs[0]"),
            (lambda r: r["goal"][0]["kfs"][0]["kpis"].append("nope"), "unknown KPI 'nope'", "goal.grow_online_revenue.kfs[0].kpis"),
            (lambda r: r["goal"][0]["kfs"][0].update(recommended=["roas"]), "recommended KPI 'roas' is not among", "goal.grow_online_revenue.kfs[0]"),
            (lambda r: r["goal"][0].update(kfs=r["goal"][0]["kfs"][:2]), "a goal needs 3–5 KFS", "goal.grow_online_revenue"),
            (lambda r: r["goal"][1].update(id=r["goal"][0]["id"]), "duplicate goal id", "goal.grow_online_revenue"),
            (lambda r: r["goal"][0].update(id="has space"), "id must be an identifier", "goal[0].id"),
            (lambda r: _kpi(r, "aov").update(colour="red"), "unknown keys ['colour']", "kpi.aov"),
        ],
    )
    def test_reports_the_problem_where_it_is(self, raw: dict[str, Any], mutate: Mutation, fragment: str, context: str) -> None:
        broken = copy.deepcopy(raw)
        mutate(broken)
        issues = validate_catalog(broken)
        assert any(fragment in i.message and i.context == context for i in issues), issues

    def test_reports_every_problem_at_once(self, raw: dict[str, Any]) -> None:
        broken = copy.deepcopy(raw)
        _kpi(broken, "aov").update(unit="euros", formula="summ(x)")
        _kpi(broken, "roas").update(direction="sideways")
        contexts = {i.context for i in validate_catalog(broken)}
        assert {"kpi.aov.unit", "kpi.aov.formula", "kpi.roas.direction"} <= contexts

    def test_empty_data_is_reported_not_raised(self) -> None:
        issues = validate_catalog({})
        assert {"kpi", "goal"} <= {i.context for i in issues}
