"""Papers: full-text search and filters (kept in the URL), the table, its CSV, one paper in detail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from analysis import paper_filter, watchlists
from analysis.export import PAPER_COLUMNS, papers_csv
from analysis.paper_filter import SORTS, PaperFilter
from analysis.taxonomy import BY_NAME, LABEL_NAMES
from leanwatch.errors import InputFormatError
from leanwatch.store import open_reader
from ui.reading import empty_store_hint, plain, require_catalog, rows, settings, snapshot_key, web_link

LIMIT = 500
_DEFAULTS: dict[str, Any] = {
    "q": "", "since": None, "until": None, "categories": [], "labels": [], "sources": [], "labs": [],
    "has_code": False, "reports_compute": False, "pmin": None, "pmax": None, "upvotes": None,
    "author": "", "exclude": "", "sort": "relevance",
}  # fmt: skip


@st.cache_data(ttl=300, max_entries=64, show_spinner=False)
def found(snapshot: tuple[str, float], f: PaperFilter) -> paper_filter.Results:
    with open_reader(settings()) as reader:
        return paper_filter.search(reader, f, limit=LIMIT)


def csv_of(f: PaperFilter) -> bytes:
    """Every paper the filter keeps (not only the rows shown), as `leanwatch export papers` writes it."""
    with open_reader(settings()) as reader:
        return papers_csv(reader, f).encode("utf-8")


def from_url() -> None:
    """First run of a session: the widgets start from the URL's filters (a shared or bookmarked view)."""
    if "filters_loaded" in st.session_state:
        return
    st.session_state.filters_loaded = True
    try:
        f = PaperFilter.from_query(st.query_params.to_dict())
    except InputFormatError as exc:
        st.warning(f"Ignored the link's filters: {exc}")
        f = PaperFilter()
    state = {
        "q": f.text, "since": f.since, "until": f.until, "categories": list(f.categories),
        "labels": [label for label in f.labels if label in BY_NAME], "sources": list(f.sources),
        "labs": list(f.labs), "has_code": f.has_code, "reports_compute": f.reports_compute,
        "pmin": f.min_params / 1e6 if f.min_params is not None else None,
        "pmax": f.max_params / 1e6 if f.max_params is not None else None,
        "upvotes": f.min_upvotes, "author": f.author, "exclude": ", ".join(f.exclude),
        # Best match while searching, newest otherwise, unless the link chose an order.
        "sort": f.sort if "sort" in st.query_params else "relevance",
    }  # fmt: skip
    st.session_state.update(state)
    st.session_state.paper = st.query_params.get("paper", "")


def current_filter() -> PaperFilter:
    s = st.session_state
    return PaperFilter(
        text=s.q.strip(),
        since=s.since,
        until=s.until,
        categories=tuple(s.categories),
        labels=tuple(s.labels),
        sources=tuple(s.sources),
        labs=tuple(s.labs),
        has_code=s.has_code,
        reports_compute=s.reports_compute,
        min_params=s.pmin * 1e6 if s.pmin is not None else None,
        max_params=s.pmax * 1e6 if s.pmax is not None else None,
        min_upvotes=int(s.upvotes) if s.upvotes is not None else None,
        author=s.author.strip(),
        exclude=tuple(word.strip() for word in s.exclude.split(",") if word.strip()),
        sort=s.sort if (s.sort != "relevance" or s.q.strip()) else "date",
    )


def choices(snapshot: tuple[str, float]) -> dict[str, list[str]]:
    """The values the multi-selects offer: categories and sources present, the labs seen most."""
    cats = rows(snapshot, "SELECT primary_category, count(*) n FROM paper_facets GROUP BY 1 ORDER BY n DESC")
    labs = rows(
        snapshot,
        "SELECT lab, count(*) n FROM (SELECT unnest(labs) lab FROM paper_facets) GROUP BY 1 ORDER BY n DESC",
    )
    sources = rows(snapshot, "SELECT DISTINCT source FROM paper_sources ORDER BY 1")
    return {
        "categories": [c for c, _ in cats if c],
        "labs": [lab for lab, _ in labs[:200]],
        "sources": [s for (s,) in sources],
    }


