"""Overview: what the store holds and how fresh each source is."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from analysis.trends import period_name, week_movers
from leanwatch.settings import load_settings
from leanwatch.status import store_status
from leanwatch.store import open_reader

# `leanwatch ui` hands the app its settings through LEANWATCH_* variables.
settings = load_settings()
report = store_status(settings)
tables = report["tables"]


@st.cache_data(ttl=60)
def moving_labels(db: str) -> tuple[dt.date | None, pd.DataFrame]:
    with open_reader(settings) as reader:
        week, found = (None, []) if reader.empty else week_movers(reader)
    frame = pd.DataFrame(
        [(m.label, m.direction, m.papers, round(m.expected, 1), f"{m.p_value:.2g}") for m in found],
        columns=["label", "direction", "papers", "expected", "p-value"],
    )
    return week, frame


st.title("leanwatch")
st.caption("Research intelligence on efficient AI")

if sum(tables.values()) == 0:
    st.info(
        "The store is empty: nothing has been ingested yet.\n\n"
        "Load papers from a file (works offline):\n\n"
        "    leanwatch ingest arxiv --from arxiv-metadata-snapshot.jsonl.gz\n\n"
        "or fetch every configured source:\n\n"
        "    leanwatch update\n\n"
        f"The app reads `{settings.db}`; `leanwatch status` shows what it holds."
    )
else:
    columns = st.columns(4)
    for column, name in zip(columns, ("papers", "posts", "results", "models"), strict=True):
        column.metric(name.capitalize(), f"{tables[name]:,}")
    week, moved = moving_labels(str(settings.db))
    if week is not None:
        st.subheader(f"Rising and falling, week {period_name(week, 'week')}")
        if moved.empty:
            st.caption("No label moved beyond its last eight weeks (one-sided Poisson test, p < 0.01).")
        else:
            st.dataframe(moved, hide_index=True)
            st.caption(
                "Each label's count this week against its share of the previous eight weeks: a one-sided "
                "Poisson test; only p < 0.01 with at least five papers is shown."
            )
    st.subheader("Store")
    st.dataframe(
        pd.DataFrame({"table": list(tables), "rows": list(tables.values())}),
        hide_index=True,
    )

sources = report["sources"]
if sources:
    st.subheader("Sources")
    rows = []
    for name, info in sources.items():
        last = info.get("last_run") or {}
        rows.append(
            {
                "source": name,
                "papers": info.get("papers", 0),
                "last run": last.get("started_at"),
                "status": last.get("status"),
                "message": last.get("message") or "",
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True)
st.caption(f"Snapshot: {report['store']['snapshot_at'] or 'none yet'} · store {report['store']['path']}")
