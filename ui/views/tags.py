"""Tags: papers per label, each tag with its score, method and the evidence that made it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.taxonomy import BY_NAME, LABEL_NAMES
from leanwatch.records import paper_url
from leanwatch.settings import load_settings
from leanwatch.store import open_reader

settings = load_settings()

_COUNTS = "SELECT label, count(*) FROM tags GROUP BY label"
_TAGGED = (
    "SELECT p.paper_id, p.title, t.score, t.method, t.evidence, t.model_version "
    "FROM tags t JOIN papers p USING (paper_id) WHERE t.label = ? "
    "ORDER BY coalesce(p.announced, p.published::DATE) DESC NULLS LAST, t.score DESC LIMIT 500"
)


@st.cache_data(ttl=60)
def label_counts(db: str) -> dict[str, int]:
    with open_reader(settings) as reader:
        return {} if reader.empty else dict(reader.query(_COUNTS))


@st.cache_data(ttl=60)
def tagged(db: str, label: str) -> pd.DataFrame:
    with open_reader(settings) as reader:
        rows = [] if reader.empty else reader.query(_TAGGED, [label])
    frame = pd.DataFrame(rows, columns=["paper", "title", "score", "method", "evidence", "model"])
    frame["evidence"] = frame["evidence"].map(lambda items: "; ".join(items or []))
    frame["paper"] = frame["paper"].map(lambda paper_id: paper_url(paper_id) or paper_id)
    return frame


st.title("Tags")
counts = label_counts(str(settings.db))
if not counts:
    st.info("No paper is tagged yet. Run `leanwatch tag` (or `leanwatch update`).")
else:
    label = st.selectbox(
        "Label",
        LABEL_NAMES,
        format_func=lambda name: f"{name} ({counts.get(name, 0):,})",
        key="label",
    )
    st.caption(BY_NAME[label].definition)
    frame = tagged(str(settings.db), label)
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "paper": st.column_config.LinkColumn("paper", display_text=r"abs/(.*)$"),
            "score": st.column_config.NumberColumn(format="%.2f"),
        },
    )
    st.caption("Newest 500. Evidence: cue phrases and where they were found, then the model's top terms.")
