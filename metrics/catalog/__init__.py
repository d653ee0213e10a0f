"""The KPI catalog: goals → key factors of success (KFS) → KPIs, as data (catalog.toml), bilingual, validated on load.

The method (set the goal first, derive the strategies that reach it, give each a KPI that responds within a PDCA
cycle) lives in the data, not in code: this package only reads catalog.toml, checks it and hands out frozen
objects. Validation returns every issue at once (a list), so whoever edits the TOML fixes it in one pass.

May import: metrics.expr, metrics.roles, the standard library.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, get_args

from metrics.expr import Expr, parse
from metrics.roles import ENTITY_MEASURES, MEASURES

Unit = Literal["currency", "percent", "count", "ratio", "score"]
Direction = Literal["up", "down"]
LeadLag = Literal["lead", "lag"]
Responds = Literal["weekly", "monthly", "quarterly"]
Lang = Literal["en", "ko"]
STAGES: tuple[str, ...] = ("awareness", "acquisition", "activation", "conversion", "retention", "revenue", "referral")

#: DESIGN.md's KPI table: these ids must exist with exactly that definition (tests check the values).
DESIGN_KPIS: tuple[str, ...] = (
    "revenue", "orders", "aov", "customers", "repeat_purchase_rate", "conversion_rate", "signup_rate", "cart_rate",
    "ctr", "cpc", "cpm", "cpa", "roas", "churn_rate", "arpu", "nps", "lead_to_deal_rate",
)
#: Every mapped measure is also a KPI of the same id.
MEASURE_KPIS: tuple[str, ...] = (*MEASURES, *ENTITY_MEASURES)
KFS_PER_GOAL = (3, 5)
KPIS_PER_KFS = (2, 6)
CATALOG_PATH = Path(__file__).with_name("catalog.toml")


@dataclass(frozen=True, slots=True)
class Text:
    """A bilingual label; the UI picks the language, the command line prints English."""

    en: str
    ko: str

    def get(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en

    def to_json(self) -> dict[str, str]:
        return {"en": self.en, "ko": self.ko}


@dataclass(frozen=True, slots=True)
class Kpi:
    """One KPI definition. `recommended_for` lists the goals whose KFS single it out over generic KPIs."""

    id: str
    name: Text
    description: Text
    formula: str
    expr: Expr
    unit: Unit
    direction: Direction
    stage: str
    lead_lag: LeadLag
    responds: Responds
    recommended_for: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Kfs:
    """A key factor of success: a strategy that moves the goal, measured by its KPIs."""

    id: str
    name: Text
    kpis: tuple[str, ...]
    recommended: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Goal:
    id: str
    name: Text
    description: Text
    kfs: tuple[Kfs, ...]

    def kpi_ids(self) -> tuple[str, ...]:
        """The goal's KPIs in KFS order, each once."""
        return tuple(dict.fromkeys(k for kfs in self.kfs for k in kfs.kpis))


@dataclass(frozen=True, slots=True)
class Catalog:
    goals: tuple[Goal, ...]
    kpis: Mapping[str, Kpi]

    def goal(self, goal_id: str) -> Goal:
        for goal in self.goals:
            if goal.id == goal_id:
                return goal
        raise KeyError(f"unknown goal {goal_id!r}")

    def kpi(self, kpi_id: str) -> Kpi:
        return self.kpis[kpi_id]


@dataclass(frozen=True, slots=True)
class CatalogIssue:
    """A problem in the catalog data; `context` says where (`kpi.aov.formula`, `goal.raise_ltv.kfs[1]`)."""

    level: Literal["error", "warning"]
    message: str
    context: str


class CatalogError(ValueError):
    def __init__(self, issues: list[CatalogIssue]) -> None:
        self.issues = issues
        super().__init__("; ".join(f"{i.context}: {i.message}" for i in issues))


@functools.cache
def load_catalog() -> Catalog:
    """The shipped catalog, read once per process. Raises CatalogError: a broken shipped catalog is a bug."""
    with CATALOG_PATH.open("rb") as handle:
        data = tomllib.load(handle)
    catalog, issues = read_catalog(data)
    errors = [i for i in issues if i.level == "error"]
    if catalog is None or errors:
        raise CatalogError(errors or issues)
    return catalog


def validate_catalog(data: Mapping[str, Any]) -> list[CatalogIssue]:
    """Every issue in catalog data (as read from TOML), errors and warnings, in one list."""
    return read_catalog(data)[1]


