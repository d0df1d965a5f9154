"""arXiv from local files: the metadata snapshot (with bad lines), saved API pages, OAI-PMH, RSS."""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ingest import arxiv, arxiv_parse, arxiv_rows, arxiv_snapshot
from ingest.batches import Harvested
from leanwatch.cli import cli
from leanwatch.errors import IngestError
from leanwatch.settings import Settings
from leanwatch.store import open_reader, open_writer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def snapshot_file(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared 74,728-paper corpus in the arXiv snapshot format, written by the shared tool."""
    path = tmp_path_factory.mktemp("snapshot") / "arxiv-snapshot.jsonl.gz"
    tool = shared_data.parent / "tools" / "to_arxiv_snapshot.py"
    subprocess.run([sys.executable, str(tool), str(path)], check=True, capture_output=True)
    return path


def _ingest_files(settings: Settings, *paths: Path, all_categories: bool = False) -> arxiv.RunCounts:
    with open_writer(settings, "test") as store:
        return arxiv.ingest_files(store, settings, paths, all_categories)


def _tables(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    with open_reader(settings) as reader:
        return {
            "papers": reader.query("SELECT * EXCLUDE (first_seen, last_seen) FROM papers ORDER BY paper_id"),
            "paper_sources": reader.query(
                "SELECT * EXCLUDE (first_seen, last_seen) FROM paper_sources ORDER BY ALL"
            ),
            "stamps": reader.query("SELECT paper_id, first_seen, last_seen FROM papers ORDER BY paper_id"),
        }


def test_full_snapshot_loads_the_watched_categories_once(settings: Settings, snapshot_file: Path) -> None:
    runner = CliRunner()
    args = ["--data-dir", str(settings.data_dir), "ingest", "arxiv", "--from", str(snapshot_file)]
    first = runner.invoke(cli, args, env={})
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == (
        "arxiv_files: fetched 74,728, new 71,851, updated 0, unchanged 0, skipped 2,877, errors 0 "
        "(2,877 not in the watched categories)"
    )
    before = _tables(settings)
    again = runner.invoke(cli, args, env={})
    assert "new 0, updated 0, unchanged 71,851" in again.stdout
    assert _tables(settings) == before  # the second run changes nothing, timestamps included

    with open_reader(settings) as reader:
        assert reader.query("SELECT count(*), count(DISTINCT paper_id) FROM papers") == [(71_851, 71_851)]
        assert reader.query(
            "SELECT count(*) FROM papers WHERE list_has_any(categories, "
            "['cs.AI','cs.LG','cs.CL','cs.CV','cs.NE','cs.IR','stat.ML'])"
        ) == [(71_851,)]
    status = json.loads(runner.invoke(cli, ["--data-dir", str(settings.data_dir), "status", "--json"]).stdout)
    assert status["tables"]["papers"] == 71_851
    assert status["sources"]["arxiv_snapshot"]["papers"] == 71_851
    assert status["sources"]["arxiv_files"]["last_run"]["status"] == "ok"


def test_snapshot_fields_match_the_listing(settings: Settings, shared_data: Path, tmp_path: Path) -> None:
    with gzip.open(
        shared_data / "arxiv/listings/daily_arxiv_dedup_2025-03_to_2026-07.jsonl.gz", "rt"
    ) as handle:
        listing = json.loads(handle.readline())
    tool = shared_data.parent / "tools/to_arxiv_snapshot.py"
    subprocess.run([sys.executable, str(tool), str(tmp_path / "all.jsonl")], check=True, capture_output=True)
    path = tmp_path / "one.jsonl"
    with (tmp_path / "all.jsonl").open() as handle:
        path.write_text(handle.readline())
    _ingest_files(settings, path, all_categories=True)
    with open_reader(settings) as reader:
        row = reader.query(
            "SELECT paper_id, arxiv_id, arxiv_version, title, abstract, authors, categories, "
            "primary_category, published::DATE::VARCHAR, comment, links FROM papers"
        )[0]
    pid, arxiv_id, version, title, abstract, authors, categories, primary, published, comment, links = row
    assert (pid, arxiv_id, version) == (f"arxiv:{listing['id']}", listing["id"], 1)
    assert title == " ".join(listing["title"].split())
    assert abstract == " ".join(listing["abstract"].split())
    assert authors == listing["authors"]
    assert (categories, primary) == (listing["categories"], listing["categories"][0])
    assert published == listing["listing_date"]
    assert comment == (" ".join(listing["comment"].split()) if listing.get("comment") else None)
    assert links == [f"https://arxiv.org/{kind}/{arxiv_id}" for kind in ("abs", "pdf", "html")]


def test_bad_lines_are_counted_named_and_skipped(
    settings: Settings, snapshot_file: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with gzip.open(snapshot_file, "rt") as handle:
        good = [next(handle) for _ in range(200)]
    bad = [
        '{"id": "2501.00001", "title": "truncated\n',  # malformed JSON
        '{"title": "no id at all", "categories": "cs.AI"}\n',
        '{"id": "not-an-id", "title": "x", "categories": "cs.AI", "versions": []}\n',
        "[1, 2, 3]\n",
    ]
    mixed = good[:50] + bad[:2] + good[50:150] + bad[2:] + good[150:]
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(mixed))
    counts = _ingest_files(settings, path, all_categories=True)
    assert (counts.fetched, counts.new, counts.errors) == (200, 200, 4)
    logged = [r.getMessage() for r in caplog.records if "skipped:" in r.getMessage()]
    assert [m.split(": skipped")[0] for m in logged] == [f"{path}:{n}" for n in (51, 52, 153, 154)]
    with open_reader(settings) as reader:
        assert reader.query("SELECT count(*) FROM papers") == [(200,)]


def test_a_truncated_gzip_keeps_what_was_read(
    settings: Settings, snapshot_file: Path, tmp_path: Path
) -> None:
    data = snapshot_file.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 50])
    counts = _ingest_files(settings, cut)
    assert counts.errors == 1
    assert counts.new > 0
    with open_reader(settings) as reader:
        assert reader.query("SELECT count(*) FROM papers") == [(counts.new,)]


def test_saved_api_pages_both_formats(settings: Settings, shared_data: Path) -> None:
    counts = _ingest_files(
        settings,
        shared_data / "arxiv/api/recorded_2016",
        shared_data / "arxiv/api/recorded_2026",
        all_categories=True,
    )
    assert counts.errors == 1  # the recorded error feed for id "abc"
    with open_reader(settings) as reader:
        old = reader.query(
            "SELECT arxiv_id, arxiv_version, categories, published::VARCHAR FROM papers "
            "WHERE arxiv_id IN ('hep-ex/0406020', 'astro-ph/0601001', '1111.2011') ORDER BY 1"
        )
    assert old[0][0:2] == ("1111.2011", 2)
    assert old[1][0] == "astro-ph/0601001"
    assert old[2] == ("hep-ex/0406020", 1, ["hep-ex"], "2004-06-07 11:08:22")


def test_oai_files_need_all_categories_for_physics(settings: Settings, shared_data: Path) -> None:
    oai = shared_data / "arxiv/oai"
    files = sorted(oai.glob("*.xml"))
    watched_only = _ingest_files(settings, *files)
    assert watched_only.new == 0 and watched_only.skipped == watched_only.fetched > 0
    everything = _ingest_files(settings, *files, all_categories=True)
    with open_reader(settings) as reader:
        distinct = reader.query("SELECT count(*) FROM papers")[0][0]
        single = reader.query(
            "SELECT title, categories, doi, journal_ref, comment, published::DATE::VARCHAR, "
            "updated::DATE::VARCHAR FROM papers WHERE arxiv_id = '1401.2122'"
        )[0]
    assert everything.new == distinct
    title, categories, doi, journal_ref, comment, published, updated = single
    assert title == "New integrable (3+1)-dimensional systems and contact geometry"
    assert categories[0] == "math.AP" and "nlin.SI" in categories
    assert (doi, journal_ref) == ("10.1007/s11005-017-1013-4", "Lett. Math. Phys. 108 (2018), no. 2, 359-376")
    assert comment.startswith("16 pages, LaTeX, no figures, revised and abridged, in this version (v5)")
    assert (published, updated) == ("2014-01-09", "2017-10-23")
    # The record without a namespace and the collaboration author parse too.
    with open_reader(settings) as reader:
        authors = reader.query("SELECT authors FROM papers WHERE arxiv_id = '1601.03238'")[0][0]
    assert authors[0] == "Planck Collaboration"


def test_rss_files(settings: Settings, shared_data: Path) -> None:
    counts = _ingest_files(settings, shared_data / "arxiv/rss")
    assert (counts.fetched, counts.errors) == (9, 0)
    with open_reader(settings) as reader:
        assert reader.query("SELECT DISTINCT detail FROM paper_sources") == [("new",)]


def test_unknown_and_missing_files_are_clear_errors(settings: Settings, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    runner = CliRunner()
    base = ["--data-dir", str(settings.data_dir), "ingest", "arxiv", "--from"]
    missing = runner.invoke(cli, [*base, str(tmp_path / "nope.jsonl")], env={})
    assert missing.exit_code == 1
    assert f"{tmp_path / 'nope.jsonl'}: no such file or directory" in missing.stderr
    unknown = runner.invoke(cli, [*base, str(notes)], env={})
    assert unknown.exit_code == 1  # nothing could be read at all
    assert "arxiv_files: FAILED fetched 0" in unknown.stderr


def test_parallel_snapshot_matches_inline(
    settings: Settings,
    snapshot_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Worker processes give the same rows, counts and bad-line numbers as parsing in one process."""
    with gzip.open(snapshot_file, "rt") as handle:
        lines = [next(handle) for _ in range(3000)]
    lines[1234] = '{"id": "broken\n'
    lines[2999] = "not json\n"
    path = tmp_path / "part.jsonl"
    path.write_text("".join(lines))
    monkeypatch.setattr(arxiv, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(arxiv_snapshot, "BLOCK_BYTES", 64 * 1024)  # many blocks, so line numbers cross blocks
    parallel = dataclasses.replace(settings, ingest_workers=2, data_dir=tmp_path / "parallel")
    inline = dataclasses.replace(settings, ingest_workers=1, data_dir=tmp_path / "inline")
    counts = [_ingest_files(s, path, all_categories=True) for s in (parallel, inline)]
    assert (
        counts[0].as_dict()
        == counts[1].as_dict()
        == {"fetched": 2998, "new": 2998, "updated": 0, "unchanged": 0, "skipped": 0, "errors": 2}
    )
    named = [r.getMessage().split(": skipped")[0] for r in caplog.records if "skipped:" in r.getMessage()]
    assert named == [f"{path}:1235", f"{path}:3000"] * 2
    assert _tables(parallel)["papers"] == _tables(inline)["papers"]


def test_saved_pages_in_workers_match_inline(
    settings: Settings, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """API and OAI page files parsed in worker processes give the rows and counts of parsing them
    in this process, bad files included."""
    broken = tmp_path / "broken-page.xml"
    broken.write_text('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>')
    pages = [
        *sorted((shared_data / "arxiv/api/recorded_2026").glob("*.json")),
        broken,
        *sorted((shared_data / "arxiv/oai").glob("*.xml")),
    ]
    monkeypatch.setattr(arxiv, "PARALLEL_MIN_BYTES", 0)
    pooled: list[str] = []
    in_workers = arxiv._in_workers

    def spy(jobs: Any, workers: int, what: str) -> Any:
        pooled.append(what)
        return in_workers(jobs, workers, what)

    monkeypatch.setattr(arxiv, "_in_workers", spy)
    parallel = dataclasses.replace(settings, ingest_workers=2, data_dir=tmp_path / "parallel")
    inline = dataclasses.replace(settings, ingest_workers=1, data_dir=tmp_path / "inline")
    counts = [_ingest_files(s, *pages, all_categories=True) for s in (parallel, inline)]
    assert pooled == [f"{len(pages)} saved page files"]  # the first run parsed in workers
    assert counts[0].as_dict() == counts[1].as_dict()
    assert counts[0].new > 100 and counts[0].errors >= 1  # the broken page is counted, not fatal
    assert _tables(parallel)["papers"] == _tables(inline)["papers"]
    assert _tables(parallel)["paper_sources"] == _tables(inline)["paper_sources"]


API_ENTRY = """<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"
  xmlns:arxiv="http://arxiv.org/schemas/atom"><entry><id>http://arxiv.org/abs/1401.2122v5</id>
  <title>API title</title><summary>API abstract</summary><published>2014-01-09T00:00:00Z</published>
  <updated>2017-10-23T00:00:00Z</updated><author><name>A. Sergyeyev</name></author>
  <arxiv:primary_category term="math.AP"/><category term="math.AP"/></entry></feed>"""


@pytest.mark.parametrize("workers", [1, 2])
def test_page_files_are_written_in_the_order_given(
    settings: Settings, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """The same paper in an API page and an OAI file: the file given last wins, the first names the
    first source, whichever sink fills first."""
    monkeypatch.setattr(arxiv, "PARALLEL_MIN_BYTES", 0)
    api = tmp_path / "api-page.xml"
    api.write_text(API_ENTRY)
    oai = shared_data / "arxiv/oai/arxiv-single.xml"
    oai_title = "New integrable (3+1)-dimensional systems and contact geometry"
    for order, first, title in (((api, oai), "arxiv_api", oai_title), ((oai, api), "arxiv_oai", "API title")):
        run = dataclasses.replace(settings, ingest_workers=workers, data_dir=tmp_path / f"{first}-{workers}")
        _ingest_files(run, *order, all_categories=True)
        with open_reader(run) as reader:
            stored = reader.query("SELECT first_source, title FROM papers WHERE arxiv_id = '1401.2122'")
        assert stored == [(first, title)]


def _dies_on_crash_files(path: Path, kind: str, spec: Any) -> Any:
    """A parsing job that kills its worker process for files named crash*, after the others ran."""
    if path.name.startswith("crash"):
        time.sleep(2)
        os._exit(1)
    return arxiv.prepare_page_file(path, kind, spec)


def test_a_dying_worker_keeps_what_earlier_files_gave(
    settings: Settings, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = sorted((shared_data / "arxiv/api/recorded_2026").glob("q_*.json"))[:2]
    crash = tmp_path / "crash.xml"
    crash.write_text(API_ENTRY)
    monkeypatch.setattr(arxiv, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(arxiv, "prepare_page_file", _dies_on_crash_files)
    run = dataclasses.replace(settings, ingest_workers=2)
    with pytest.raises(IngestError, match="3 saved page files: a parsing worker process died"):
        _ingest_files(run, *pages, crash, all_categories=True)
    expected = {
        record.row["paper_id"]
        for page in pages
        for record in arxiv_parse.page_file_records(page, "recorded")
        if isinstance(record, Harvested)
    }
    with open_reader(run) as reader:
        stored = {row[0] for row in reader.query("SELECT paper_id FROM papers")}
    assert stored == expected and len(expected) >= 100  # written before the error, not lost


def test_line_blocks_cover_every_line_once(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b"".join(b'{"n": %d}\n' % i for i in range(10_000)) + b'{"n": "last, no newline"}')
    blocks = list(arxiv_snapshot.line_blocks(path, size=1000))
    assert len(blocks) > 50
    lines = [line for _, block in blocks for line in block.splitlines()]
    assert len(lines) == 10_001
    for first, block in blocks:  # each block's first line number is right
        assert json.loads(block.splitlines()[0])["n"] in (first - 1, "last, no newline")


def test_a_cut_oai_file_keeps_the_records_before_the_fault(shared_data: Path, tmp_path: Path) -> None:
    whole = shared_data / "arxiv/oai/sample_arxiv_record.xml"
    content = whole.read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(content[: content.index(b"<record>", content.index(b"<record>") + 1) + 200])
    page = arxiv_parse.parse_oai(cut, str(cut))
    harvested = [r for r in page.records if isinstance(r, Harvested)]
    bad = [r for r in page.records if not isinstance(r, Harvested)]
    assert [r.row for r in harvested] == [arxiv_parse.parse_oai(whole, "x").records[0].row]  # type: ignore[union-attr]
    assert len(bad) == 1 and bad[0].where.startswith(f"{cut} line ") and "malformed XML" in bad[0].reason


def test_big_oai_files_stream_to_the_same_records(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted((shared_data / "arxiv/oai").glob("*.xml"))
    parsed_whole = [arxiv_parse.parse_oai(path, str(path)) for path in files]
    monkeypatch.setattr(arxiv_parse, "WHOLE_FILE_BYTES", 0)  # every file is "big" now
    streamed = [arxiv_parse.parse_oai(path, str(path)) for path in files]
    assert streamed == parsed_whole
    assert sum(len(page.records) for page in streamed) >= 30


@pytest.mark.parametrize(
    "text",
    [
        "  Silicon photomultipliers are\nalternatives to\ntraditional tubes.\n",
        "First paragraph.\n  Second paragraph after an indent.",
        "tab\tinside", "carriage\r\nreturn", "unit\x1fseparator", "form\x0cfeed", "no-break\xa0space",
        "thin\u2009space and\u3000ideographic", "$x^2$  \\alpha\n", "\n \n", "",
    ],
)  # fmt: skip
def test_collapse_is_split_and_join(text: str) -> None:
    assert arxiv_rows.collapse(text) == (" ".join(text.split()) or None)
