"""Lab blog feeds from the shared real feeds, a local server, and feedparser's robustness corpus."""

from __future__ import annotations

import dataclasses
import re
import tarfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingest import blogs
from ingest.http import HttpClient
from leanwatch.errors import InputFormatError
from leanwatch.records import arxiv_paper_ids
from leanwatch.settings import Settings
from leanwatch.store import open_reader, open_writer

UNSAFE = re.compile(r"<\s*script|javascript\s*:|\bon[a-z]+\s*=", re.IGNORECASE)


def _ingest(settings: Settings, *paths: Path) -> blogs.RunCounts:
    with open_writer(settings, "test") as store:
        return blogs.ingest_files(store, settings, paths)


def _items(path: Path) -> int:
    """Items counted independently of feedparser: RSS <item>, Atom <entry>, RDF items."""
    root = etree.parse(str(path)).getroot()
    return sum(
        1 for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname in ("item", "entry")
    )


def _posts(settings: Settings) -> list[tuple[Any, ...]]:
    with open_reader(settings) as reader:
        return reader.query("SELECT * EXCLUDE (first_seen, last_seen) FROM posts ORDER BY post_id")


@pytest.fixture(scope="module")
def feed_files(shared_data: Path) -> list[Path]:
    return sorted((shared_data / "blogs").rglob("*.xml"))


def test_every_shared_feed_ingests_with_its_items_and_dates(
    settings: Settings, feed_files: list[Path], tmp_path: Path
) -> None:
    assert len(feed_files) == 15
    for path in feed_files:
        one = dataclasses.replace(settings, data_dir=tmp_path / path.stem)
        counts = _ingest(one, path)
        assert counts.errors == 0, (path, counts.notes)
        with open_reader(one) as reader:
            stored, dated, titled = reader.query(
                "SELECT count(*), count(*) FILTER (WHERE NOT date_is_fallback), count(title) FROM posts"
            )[0]
            distinct_links = reader.query("SELECT count(DISTINCT url) FROM posts")[0][0]
        assert counts.fetched == _items(path), path
        assert stored == distinct_links  # one post per distinct link
        assert dated == stored == titled, path


def test_dates_and_text_of_known_posts(settings: Settings, shared_data: Path) -> None:
    _ingest(settings, shared_data / "blogs/trimmed_2026-04/bair_blog.xml")
    with open_reader(settings) as reader:
        rows = reader.query("SELECT title, published, summary, lab, feed_kind FROM posts ORDER BY published")
    raw = (shared_data / "blogs/trimmed_2026-04/bair_blog.xml").read_text()
    first_title = re.search(r"<item>\s*<title>(.*?)</title>", raw, re.S)
    assert first_title is not None
    titles = [row[0] for row in rows]
    assert " ".join(first_title.group(1).split()) in titles
    assert all(row[3] == "BAIR" and row[4] == "official" for row in rows)
    assert all(len(row[2]) > 1000 and "<p>" not in row[2] for row in rows)  # full text, as text


def test_arxiv_links_are_found_and_linked(settings: Settings, shared_data: Path) -> None:
    path = shared_data / "blogs/trimmed_2026-04/bair_blog.xml"
    _ingest(settings, path)
    expected = {
        f"arxiv:{m}" for m in re.findall(r"arxiv\.org/(?:abs|pdf|html)/(\d{4}\.\d{4,5})", path.read_text())
    }
    with open_reader(settings) as reader:
        linked = {row[0] for row in reader.query("SELECT paper_id FROM post_papers")}
    assert linked == expected
    assert len(linked) >= 5
    text = "see arXiv:2501.01234v2 and https://arxiv.org/pdf/2406.00001v1.pdf, again arxiv.org/abs/2406.00001"
    assert arxiv_paper_ids(text) == ["arxiv:2406.00001", "arxiv:2501.01234"]  # links first, once each


