"""Trends: labels over time (counts and shares, weekly or monthly), compute reporting and the
transparency items, evaluation themes; each chart with the CSV of exactly what it draws."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from analysis.taxonomy import EVALUATION_THEMES, TECHNIQUES
from analysis.trends import TrendRow, trend_rows
from leanwatch.store import open_reader
from ui.reading import empty_store_hint, rows, settings, snapshot_key


@st.cache_data(ttl=300, max_entries=32, show_spinner=False)
def trend_frame(snapshot: tuple[str, float], period: str, since: dt.date | None) -> pd.DataFrame:
    with open_reader(settings()) as reader:
        found: list[TrendRow] = [] if reader.empty else trend_rows(reader, period, since)
    return pd.DataFrame(
        [(r.period, r.period_start, r.series, r.key, r.papers, r.total, r.share) for r in found],
        columns=["period", "period_start", "series", "key", "papers", "total", "share"],
    )


def chart(frame: pd.DataFrame, series: str, keys: list[str], measure: str, name: str) -> None:
    """One line chart (periods x keys) and the tidy rows it was drawn from as a CSV download."""
    rows = frame[(frame.series == series) & frame.key.isin(keys)]
    if rows.empty:
        st.caption("Nothing to draw for this selection yet.")
        return
    wide = rows.pivot_table(index="period_start", columns="key", values=measure, fill_value=0)
    st.line_chart(wide, y_label="share of papers" if measure == "share" else "papers")
    st.download_button(
        f"CSV of this chart ({len(rows):,} rows)",
        rows.to_csv(index=False).encode("utf-8"),
        file_name=f"leanwatch-{name}-{measure}.csv",
        mime="text/csv",
        key=f"csv-{name}",
        on_click="ignore",
    )


st.title("Trends")
snapshot = snapshot_key()
left, middle, right = st.columns(3)
period = left.radio("Period", ["week", "month"], horizontal=True, key="period")
measure = middle.radio("Measure", ["share", "papers"], horizontal=True, key="measure")
years = right.selectbox("Window", ["1 year", "2 years", "everything"], index=0, key="window")
# The window ends at the newest paper in the store, so a store of past years still shows its trends.
newest_day = rows(snapshot, "SELECT max(day) FROM paper_facets")[0][0] if snapshot[1] else None
since = (
    None
    if years == "everything" or newest_day is None
    else newest_day - dt.timedelta(days=365 * int(years[0]))
)
frame = trend_frame(snapshot, period, since)
if frame.empty:
    empty_store_hint("tagged papers in this window")
    st.stop()
newest = frame.period_start.max()
# The newest period is usually still filling up: say so rather than draw a false fall.
st.caption(
    f"Share = tagged papers / all papers dated in the {period}; the last {period} "
    f"({newest:%Y-%m-%d}) may be incomplete. Same numbers as `leanwatch export trends`."
)

st.subheader("Efficiency techniques")
picked = st.multiselect("Techniques", list(TECHNIQUES), default=list(TECHNIQUES[:5]), key="techniques")
chart(frame, "label", picked, measure, "techniques")

st.subheader("Evaluation themes")
themes = st.multiselect("Themes", list(EVALUATION_THEMES), default=list(EVALUATION_THEMES), key="themes")
chart(frame, "label", themes, measure, "themes")

st.subheader("Compute reporting and transparency")
st.caption(
    "Share of the papers read by `leanwatch extract` in each period that report the item "
    "(compute: hardware, time or FLOPs; code; parameters; data size; seeds/variance; eval configs)."
)
items = sorted(frame[frame.series == "transparency"].key.unique())
chart(frame, "transparency", items, "share", "transparency")
