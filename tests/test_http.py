from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingest.http import HttpClient, retry_after_seconds
from leanwatch.errors import HttpStatusError, ResponseTooLargeError, SourceUnreachableError
from leanwatch.settings import Settings
from tests.conftest import replay


def test_replays_recorded_arxiv_responses(
    settings: Settings, replaying_server: HTTPServer, shared_data: Path
) -> None:
    recorded = sorted((shared_data / "arxiv/api/recorded_2026").glob("id_*.json"))
    urls = replay(replaying_server, recorded)
    with HttpClient(settings) as client:
        for path, url in zip(recorded, urls, strict=True):
            if "id_abc" in path.name:  # arXiv answers a malformed id with an error feed and HTTP 400
                with pytest.raises(HttpStatusError, match="HTTP 400") as info:
                    client.get(url)
                assert info.value.url == url
                result = client.get(url, accept_status={400})
                assert b"<title>Error</title>" in result.content
            else:
                result = client.get(url)
                assert result.status == 200
                assert result.content.startswith(b"<?xml")


def test_conditional_get_returns_not_modified(settings: Settings, httpserver: HTTPServer) -> None:
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response("<rss/>", headers={"ETag": '"v1"', "Last-Modified": "Sun, 22 Nov 2026 06:00:00 GMT"})

    httpserver.expect_request("/feed").respond_with_handler(handler)
    with HttpClient(settings) as client:
        first = client.get(httpserver.url_for("/feed"))
        again = client.get(httpserver.url_for("/feed"), etag=first.etag, last_modified=first.last_modified)
    assert (first.status, first.etag, first.not_modified) == (200, '"v1"', False)
    assert again.not_modified and again.content == b""


def test_retries_503_honouring_retry_after(settings: Settings, httpserver: HTTPServer) -> None:
    waits: list[float] = []
    httpserver.expect_ordered_request("/busy").respond_with_data(
        "slow down", status=503, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request("/busy").respond_with_data("ok")
    roomy = dataclasses.replace(settings, http_max_retry_wait=60.0)
    with HttpClient(roomy, sleep=waits.append) as client:
        assert client.get(httpserver.url_for("/busy")).content == b"ok"
    assert waits == [7.0]


def test_gives_up_after_the_retries(settings: Settings, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/down").respond_with_data("bad gateway", status=502)
    waits: list[float] = []
    with HttpClient(settings, sleep=waits.append) as client, pytest.raises(HttpStatusError, match="HTTP 502"):
        client.get(httpserver.url_for("/down"))
    assert len(waits) == settings.http_retries
    assert len(httpserver.log) == settings.http_retries + 1


def test_unreachable_hosts_fail_fast_without_retry(settings: Settings) -> None:
    waits: list[float] = []
    started = time.monotonic()
    with HttpClient(settings, sleep=waits.append) as client:
        with pytest.raises(SourceUnreachableError, match="127.0.0.1:9"):
            client.get("http://127.0.0.1:9/feed")  # discard port: connection refused
        with pytest.raises(SourceUnreachableError, match="does-not-exist.invalid"):
            client.get("http://does-not-exist.invalid/feed")  # .invalid never resolves
    assert waits == []
    assert time.monotonic() - started < settings.http_connect_timeout


def test_byte_cap_declared_and_streamed(settings: Settings, httpserver: HTTPServer) -> None:
    small = dataclasses.replace(settings, http_max_bytes=1000)
    httpserver.expect_request("/big").respond_with_data(b"x" * 5000)

    def chunked(_: Request) -> Response:
        return Response((b"y" * 500 for _ in range(10)), direct_passthrough=True)

    httpserver.expect_request("/stream").respond_with_handler(chunked)
    with HttpClient(small) as client:
        with pytest.raises(ResponseTooLargeError, match="declares 5000 bytes"):
            client.get(httpserver.url_for("/big"))
        with pytest.raises(ResponseTooLargeError, match="1000-byte cap"):
            client.get(httpserver.url_for("/stream"))


def test_one_slot_per_host_group(settings: Settings, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("a")
    polite = dataclasses.replace(settings, request_interval=0.0, host_intervals=("localhost=3",))
    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    with HttpClient(polite, sleep=sleep, clock=lambda: now[0]) as client:
        client.get(httpserver.url_for("/a"))  # first request: no wait
        now[0] += 1.0
        client.get(httpserver.url_for("/a"))  # 1 s later: waits the remaining 2 s
    assert waits == [pytest.approx(2.0)]


def test_user_agent_names_the_contact(settings: Settings, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/ua").respond_with_data("ok")
    with HttpClient(dataclasses.replace(settings, contact_email="ops@example.org")) as client:
        client.get(httpserver.url_for("/ua"))
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("leanwatch/")
    assert "mailto:ops@example.org" in request.headers["User-Agent"]


def test_retry_after_forms() -> None:
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("Sun, 22 Nov 2026 06:00:10 GMT", now=1795327200.0) == pytest.approx(10.0)
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