def read_catalog(data: Mapping[str, Any]) -> tuple[Catalog | None, list[CatalogIssue]]:
    """Builds the catalog and lists every issue; the catalog is None when an error makes it unusable."""
    issues: list[CatalogIssue] = []
    raw_kpis = data.get("kpi")
    raw_goals = data.get("goal")
    if not isinstance(raw_kpis, Mapping):
        issues.append(CatalogIssue("error", "there must be a [kpi.<id>] table", "kpi"))
        raw_kpis = {}
    if not isinstance(raw_goals, list):
        issues.append(CatalogIssue("error", "there must be [[goal]] entries", "goal"))
        raw_goals = []
    goals = [g for i, raw in enumerate(raw_goals) if (g := _goal(raw, i, raw_kpis, issues)) is not None]
    _check_unique([g.id for g in goals], "goal", issues)
    _check_unique([k.id for g in goals for k in g.kfs], "kfs", issues)
    recommended: dict[str, list[str]] = {}
    for goal in goals:
        for kpi_id in dict.fromkeys(k for kfs in goal.kfs for k in kfs.recommended):
            recommended.setdefault(kpi_id, []).append(goal.id)
    kpis = {
        kpi_id: kpi
        for kpi_id, raw in raw_kpis.items()
        if (kpi := _kpi(str(kpi_id), raw, tuple(recommended.get(kpi_id, ())), issues)) is not None
    }
    for kpi_id in (*DESIGN_KPIS, *MEASURE_KPIS):
        if kpi_id not in raw_kpis:
            issues.append(CatalogIssue("error", f"the contract KPI {kpi_id!r} is missing", f"kpi.{kpi_id}"))
    if any(i.level == "error" for i in issues):
        return None, issues
    return Catalog(goals=tuple(goals), kpis=MappingProxyType(kpis)), issues


def _goal(raw: Any, index: int, raw_kpis: Mapping[str, Any], issues: list[CatalogIssue]) -> Goal | None:
    context = f"goal[{index}]"
    if not isinstance(raw, Mapping):
        issues.append(CatalogIssue("error", "a goal must be a table", context))
        return None
    goal_id = _identifier(raw.get("id"), context, issues)
    context = f"goal.{goal_id or index}"
    name = _text(raw.get("name"), f"{context}.name", issues)
    description = _text(raw.get("description"), f"{context}.description", issues)
    raw_kfs = raw.get("kfs") if isinstance(raw.get("kfs"), list) else []
    low, high = KFS_PER_GOAL
    if not low <= len(raw_kfs) <= high:
        issues.append(CatalogIssue("error", f"a goal needs {low}–{high} KFS, found {len(raw_kfs)}", context))
    kfs = [k for i, r in enumerate(raw_kfs) if (k := _kfs(r, f"{context}.kfs[{i}]", raw_kpis, issues)) is not None]
    if goal_id is None or name is None or description is None or len(kfs) != len(raw_kfs):
        return None
    return Goal(goal_id, name, description, tuple(kfs))


def _kfs(raw: Any, context: str, raw_kpis: Mapping[str, Any], issues: list[CatalogIssue]) -> Kfs | None:
    if not isinstance(raw, Mapping):
        issues.append(CatalogIssue("error", "a KFS must be a table", context))
        return None
    kfs_id = _identifier(raw.get("id"), context, issues)
    name = _text(raw.get("name"), f"{context}.name", issues)
    kpis = _id_list(raw.get("kpis"), f"{context}.kpis", issues)
    recommended = _id_list(raw.get("recommended", []), f"{context}.recommended", issues)
    low, high = KPIS_PER_KFS
    if not low <= len(kpis) <= high:
        issues.append(CatalogIssue("error", f"a KFS needs {low}–{high} KPIs, found {len(kpis)}", context))
    for kpi_id in kpis:
        if kpi_id not in raw_kpis:
            issues.append(CatalogIssue("error", f"unknown KPI {kpi_id!r}", f"{context}.kpis"))
    for kpi_id in recommended:
        if kpi_id not in kpis:
            issues.append(CatalogIssue("error", f"recommended KPI {kpi_id!r} is not among the KFS's KPIs", context))
    if len(set(kpis)) != len(kpis):
        issues.append(CatalogIssue("error", "a KPI is listed twice", f"{context}.kpis"))
    if kfs_id is None or name is None:
        return None
    return Kfs(kfs_id, name, tuple(kpis), tuple(recommended))


