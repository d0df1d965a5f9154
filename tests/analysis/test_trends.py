"""Trends and exports: weekly and monthly counts cross-checked against SQL, movers, CSV files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
from click.testing import CliRunner

from analysis import tagger as tg
from analysis import tagging
from analysis.trends import movers, period_name, trend_rows
from bench.listing import paper_row
from leanwatch.cli import cli
from leanwatch.settings import Settings
from leanwatch.store import open_reader, open_writer


def _real_store(settings: Settings, listing_papers: list[dict[str, Any]]) -> None:
    with open_writer(settings, "test") as store:
        store.upsert("papers", [paper_row(p) for p in listing_papers])
        tagging.tag_store(store, tg.load(tg.SHIPPED_MODEL), workers=1)


def test_weekly_counts_match_sql_on_real_papers(
    settings: Settings, listing_papers: list[dict[str, Any]]
) -> None:
    _real_store(settings, listing_papers)
    with open_reader(settings) as reader:
        rows = trend_rows(reader, "week")
        direct = reader.query(
            "SELECT date_trunc('week', announced) AS w, label, count(*) "
            "FROM papers JOIN tags USING (paper_id) GROUP BY ALL"
        )
        totals = dict(reader.query("SELECT date_trunc('week', announced), count(*) FROM papers GROUP BY 1"))
        months = trend_rows(reader, "month")
    labels = [r for r in rows if r.series == "label"]
    assert labels, "the real papers carry tags"
    assert {(r.period_start, r.key, r.papers) for r in labels} == {
        (w.date(), label, n) for w, label, n in direct
    }
    assert all(r.total == totals[dt.datetime.combine(r.period_start, dt.time())] for r in labels)
    assert all(0 < r.share <= 1 for r in labels)
    assert sum(r.papers for r in labels) == sum(r.papers for r in months if r.series == "label")
    first = labels[0]
    assert first.period == period_name(first.period_start, "week") and "-W" in first.period


def _synthetic(settings: Settings, spike: int) -> None:
    """Ten weeks of 200 papers, 20 (10%) quantization each week, then `spike` in the last week."""
    start = dt.date(2026, 1, 5)  # a Monday
    papers, tags = [], []
    for week in range(10):
        day = start + dt.timedelta(weeks=week)
        quantized = spike if week == 9 else 20
        for i in range(200):
            paper_id = f"arxiv:2601.{week:02d}{i:03d}"
            # spread over the week, so the last week is complete (it ends on a Sunday)
            papers.append(
                {"paper_id": paper_id, "title": f"Paper {i}", "announced": day + dt.timedelta(days=i % 7)}
            )
            if i < quantized:
                tags.append({"paper_id": paper_id, "label": "quantization", "score": 0.9, "method": "rule"})
            if i >= 150:
                tags.append({"paper_id": paper_id, "label": "pruning", "score": 0.9, "method": "rule"})
    with open_writer(settings, "test") as store:
        store.upsert("papers", papers)
        store.upsert("tags", tags)


def test_a_real_jump_rises_with_its_p_value_and_noise_does_not(settings: Settings) -> None:
    _synthetic(settings, spike=45)
    with open_reader(settings) as reader:
        rows = trend_rows(reader, "week")
    found = movers(rows, dt.date(2026, 3, 9))
    assert [m.label for m in found] == ["quantization"]
    jump = found[0]
    assert jump.direction == "rising" and jump.papers == 45 and abs(jump.expected - 20.0) < 1e-9
    assert jump.p_value < 1e-5 and "Poisson p =" in jump.line()


def test_small_wobbles_and_drops(settings: Settings, tmp_path: Path) -> None:
    _synthetic(settings, spike=26)  # 26 against 20 expected: p ~ 0.11, not a trend
    with open_reader(settings) as reader:
        assert movers(trend_rows(reader, "week"), dt.date(2026, 3, 9)) == []
    other = Settings(**{**settings.__dict__, "data_dir": tmp_path / "drop"})
    _synthetic(other, spike=3)
    with open_reader(other) as reader:
        found = movers(trend_rows(reader, "week"), dt.date(2026, 3, 9))
    assert [(m.label, m.direction) for m in found] == [("quantization", "falling")]


def test_export_trends_and_compute_csv(settings: Settings, tmp_path: Path) -> None:
    _synthetic(settings, spike=45)
    out = tmp_path / "trends.csv"
    result = CliRunner().invoke(
        cli, ["--data-dir", str(settings.data_dir), "export", "trends", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["period", "period_start", "series", "key", "papers", "total", "share"]
    last = frame[(frame.period == "2026-W11") & (frame.key == "quantization")].iloc[0]
    assert (last.papers, last.total, last.share) == (45, 200, 0.225)
    assert frame.period_start.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    month = tmp_path / "months.csv"
    args = [
        "--data-dir",
        str(settings.data_dir),
        "export",
        "trends",
        "--period",
        "month",
        "--out",
        str(month),
    ]
    assert CliRunner().invoke(cli, [*args, "--since", "2026-02-01"]).exit_code == 0
    months = pd.read_csv(month)
    assert set(months.period) == {"2026-02", "2026-03"}
    bad = CliRunner().invoke(cli, [*args, "--since", "soon"])
    assert bad.exit_code == 2 and "not a date" in bad.output


def test_export_papers_csv_and_bibtex(settings: Settings, tmp_path: Path) -> None:
    _synthetic(settings, spike=45)
    with open_writer(settings, "test") as store:
        store.upsert(
            "papers",
            [{"paper_id": "arxiv:2603.99999", "arxiv_id": "2603.99999", "title": "Cheap & fast: 50% {less}",
              "authors": ["A. Ñame", "B_Two"], "announced": dt.date(2026, 3, 10)}],
        )  # fmt: skip
        store.upsert("tags", [{"paper_id": "arxiv:2603.99999", "label": "quantization", "score": 1.0}])
        store.upsert("code_links", [{"paper_id": "arxiv:2603.99999", "repo_url": "https://github.com/a/b"}])
    base = ["--data-dir", str(settings.data_dir), "export", "papers"]
    out = tmp_path / "papers.csv"
    args = [*base, "--label", "quantization", "--since", "2026-03-09", "--out", str(out)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    frame = pd.read_csv(out)
    with open_reader(settings) as reader:
        expected = reader.query(
            "SELECT count(*) FROM papers JOIN tags USING (paper_id) "
            "WHERE label = 'quantization' AND announced >= DATE '2026-03-09'"
        )[0][0]
    assert len(frame) == expected == 46
    assert {"url", "hf_url", "labels", "code"} <= set(frame.columns)
    assert "arxiv:2603.99999" in frame.paper_id.tolist()
    assert frame.date.is_monotonic_decreasing  # newest first
    coded = tmp_path / "coded.csv"
    assert CliRunner().invoke(cli, [*base, "--has-code", "--out", str(coded)]).exit_code == 0
    assert pd.read_csv(coded).paper_id.tolist() == ["arxiv:2603.99999"]
    bib = tmp_path / "papers.bib"
    assert (
        CliRunner().invoke(cli, [*base, "--has-code", "--format", "bibtex", "--out", str(bib)]).exit_code == 0
    )
    text = bib.read_text()
    assert text.startswith("@misc{arxiv_2603_99999,")
    assert r"{Cheap \& fast: 50\% \{less\}}" in text and r"A. Ñame and B\_Two" in text


def test_watchlists_filter_trends_and_keep_user_text_out_of_sql(settings: Settings) -> None:
    from analysis.watchlists import Watchlist

    rows = [
        {"paper_id": "arxiv:2603.00001", "title": "4-bit LLM quantization", "abstract": "We quantize.",
         "authors": ["Ada Lovelace"], "categories": ["cs.LG"], "announced": dt.date(2026, 3, 2)},
        {"paper_id": "arxiv:2603.00002", "title": "A survey of 4-bit methods", "abstract": "Survey.",
         "authors": ["Bob"], "categories": ["cs.CL"], "announced": dt.date(2026, 3, 3)},
        {"paper_id": "arxiv:2603.00003", "title": "Pruning vision models", "abstract": "Sparse.",
         "authors": ["Ada King"], "categories": ["cs.CV"], "announced": dt.date(2026, 3, 4)},
    ]  # fmt: skip
    with open_writer(settings, "test") as store:
        store.upsert("papers", rows)
        store.upsert(
            "tags", [{"paper_id": r["paper_id"], "label": "quantization", "score": 1.0} for r in rows[:2]]
        )
    cases = {
        Watchlist("kw", keywords=("4-BIT",), exclude=("survey",)): {"arxiv:2603.00001"},
        Watchlist("lab", labels=("quantization",)): {"arxiv:2603.00001", "arxiv:2603.00002"},
        Watchlist("who", authors=("ada",)): {"arxiv:2603.00001", "arxiv:2603.00003"},
        Watchlist("cat", categories=("cs.CV", "cs.CL")): {"arxiv:2603.00002", "arxiv:2603.00003"},
        Watchlist("evil", keywords=("'; DROP TABLE papers; --",)): set(),
    }
    with open_reader(settings) as reader:
        for watchlist, expected in cases.items():
            condition, params = watchlist.where()
            found = reader.query(f"SELECT paper_id FROM papers p WHERE {condition}", params)  # noqa: S608 - test
            assert {row[0] for row in found} == expected, watchlist.name
        assert reader.query("SELECT count(*) FROM papers")[0][0] == 3  # the hostile keyword stayed a value
        totals = {
            r.key: r.papers
            for r in trend_rows(reader, "month", watchlist=Watchlist("x", exclude=("survey",)))
        }
    assert totals == {"quantization": 1}


def test_watchlist_commands(settings: Settings) -> None:
    base = ["--data-dir", str(settings.data_dir), "watchlist"]
    added = CliRunner().invoke(cli, [*base, "add", "lowbit", "--label", "quantization", "--keyword", "4-bit"])
    assert added.exit_code == 0, added.output
    listed = CliRunner().invoke(cli, [*base, "list"])
    assert "lowbit: {'keywords': ['4-bit'], 'labels': ['quantization']}" in listed.output
    bad = CliRunner().invoke(cli, [*base, "add", "x", "--label", "quantisation"])
    assert bad.exit_code == 2 and "unknown labels" in bad.output
    assert CliRunner().invoke(cli, [*base, "add", "empty"]).exit_code == 2
    assert CliRunner().invoke(cli, [*base, "remove", "lowbit"]).exit_code == 0
    gone = CliRunner().invoke(cli, [*base, "remove", "lowbit"])
    assert gone.exit_code == 1 and "no watchlist 'lowbit'" in gone.output


def test_transparency_rates_match_the_checklist_rows(settings: Settings) -> None:
    papers, items, marks = [], [], []
    for i in range(30):
        paper_id = f"arxiv:2603.{i:05d}"
        papers.append({"paper_id": paper_id, "title": "t", "announced": dt.date(2026, 3, 2 + (i % 14))})
        marks.append({"paper_id": paper_id, "extractor_version": "v"})
        for j, item in enumerate(("code", "compute", "parameters", "data_size", "variance", "eval_configs")):
            items.append({"paper_id": paper_id, "item": item, "present": (i + j) % 3 == 0})
    with open_writer(settings, "test") as store:
        store.upsert("papers", papers)
        store.upsert("transparency", items)
        store.upsert("extracted_papers", marks)
    with open_reader(settings) as reader:
        rows = [r for r in trend_rows(reader, "week") if r.series == "transparency"]
        direct = reader.query(
            "SELECT date_trunc('week', p.announced), x.item, count(*) FILTER (WHERE x.present), count(*) "
            "FROM transparency x JOIN papers p USING (paper_id) GROUP BY ALL"
        )
    assert {(r.period_start, r.key, r.papers, r.total) for r in rows} == {
        (w.date(), item, present, total) for w, item, present, total in direct
    }
    assert len(rows) == 2 * 6  # two weeks, every item, even one absent all week
