"""Compute: training-compute estimates per paper against Epoch's, and what was read from one paper."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from analysis.extraction import describe
from leanwatch.errors import InputFormatError
from leanwatch.store import open_reader
from leanwatch.store.schema import PAPER_DATE
from ui.reading import require_catalog, rows, settings, snapshot_key

_OVER_TIME = f"""
SELECT {PAPER_DATE} AS day, e.training_flop AS value, 'leanwatch (' || e.method || ')' AS source, p.title
FROM compute_estimates e JOIN papers p USING (paper_id) WHERE e.training_flop > 0 AND {PAPER_DATE} IS NOT NULL
UNION ALL
SELECT publication_date, training_compute_flop, 'Epoch AI', name FROM models
WHERE training_compute_flop > 0 AND publication_date IS NOT NULL AND source = 'epoch'
"""  # noqa: S608 - fixed SQL
_PARAMS_OVER_TIME = """
SELECT f.day, f.parameters, 'leanwatch (reported)', f.title FROM paper_facets f
WHERE f.parameters > 0 AND f.day IS NOT NULL
UNION ALL
SELECT publication_date, parameters, 'Epoch AI', name FROM models
WHERE parameters > 0 AND publication_date IS NOT NULL AND source = 'epoch'
"""
_HARDWARE = (
    "SELECT coalesce(chip, 'unnamed'), count(DISTINCT paper_id) AS papers FROM compute_facts "
    "WHERE kind = 'hardware' GROUP BY 1 ORDER BY papers DESC LIMIT 20"
)
_METHODS = "SELECT method, count(*) FROM compute_estimates GROUP BY method ORDER BY 2 DESC"
_AGREEMENT = "SELECT epoch_ratio FROM compute_estimates WHERE epoch_ratio > 0"

_ESTIMATES = (
    "SELECT e.paper_id, p.title, e.method, e.training_flop, e.flop_low, e.flop_high, e.epoch_flop, "
    "e.epoch_ratio, e.chip_hours, e.cost_usd, x.transparency_score, e.inputs "
    "FROM compute_estimates e JOIN papers p USING (paper_id) JOIN extracted_papers x USING (paper_id) "
    "WHERE e.training_flop IS NOT NULL OR e.epoch_flop IS NOT NULL "
    "ORDER BY coalesce(e.training_flop, e.epoch_flop) DESC LIMIT 1000"
)
_COLUMNS = [
    "paper", "title", "method", "training FLOP", "low", "high", "Epoch FLOP", "ours / Epoch",
    "chip-hours", "cost (USD)", "transparency", "how",
]  # fmt: skip


@st.cache_data(ttl=300, max_entries=8, show_spinner=False)
def estimates(snapshot: tuple[str, float]) -> pd.DataFrame:
    with open_reader(settings()) as reader:
        rows = [] if reader.empty else reader.query(_ESTIMATES)
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    numeric = ["ours / Epoch", "chip-hours", "cost (USD)", "transparency"]
    frame[numeric] = frame[numeric].apply(pd.to_numeric)  # None becomes NaN, so the columns stay numbers
    # FLOP counts pass 2^53, which the browser's grid flags as imprecise: they are shown as "6.7e+25".
    for column in ("training FLOP", "low", "high", "Epoch FLOP"):
        frame[column] = frame[column].map(
            lambda value: "" if value is None or value != value else f"{value:.2g}"
        )
    return frame


@st.cache_data(ttl=300, max_entries=64, show_spinner=False)
def paper_report(snapshot: tuple[str, float], paper: str) -> str:
    with open_reader(settings()) as reader:
        if reader.empty:
            return "The store is empty."
        try:
            return describe(reader, paper)
        except InputFormatError as exc:
            return str(exc)


def log_scatter(frame: pd.DataFrame, measure: str) -> None:
    """Points over time on a log axis, coloured by who reports them."""
    chart = (
        alt.Chart(frame)
        .mark_circle(size=28, opacity=0.6)
        .encode(
            x=alt.X("day:T", title="date"),
            y=alt.Y("value:Q", scale=alt.Scale(type="log"), title=measure),
            color=alt.Color("source:N", title=None),
            tooltip=["title:N", "source:N", alt.Tooltip("value:Q", format=".2e"), "day:T"],
        )
    )
    st.altair_chart(chart, width="stretch")


st.title("Compute")
snapshot = snapshot_key()
if snapshot[1]:
    require_catalog(snapshot)
over_time = pd.DataFrame(rows(snapshot, _OVER_TIME), columns=["day", "value", "source", "title"])
params = pd.DataFrame(rows(snapshot, _PARAMS_OVER_TIME), columns=["day", "value", "source", "title"])
if over_time.empty and params.empty:
    st.info(
        "No compute figures yet. Run `leanwatch extract` (or `leanwatch update`) for papers, and "
        "`leanwatch ingest epoch --from FILE.csv` for Epoch AI's models."
    )
else:
    st.subheader("Training compute over time (FLOP, log scale)")
    log_scatter(over_time, "training FLOP")
    st.subheader("Parameters over time (log scale)")
    log_scatter(params, "parameters")
    hardware, methods, agreement = st.columns(3)
    with hardware:
        st.markdown("**Hardware named in papers**")
        st.dataframe(pd.DataFrame(rows(snapshot, _HARDWARE), columns=["chip", "papers"]), hide_index=True)
    with methods:
        st.markdown("**Reported vs estimated**")
        st.dataframe(pd.DataFrame(rows(snapshot, _METHODS), columns=["method", "papers"]), hide_index=True)
    with agreement:
        st.markdown("**Agreement with Epoch AI**")
        ratios = pd.Series([r for (r,) in rows(snapshot, _AGREEMENT)], dtype=float)
        if ratios.empty:
            st.caption("No paper has both our estimate and Epoch's yet.")
        else:
            within = ((ratios >= 0.5) & (ratios <= 2)).mean()
            st.metric(
                "Median ours / Epoch", f"{ratios.median():.2f}", f"{within:.0%} within 2x", delta_color="off"
            )
            st.caption(f"{len(ratios):,} papers with both figures.")

st.subheader("Estimates per paper")
frame = estimates(snapshot)
if not frame.empty:
    st.caption(
        "Training compute as reported, else 6 x parameters x tokens, else chip-hours x peak FLOP/s x "
        "utilisation; Epoch AI's figure where Epoch covers the paper. Largest 1,000."
    )
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "ours / Epoch": st.column_config.NumberColumn(format="%.2f"),
            "chip-hours": st.column_config.NumberColumn(format="%.0f"),
            "cost (USD)": st.column_config.NumberColumn(format="$%.0f"),
            "transparency": st.column_config.NumberColumn(format="%.2f"),
        },
    )
paper = st.text_input("One paper (arxiv:ID or ID)", key="paper")
if paper.strip():
    # Plain text: titles and evidence come from papers and feeds, never rendered as markup.
    st.text(paper_report(snapshot, paper.strip()))
