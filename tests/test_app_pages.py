"""Every page of the app on a store built from the shared corpora: real papers, HF daily lists, lab
feeds, model-index leaderboards and Epoch models, tagged and extracted by the real commands."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis import paper_filter
from analysis.export import papers_csv
from analysis.paper_filter import PaperFilter
from leanwatch.settings import Settings
from leanwatch.store import open_reader
from leanwatch.store.connection import lock_path
from leanwatch.store.lock import WriterLock

VIEWS = Path(__file__).resolve().parent.parent / "ui" / "views"
APP = VIEWS.parent / "app.py"
# What each page shows when it has data (the browser test waits for the same text).
PAGE_CONTENT = {
    "overview": "Technique share of papers",
    "papers": "papers match",
    "trends": "Efficiency techniques",
    "compute": "Training compute over time",
    "frontier": "Smaller beats bigger",
    "labs": "Posts per month",
    "verification": "No verification run yet",
    "digests": "Headline",
}
PAGES = list(PAGE_CONTENT)


def _page(settings: Settings, monkeypatch: pytest.MonkeyPatch, name: str, **query: str) -> AppTest:
    monkeypatch.setenv("LEANWATCH_DATA_DIR", str(settings.data_dir))
    app = AppTest.from_file(str(VIEWS / f"{name}.py"), default_timeout=60)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, app.exception
    return app


def _texts(app: AppTest) -> str:
    parts: list[Any] = [*app.title, *app.subheader, *app.caption, *app.info, *app.markdown, *app.text]
    return "\n".join(str(part.value) for part in parts)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_real_content(
    corpus: Settings, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    app = _page(corpus, monkeypatch, name)
    assert not app.error, [e.value for e in app.error]
    expected = PAGE_CONTENT[name]
    assert expected in _texts(app)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_tells_a_new_user_what_to_do_on_an_empty_store(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    app = _page(settings, monkeypatch, name)
    assert app.info, f"{name}: an empty store shows what to run"
    assert "leanwatch" in app.info[0].value


def _table(app: AppTest) -> pd.DataFrame:
    return next(d.value for d in app.dataframe if "title" in d.value.columns and "labels" in d.value.columns)


def test_papers_filters_change_the_table_and_live_in_the_url(
    corpus: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _page(corpus, monkeypatch, "papers")
    everything = _table(app)
    app.multiselect(key="labels").set_value(["quantization"]).run()
    quantized = _table(app)
    assert 0 < len(quantized) < len(everything)
    assert all("quantization" in labels for labels in quantized["labels"])
    assert app.query_params["label"] == "quantization"
    app.text_input(key="q").set_value("post-training quantization").run()
    searched = _table(app)
    assert 0 < len(searched) <= len(quantized)
    assert searched["score"].is_monotonic_decreasing  # ranked by BM25
    assert app.query_params["q"] == "post-training quantization"
    # The same view opened from its link shows the same rows.
    again = _page(corpus, monkeypatch, "papers", label="quantization", q="post-training quantization")
    assert _table(again)["paper_id"].tolist() == searched["paper_id"].tolist()


def test_papers_download_carries_exactly_the_filtered_rows(
    corpus: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = PaperFilter(labels=("quantization",), exclude=("survey",))
    app = _page(corpus, monkeypatch, "papers", label="quantization", exclude="survey")
    shown = _table(app)
    with open_reader(corpus) as reader:
        frame = pd.read_csv(io.StringIO(papers_csv(reader, chosen)))
        expected = reader.query(
            "SELECT count(*) FROM tags t JOIN papers p USING (paper_id) WHERE t.label = 'quantization' "
            "AND NOT contains(lower(p.title || ' ' || p.abstract), 'survey')"
        )[0][0]
    assert len(frame) == expected > 0
    assert frame["paper_id"].tolist() == shown["paper_id"].tolist()  # fewer than the 500 shown
    assert any(f"{expected:,} papers" in str(b.proto.label) for b in app.get("download_button"))
    assert frame["labels"].str.contains("quantization").all()
    assert not frame["title"].str.lower().str.contains("survey").any()


def test_paper_detail_shows_tags_with_evidence_and_text_not_markup(
    corpus: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_reader(corpus) as reader:
        paper_id, title = reader.query(
            "SELECT p.paper_id, p.title FROM papers p JOIN tags t USING (paper_id) "
            "ORDER BY t.score DESC LIMIT 1"
        )[0]
    app = _page(corpus, monkeypatch, "papers", paper=paper_id)
    tags = next(
        d.value for d in app.dataframe if "evidence" in d.value.columns and "label" in d.value.columns
    )
    assert len(tags) >= 1 and tags["evidence"].str.len().gt(0).all()
    headings = [h.value for h in app.subheader]
    assert any(h.replace("\\", "") == title for h in headings)


def test_search_ranks_with_the_index_and_falls_back_to_substrings(corpus: Settings) -> None:
    with open_reader(corpus) as reader:
        ranked = paper_filter.search(reader, PaperFilter(text="speculative decoding"), limit=20)
        assert ranked.ranked and ranked.rows
        titles_and_abstracts = reader.query(
            "SELECT lower(title || ' ' || abstract) FROM papers WHERE paper_id = ?", [ranked.rows[0][0]]
        )[0][0]
        assert "speculative" in titles_and_abstracts and "decod" in titles_and_abstracts
        # Without the index (an old snapshot, a platform without the wheel): substring matching.
        reader.has_search_index = lambda: False  # type: ignore[method-assign]
        plain = paper_filter.search(reader, PaperFilter(text="speculative decoding"), limit=None)
        assert not plain.ranked and plain.notes
        assert {row[0] for row in ranked.rows} <= {row[0] for row in plain.rows}
        # What a user types is only ever a parameter: SQL in the box is just words that match nothing.
        hostile = paper_filter.search(reader, PaperFilter(text="'; DROP TABLE papers; --"), limit=5)
        assert hostile.rows == [] and reader.query("SELECT count(*) FROM papers")[0][0] > 0


def test_filters_round_trip_through_the_url_and_reject_bad_values() -> None:
    f = PaperFilter(
        text="kv cache", since=dt.date(2026, 1, 1), labels=("kv_cache", "quantization"), has_code=True,
        min_params=7e9, min_upvotes=5, author="Dao", exclude=("survey",), sort="upvotes",
    )  # fmt: skip
    query = f.to_query()
    assert query["label"] == "kv_cache,quantization" and query["pmin"] == "7e+09"
    assert PaperFilter.from_query(query) == f
    from leanwatch.errors import InputFormatError

    with pytest.raises(InputFormatError, match="from="):
        PaperFilter.from_query({"from": "last tuesday"})
    with pytest.raises(InputFormatError, match="sort="):
        PaperFilter.from_query({"sort": "random()"})


def test_a_running_writer_shows_a_banner_and_the_pages_still_read(
    corpus: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEANWATCH_DATA_DIR", str(corpus.data_dir))
    with WriterLock(lock_path(corpus.db), "leanwatch update") as lock:
        lock.acquire(0)
        for name in ("overview", "papers"):
            app = AppTest.from_file(str(APP), default_timeout=60)
            app.switch_page(str(VIEWS / f"{name}.py"))
            app.run()
            assert not app.exception, app.exception
            assert any("An update is running" in w.value for w in app.warning)
            assert not app.error
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not any("An update is running" in w.value for w in app.warning)


def test_median_parameters_and_top_labs_per_technique(
    corpus: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import statistics

    from analysis.trends import median_parameters

    with open_reader(corpus) as reader:
        medians = median_parameters(reader, "month")
        assert medians, "the corpus has papers that report parameters"
        _, start, label, median, papers = medians[0]
        values = [
            value
            for (value,) in reader.query(
                "SELECT f.parameters FROM paper_facets f WHERE list_contains(f.labels, ?) "
                "AND f.parameters > 0 AND date_trunc('month', f.day) = ?",
                [label, start],
            )
        ]
        assert papers == len(values) and median == pytest.approx(statistics.median(values))
    app = _page(corpus, monkeypatch, "trends")
    assert "Median parameters per technique, by month" in [h.value for h in app.subheader]
    verification = _page(corpus, monkeypatch, "verification")
    recipes = next(d.value for d in verification.dataframe if "recipe" in d.value.columns)
    assert {"resnet50-params-flops", "int8-dynamic-quantization"} <= set(recipes["recipe"])


def test_a_file_load_defers_the_search_index_and_search_says_so(
    settings: Settings, shared_data: Path
) -> None:
    from click.testing import CliRunner

    from leanwatch.cli import cli

    base = ["--data-dir", str(settings.data_dir)]
    samples = shared_data / "hf_papers" / "samples"
    loaded = CliRunner().invoke(
        cli, [*base, "ingest", "hf-papers", "--from", str(samples / "daily_papers_2025-03-03.json")]
    )
    assert loaded.exit_code == 0 and "run `leanwatch index`" in loaded.output
    with open_reader(settings) as reader:
        found = paper_filter.search(reader, PaperFilter(text="model"))
        assert not found.ranked and found.rows  # no index yet: substring matching, and it says so
        assert "No full-text index here" in found.notes[0]
    assert CliRunner().invoke(cli, [*base, "index"]).exit_code == 0
    more = CliRunner().invoke(
        cli, [*base, "ingest", "hf-papers", "--from", str(samples / "daily_papers_2026-08-21.json")]
    )
    assert more.exit_code == 0, more.output
    with open_reader(settings) as reader:
        stale = paper_filter.search(reader, PaperFilter(text="model"))
        covered, stored = reader.query(
            "SELECT (SELECT num_docs FROM fts_main_papers.stats), count(*) FROM papers"
        )[0]
    assert stale.ranked and covered < stored
    assert stale.notes == [
        f"The search index covers {covered:,} of {stored:,} papers (a file load deferred it): "
        "`leanwatch index` brings it up to date."
    ]


@pytest.mark.parametrize("name", ["papers", "trends", "compute"])
def test_a_store_from_before_the_catalog_says_to_run_index(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    import duckdb

    from leanwatch.store import open_writer, snapshot_path

    with open_writer(settings, "test") as store:
        store.upsert(
            "papers", [{"paper_id": "arxiv:2501.00001", "title": "A paper", "announced": dt.date(2025, 1, 6)}]
        )
    with duckdb.connect(str(snapshot_path(settings.db))) as con:  # as an older leanwatch published it
        con.execute("DROP TABLE paper_facets")
    app = _page(settings, monkeypatch, name)
    assert any("leanwatch index" in info.value for info in app.info)


def test_links_from_sources_are_only_ever_http(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from leanwatch.store import open_writer

    with open_writer(settings, "test") as store:
        store.upsert("papers", [{"paper_id": "arxiv:2501.00001", "arxiv_id": "2501.00001", "title": "A paper",
                                 "announced": dt.date(2025, 1, 6)}])  # fmt: skip
        store.upsert("code_links", [{"paper_id": "arxiv:2501.00001", "repo_url": "javascript:alert(1)"}])
    app = _page(settings, monkeypatch, "papers", paper="arxiv:2501.00001")
    assert _table(app)["code"].tolist() == [None]
    assert [b.proto.label for b in app.get("link_button")] == ["arXiv"]  # no "Code" button for it


def test_a_paper_opened_from_a_link_can_be_closed(corpus: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_reader(corpus) as reader:
        paper_id = reader.query("SELECT paper_id FROM papers ORDER BY paper_id LIMIT 1")[0][0]
    app = _page(corpus, monkeypatch, "papers", paper=paper_id)
    assert app.query_params["paper"] == paper_id and any("Compute facts" in m.value for m in app.markdown)
    app.button(key="close_paper").click().run()
    assert "paper" not in app.query_params
    assert not any("Compute facts" in m.value for m in app.markdown)
