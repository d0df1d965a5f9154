"""Shared fixtures: real data from ../shared/data, a temporary store, a replaying HTTP server."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from pytest_httpserver import HTTPServer

from bench.corpus import build_corpus_store
from bench.listing import read_listing
from leanwatch.settings import Settings, load_settings

REPO = Path(__file__).resolve().parent.parent


def _shared_data_dir() -> Path:
    configured = os.environ.get("LEANWATCH_SHARED_DATA")
    return Path(configured) if configured else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data (or LEANWATCH_SHARED_DATA). Skips when absent, fails in CI."""
    path = _shared_data_dir()
    if not path.is_dir():
        if os.environ.get("LEANWATCH_REQUIRE_SHARED_DATA"):
            pytest.fail(f"shared data required but missing at {path}")
        pytest.skip(f"real data not found at {path} (set LEANWATCH_SHARED_DATA)")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a temporary data dir, with no waiting on locks or between requests."""
    return load_settings(
        env={},
        flags={
            "data_dir": str(tmp_path / "data"),
            "writer_wait_seconds": "0",
            "request_interval": "0",
            "host_intervals": "",
            "http_max_retry_wait": "0.05",
        },
    )


@pytest.fixture(scope="session")
def listing_papers(shared_data: Path) -> list[dict[str, Any]]:
    """The first 2,000 real papers of the shared arXiv listing corpus."""
    return list(read_listing(shared_data, limit=2000))


@pytest.fixture(scope="session")
def corpus(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A store as a user builds it from the shared corpora: 3,000 arXiv papers, a day of HF papers, two
    lab feeds, model-index leaderboards, Epoch's notable models; tagged, extracted, one digest."""
    data_dir = tmp_path_factory.mktemp("corpus") / "data"
    settings = load_settings(env={}, flags={"data_dir": str(data_dir), "writer_wait_seconds": "5"})
    build_corpus_store(settings, shared_data, papers=3000)
    return settings


def replay(server: HTTPServer, recordings: list[Path]) -> list[str]:
    """Serve recorded `{url, status_code, body}` exchanges from `server`; return the local URLs."""
    urls = []
    for path in recordings:
        exchange = json.loads(path.read_text())
        parts = urlsplit(exchange["url"])
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        server.expect_request(parts.path, query_string=query).respond_with_data(
            exchange["body"], status=exchange["status_code"], content_type="application/atom+xml"
        )
        urls.append(server.url_for(parts.path) + ("?" + parts.query if parts.query else ""))
    return urls


@pytest.fixture
def replaying_server(httpserver: HTTPServer) -> Iterator[HTTPServer]:
    """pytest-httpserver that fails the test if a registered recording was never requested."""
    yield httpserver
    httpserver.check_assertions()
