"""A workspace's uploads seen as one dataset in role names: what the KPI engine and the funnel compute on.

Each ingested `Source` becomes a `Fact` (its canonical frame plus what kind of rows it holds). KPIs whose parts live
in different uploads (ad cost in one, shop revenue in another) pick, per aggregation, the fact that has the roles
they read; periods and segments are applied to every fact alike, so those parts stay aligned by date and channel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from metrics.ingest.model import Grain, Source


@dataclass(frozen=True, slots=True)
class Fact:
    """One source's rows in role names. `entity` says what one row is for entity grain (customer, lead, deal...)."""

    name: str
    grain: Grain
    frame: pd.DataFrame
    entity: str | None = None

    def has(self, *roles: str) -> bool:
        return all(r in self.frame.columns for r in roles)

    def provides(self) -> frozenset[str]:
        """Roles this fact can answer for, beyond its columns: `revenue` of order lines priced as quantity ×
        unit_price, and the entity measure (`customers`, `leads`, `deals`) that counting its rows gives.

        Why not add columns: the KPI engine derives these lazily, so a 500k-line frame is never copied for it.
        """
        roles = {str(c) for c in self.frame.columns}
        if "revenue" not in roles and {"quantity", "unit_price"} <= roles:
            roles.add("revenue")
        measure = entity_measure(self.entity) if self.grain == "entity" else None
        if measure is not None:
            roles.add(measure)
        return frozenset(roles)


@dataclass(frozen=True, slots=True)
class Dataset:
    """All facts of a workspace, optionally restricted to a period and a segment (applied lazily, per fact)."""

    facts: tuple[Fact, ...]

    @classmethod
    def from_sources(cls, sources: Iterable[Source]) -> Dataset:
        facts = tuple(
            Fact(name=f"{s.file}" + (f" · {s.sheet}" if s.sheet else ""), grain=s.grain, frame=s.canonical(), entity=s.entity)
            for s in sources
        )
        return cls(facts=_enrich_from_entities(facts))

    def roles(self) -> set[str]:
        """Every role some fact can supply."""
        return {str(c) for f in self.facts for c in f.frame.columns}

    def available_roles(self) -> frozenset[str]:
        """Every role some fact can answer for, derived ones included (see `Fact.provides`)."""
        return frozenset().union(*(f.provides() for f in self.facts))

    def fact_for(self, roles: Sequence[str]) -> Fact | None:
        """The fact that holds all `roles`; line grain first (it can answer the most), then the largest."""
        candidates = [f for f in self.facts if f.has(*roles)]
        if not candidates:
            return None
        rank = {"line": 0, "aggregate": 1, "entity": 2}
        return min(candidates, key=lambda f: (rank[f.grain], -len(f.frame)))

    def date_range(self) -> tuple[date, date] | None:
        """First and last date any fact covers; None when no fact has dates."""
        bounds = [
            (f.frame["date"].min(), f.frame["date"].max())
            for f in self.facts
            if "date" in f.frame.columns and f.frame["date"].notna().any()
        ]
        if not bounds:
            return None
        return min(b[0] for b in bounds).date(), max(b[1] for b in bounds).date()

    def common_end(self) -> date | None:
        """The last date every dated fact reaches: beyond it, some file has no rows yet (e.g. leads stop in May while
        deals run on), so a period after it would compare stages that are not both there.

        Files that never overlap in time (a 2019 statistics export beside 2020 sales) share no such date; then the
        latest date of all is the sensible place to start.
        """
        spans = [
            (f.frame["date"].min(), f.frame["date"].max())
            for f in self.facts
            if "date" in f.frame.columns and f.frame["date"].notna().any()
        ]
        if not spans:
            return None
        latest_start, earliest_end = max(s for s, _ in spans), min(e for _, e in spans)
        return (earliest_end if latest_start <= earliest_end else max(e for _, e in spans)).date()

    def between(self, start: date | None, end: date | None) -> Dataset:
        """Rows dated within [start, end] (inclusive). Facts without a date column are kept whole."""
        if start is None and end is None:
            return self
        return replace(self, facts=tuple(_filter_period(f, start, end) for f in self.facts))

    def where(self, dimension: str, value: object) -> Dataset:
        """Rows of one segment. Facts lacking the dimension are dropped: they cannot speak for that segment."""
        kept = tuple(
            replace(f, frame=f.frame[f.frame[dimension] == value]) for f in self.facts if dimension in f.frame.columns
        )
        return replace(self, facts=kept)


_ENTITY_MEASURES = {"customer": "customers", "lead": "leads", "deal": "deals"}


def entity_measure(entity: str | None) -> str | None:
    """The measure one row of an entity file counts (`customer` → `customers`); None for other entities."""
    if not entity:
        return None
    key = entity.strip().casefold()
    key = key[:-1] if key.endswith("s") else key
    return _ENTITY_MEASURES.get(key)


def _filter_period(fact: Fact, start: date | None, end: date | None) -> Fact:
    if "date" not in fact.frame.columns:
        return fact
    dates = fact.frame["date"]
    mask = pd.Series(True, index=fact.frame.index)
    if start is not None:
        mask &= dates >= pd.Timestamp(start)
    if end is not None:
        mask &= dates < pd.Timestamp(end) + pd.Timedelta(days=1)
    return replace(fact, frame=fact.frame[mask])


_ID_ROLES = ("lead_id", "customer_id", "order_id")
_LOOKUP_DIMENSIONS = ("channel", "source", "medium", "campaign", "device", "region", "segment", "product")


def _enrich_from_entities(facts: tuple[Fact, ...]) -> tuple[Fact, ...]:
    """Copies segment dimensions from an entity fact onto another fact that shares its id.

    Why: Olist's closed-deals file has no `origin`; the leads file has it, keyed by `mql_id`. Joining it on lets the
    funnel split leads → deals by channel, as a marketer expects from two files that "go together".
    """
    out: list[Fact] = []
    for fact in facts:
        frame = fact.frame
        for other in facts:
            if other is fact or other.grain != "entity":
                continue
            for id_role in _ID_ROLES:
                if id_role not in frame.columns or id_role not in other.frame.columns:
                    continue
                missing = [d for d in _LOOKUP_DIMENSIONS if d in other.frame.columns and d not in frame.columns]
                if not missing:
                    continue
                lookup = other.frame[[id_role, *missing]].drop_duplicates(id_role).set_index(id_role)
                frame = frame.join(lookup, on=id_role)
        out.append(replace(fact, frame=frame) if frame is not fact.frame else fact)
    return tuple(out)