def _kpi(kpi_id: str, raw: Any, recommended_for: tuple[str, ...], issues: list[CatalogIssue]) -> Kpi | None:
    context = f"kpi.{kpi_id}"
    before = len(issues)
    if not kpi_id.isidentifier():
        issues.append(CatalogIssue("error", "a KPI id must be a lower-case identifier", context))
    if not isinstance(raw, Mapping):
        issues.append(CatalogIssue("error", "a KPI must be a table", context))
        return None
    name = _text(raw.get("name"), f"{context}.name", issues)
    description = _text(raw.get("description"), f"{context}.description", issues)
    formula = raw.get("formula")
    expr: Expr | None = None
    if not isinstance(formula, str):
        issues.append(CatalogIssue("error", "formula must be text", f"{context}.formula"))
    else:
        parsed = parse(formula)
        issues.extend(CatalogIssue("error", i.message, f"{context}.formula") for i in parsed.issues)
        expr = parsed.expr
    choices: dict[str, tuple[str, ...]] = {
        "unit": get_args(Unit), "direction": get_args(Direction), "stage": STAGES,
        "lead_lag": get_args(LeadLag), "responds": get_args(Responds),
    }
    for key, allowed in choices.items():
        if raw.get(key) not in allowed:
            issues.append(CatalogIssue("error", f"{key} must be one of {', '.join(allowed)}, not {raw.get(key)!r}", f"{context}.{key}"))
    unknown = set(raw) - {"name", "description", "formula", *choices}
    if unknown:
        issues.append(CatalogIssue("warning", f"unknown keys {sorted(unknown)} are ignored", context))
    if len(issues) > before and any(i.level == "error" for i in issues[before:]):
        return None
    assert name is not None and description is not None and expr is not None and isinstance(formula, str)
    return Kpi(
        id=kpi_id, name=name, description=description, formula=formula, expr=expr, unit=raw["unit"],
        direction=raw["direction"], stage=raw["stage"], lead_lag=raw["lead_lag"], responds=raw["responds"],
        recommended_for=recommended_for,
    )


def _text(raw: Any, context: str, issues: list[CatalogIssue]) -> Text | None:
    if not isinstance(raw, Mapping):
        issues.append(CatalogIssue("error", "needs an English and a Korean text ({en = …, ko = …})", context))
        return None
    missing = [lang for lang in ("en", "ko") if not isinstance(raw.get(lang), str) or not raw[lang].strip()]
    if missing:
        issues.append(CatalogIssue("error", f"the {' and '.join(missing)} text is missing", context))
        return None
    return Text(en=raw["en"].strip(), ko=raw["ko"].strip())


def _identifier(raw: Any, context: str, issues: list[CatalogIssue]) -> str | None:
    if not isinstance(raw, str) or not raw.isidentifier():
        issues.append(CatalogIssue("error", f"id must be an identifier, not {raw!r}", f"{context}.id"))
        return None
    return raw


def _id_list(raw: Any, context: str, issues: list[CatalogIssue]) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        issues.append(CatalogIssue("error", "must be a list of KPI ids", context))
        return []
    return list(raw)


def _check_unique(ids: list[str], what: str, issues: list[CatalogIssue]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            issues.append(CatalogIssue("error", f"duplicate {what} id {item!r}", f"{what}.{item}"))
        seen.add(item)


def catalog_json(catalog: Catalog | None = None) -> dict[str, Any]:
    """Exactly DESIGN.md's `python -m metrics catalog --format json` object.

    `recommended` lists the ids of the goals whose KFS recommend the KPI (empty when it is a generic one).
    """
    catalog = catalog or load_catalog()
    return {
        "goals": [
            {
                "id": goal.id,
                "name": goal.name.to_json(),
                "kfs": [{"id": k.id, "name": k.name.to_json(), "kpis": list(k.kpis)} for k in goal.kfs],
            }
            for goal in catalog.goals
        ],
        "kpis": {
            kpi.id: {
                "name": kpi.name.to_json(), "formula": kpi.formula, "unit": kpi.unit, "direction": kpi.direction,
                "stage": kpi.stage, "lead_lag": kpi.lead_lag, "recommended": list(kpi.recommended_for),
            }
            for kpi in catalog.kpis.values()
        },
    }
