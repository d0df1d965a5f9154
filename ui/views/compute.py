"""Compute: training-compute estimates per paper against Epoch's, and what was read from one paper."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.extraction import describe
from leanwatch.errors import InputFormatError
from leanwatch.settings import load_settings
from leanwatch.store import open_reader

settings = load_settings()

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


@st.cache_data(ttl=60)
def estimates(db: str) -> pd.DataFrame:
    with open_reader(settings) as reader:
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


@st.cache_data(ttl=60)
def paper_report(db: str, paper: str) -> str:
    with open_reader(settings) as reader:
        if reader.empty:
            return "The store is empty."
        try:
            return describe(reader, paper)
        except InputFormatError as exc:
            return str(exc)


st.title("Compute")
frame = estimates(str(settings.db))
if frame.empty:
    st.info("No compute has been extracted yet. Run `leanwatch extract` (or `leanwatch update`).")
else:
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
    st.text(paper_report(str(settings.db), paper.strip()))
