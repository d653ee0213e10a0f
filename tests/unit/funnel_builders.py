"""Declarative builders for funnel, what-if and cohort tests: a few readable rows in, a `Dataset` in role names out.

They stand in for ingest so the funnel tests do not depend on file parsing: each builder makes one `Fact` the way
`Dataset.from_sources` would (role-named columns, a grain, an entity for entity files).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import pandas as pd

from metrics.dataset import Dataset, Fact, _enrich_from_entities


def ad_report(rows: Iterable[Mapping[str, object]], name: str = "ads.csv") -> Fact:
    """An aggregate report: one row per date × segment with counted measures (impressions, clicks, sessions…)."""
    frame = pd.DataFrame(list(rows))
    if "date" in frame.columns:
        frame["date"] = pd.to_datetime(frame["date"], format="ISO8601")
    return Fact(name, "aggregate", frame)


def order_lines(rows: Iterable[tuple[object, ...]], extra: Mapping[str, list[object]] | None = None) -> Fact:
    """Order lines as (order_id, customer_id, date, revenue) tuples; customer None = blank; `extra` adds columns."""
    frame = pd.DataFrame(list(rows), columns=["order_id", "customer_id", "date", "revenue"])
    frame["date"] = pd.to_datetime(frame["date"], format="ISO8601")
    frame["order_id"] = frame["order_id"].astype("str")
    frame["customer_id"] = frame["customer_id"].astype("str")
    for column, values in (extra or {}).items():
        frame[column] = values
    return Fact("orders.xlsx", "line", frame)


def entity_file(entity: str, rows: Iterable[Mapping[str, object]], name: str | None = None) -> Fact:
    """A lead or deal list: one row per entity, keyed by `lead_id`."""
    frame = pd.DataFrame(list(rows))
    if "date" in frame.columns:
        frame["date"] = pd.to_datetime(frame["date"], format="ISO8601")
    return Fact(name or f"{entity}s.csv", "entity", frame, entity=entity)


def dataset(*facts: Fact) -> Dataset:
    """Facts joined as `Dataset.from_sources` joins them (segment dimensions copied across entity ids)."""
    return Dataset(_enrich_from_entities(tuple(facts)))


def with_frame(fact: Fact, frame: pd.DataFrame) -> Fact:
    return replace(fact, frame=frame)
