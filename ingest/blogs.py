"""AI lab blog feeds: every post in one timeline, as plain text, linked to the arXiv papers it cites.

Feeds are fetched through the one client (conditional GET, so an unchanged feed costs a 304) and
parsed from bytes by feedparser, which never fetches. HTML is reduced to text with BeautifulSoup
and never stored or shown as HTML. One dead or malformed feed never stops the others.
"""

from __future__ import annotations

import calendar
import logging
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import feedparser
from bs4 import BeautifulSoup

from ingest.http import HttpClient
from ingest.run import RunCounts, expand_paths
from leanwatch.errors import FetchError, InputFormatError
from leanwatch.records import arxiv_paper_ids, url_id
from leanwatch.settings import Settings
from leanwatch.store import Store, utc_now

log = logging.getLogger(__name__)

SHIPPED_FEEDS = Path(__file__).with_name("feeds.toml")
KINDS = ("official", "generated")
SOURCE = "blogs"

# Tags whose content is never text a reader should see.
_DROPPED_TAGS = (
    "script",
    "style",
    "noscript",
    "iframe",
    "object",
    "embed",
    "svg",
    "template",
    "form",
    "head",
)
_TAG_LIKE = re.compile(r"<\s*[a-zA-Z/!]")
_UNSAFE = re.compile(r"javascript\s*:|vbscript\s*:|\bon[a-z]+\s*=", re.IGNORECASE)
_TRACKING_PARAMS = re.compile(r"^(utm_|fbclid$|gclid$|mc_cid$|mc_eid$|ref$)")


@dataclass(frozen=True)
class Feed:
    name: str
    url: str
    lab: str
    kind: str  # official or generated


def load_feeds(path: Path | None = None) -> list[Feed]:
    """The feed list: the shipped TOML, or the file named by the `blog_feeds_file` setting."""
    path = path or SHIPPED_FEEDS
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputFormatError(f"{path}: cannot read the feed list: {exc}") from exc
    feeds = []
    for index, item in enumerate(data.get("feed", []), start=1):
        missing = [key for key in ("name", "url", "lab", "kind") if not isinstance(item.get(key), str)]
        if missing:
            raise InputFormatError(f"{path}: feed {index} lacks {', '.join(missing)}")
        if item["kind"] not in KINDS:
            raise InputFormatError(f"{path}: feed {index} ({item['name']}): kind must be one of {KINDS}")
        feeds.append(Feed(item["name"], item["url"], item["lab"], item["kind"]))
    if not feeds:
        raise InputFormatError(f"{path}: no [[feed]] entries")
    return feeds


# --- text --------------------------------------------------------------------------------------


def html_to_text(html: str | None) -> str | None:
    """Visible text of an HTML fragment, whitespace collapsed, with nothing executable left.

    Escaped markup that decodes to more markup is stripped again, so a feed that double-escapes
    `<script>` cannot smuggle it into stored text.
    """
    if not html:
        return None
    text = html
    for _ in range(3):
        if not _TAG_LIKE.search(text) and "&" not in text:
            break
        soup = BeautifulSoup(text, "lxml")
        for tag in soup(_DROPPED_TAGS):
            tag.decompose()
        text = soup.get_text(" ")
    text = _UNSAFE.sub("", text)
    return " ".join(text.split()) or None


def canonical_url(url: str) -> str:
    """The link without fragment and tracking parameters, so one post has one id."""
    parts = urlsplit(url.strip())
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAMS.match(k)
    ]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, urlencode(query), ""))


# --- parsing -----------------------------------------------------------------------------------


@dataclass
class ParsedFeed:
    posts: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)  # post_papers rows
    bozo: str | None = None  # feedparser's complaint about ill-formed input
    errors: list[str] = field(default_factory=list)


def read_feed(content: bytes) -> Any:
    """feedparser's reading of a feed's bytes: it never raises, and never fetches anything itself."""
    return feedparser.parse(content, resolve_relative_uris=False, sanitize_html=True)


def parse_feed(parsed: Any, feed: Feed, where: str) -> ParsedFeed:
    """Posts of a feed read by `read_feed`. Ill-formed feeds keep whatever entries parsed (bozo recorded)."""
    result = ParsedFeed()
    if parsed.get("bozo"):
        result.bozo = f"{type(parsed.get('bozo_exception')).__name__}: {parsed.get('bozo_exception')}"
    for index, entry in enumerate(parsed.get("entries", []), start=1):
        try:
            post, papers = post_row(entry, feed)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            result.errors.append(f"{where} entry {index}: {type(exc).__name__}: {exc}")
            continue
        result.posts.append(post)
        result.links += [{"post_id": post["post_id"], "paper_id": paper} for paper in papers]
    return result


