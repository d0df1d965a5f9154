"""arXiv RSS, query API and OAI-PMH against a local server replaying real recorded responses."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingest import arxiv
from ingest.http import HttpClient
from leanwatch.errors import FetchError
from leanwatch.settings import Settings
from leanwatch.status import store_status
from leanwatch.store import open_reader, open_writer

FEEDS = {"cs.AI": "arxiv_cs_ai.xml", "cs.CL": "arxiv_cs_cl.xml", "cs.LG": "arxiv_cs_lg.xml"}


@pytest.fixture
def arxiv_settings(settings: Settings, httpserver: HTTPServer) -> Settings:
    return dataclasses.replace(
        settings,
        arxiv_categories=tuple(FEEDS),
        arxiv_rss_url=httpserver.url_for("/rss"),
        arxiv_api_url=httpserver.url_for("/api/query"),
        arxiv_oai_url=httpserver.url_for("/oai"),
    )


def _rss(shared_data: Path, category: str) -> bytes:
    return (shared_data / "arxiv/rss" / FEEDS[category]).read_bytes()


def _dump(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    with open_reader(settings) as reader:
        return {
            "papers": reader.query("SELECT * EXCLUDE (first_seen, last_seen) FROM papers ORDER BY paper_id"),
            "sources": reader.query(
                "SELECT paper_id, source, source_id, detail FROM paper_sources ORDER BY ALL"
            ),
        }


def _ingest(settings: Settings, fn: Callable[..., arxiv.RunCounts], *args: Any, **kw: Any) -> arxiv.RunCounts:
    with open_writer(settings, "test") as store, HttpClient(settings) as client:
        return fn(store, settings, client, *args, **kw)


# --- RSS --------------------------------------------------------------------------------------


def test_rss_announcements_load_with_announce_type(
    arxiv_settings: Settings, httpserver: HTTPServer, shared_data: Path
) -> None:
    for category in FEEDS:
        httpserver.expect_request(f"/rss/{category}").respond_with_data(
            _rss(shared_data, category), content_type="application/rss+xml"
        )
    counts = _ingest(arxiv_settings, arxiv.ingest_rss)
    assert (counts.fetched, counts.new, counts.errors) == (9, 9, 0)
    with open_reader(arxiv_settings) as reader:
        row = reader.query(
            "SELECT arxiv_id, arxiv_version, title, authors, categories, primary_category, announced, links "
            "FROM papers WHERE paper_id = 'arxiv:2604.21935'"
        )[0]
        detail = reader.query("SELECT source, detail FROM paper_sources WHERE paper_id = 'arxiv:2604.21935'")
    arxiv_id, version, title, authors, categories, primary, announced, links = row
    assert (arxiv_id, version) == ("2604.21935", 1)
    assert title == "Math Takes Two: A test for emergent mathematical reasoning in communication"
    assert authors == ["Michael Cooper", "Samuel Cooper"]
    assert (categories, primary) == (["cs.AI", "cs.LG"], "cs.AI")
    assert str(announced) == "2026-04-27"
    assert links[0] == "https://arxiv.org/abs/2604.21935"
    assert detail == [("arxiv_rss", "new")]


def test_rss_second_run_is_stale_and_changes_nothing(
    arxiv_settings: Settings, httpserver: HTTPServer, shared_data: Path
) -> None:
    for category in FEEDS:
        httpserver.expect_request(f"/rss/{category}").respond_with_data(_rss(shared_data, category))
    _ingest(arxiv_settings, arxiv.ingest_rss)
    before = _dump(arxiv_settings)
    again = _ingest(arxiv_settings, arxiv.ingest_rss)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 9)
    assert "cs.AI: stale, still the 2026-04-27 announcement already ingested" in again.notes
    assert _dump(arxiv_settings) == before


def test_rss_replacement_updates_the_version(
    arxiv_settings: Settings, httpserver: HTTPServer, shared_data: Path
) -> None:
    first = _rss(shared_data, "cs.AI")
    # The next day's feed: only the first paper, announced again as a replacement (v2).
    replaced = re.sub(rb"(</item>).*(</channel>)", rb"\1\2", first, count=1, flags=re.S)
    replaced = replaced.replace(
        b"arXiv:2604.21935v1 Announce Type: new", b"arXiv:2604.21935v2 Announce Type: replace"
    )
    replaced = replaced.replace(b"<arxiv:announce_type>new<", b"<arxiv:announce_type>replace<")
    replaced = replaced.replace(b"Mon, 27 Apr 2026", b"Tue, 28 Apr 2026")
    only_ai = dataclasses.replace(arxiv_settings, arxiv_categories=("cs.AI",))
    httpserver.expect_ordered_request("/rss/cs.AI").respond_with_data(first)
    httpserver.expect_ordered_request("/rss/cs.AI").respond_with_data(replaced)
    _ingest(only_ai, arxiv.ingest_rss)
    counts = _ingest(only_ai, arxiv.ingest_rss)
    assert (counts.new, counts.updated) == (0, 1)
    with open_reader(only_ai) as reader:
        assert reader.query("SELECT count(*) FROM papers") == [(3,)]
        # The version moves on; `announced` stays the first announcement.
        assert reader.query(
            "SELECT arxiv_version, announced::VARCHAR FROM papers WHERE arxiv_id = '2604.21935'"
        ) == [(2, "2026-04-27")]
        assert reader.query("SELECT detail FROM paper_sources WHERE paper_id = 'arxiv:2604.21935'") == [
            ("replace",)
        ]


def test_rss_empty_feed_and_304_are_said(
    arxiv_settings: Settings, httpserver: HTTPServer, shared_data: Path
) -> None:
    empty = re.sub(rb"<item>.*</item>", b"", _rss(shared_data, "cs.CL"), flags=re.S)
    httpserver.expect_request("/rss/cs.CL").respond_with_data(empty)

    def conditional(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"ai-1"':
            return Response(status=304)
        return Response(_rss(shared_data, "cs.AI"), headers={"ETag": '"ai-1"'})

    httpserver.expect_request("/rss/cs.AI").respond_with_handler(conditional)
    httpserver.expect_request("/rss/cs.LG").respond_with_data(b"<html>not a feed", status=200)
    _ingest(arxiv_settings, arxiv.ingest_rss)
    counts = _ingest(arxiv_settings, arxiv.ingest_rss)
    assert "cs.AI: unchanged since the last run (304)" in counts.notes
    assert "cs.CL: empty feed, no announcement today (weekend or holiday?)" in counts.notes
    assert "cs.LG: failed (InputFormatError)" in counts.notes  # one bad feed does not stop the others
    assert counts.errors == 1


def test_rss_retries_503_with_retry_after(
    arxiv_settings: Settings, httpserver: HTTPServer, shared_data: Path
) -> None:
    only_ai = dataclasses.replace(arxiv_settings, arxiv_categories=("cs.AI",), http_max_retry_wait=30.0)
    httpserver.expect_ordered_request("/rss/cs.AI").respond_with_data(
        "busy", status=503, headers={"Retry-After": "5"}
    )
    httpserver.expect_ordered_request("/rss/cs.AI").respond_with_data(_rss(shared_data, "cs.AI"))
    waits: list[float] = []
    with open_writer(only_ai, "test") as store, HttpClient(only_ai, sleep=waits.append) as client:
        counts = arxiv.ingest_rss(store, only_ai, client)
    assert waits == [5.0]
    assert counts.new == 3


def test_one_request_every_3_seconds_across_arxiv_hosts(settings: Settings, shared_data: Path) -> None:
    """RSS, API and OAI hosts share arXiv's slot: real default settings, a transport that records times."""
    now = [0.0]
    requested: list[tuple[float, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append((now[0], str(request.url.host)))
        now[0] += 0.2  # each response takes 0.2 s
        return httpx.Response(200, content=_rss(shared_data, "cs.AI"))

    def sleep(seconds: float) -> None:
        now[0] += seconds

    polite = dataclasses.replace(settings, host_intervals=("arxiv.org=3",), arxiv_categories=tuple(FEEDS))
    with (
        open_writer(polite, "test") as store,
        HttpClient(
            polite, transport=httpx.MockTransport(handler), sleep=sleep, clock=lambda: now[0]
        ) as client,
    ):
        arxiv.ingest_rss(store, polite, client)
        client.get("https://export.arxiv.org/api/query")
        client.get("https://oaipmh.arxiv.org/oai")
    times = [t for t, _ in requested]
    assert [host for _, host in requested] == ["rss.arxiv.org"] * 3 + ["export.arxiv.org", "oaipmh.arxiv.org"]
    assert all(later - earlier >= 3.0 for earlier, later in itertools.pairwise(times))


# --- the query API ----------------------------------------------------------------------------


def _serve_recorded_pages(httpserver: HTTPServer, shared_data: Path) -> dict[int, bytes]:
    """The recorded `search_query=testing` pages (max_results=10), served by their start."""
    pages = {}
    for path in (shared_data / "arxiv/api/recorded_2026").glob("q_testing_s*_m10_*.json"):
        exchange = json.loads(path.read_text())
        match = re.search(r"start=(\d+)&max_results=10", exchange["url"])
        if match:
            pages[int(match.group(1))] = exchange["body"].encode()

    def handler(request: Request) -> Response:
        assert request.args["max_results"] == "10"
        return Response(pages[int(request.args["start"])], content_type="application/atom+xml")

    httpserver.expect_request("/api/query").respond_with_handler(handler)
    return pages


def test_api_iterator_hides_paging(
    arxiv_settings: Settings, httpserver: HTTPServer, shared_data: Path
) -> None:
    pages = _serve_recorded_pages(httpserver, shared_data)
    search = arxiv.ApiSearch([], page_size=10, limit=60, raw_query="testing")
    with HttpClient(arxiv_settings) as client:
        records = list(arxiv.search_api(client, arxiv_settings, search))
    expected = []
    for start in (0, 10, 20, 30, 40, 50):
        expected += re.findall(rb"<id>https?://arxiv.org/abs/([^<]+)</id>", pages[start])
    assert [r.source_id for r in records] == [e.decode() for e in expected]  # type: ignore[union-attr]
    assert len(records) == 60
    starts = [int(req.args["start"]) for req, _ in httpserver.log]
    assert starts == [0, 10, 20, 30, 40, 50]
    assert {req.args["sortBy"] for req, _ in httpserver.log} == {"submittedDate"}


def test_api_total_that_shrinks_mid_run_ends_the_search(
    arxiv_settings: Settings, httpserver: HTTPServer, shared_data: Path
) -> None:
    pages = _serve_recorded_pages(httpserver, shared_data)
    pages[10] = re.sub(rb"<opensearch:totalResults>\d+", b"<opensearch:totalResults>20", pages[10])
    with HttpClient(arxiv_settings) as client:
        records = list(
            arxiv.search_api(client, arxiv_settings, arxiv.ApiSearch([], page_size=10, raw_query="t"))
        )
    assert len(records) == 20


def test_api_error_feed_and_empty_pages(
    arxiv_settings: Settings, httpserver: HTTPServer, shared_data: Path
) -> None:
    error = json.loads((shared_data / "arxiv/api/recorded_2026/id_abc_s0_m100_b79c8dcf6bc3.json").read_text())
    httpserver.expect_ordered_request("/api/query").respond_with_data(error["body"], status=400)
    with HttpClient(arxiv_settings) as client, pytest.raises(FetchError, match="incorrect id format for abc"):
        list(arxiv.search_api(client, arxiv_settings, arxiv.ApiSearch([], raw_query="id:abc")))

    empty = json.loads(
        (shared_data / "arxiv/api/recorded_2026/id_0000.0000_s0_m100_8b51d9633a68.json").read_text()
    )
    httpserver.clear()
    body = re.sub(rb"<opensearch:totalResults>\d+", b"<opensearch:totalResults>500", empty["body"].encode())
    httpserver.expect_request("/api/query").respond_with_data(body)
    with HttpClient(arxiv_settings) as client:
        assert list(arxiv.search_api(client, arxiv_settings, arxiv.ApiSearch([], raw_query="x"))) == []
    assert len(httpserver.log) == 1 + arxiv.EMPTY_PAGE_RETRIES  # retried, then stopped


def test_api_ingest_by_category_and_date(
    arxiv_settings: Settings, httpserver: HTTPServer, shared_data: Path
) -> None:
    recorded = json.loads(
        (
            shared_data / "arxiv/api/recorded_2026/id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json"
        ).read_text()
    )
    httpserver.expect_request("/api/query").respond_with_data(recorded["body"])
    from datetime import date

    counts = _ingest(
        arxiv_settings, arxiv.ingest_api, date(2017, 7, 1), date(2017, 7, 31), all_categories=True
    )
    query = httpserver.log[0][0].args["search_query"]
    assert query == "submittedDate:[201707010000 TO 201707312359]"
    assert (counts.fetched, counts.new) == (1, 1)  # arXiv knows only one of the two ids asked for
    with open_reader(arxiv_settings) as reader:
        rows = reader.query("SELECT arxiv_id, arxiv_version, title FROM papers")
    assert rows == [
        ("1707.08567", 1, "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications")
    ]


# --- OAI-PMH ----------------------------------------------------------------------------------


def _oai_pages(shared_data: Path) -> tuple[bytes, bytes]:
    first = (shared_data / "arxiv/oai/arxiv-physics-hep-ex.xml").read_bytes()
    first = first.replace(
        b"</ListRecords>",
        b'<resumptionToken cursor="0" completeListSize="6">tok-1</resumptionToken></ListRecords>',
    )
    second = (shared_data / "arxiv/oai/arxiv-physics-hep-th.xml").read_bytes()
    return first, second


def test_oai_harvest_resumes_after_a_failure(
    arxiv_settings: Settings, httpserver: HTTPServer, shared_data: Path
) -> None:
    first, second = _oai_pages(shared_data)
    physics = dataclasses.replace(arxiv_settings, arxiv_categories=("hep-ex",))
    attempts = {"fail": True}

    def handler(request: Request) -> Response:
        assert request.args.get("set", "hep-ex") == "hep-ex"
        if request.args.get("resumptionToken") == "tok-1":
            if attempts["fail"]:
                return Response("down", status=503)
            return Response(second)
        assert request.args["metadataPrefix"] == "arXiv"
        return Response(first)

    httpserver.expect_request("/oai").respond_with_handler(handler)
    with pytest.raises(FetchError, match="HTTP 503"):
        _ingest(physics, arxiv.harvest_oai, all_categories=True)
    with open_writer(physics, "check") as store:
        state = store.source_state("arxiv_oai", "hep-ex")
        stored = store.query("SELECT count(*) FROM papers")[0][0]
    assert stored == 3  # the first page was kept
    assert state is not None and json.loads(state["cursor"]) == {"datestamp": "2017-12-14", "token": "tok-1"}

    attempts["fail"] = False
    httpserver.log.clear()
    counts = _ingest(physics, arxiv.harvest_oai, all_categories=True)
    resumed = httpserver.log[0][0].args
    assert resumed.get("resumptionToken") == "tok-1" and "metadataPrefix" not in resumed
    assert counts.new == 3
    with open_reader(physics) as reader:
        assert reader.query("SELECT count(*) FROM papers") == [(6,)]
        authors, categories, published, doi = reader.query(
            "SELECT authors, categories, published, doi FROM papers WHERE arxiv_id = '1607.01710'"
        )[0]
    assert authors == [
        "R. A. C. Correa",
        "D. M. Dantas",
        "P. H. R. S. Moraes",
        "A. de Souza Dutra",
        "C. A. S. Almeida",
    ]
    assert categories == ["hep-th"]
    assert str(published).startswith("2016-07-06")
    assert doi == "10.1002/andp.201700188"
    shown = store_status(physics)["sources"]["arxiv_oai"]  # what `leanwatch status` reports
    assert json.loads(shown["state"]["hep-ex"]["cursor"]) == {"datestamp": "2017-12-14", "token": None}
    assert shown["papers"] == 6
