"""The app at a million papers: each page's first render, a filter change, full-text search.

Targets (issue 9), 1,000,000 papers: first render under 3 s per page, a filter change under 1 s,
search under 500 ms.

The store is built the way a user builds one, then copied up to size: the shared arXiv listing
(74,728 real papers) plus a day of HF papers, two lab feeds, the model-index leaderboards and
Epoch's models are ingested, tagged and extracted by the real commands; then every paper row and
its tags, compute facts, checklist, estimates, sources and code links are copied with new ids
until the store holds `--papers` papers (real titles and abstracts, so the search index has real
text). The writer then rebuilds the paper catalog and the search index as it would after an update.

Pages are timed with Streamlit's AppTest (the server side of a page: its queries and the building
of its elements, cache cleared before each first render), search and filters with the queries the
Papers page runs. `--keep DIR` keeps the store to rerun the timings (`--reuse DIR`).

    python -m bench.ui [--papers 1000000] [--keep DIR | --reuse DIR]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from analysis import paper_filter
from analysis.paper_filter import PaperFilter
from bench.corpus import build_corpus_store
from leanwatch.settings import Settings, load_settings
from leanwatch.store import open_reader, open_writer

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
VIEWS = Path(__file__).resolve().parent.parent / "ui" / "views"
PAGES = ["overview", "papers", "trends", "compute", "frontier", "labs", "verification", "digests"]
# Tables keyed by paper that the copies carry (each with its paper_id column rewritten).
COPIED = [
    "papers", "tags", "tagged_papers", "compute_facts", "transparency", "extracted_papers",
    "compute_estimates", "paper_sources", "code_links", "hf_daily",
]  # fmt: skip
SEARCHES = ["quantization", "speculative decoding", "kv cache compression", "mixture of experts routing",
            "low-rank adaptation of large language models"]  # fmt: skip


def build(data_dir: Path, papers: int) -> Settings:
    settings = load_settings(env={}, flags={"data_dir": str(data_dir)})
    started = time.perf_counter()
    count = build_corpus_store(settings, SHARED)
    seconds = time.perf_counter() - started
    print(f"base store: {count:,} real papers ingested, tagged, extracted in {seconds:.0f} s")
    started = time.perf_counter()
    with open_writer(settings, "bench ui copies") as store:
        base = store.query("SELECT count(*) FROM papers")[0][0]
        copies = max(1, -(-papers // base))
        for table in COPIED:
            # Fixed table names from this module; the copy count is a parameter.
            store.query(
                f"INSERT INTO {table} SELECT t.* REPLACE (t.paper_id || '-c' || r.k AS paper_id) "  # noqa: S608
                f"FROM {table} t, range(1, ?) r(k)",
                [copies],
            )
        extra = base * copies - papers
        store.query(
            "DELETE FROM papers WHERE rowid IN (SELECT rowid FROM papers ORDER BY paper_id DESC LIMIT ?)",
            [extra],
        )
        total = store.query("SELECT count(*) FROM papers")[0][0]
        print(
            f"copied to {total:,} papers in {time.perf_counter() - started:.0f} s; rebuilding the catalog..."
        )
        started = time.perf_counter()
    print(f"catalog and search index rebuilt (writer close) in {time.perf_counter() - started:.0f} s")
    return settings


def _best(run: object, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times), result


def time_queries(settings: Settings) -> None:
    with open_reader(settings) as reader:
        count = reader.query("SELECT count(*) FROM papers")[0][0]
        print(f"papers: {count:,}")
        for text in SEARCHES:
            seconds, found = _best(lambda t=text: paper_filter.search(reader, PaperFilter(text=t)))
            assert isinstance(found, paper_filter.Results) and found.ranked
            print(f"search {text!r}: {found.total:,} hits, best of 3 {seconds * 1000:.0f} ms")
        filters = {
            "no filter (newest 500)": PaperFilter(),
            "label quantization": PaperFilter(labels=("quantization",)),
            "label + has code": PaperFilter(labels=("quantization",), has_code=True),
            "category cs.CL + reports compute": PaperFilter(categories=("cs.CL",), reports_compute=True),
            "params 1B-10B by size": PaperFilter(min_params=1e9, max_params=1e10, sort="parameters"),
            "author contains 'Wang'": PaperFilter(author="Wang"),
            "exclude 'survey'": PaperFilter(exclude=("survey",)),
            "search + label + exclude": PaperFilter(
                text="quantization", labels=("quantization",), exclude=("survey",)
            ),
        }  # fmt: skip
        for name, f in filters.items():
            seconds, found = _best(lambda f=f: paper_filter.search(reader, f))
            assert isinstance(found, paper_filter.Results)
            print(f"filter {name}: {found.total:,} match, best of 3 {seconds * 1000:.0f} ms")


def time_pages(settings: Settings) -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["LEANWATCH_DATA_DIR"] = str(settings.data_dir)
    for name in PAGES:
        st.cache_data.clear()
        app = AppTest.from_file(str(VIEWS / f"{name}.py"), default_timeout=120)
        started = time.perf_counter()
        app.run()
        first = time.perf_counter() - started
        if app.exception:
            raise SystemExit(f"{name}: {app.exception}")
        line = f"page {name}: first render {first:.2f} s"
        if name == "papers":
            for label, change in (
                ("label filter", lambda a: a.multiselect(key="labels").set_value(["quantization"])),
                ("search typed", lambda a: a.text_input(key="q").set_value("kv cache compression")),
                ("has code ticked", lambda a: a.checkbox(key="has_code").check()),
            ):
                change(app)
                started = time.perf_counter()
                app.run()
                line += f"; {label} {time.perf_counter() - started:.2f} s"
        if name == "trends":
            app.radio(key="period").set_value("month")
            started = time.perf_counter()
            app.run()
            line += f"; switch to months {time.perf_counter() - started:.2f} s"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="Build the store here and keep it.")
    parser.add_argument("--reuse", type=Path, help="Time a store built earlier with --keep.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.reuse:
            settings = load_settings(env={}, flags={"data_dir": str(args.reuse)})
        else:
            settings = build(args.keep or Path(tmp), args.papers)
        time_queries(settings)
        time_pages(settings)


if __name__ == "__main__":
    main()