def post_row(entry: Any, feed: Feed) -> tuple[dict[str, Any], list[str]]:
    link = entry.get("link") or ""
    identity = canonical_url(link) if link.startswith(("http://", "https://")) else (entry.get("id") or link)
    title = html_to_text(entry.get("title"))
    if not identity:
        identity = f"{feed.url}#{title}"
    summary_html = entry.get("summary")
    body_html = " ".join(part.get("value", "") for part in entry.get("content", []) or []) or None
    # dict.get: feedparser's own get() maps a missing updated date to the published one, with a warning.
    updated = _utc(dict.get(entry, "updated_parsed"))
    published = _utc(dict.get(entry, "published_parsed")) or updated
    post = {
        "post_id": url_id(identity),
        "feed": feed.name,
        "feed_url": feed.url,
        "feed_kind": feed.kind,
        "lab": feed.lab,
        "title": title or "(untitled)",
        "url": link or None,
        "published": published,
        "updated": updated,
        "date_is_fallback": published is None,
        "author": html_to_text(entry.get("author")),
        "summary": html_to_text(summary_html),
        "body": html_to_text(body_html),
        "categories": [t["term"] for t in entry.get("tags", []) or [] if t.get("term")],
    }
    hrefs = " ".join(str(item.get("href", "")) for item in entry.get("links", []) or [])
    return post, arxiv_paper_ids(summary_html, body_html, hrefs, link)


def _utc(parsed: Any) -> datetime | None:
    """feedparser's UTC struct_time as the store's naive UTC datetime."""
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC).replace(tzinfo=None)


# --- storing -----------------------------------------------------------------------------------


@dataclass
class FeedOutcome:
    feed: Feed
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    status: str = "ok"  # ok, not_modified, failed
    detail: str = ""

    def describe(self) -> str:
        if self.status == "not_modified":
            return f"{self.feed.name}: unchanged (304)"
        if self.status == "failed":
            return f"{self.feed.name}: failed ({self.detail})"
        text = f"{self.feed.name}: {self.new} new, {self.updated} updated, {self.unchanged} unchanged"
        return text + (f" ({self.detail})" if self.detail else "")


def store_feed(
    store: Store,
    feed: Feed,
    parsed: Any,
    where: str,
    client: HttpClient | None = None,
    pages: PageBudget | None = None,
) -> FeedOutcome:
    """Write a feed's posts. With a client and a page budget, summary-only posts get their page's text."""
    result = parse_feed(parsed, feed, where)
    for error in result.errors:
        log.warning("%s", error)
    outcome = FeedOutcome(feed)
    if result.bozo:
        log.warning("%s: ill-formed feed (%s); kept %d entries", where, result.bozo, len(result.posts))
        outcome.detail = f"ill-formed, kept {len(result.posts)} entries: {result.bozo[:120]}"
    if not result.posts:
        if result.bozo and not result.errors:
            outcome.status, outcome.detail = "failed", f"no entries: {result.bozo[:120]}"
        return outcome
    stored = _stored_posts(store, [post["post_id"] for post in result.posts])
    # A post another feed delivered first (official and generated feeds often carry the same
    # article) stays as that feed wrote it, so feeds never overwrite each other back and forth.
    posts = [post for post in result.posts if stored.get(post["post_id"], (feed.url,))[0] == feed.url]
    now = utc_now()
    need_page = []
    for post in posts:
        _, published, body = stored.get(post["post_id"], (None, None, None))
        if post["published"] is None:  # undated: the first-seen time, kept across runs
            post["published"] = published or now
        if post["body"] is None:  # summary only: keep a full text fetched in an earlier run
            post["body"] = body
            if body is None and (post["url"] or "").startswith("http"):
                need_page.append(post)
        post["first_seen"] = post["last_seen"] = now
    if client is not None and pages is not None:
        _fill_bodies(client, need_page, pages)
    counts = store.upsert("posts", posts)
    store.upsert("post_papers", result.links)
    outcome.new, outcome.updated = counts.new, counts.updated
    outcome.unchanged = counts.unchanged + counts.duplicates + len(result.posts) - len(posts)
    return outcome


def _stored_posts(store: Store, ids: list[str]) -> dict[str, tuple[str, datetime | None, str | None]]:
    """What the store already holds of these posts: owning feed URL, published date, body."""
    rows = store.query(
        "SELECT post_id, feed_url, published, body FROM posts WHERE post_id IN (SELECT unnest(?))", [ids]
    )
    return {post_id: (feed_url, published, body) for post_id, feed_url, published, body in rows}