def test_a_second_run_changes_nothing(settings: Settings, shared_data: Path) -> None:
    first = _ingest(settings, shared_data / "blogs")
    before = _posts(settings)
    again = _ingest(settings, shared_data / "blogs")
    assert (again.new, again.updated, again.errors) == (0, 0, 0)
    assert again.unchanged == first.fetched
    assert _posts(settings) == before


def test_conditional_get_returns_304_and_adds_nothing(
    settings: Settings, httpserver: HTTPServer, shared_data: Path, tmp_path: Path
) -> None:
    body = (shared_data / "blogs/trimmed_2026-04/gradient_blog.xml").read_bytes()

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"g1"':
            return Response(status=304)
        return Response(body, headers={"ETag": '"g1"'}, content_type="application/rss+xml")

    httpserver.expect_request("/gradient/rss").respond_with_handler(handler)
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(
        f'[[feed]]\nname = "The Gradient"\nlab = "The Gradient"\nkind = "official"\n'
        f'url = "{httpserver.url_for("/gradient/rss")}"\n'
        '[[feed]]\nname = "Dead"\nlab = "Nobody"\nkind = "generated"\nurl = "http://127.0.0.1:9/feed"\n'
    )
    configured = dataclasses.replace(settings, blog_feeds_file=feeds)
    with open_writer(configured, "test") as store, HttpClient(configured) as client:
        first = blogs.update(store, configured, client)
        second = blogs.update(store, configured, client)
    assert first.new == 3
    assert "Dead: failed (" in " ".join(first.notes)  # one dead feed does not stop the others
    assert second.new == second.updated == 0
    assert "The Gradient: unchanged (304)" in second.notes
    assert httpserver.log[-1][0].headers.get("If-None-Match") == '"g1"'


def test_ill_formed_feed_keeps_what_parsed(settings: Settings, shared_data: Path, tmp_path: Path) -> None:
    raw = (shared_data / "blogs/trimmed_2026-04/gradient_blog.xml").read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(raw[: raw.rfind(b"<item>")])  # the last item and the closing tags are gone
    counts = _ingest(settings, cut)
    assert counts.new == 2
    assert "ill-formed, kept 2 entries" in " ".join(counts.notes)


def test_undated_posts_keep_their_first_seen_date(
    settings: Settings, shared_data: Path, tmp_path: Path
) -> None:
    raw = (shared_data / "blogs/trimmed_2026-04/huggingface_blog.xml").read_text()
    undated = tmp_path / "undated.xml"
    undated.write_text(re.sub(r"<pubDate>.*?</pubDate>", "", raw))
    _ingest(settings, undated)
    before = _posts(settings)
    again = _ingest(settings, undated)
    with open_reader(settings) as reader:
        flags = reader.query("SELECT DISTINCT date_is_fallback, published IS NOT NULL FROM posts")
    assert flags == [(True, True)]
    assert again.updated == 0 and _posts(settings) == before


def test_robustness_corpus_never_crashes_and_nothing_executable_survives(
    settings: Settings, shared_data: Path, tmp_path: Path
) -> None:
    with tarfile.open(shared_data / "feed_robustness/feedparser_tests_feeds.tar.gz") as archive:
        archive.extractall(tmp_path / "corpus", filter="data")
    counts = _ingest(settings, tmp_path / "corpus")
    assert counts.fetched > 1000
    with open_reader(settings) as reader:
        texts = reader.query("SELECT title, summary, body, author FROM posts")
    unsafe = [value for row in texts for value in row if value and UNSAFE.search(value)]
    assert unsafe == []


def test_html_to_text_strips_scripts_handlers_and_double_escaping() -> None:
    html = (
        '<p onclick="steal()">Hello <b>world</b></p><script>alert(1)</script>'
        '<a href="javascript:alert(2)">link</a> &lt;script&gt;alert(3)&lt;/script&gt; '
        '<img src=x onerror="alert(4)">'
    )
    assert blogs.html_to_text(html) == "Hello world link"


