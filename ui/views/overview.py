"""Overview: the last complete week in numbers, what moved (with the test), technique shares over
time, the latest lab posts, and how fresh each source is."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from analysis import digest
from analysis.taxonomy import TECHNIQUES
from analysis.trends import latest_week, trend_rows
from leanwatch.status import store_status
from leanwatch.store import open_reader
from ui.reading import plain, rows, settings, snapshot_key, web_link

_LATEST_POSTS = (
    "SELECT coalesce(lab, feed) AS lab, title, CAST(published AS DATE) AS day, url FROM posts "
    "WHERE published IS NOT NULL ORDER BY published DESC LIMIT 10"
)


@st.cache_data(ttl=300, max_entries=8, show_spinner=False)
def this_week(snapshot: tuple[str, float]) -> tuple[digest.Digest | None, pd.DataFrame]:
    """The last complete week's digest and 26 weeks of technique shares before it."""
    with open_reader(settings()) as reader:
        week = None if reader.empty else latest_week(reader)
        if week is None:
            return None, pd.DataFrame()
        found = digest.build(reader, week)
        history = trend_rows(reader, "week", week - dt.timedelta(weeks=26), week + dt.timedelta(days=6))
    shares = pd.DataFrame(
        [(r.period_start, r.key, r.share) for r in history if r.series == "label" and r.key in TECHNIQUES],
        columns=["week", "label", "share"],
    )
    return found, shares


st.title("leanwatch")
st.caption("Research intelligence on efficient AI")
report = store_status(settings())
tables = report["tables"]

if tables["papers"] == 0 and tables["posts"] == 0:
    st.info(
        "No papers yet: nothing has been ingested (a source that failed is listed below with why).\n\n"
        "Load papers from a file (works offline):\n\n"
        "    leanwatch ingest arxiv --from arxiv-metadata-snapshot.jsonl.gz\n\n"
        "or fetch every configured source:\n\n"
        "    leanwatch update\n\n"
        f"The app reads `{settings().db}`; `leanwatch status` shows what it holds."
    )
else:
    snapshot = snapshot_key()
    week, shares = this_week(snapshot)
    if week is not None:
        st.subheader(f"Week {week.name} ({week.week:%d %b} to {week.week + dt.timedelta(days=6):%d %b %Y})")
        reported, read = week.compute_reported
        papers, code, compute, posts = st.columns(4)
        papers.metric(
            "Papers", f"{week.papers:,}", f"{week.papers - week.papers_before:+,} on the week before"
        )
        code.metric(
            "With code", f"{week.with_code:,}", f"{week.with_code / week.papers:.0%}" if week.papers else None
        )
        compute.metric(
            "Report compute",
            f"{reported:,}" if read else "-",
            f"of {read:,} read" if read else None,
            delta_color="off",
        )
        posts.metric("Lab posts", f"{len(week.posts):,}")
        moved = week.rising + week.falling
        if moved:
            st.dataframe(
                pd.DataFrame(
                    [
                        (m.label, m.direction, m.papers, round(m.expected, 1), f"{m.p_value:.2g}")
                        for m in moved
                    ],
                    columns=["label", "direction", "papers", "expected", "p-value"],
                ),
                hide_index=True,
            )
        else:
            st.caption("No label moved beyond its last eight weeks this week.")
        st.caption(
            "Each label's count against its share of the previous eight weeks: one-sided Poisson test; "
            "only p < 0.01 with at least five papers is shown."
        )
        for label, picks in week.picks.items():
            st.markdown(f"**Top {plain(label)} papers**")
            for pick in picks:
                st.markdown(f"- [{plain(pick.title)}]({pick.url}) · {plain(pick.why)}")
    if not shares.empty:
        st.subheader("Technique share of papers, last 26 weeks")
        leading = shares.groupby("label")["share"].mean().nlargest(6).index
        wide = shares[shares.label.isin(leading)].pivot_table(index="week", columns="label", values="share")
        st.line_chart(wide, y_label="share of the week's papers")
    latest_posts = rows(snapshot, _LATEST_POSTS)
    if latest_posts:
        st.subheader("Latest lab posts")
        posts_frame = pd.DataFrame(latest_posts, columns=["lab", "title", "date", "url"])
        posts_frame["url"] = posts_frame["url"].map(web_link)
        st.dataframe(
            posts_frame,
            hide_index=True,
            column_config={"url": st.column_config.LinkColumn("link", display_text="open")},
        )
    columns = st.columns(4)
    for column, name in zip(columns, ("papers", "posts", "results", "models"), strict=True):
        column.metric(f"{name.capitalize()} stored", f"{tables[name]:,}")

sources = report["sources"]
if sources:
    st.subheader("Sources")
    source_rows = []
    for name, info in sources.items():
        last = info.get("last_run") or {}
        source_rows.append(
            {
                "source": name,
                "papers": info.get("papers", 0),
                "last run": last.get("started_at"),
                "status": last.get("status"),
                "message": last.get("message") or "",
            }
        )
    st.dataframe(pd.DataFrame(source_rows), hide_index=True)
st.caption(f"Snapshot: {report['store']['snapshot_at'] or 'none yet'} · store {report['store']['path']}")