def _fill_bodies(client: HttpClient, posts: list[dict[str, Any]], pages: PageBudget) -> None:
    """Fetch each post's page (politely, through the one client) and keep its main text."""
    for post in posts:
        if pages.left <= 0:
            return
        pages.left -= 1
        try:
            page = client.get(post["url"])
        except FetchError as exc:
            log.warning("%s: full text not fetched: %s", post["url"], exc.reason)
            continue
        post["body"] = page_text(page.content)


def page_text(content: bytes) -> str | None:
    """The main text of an article page: its <article>, else <main>, else <body>."""
    soup = BeautifulSoup(content, "lxml")
    for tag in soup([*_DROPPED_TAGS, "nav", "header", "footer", "aside"]):
        tag.decompose()
    main = soup.find("article") or soup.find("main") or soup.body or soup
    return html_to_text(main.get_text(" "))


# --- running -----------------------------------------------------------------------------------


@dataclass
class PageBudget:
    """How many post pages a run may still fetch (0 when page fetching is off)."""

    left: int


def fetch_feed(store: Store, client: HttpClient, feed: Feed, pages: PageBudget | None = None) -> FeedOutcome:
    state = store.source_state(SOURCE, feed.url) or {}
    result = client.get(feed.url, etag=state.get("etag"), last_modified=state.get("last_modified"))
    if result.not_modified:
        return FeedOutcome(feed, status="not_modified")
    outcome = store_feed(store, feed, read_feed(result.content), feed.url, client, pages)
    store.set_source_state(SOURCE, feed.url, etag=result.etag, last_modified=result.last_modified)
    return outcome


def update(store: Store, settings: Settings, client: HttpClient) -> RunCounts:
    """Fetch every configured feed; each feed's outcome goes into the summary."""
    outcomes = []
    pages = PageBudget(settings.blog_pages_per_run if settings.blog_fetch_pages else 0)
    for feed in load_feeds(settings.blog_feeds_file):
        try:
            outcomes.append(fetch_feed(store, client, feed, pages))
        except FetchError as exc:  # feeds live on different hosts: the others go on
            outcomes.append(FeedOutcome(feed, status="failed", detail=exc.reason))
    return _summarise(outcomes)


def ingest_files(store: Store, settings: Settings, paths: Iterable[Path]) -> RunCounts:
    """Saved feeds. Each file is matched to a configured feed by its site, else named by its title."""
    feeds = load_feeds(settings.blog_feeds_file)
    outcomes = []
    # LICENSEs and READMEs beside saved feeds are passed over; a file named explicitly is read.
    for path in expand_paths(paths, accept=_looks_like_xml):
        try:
            content = path.read_bytes()
        except OSError as exc:
            outcomes.append(
                FeedOutcome(Feed(path.name, str(path), "", "official"), status="failed", detail=str(exc))
            )
            continue
        parsed = read_feed(content)
        outcomes.append(store_feed(store, _feed_for_file(parsed, path, feeds), parsed, str(path)))
    return _summarise(outcomes)


def _looks_like_xml(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def _feed_for_file(parsed: Any, path: Path, feeds: list[Feed]) -> Feed:
    channel = parsed.get("feed", {})
    site = urlsplit(channel.get("link") or "").netloc.lower().removeprefix("www.")
    for feed in feeds:
        host = urlsplit(feed.url).netloc.lower().removeprefix("www.")
        if site and (host == site or host.endswith("." + site) or site.endswith("." + host)):
            return Feed(feed.name, f"file:{path.resolve()}", feed.lab, feed.kind)
    title = html_to_text(channel.get("title")) or path.stem
    return Feed(title, f"file:{path.resolve()}", title, "official")


def _summarise(outcomes: list[FeedOutcome]) -> RunCounts:
    """Totals, and every feed's outcome; feeds failing for the same reason share one note."""
    counts = RunCounts()
    failed: dict[str, list[str]] = {}
    for outcome in outcomes:
        counts.new += outcome.new
        counts.updated += outcome.updated
        counts.unchanged += outcome.unchanged
        counts.fetched += outcome.new + outcome.updated + outcome.unchanged
        if outcome.status == "failed":
            counts.errors += 1
            failed.setdefault(outcome.detail, []).append(outcome.feed.name)
        else:
            counts.notes.append(outcome.describe())
    for reason, names in failed.items():
        counts.notes.append(f"{', '.join(names)}: failed ({reason})")
    return counts
