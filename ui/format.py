"""How numbers read on screen: ₩ with thousands separators, rates as percentages, "—" for no value.

Kept apart from metrics so the computations stay in fractions and raw amounts, exactly as DESIGN.md defines them.
"""

from __future__ import annotations

import math

NO_VALUE = "—"


def is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def currency(value: float | None, symbol: str = "₩") -> str:
    """₩1,234,567 (no decimals: won have none); negative amounts keep their sign in front."""
    if is_missing(value):
        return NO_VALUE
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{abs(value):,.0f}"


def percent(value: float | None, digits: int = 1) -> str:
    """0.2654 → 26.5%."""
    if is_missing(value):
        return NO_VALUE
    return f"{value * 100:,.{digits}f}%"


def points(value: float | None, digits: int = 1) -> str:
    """A change in a rate, in percentage points: +1.2 pp."""
    if is_missing(value):
        return NO_VALUE
    return f"{value * 100:+,.{digits}f} pp"


def count(value: float | None) -> str:
    if is_missing(value):
        return NO_VALUE
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def ratio(value: float | None) -> str:
    if is_missing(value):
        return NO_VALUE
    return f"{value:,.2f}×"


def score(value: float | None) -> str:
    if is_missing(value):
        return NO_VALUE
    return f"{value:+,.1f}"


def by_unit(value: float | None, unit: str) -> str:
    """Formats a KPI value by its catalog unit (currency, percent, count, ratio, score)."""
    formatter = {"currency": currency, "percent": percent, "count": count, "ratio": ratio, "score": score}
    return formatter.get(unit, count)(value)
