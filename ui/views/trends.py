"""Trends: labels over time (counts and shares, weekly or monthly), compute reporting and the
transparency items, evaluation themes; each chart with the CSV of exactly what it draws."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from analysis.taxonomy import EVALUATION_THEMES, TECHNIQUES
from analysis.trends import TrendRow, median_parameters, top_labs, trend_rows
from leanwatch.store import open_reader
from ui.reading import empty_store_hint, require_catalog, rows, settings, snapshot_key


@st.cache_data(ttl=300, max_entries=32, show_spinner=False)
def trend_frame(snapshot: tuple[str, float], period: str, since: dt.date | None) -> pd.DataFrame:
    with open_reader(settings()) as reader:
        found: list[TrendRow] = [] if reader.empty else trend_rows(reader, period, since)
    return pd.DataFrame(
        [(r.period, r.period_start, r.series, r.key, r.papers, r.total, r.share) for r in found],
        columns=["period", "period_start", "series", "key", "papers", "total", "share"],
    )


@st.cache_data(ttl=300, max_entries=32, show_spinner=False)
def technique_stats(snapshot: tuple[str, float], since: dt.date | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    with open_reader(settings()) as reader:
        if reader.empty:
            return pd.DataFrame(), pd.DataFrame()
        medians = median_parameters(reader, "month", since)
        labs = top_labs(reader, 5, since)
    return (
        pd.DataFrame(medians, columns=["period", "period_start", "label", "median_parameters", "papers"]),
        pd.DataFrame(labs, columns=["label", "lab", "papers"]),
    )


def csv_button(frame: pd.DataFrame, name: str) -> None:
    st.download_button(
        f"CSV ({len(frame):,} rows)",
        frame.to_csv(index=False).encode("utf-8"),
        file_name=f"leanwatch-{name}.csv",
        mime="text/csv",
        key=f"csv-{name}",
        on_click="ignore",
    )


def chart(frame: pd.DataFrame, series: str, keys: list[str], measure: str, name: str) -> None:
    """One line chart (periods x keys) and the tidy rows it was drawn from as a CSV download."""
    rows = frame[(frame.series == series) & frame.key.isin(keys)]
    if rows.empty:
        st.caption("Nothing to draw for this selection yet.")
        return
    wide = rows.pivot_table(index="period_start", columns="key", values=measure, fill_value=0)
    st.line_chart(wide, y_label="share of papers" if measure == "share" else "papers")
    csv_button(rows, f"{name}-{measure}")


st.title("Trends")
snapshot = snapshot_key()
left, middle, right = st.columns(3)
period = left.radio("Period", ["week", "month"], horizontal=True, key="period")
measure = middle.radio("Measure", ["share", "papers"], horizontal=True, key="measure")
years = right.selectbox("Window", ["1 year", "2 years", "everything"], index=0, key="window")
if snapshot[1]:
    require_catalog(snapshot)
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

medians, labs = technique_stats(snapshot, since)
st.subheader("Median parameters per technique, by month")
st.caption(
    "Median of the parameter counts papers report for their own models (from `leanwatch extract`), "
    "among the papers of that technique that report one; log scale."
)
shown = medians[medians.label.isin(picked)] if not medians.empty else medians
if shown.empty:
    st.caption("No paper of these techniques reports its parameters in this window yet.")
else:
    lines = (
        alt.Chart(shown)
        .mark_line(point=True)
        .encode(
            x=alt.X("period_start:T", title="month"),
            y=alt.Y("median_parameters:Q", scale=alt.Scale(type="log"), title="median parameters"),
            color=alt.Color("label:N", title=None),
            tooltip=["label:N", "period:N", alt.Tooltip("median_parameters:Q", format=".3s"), "papers:Q"],
        )
    )
    st.altair_chart(lines, width="stretch")
    csv_button(shown, "median-parameters")
st.subheader("Labs and organisations publishing most per technique")
st.caption(
    "A paper counts for a lab when one of the lab's posts cites it or its HF organisation submitted it."
)
if labs.empty:
    st.caption("No paper here is linked to a lab yet (lab feeds and Hugging Face Papers link them).")
else:
    st.dataframe(labs[labs.label.isin(picked + themes)], hide_index=True)
    csv_button(labs, "labs-per-technique")