def sidebar(options: dict[str, list[str]]) -> None:
    s = st.session_state
    with st.sidebar:
        st.header("Filters")
        st.date_input("From", key="since", value=None)
        st.date_input("To", key="until", value=None)
        st.multiselect("Technique or evaluation label", LABEL_NAMES, key="labels")
        st.multiselect(
            "arXiv category", sorted(set(options["categories"]) | set(s.categories)), key="categories"
        )
        st.multiselect("Source", sorted(set(options["sources"]) | set(s.sources)), key="sources")
        st.multiselect("Lab (posts citing it, or HF organisation)", options["labs"] + [
            lab for lab in s.labs if lab not in options["labs"]
        ], key="labs")  # fmt: skip
        st.checkbox("Has code", key="has_code")
        st.checkbox("Reports compute", key="reports_compute")
        low, high = st.columns(2)
        low.number_input("Params from (M)", min_value=0.0, value=None, key="pmin")
        high.number_input("to (M)", min_value=0.0, value=None, key="pmax")
        st.number_input("Minimum HF upvotes", min_value=0, value=None, step=1, key="upvotes")
        st.text_input("Author contains", key="author")
        st.text_input("Exclude words (comma-separated)", key="exclude")


def table(results: paper_filter.Results) -> pd.DataFrame:
    frame = pd.DataFrame(results.rows, columns=list(PAPER_COLUMNS))
    frame["labels"] = frame["labels"].map(lambda labels: ", ".join(labels))
    frame["authors"] = frame["authors"].map(
        lambda names: "; ".join(names[:3]) + ("; ..." if len(names) > 3 else "")
    )
    frame["parameters"] = pd.to_numeric(frame["parameters"]) / 1e6
    frame["code"] = frame["code"].map(web_link)
    return frame[
        ["title", "date", "labels", "primary_category", "upvotes", "stars", "parameters",
         "transparency_score", "score", "url", "code", "hf_url", "authors", "paper_id"]
    ]  # fmt: skip


def save_watchlist(f: PaperFilter) -> None:
    with st.popover("Save as watchlist"):
        name = st.text_input("Name", key="watchlist_name")
        st.caption("Keeps the words, labels, authors, labs, categories and excluded words.")
        if st.button("Save", disabled=not name.strip()):
            lists = watchlists.load_all(settings().data_dir)
            lists[name.strip()] = f.watchlist(name.strip())
            path = watchlists.save_all(settings().data_dir, lists)
            st.success(f"Saved {name.strip()!r} in {path}; use it with `leanwatch digest --watchlist`.")


def detail(snapshot: tuple[str, float], paper_id: str) -> None:
    paper = rows(
        snapshot,
        "SELECT title, abstract, authors, coalesce(announced, published::DATE), categories, arxiv_id, "
        "comment FROM papers WHERE paper_id = ?",
        (paper_id,),
    )
    if not paper:
        st.warning(f"No paper {paper_id} in the store.")
        return
    title, abstract, authors, day, categories, arxiv_id, comment = paper[0]
    st.subheader(plain(title))
    st.caption(plain(f"{paper_id} · {day} · {', '.join(categories or [])} · {'; '.join(authors or [])}"))
    links = rows(snapshot, "SELECT code_url, upvotes FROM paper_facets WHERE paper_id = ?", (paper_id,))
    code_url, upvotes = links[0] if links else (None, None)
    code_url = web_link(code_url)
    buttons = st.columns(6)
    if arxiv_id:
        buttons[0].link_button("arXiv", f"https://arxiv.org/abs/{arxiv_id}")
    if code_url:
        buttons[1].link_button("Code", code_url)
    if arxiv_id and upvotes is not None:
        buttons[2].link_button(f"HF ({upvotes} upvotes)", f"https://huggingface.co/papers/{arxiv_id}")
    st.markdown(plain(abstract) or "_No abstract stored._")
    if comment:
        st.caption(plain(comment))
    sections = {
        "Tags (score, method, evidence)": (
            "SELECT label, round(score, 3), method, array_to_string(evidence, '; '), model_version FROM tags "
            "WHERE paper_id = ? ORDER BY score DESC",
            ["label", "score", "method", "evidence", "model"],
        ),
        "Compute facts": (
            "SELECT kind, value, unit, chip, chip_count, scope, location, evidence FROM compute_facts "
            "WHERE paper_id = ? ORDER BY kind, span_start",
            ["kind", "value", "unit", "chip", "count", "scope", "location", "evidence"],
        ),
        "Training-compute estimate": (
            "SELECT method, training_flop, flop_low, flop_high, inputs, epoch_flop, epoch_ratio, chip_hours, "
            "cost_usd, price_source FROM compute_estimates WHERE paper_id = ? AND method <> 'none'",
            [
                "method",
                "FLOP",
                "low",
                "high",
                "inputs",
                "Epoch FLOP",
                "ours/Epoch",
                "chip-hours",
                "USD",
                "price",
            ],
        ),
        "Claims and their verification": (
            "SELECT c.benchmark, c.metric, c.value, c.unit, c.model, c.evidence, "
            "coalesce(v.verdict, 'not verified') FROM claims c "
            "LEFT JOIN verification_runs v USING (claim_id) WHERE c.paper_id = ? ORDER BY c.span_start",
            ["benchmark", "metric", "value", "unit", "model", "evidence", "verification"],
        ),
        "Leaderboard results": (
            "SELECT task, dataset, metric, value, model_name, source FROM results WHERE paper_id = ? "
            "ORDER BY dataset, metric",
            ["task", "dataset", "metric", "value", "model", "source"],
        ),
        "Lab posts that cite it": (
            "SELECT coalesce(o.lab, o.feed), o.title, o.published::DATE, o.url FROM post_papers q "
            "JOIN posts o USING (post_id) WHERE q.paper_id = ? ORDER BY o.published DESC",
            ["lab", "title", "date", "url"],
        ),
    }
    for heading, (sql, columns) in sections.items():
        found_rows = rows(snapshot, sql, (paper_id,))
        st.markdown(f"**{heading}**")
        if found_rows:
            table_rows = pd.DataFrame(found_rows, columns=columns)
            if "url" in table_rows:
                table_rows["url"] = table_rows["url"].map(web_link)
            st.dataframe(
                table_rows,
                hide_index=True,
                column_config={"url": st.column_config.LinkColumn()},
            )
        else:
            st.caption("none")


