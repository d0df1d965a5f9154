"""Verification: re-runs of claimed results with their verdicts and fingerprints (read-only here;
runs are started with `leanwatch verify run`), and the claims waiting for one."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import streamlit as st

from harness import queue, recipe
from ui.reading import plain, rows, settings, snapshot_key

_RUNS = (
    "SELECT run_id, recipe, claim_id, verdict, status, started_at, ended_at, measured, fingerprint, run_dir "
    "FROM verification_runs ORDER BY started_at DESC LIMIT 500"
)
_CLAIMS = (
    "SELECT c.claim_id, c.paper_id, c.benchmark, c.metric, c.value, c.unit, c.evidence FROM claims c "
    "WHERE c.claim_id NOT IN (SELECT claim_id FROM verification_runs WHERE claim_id IS NOT NULL) "
    "ORDER BY c.paper_id DESC LIMIT 200"
)

st.title("Verification")
snapshot = snapshot_key()
runs = pd.DataFrame(
    rows(snapshot, _RUNS),
    columns=[
        "run",
        "recipe",
        "claim",
        "verdict",
        "status",
        "started",
        "ended",
        "measured",
        "fingerprint",
        "dir",
    ],
)
if runs.empty:
    st.info(
        "No verification run yet. List the recipes with `leanwatch verify list` and run one with "
        "`leanwatch verify run NAME`; its verdict, fingerprint and logs appear here."
    )
else:
    st.dataframe(runs.drop(columns=["measured", "fingerprint", "dir"]), hide_index=True)
    run = st.selectbox("Run", runs.run.tolist(), key="run")
    chosen = runs[runs.run == run].iloc[0]
    measured = json.loads(chosen.measured or "{}")
    st.markdown(f"**Claim:** {plain(measured.get('claim'))}")
    if measured.get("message"):
        st.caption(plain(measured["message"]))
    st.dataframe(
        pd.DataFrame(
            measured.get("verdicts", []),
            columns=["metric", "claimed", "measured", "spread", "verdict", "note"],
        ),
        hide_index=True,
    )
    if measured.get("per_seed"):
        st.caption("Every metric each seed reported")
        st.dataframe(pd.DataFrame(measured["per_seed"]), hide_index=False)
    with st.expander("Fingerprint"):
        st.json(json.loads(chosen.fingerprint or "{}"), expanded=True)
    for name in ("stdout.log", "stderr.log"):
        log = Path(chosen.dir or "") / name
        if chosen.dir and log.is_file():
            with st.expander(name):
                st.code(log.read_text(encoding="utf-8", errors="replace")[-20_000:], language=None)
st.subheader("Recipes")
problems: list[str] = []
recipes = recipe.available(settings().data_dir, problems)
for problem in problems:  # a user's recipe file that does not load is named, not a traceback
    st.warning(problem)
st.dataframe(
    pd.DataFrame(
        [(r.name, r.claim_text, "GPU" if r.gpus else "CPU", str(r.path)) for r in recipes.values()],
        columns=["recipe", "claim", "needs", "file"],
    ),
    hide_index=True,
)
st.caption(
    "Run one with `leanwatch verify run NAME`, or queue it here (or with `leanwatch verify queue NAME`)."
)
if recipes:
    chosen_recipe, queue_button = st.columns([3, 1])
    name = chosen_recipe.selectbox(
        "Recipe to queue", list(recipes), key="queue_recipe", label_visibility="collapsed"
    )
    if queue_button.button("Queue a run"):
        waiting = queue.add(settings().data_dir, [name])
        st.success(
            f"Queued {name} ({len(waiting)} waiting). `leanwatch verify queue --run` (by hand or from "
            "a timer) runs the queue; the verdict appears above."
        )
st.subheader("Claims not yet verified")
claims = pd.DataFrame(
    rows(snapshot, _CLAIMS), columns=["claim", "paper", "benchmark", "metric", "value", "unit", "evidence"]
)
if claims.empty:
    st.caption("No extracted claim yet: `leanwatch extract` reads claimed results from papers.")
else:
    st.caption("Make a recipe from one with `leanwatch verify new --claim ID`.")
    st.dataframe(claims, hide_index=True)
