"""Hugging Face daily papers: the real captures from file and replayed live, malformed ones included."""

from __future__ import annotations

import dataclasses
import tarfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bench.listing import paper_row
from ingest import hf_papers
from ingest.http import HttpClient
from ingest.run import RunCounts
from leanwatch.errors import InputFormatError
from leanwatch.settings import Settings
from leanwatch.store import open_reader, open_writer

TARBALL = "hf_papers/hf_daily_papers_api_raw_2024-05-27_to_2026-08-21.tar.xz"


@pytest.fixture(scope="session")
def hf_days(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[date, Path]:
    """The 580 real daily responses, unpacked once: day -> file."""
    target = tmp_path_factory.mktemp("hf")
    with tarfile.open(shared_data / TARBALL) as archive:
        archive.extractall(target, filter="data")
    return {date.fromisoformat(p.stem): p for p in target.rglob("*.json")}


def _ingest_files(settings: Settings, *paths: Path) -> RunCounts:
    with open_writer(settings, "test") as store:
        return hf_papers.ingest_files(store, settings, paths)


def _daily(settings: Settings, paper_id: str | None = None) -> list[tuple[Any, ...]]:
    """hf_daily rows (of one paper, when given), in order."""
    with open_reader(settings) as reader:
        rows = reader.query(
            "SELECT paper_id, day, upvotes, comments, github_repo, github_stars, organization, "
            "len(ai_keywords), ai_summary IS NOT NULL FROM hf_daily ORDER BY ALL"
        )
    return [row for row in rows if paper_id is None or row[0] == paper_id]


def test_tarball_reads_every_list_and_a_second_run_changes_nothing(
    settings: Settings, shared_data: Path
) -> None:
    first = _ingest_files(settings, shared_data / TARBALL)
    # 580 lists, 9,881 paper-days of 9,877 papers; the 22 malformed captures (291 Python-repr
    # items in 21 lists, 9 in the wrapper) are read, not dropped.
    assert (first.fetched, first.new, first.errors) == (9_881, 9_881, 0)
    assert "9,877 papers not yet seen from arXiv created from HF" in first.notes
    assert "21 list(s) in an old format (python-repr items) read" in first.notes
    assert "1 list(s) in an old format ({status,date,count,data} wrapper) read" in first.notes
    with open_reader(settings) as reader:
        counts = reader.table_counts()
        with_repo = reader.query(
            "SELECT count(*) FROM hf_daily d JOIN code_links c USING (paper_id) "
            "WHERE c.repo_url = d.github_repo AND c.source = 'hf_papers'"
        )[0][0]
        wrapper_day = reader.query("SELECT count(*) FROM hf_daily WHERE day = DATE '2025-01-10'")[0][0]
        sources = reader.query("SELECT DISTINCT first_source FROM papers")
    assert counts["papers"] == 9_877 and counts["hf_daily"] == 9_881
    assert counts["code_links"] == 3_691 and with_repo >= 3_691
    assert wrapper_day == 9
    assert sources == [("hf_papers",)]
    # A Python-repr capture: 2412.07730 on 2024-12-11, 54 upvotes, 2 comments.
    assert _daily(settings, "arxiv:2412.07730")[0][:4] == (
        "arxiv:2412.07730",
        date(2024, 12, 11),
        54,
        2,
    )

    before = _daily(settings)
    again = _ingest_files(settings, shared_data / TARBALL)
    assert (again.new, again.updated, again.unchanged, again.errors) == (0, 0, 9_881, 0)
    assert _daily(settings) == before


def test_hf_joins_arxiv_papers_and_never_overwrites_them(
    settings: Settings, hf_days: dict[date, Path], listing_papers: list[dict[str, Any]]
) -> None:
    arxiv_item = next(p for p in listing_papers if p["id"].startswith("2503.12329"))
    with open_writer(settings, "test") as store:
        store.upsert("papers", [paper_row(arxiv_item)])
    counts = _ingest_files(settings, hf_days[date(2025, 3, 19)])
    assert counts.errors == 0 and counts.fetched > 1
    with open_reader(settings) as reader:
        paper = reader.query(
            "SELECT title, first_source, abstract FROM papers WHERE paper_id = 'arxiv:2503.12329'"
        )[0]
        provenance = reader.query("SELECT source, url FROM paper_sources WHERE paper_id = 'arxiv:2503.12329'")
    # arXiv's record stays as arXiv wrote it; HF adds its signal and provenance beside it.
    assert paper == (arxiv_item["title"], "listing", arxiv_item["abstract"])
    assert provenance == [("hf_papers", "https://huggingface.co/papers/2503.12329")]
    daily = _daily(settings, "arxiv:2503.12329")
    assert daily[0][:5] == (
        "arxiv:2503.12329",
        date(2025, 3, 19),
        17,
        daily[0][3],
        "https://github.com/njucckevin/CapArena",
    )


def test_unreadable_items_and_files_are_reported_by_name(settings: Settings, tmp_path: Path) -> None:
    good = b'{"paper": {"id": "2501.00001", "title": "A", "upvotes": 3}, "numComments": 1}'
    mixed = tmp_path / "daily_papers_2025-01-02.json"
    mixed.write_bytes(b"[" + good + b", \"{'paper': __import__('os')}\", 7]")
    broken = tmp_path / "daily_papers_2025-01-03.json"
    broken.write_bytes(b"[{")
    counts = _ingest_files(settings, tmp_path)
    assert (counts.fetched, counts.new, counts.errors) == (1, 1, 3)
    assert any(str(broken) in note and "not JSON" in note for note in counts.notes)
    with pytest.raises(InputFormatError, match="expected a list"):
        hf_papers.parse_daily(b'{"error": "x"}', "somewhere.json")
    parsed = hf_papers.parse_daily(mixed.read_bytes(), "mixed.json")
    assert [bad.where for bad in parsed.bad] == ["mixed.json item 1", "mixed.json item 2"]


@pytest.fixture
def hf_settings(settings: Settings, httpserver: HTTPServer) -> Settings:
    return dataclasses.replace(settings, hf_papers_url=httpserver.url_for("/api/daily_papers"))


def _serve_days(httpserver: HTTPServer, responses: dict[str, tuple[int, bytes]]) -> list[str]:
    """Answer /api/daily_papers?date=D from `responses`, `[]` for other days; return the dates asked."""
    asked: list[str] = []

    def handler(request: Request) -> Response:
        day = request.args.get("date", "")
        asked.append(day)
        status, body = responses.get(day, (200, b"[]"))
        return Response(body, status=status, content_type="application/json")

    httpserver.expect_request("/api/daily_papers").respond_with_handler(handler)
    return asked


def test_live_backfill_one_request_per_day(
    hf_settings: Settings, httpserver: HTTPServer, hf_days: dict[date, Path]
) -> None:
    real = {day: hf_days[date.fromisoformat(day)].read_bytes() for day in ("2024-12-10", "2024-12-11")}
    asked = _serve_days(
        httpserver,
        {
            "2024-12-10": (200, real["2024-12-10"]),
            "2024-12-11": (200, real["2024-12-11"]),  # a Python-repr capture, served as is
            "2024-12-12": (500, b"oops"),
            "2024-12-13": (200, b"<html>rate limited</html>"),
        },
    )
    with open_writer(hf_settings, "test") as store, HttpClient(hf_settings) as client:
        counts = hf_papers.fetch_days(store, hf_settings, client, date(2024, 12, 10), date(2024, 12, 14))
        cursor = store.source_state("hf_papers")
    assert sorted(set(asked)) == ["2024-12-10", "2024-12-11", "2024-12-12", "2024-12-13", "2024-12-14"]
    read = len(hf_papers.parse_daily(real["2024-12-10"], "a").items) + 26
    assert (counts.fetched, counts.new, counts.errors) == (read, read, 2)
    failed = next(note for note in counts.notes if "day(s) failed" in note)
    assert "2024-12-12 (HTTP 500" in failed and "date=2024-12-13: not JSON" in failed
    assert "1 day(s) with no papers (2024-12-14..2024-12-14)" in counts.notes
    assert cursor is not None and cursor["cursor"] == "2024-12-14"
    assert _daily(hf_settings, "arxiv:2412.07730")[0][1:3] == (date(2024, 12, 11), 54)


def test_update_starts_the_day_before_its_cursor(hf_settings: Settings, httpserver: HTTPServer) -> None:
    asked = _serve_days(httpserver, {})
    with open_writer(hf_settings, "test") as store, HttpClient(hf_settings) as client:
        hf_papers.update(store, hf_settings, client)
        first = list(asked)
        asked.clear()
        store.set_source_state("hf_papers", cursor=first[-1])
        hf_papers.update(store, hf_settings, client)
    assert len(first) == hf_papers.FIRST_RUN_DAYS
    assert asked == first[-2:]  # yesterday (its list may have grown) and today