st.title("Papers")
snapshot = snapshot_key()
if snapshot[1] == 0.0 or not rows(snapshot, "SELECT count(*) FROM papers")[0][0]:
    empty_store_hint()
    st.stop()
require_catalog(snapshot)
from_url()
for key, value in _DEFAULTS.items():
    st.session_state.setdefault(key, value)
sidebar(choices(snapshot))
search_col, sort_col = st.columns([4, 1])
search_col.text_input("Search titles and abstracts", key="q", placeholder="e.g. kv cache quantization")
sort_col.selectbox(
    "Sort by",
    list(SORTS),
    key="sort",
    format_func=lambda name: "best match (newest if no search)" if name == "relevance" else name,
)
chosen = current_filter()
st.query_params.from_dict(
    chosen.to_query() | ({"paper": st.session_state.paper} if st.session_state.get("paper") else {})
)
results = found(snapshot, chosen)
for note in results.notes:
    st.caption(note)
shown = len(results.rows)
st.caption(
    f"{results.total:,} papers match" + (f"; the first {shown:,} shown" if shown < results.total else "")
    + (" · ranked by BM25 over title and abstract" if results.ranked and chosen.sort == "relevance" else "")
)  # fmt: skip
frame = table(results)
selection = st.dataframe(
    frame,
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="table",
    column_config={
        "url": st.column_config.LinkColumn("arXiv", display_text=r"abs/(.*)$"),
        "code": st.column_config.LinkColumn("code", display_text=r"github\.com/(.*)$"),
        "hf_url": st.column_config.LinkColumn("HF", display_text="HF"),
        "parameters": st.column_config.NumberColumn("params (M)", format="%.1f"),
        "transparency_score": st.column_config.NumberColumn("transparency", format="%.2f"),
        "score": st.column_config.NumberColumn("relevance", format="%.2f"),
        "date": st.column_config.DateColumn("date"),
    },
)
download, save = st.columns([1, 1])
download.download_button(
    f"Download CSV ({results.total:,} papers)",
    data=lambda: csv_of(chosen),
    file_name=f"leanwatch-papers-{dt.date.today().isoformat()}.csv",
    mime="text/csv",
    on_click="ignore",
)
with save:
    save_watchlist(chosen)
picked = selection.selection.rows if selection else []
if picked:
    st.session_state.paper = frame.iloc[picked[0]]["paper_id"]
    st.query_params["paper"] = st.session_state.paper


def close_paper() -> None:
    st.session_state.paper = ""
    st.query_params.pop("paper", None)


if st.session_state.get("paper"):
    st.divider()
    st.button("Close this paper", on_click=close_paper, key="close_paper")
    detail(snapshot, st.session_state.paper)