def test_feed_list(tmp_path: Path) -> None:
    feeds = blogs.load_feeds()
    labs = {feed.lab for feed in feeds}
    for lab in (
        "OpenAI",
        "Google DeepMind",
        "Google Research",
        "Google",
        "Meta AI",
        "Hugging Face",
        "BAIR",
        "Microsoft Research",
        "Apple",
        "NVIDIA",
        "Anthropic",
        "Mistral AI",
        "The Gradient",
    ):
        assert lab in labs
    assert {feed.kind for feed in feeds if feed.lab == "Anthropic"} == {"generated"}
    bad = tmp_path / "feeds.toml"
    bad.write_text('[[feed]]\nname = "x"\nurl = "https://example.org/feed"\nlab = "X"\nkind = "rumour"\n')
    with pytest.raises(InputFormatError, match=r"feeds.toml: feed 1 \(x\): kind must be one of"):
        blogs.load_feeds(bad)


def test_full_text_pages_are_fetched_when_asked_within_the_budget(
    settings: Settings, httpserver: HTTPServer, shared_data: Path, tmp_path: Path
) -> None:
    raw = (shared_data / "blogs/trimmed_2026-04/huggingface_blog.xml").read_text()
    local = re.sub(
        r"<link>https://huggingface\.co/blog/([^<]+)</link>",
        lambda m: f"<link>{httpserver.url_for('/blog/' + m.group(1))}</link>",
        raw,
    )
    httpserver.expect_request("/feed.xml").respond_with_data(local, content_type="application/rss+xml")
    page = (
        "<html><body><nav>Menu</nav><article><h1>Post</h1><p>The whole post text.</p>"
        "<script>track()</script></article><footer>(c)</footer></body></html>"
    )
    httpserver.expect_request(re.compile("^/blog/")).respond_with_data(page, content_type="text/html")
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(
        f'[[feed]]\nname = "HF"\nlab = "Hugging Face"\nkind = "official"\n'
        f'url = "{httpserver.url_for("/feed.xml")}"\n'
    )
    configured = dataclasses.replace(
        settings, blog_feeds_file=feeds, blog_fetch_pages=True, blog_pages_per_run=2
    )
    with open_writer(configured, "test") as store, HttpClient(configured) as client:
        blogs.update(store, configured, client)
        pages_first = sum(1 for request, _ in httpserver.log if request.path.startswith("/blog/"))
        blogs.update(store, configured, client)
    pages_total = sum(1 for request, _ in httpserver.log if request.path.startswith("/blog/"))
    # Page fetching switched off later (the feed is read again in full: no ETag): the texts stay.
    off = dataclasses.replace(configured, blog_fetch_pages=False)
    with open_writer(off, "test") as store, HttpClient(off) as client:
        later = blogs.update(store, off, client)
    with open_reader(configured) as reader:
        bodies = [row[0] for row in reader.query("SELECT body FROM posts ORDER BY body NULLS LAST")]
    assert pages_first == 2  # the budget
    assert pages_total == 3  # the second run fetches only the page not yet fetched
    assert bodies == ["Post The whole post text."] * 3
    assert sum(1 for request, _ in httpserver.log if request.path.startswith("/blog/")) == pages_total
    assert (later.new, later.updated) == (0, 0)


def test_cli_lists_feeds_and_ingests_saved_ones(settings: Settings, shared_data: Path) -> None:
    from click.testing import CliRunner

    from leanwatch.cli import cli

    runner = CliRunner()
    listed = runner.invoke(cli, ["ingest", "blogs", "--list"], env={})
    assert listed.exit_code == 0
    assert "Anthropic" in listed.stdout and "generated" in listed.stdout
    assert len(listed.stdout.strip().splitlines()) == len(blogs.load_feeds())
    saved = shared_data / "blogs/trimmed_2026-04"
    result = runner.invoke(
        cli, ["--data-dir", str(settings.data_dir), "ingest", "blogs", "--from", str(saved)], env={}
    )
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    assert line.startswith("blogs_files: fetched 21, new 21, updated 0, unchanged 0, skipped 0, errors 0; ")
    assert "BAIR Blog: 3 new, 0 updated, 0 unchanged" in line
    assert len(line.splitlines()) == 1
