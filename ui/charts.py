"""Every chart Loopboard draws, built with Altair from already aggregated frames (never raw rows).

Each builder takes a small frame with named columns (a few hundred rows at most; `MAX_POINTS` is a hard stop)
and returns an `alt.Chart`; pages only call `st.altair_chart(builder(frame), ...)`. Labels arrive translated.
"""

from __future__ import annotations

import pandas as pd

MAX_POINTS = 5_000
PALETTE = ["#3559E0", "#F08A24", "#2BA84A", "#C23B22", "#7B4FD6", "#1C9DB4", "#A0A0A0"]


def _guard(frame: pd.DataFrame) -> pd.DataFrame:
    """Charts get aggregates only: more than MAX_POINTS rows means a caller passed raw data by mistake."""
    if len(frame) > MAX_POINTS:
        raise ValueError(f"chart input has {len(frame):,} rows; aggregate to at most {MAX_POINTS:,} first")
    return frame


# --- KPI pool charts ---

# --- funnel charts ---
