"""Every chart Loopboard draws, built with Altair from already aggregated frames (never raw rows).

Each builder takes a small frame with named columns (a few hundred rows at most; `MAX_POINTS` is a hard stop)
and returns an `alt.Chart`; pages only call `st.altair_chart(builder(frame), ...)`. Labels arrive translated.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

MAX_POINTS = 5_000
PALETTE = ["#3559E0", "#F08A24", "#2BA84A", "#C23B22", "#7B4FD6", "#1C9DB4", "#A0A0A0"]


def _guard(frame: pd.DataFrame) -> pd.DataFrame:
    """Charts get aggregates only: more than MAX_POINTS rows means a caller passed raw data by mistake."""
    if len(frame) > MAX_POINTS:
        raise ValueError(f"chart input has {len(frame):,} rows; aggregate to at most {MAX_POINTS:,} first")
    return frame


# --- KPI pool charts ---


def revenue_waterfall(frame: pd.DataFrame, amount_title: str) -> alt.LayerChart:
    """Revenue before → traffic, conversion and order-value effects → revenue now, as floating bars.

    `frame`: `step` (translated label, in order), `amount` (₩; an effect may be negative), `total` (True for the
    before/now bars). Each effect bar floats from the running total, so the bars add up. The axis starts a little
    below the lowest level reached (not at zero), or effects of a few percent would be invisible next to the totals."""
    frame = _guard(frame).reset_index(drop=True)
    running = frame["amount"].where(~frame["total"], 0).cumsum() + float(frame["amount"].iloc[0])
    running = running.where(~frame["total"], frame["amount"])
    start = running - frame["amount"].where(~frame["total"], 0.0)
    low, high = float(min(start.min(), running.min())), float(max(start.max(), running.max()))
    floor = max(0.0, low - 0.5 * (high - low)) if high > low else 0.0
    start = start.where(~frame["total"], floor)
    end = running
    kind = frame["total"].map({True: "total"}).fillna(frame["amount"].map(lambda a: "up" if a >= 0 else "down"))
    data = frame.assign(
        start=start, end=end, kind=kind, order=range(len(frame)),
        label=frame["amount"].map(lambda a: f"{'+' if a > 0 else ''}{a:,.0f}"),
    )
    data.loc[data["total"], "label"] = data.loc[data["total"], "amount"].map(lambda a: f"{a:,.0f}")
    colour = alt.Color(
        "kind:N", legend=None,
        scale=alt.Scale(domain=["total", "up", "down"], range=[PALETTE[0], PALETTE[2], PALETTE[3]]),
    )
    base = alt.Chart(data).encode(
        x=alt.X("step:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelAngle=0, labelLimit=160)),
        tooltip=[alt.Tooltip("step:N", title=" "), alt.Tooltip("amount:Q", format=",.0f", title=amount_title)],
    )
    bars = base.mark_bar(cornerRadius=2).encode(
        y=alt.Y("start:Q", title=amount_title, axis=alt.Axis(format="~s"), scale=alt.Scale(zero=False, domainMin=floor)),
        y2="end:Q", color=colour
    )
    text = base.mark_text(dy=-8, fontSize=12).encode(y=alt.Y("max_end:Q"), text="label:N").transform_calculate(
        max_end="max(datum.start, datum.end)"
    )
    return (bars + text).properties(height=320)


# --- funnel charts ---


def funnel_bars(frame: pd.DataFrame, count_title: str) -> alt.Chart:
    """Horizontal bars, one per stage in funnel order, each labelled with its count and step conversion.

    A symmetric-log axis: a funnel spans millions of impressions to hundreds of orders, and on a linear axis every
    stage after the first would be an invisible sliver.

    `frame`: `label` (stage name), `count`, `order` (position), `text` (what to print beside the bar).
    """
    base = alt.Chart(_guard(frame)).encode(
        y=alt.Y("label:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("count:Q", title=count_title, axis=alt.Axis(format="~s"), scale=alt.Scale(type="symlog")),
        tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("count:Q", format=",.0f", title=count_title), "text:N"],
    )
    bars = base.mark_bar(color=PALETTE[0], cornerRadiusEnd=3)
    text = base.mark_text(align="left", dx=4, fontSize=12).encode(text="text:N")
    return (bars + text).properties(height=alt.Step(34))


def segment_rates(frame: pd.DataFrame, rate_title: str, small_title: str) -> alt.Chart:
    """Step conversion per segment, one colour per step; small segments are pale (marked, not ranked).

    `frame`: `segment`, `step`, `step_order`, `rate` (fraction), `small` (bool), `size` (top-stage count).
    """
    return alt.Chart(_guard(frame)).mark_bar().encode(
        y=alt.Y("segment:N", sort=None, title=None, axis=alt.Axis(labelLimit=200)),
        x=alt.X("rate:Q", title=rate_title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1], clamp=True)),
        yOffset=alt.YOffset("step:N", sort=alt.SortField("step_order")),
        color=alt.Color("step:N", sort=alt.SortField("step_order"), scale=alt.Scale(range=PALETTE), title=None,
                        legend=alt.Legend(orient="top", labelLimit=260)),
        opacity=alt.condition(alt.datum.small, alt.value(0.3), alt.value(1.0)),
        tooltip=["segment:N", "step:N", alt.Tooltip("rate:Q", format=".1%", title=rate_title),
                 alt.Tooltip("small:N", title=small_title), alt.Tooltip("size:Q", format=",.0f")],
    ).properties(height=alt.Step(16, **{"for": "offset"}))  # 16 px per bar: every segment keeps its label


def stage_trend(frame: pd.DataFrame, rate_title: str) -> alt.Chart:
    """Each step's conversion per week or month, to see whether a leak is new or has always been there.

    `frame`: `period` (date), `step`, `step_order`, `rate` (fraction, NaN where undefined).
    """
    return alt.Chart(_guard(frame.dropna(subset=["rate"]))).mark_line(point=True).encode(
        x=alt.X("period:T", title=None),
        y=alt.Y("rate:Q", title=rate_title, axis=alt.Axis(format="%")),
        color=alt.Color("step:N", sort=alt.SortField("step_order"), scale=alt.Scale(range=PALETTE), title=None,
                        legend=alt.Legend(orient="top", labelLimit=260)),
        tooltip=[alt.Tooltip("period:T"), "step:N", alt.Tooltip("rate:Q", format=".1%", title=rate_title)],
    ).properties(height=320)


def cohort_heatmap(frame: pd.DataFrame, cohort_title: str, months_title: str, share_title: str) -> alt.Chart:
    """Monthly retention: one row per first-order month, one column per month since, shaded by the share back.

    `frame`: `cohort` ("YYYY-MM"), `months_since` (int), `share` (fraction), `customers` (cohort size).
    """
    base = alt.Chart(_guard(frame)).encode(
        y=alt.Y("cohort:O", title=cohort_title),
        x=alt.X("months_since:O", title=months_title),
        tooltip=[alt.Tooltip("cohort:O", title=cohort_title), alt.Tooltip("months_since:O", title=months_title),
                 alt.Tooltip("share:Q", format=".1%", title=share_title), alt.Tooltip("customers:Q", format=",")],
    )
    cells = base.mark_rect().encode(
        color=alt.Color("share:Q", title=share_title, scale=alt.Scale(scheme="blues", domain=[0, 0.5], clamp=True),
                        legend=alt.Legend(format="%")),
    )
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("share:Q", format=".0%"),
        color=alt.condition(alt.datum.share > 0.3, alt.value("white"), alt.value("#222")),
    )
    return (cells + text).properties(height=alt.Step(22))

