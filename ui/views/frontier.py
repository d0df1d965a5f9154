"""Frontier: one benchmark's scores against model size, the Pareto frontier, and the models that
match or beat a model at least twice their size."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from analysis import frontier
from leanwatch.store import open_reader
from ui.reading import settings, snapshot_key


@st.cache_data(ttl=300, max_entries=8, show_spinner=False)
def benchmarks(snapshot: tuple[str, float]) -> list[tuple[str, str, str, int]]:
    with open_reader(settings()) as reader:
        return [] if reader.empty else frontier.benchmarks(reader, limit=50)


@st.cache_data(ttl=300, max_entries=32, show_spinner=False)
def benchmark_points(
    snapshot: tuple[str, float], task: str, dataset: str, metric: str, size: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    with open_reader(settings()) as reader:
        found = frontier.points(reader, dataset, metric, task, size)
    lower = frontier.lower_is_better(metric)
    best = {p.model for p in frontier.pareto(found, lower)}
    points = pd.DataFrame(
        [(p.model, p.value, p.size, p.day, p.paper_id, p.source, p.model in best) for p in found],
        columns=["model", "score", "size", "date", "paper", "source", "on frontier"],
    )
    events = pd.DataFrame(
        [
            (e.small.model, e.small.size, e.small.value, e.big.model, e.big.size, e.big.value,
             round(e.ratio, 1), e.small.source, e.big.source)
            for e in frontier.smaller_beats_bigger(found, lower)
        ],
        columns=["smaller model", "size", "score", "matches or beats", "its size", "its score", "size ratio",
                 "source (smaller)", "source (larger)"],
    )  # fmt: skip
    return points, events


st.title("Frontier")
choices = benchmarks(snapshot_key())
if not choices:
    st.info(
        "No leaderboard results with model sizes yet. Ingest Papers with Code model-index files "
        "(`leanwatch ingest pwc --from DIR`) and Epoch AI's models (`leanwatch ingest epoch --from FILE`)."
    )
    st.stop()
picked = st.selectbox(
    "Benchmark (task · dataset · metric, results with a known model size)",
    choices,
    format_func=lambda c: f"{c[0] or '-'} · {c[1]} · {c[2]} ({c[3]} results)",
    key="benchmark",
)
size = st.radio("Size", list(frontier.SIZES), horizontal=True, key="size")
task, dataset, metric, _ = picked
points, events = benchmark_points(snapshot_key(), task, dataset, metric, size)
if points.empty:
    st.caption(f"No result on this benchmark has a model {size} figure.")
    st.stop()
lower = frontier.lower_is_better(metric)
st.caption(
    f"{len(points)} models; {int(points['on frontier'].sum())} on the frontier (no smaller model scores "
    f"{'lower' if lower else 'higher'} or equal). Size on a log axis."
)
dots = (
    alt.Chart(points)
    .mark_circle(size=45)
    .encode(
        x=alt.X("size:Q", scale=alt.Scale(type="log"), title=size),
        y=alt.Y("score:Q", scale=alt.Scale(zero=False), title=metric),
        color=alt.Color("on frontier:N"),
        tooltip=["model:N", "score:Q", alt.Tooltip("size:Q", format=".3s"), "date:T", "source:N"],
    )
)
line = (
    alt.Chart(points[points["on frontier"]])
    .mark_line(interpolate="step-after", color="#d62728")
    .encode(x="size:Q", y="score:Q")
)
st.altair_chart(dots + line, width="stretch")
st.subheader("Smaller beats bigger")
if events.empty:
    st.caption("No model matches a model at least twice its size here.")
else:
    st.dataframe(events, hide_index=True)
st.download_button(
    "CSV of these points",
    points.to_csv(index=False).encode("utf-8"),
    file_name=f"leanwatch-frontier-{dataset}-{metric}.csv".replace(" ", "_"),
    mime="text/csv",
    on_click="ignore",
)
