"""arXiv ingestion: daily RSS, the query API, OAI-PMH harvesting and local files.

Everything is fetched through the one client (one request every 3 s across arXiv's hosts) and
parsed by `ingest.arxiv_parse`. A paper is kept when any of its categories is watched (or all,
with `all_categories`); replacements update the stored paper's version.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ingest.arxiv_parse import (
    OaiPage,
    parse_api_page,
    parse_oai,
    parse_rss,
    prepare_page_file,
)
from ingest.arxiv_rows import FULL_COLUMNS, RSS_COLUMNS
from ingest.arxiv_snapshot import line_blocks, prepare_snapshot_block, snapshot_records, worker_start
from ingest.batches import BadRecord, Harvested, PreparedBatch
from ingest.http import HttpClient
from ingest.papers import PaperSink
from ingest.run import RunCounts, expand_paths
from leanwatch.errors import FetchError, IngestError, InputFormatError, SourceUnreachableError
from leanwatch.logs import progress
from leanwatch.settings import Settings
from leanwatch.store import Store

log = logging.getLogger(__name__)

API_MAX_PAGE = 2000
EMPTY_PAGE_RETRIES = 2


def _watched(settings: Settings, all_categories: bool) -> tuple[str, ...] | None:
    return None if all_categories else settings.arxiv_categories


# --- RSS ---------------------------------------------------------------------------------------


def ingest_rss(
    store: Store, settings: Settings, client: HttpClient, all_categories: bool = False
) -> RunCounts:
    """Today's announcement for each watched category; a stale or empty feed is said, not hidden."""
    counts = RunCounts()
    sink = PaperSink(store, "arxiv_rss", RSS_COLUMNS, counts, _watched(settings, all_categories))
    for category in settings.arxiv_categories:
        url = f"{settings.arxiv_rss_url.rstrip('/')}/{category}"
        state = store.source_state("arxiv_rss", category) or {}
        try:
            result = client.get(url, etag=state.get("etag"), last_modified=state.get("last_modified"))
            feed = parse_rss(result.content, url) if not result.not_modified else None
        except SourceUnreachableError:
            raise  # the other categories live on the same host
        except (FetchError, InputFormatError) as exc:
            sink.bad(BadRecord(url, str(exc)))
            counts.notes.append(f"{category}: failed ({exc.__class__.__name__})")
            continue
        if feed is None:
            counts.notes.append(f"{category}: unchanged since the last run (304)")
            continue
        announced = feed.announced.isoformat() if feed.announced else None
        if not feed.records:
            counts.notes.append(f"{category}: empty feed, no announcement today (weekend or holiday?)")
        elif announced is not None and announced == state.get("cursor"):
            counts.notes.append(f"{category}: stale, still the {announced} announcement already ingested")
        for record in feed.records:
            sink.add(record)
        sink.flush()
        store.set_source_state(
            "arxiv_rss",
            category,
            cursor=announced or state.get("cursor"),
            etag=result.etag,
            last_modified=result.last_modified,
        )
    return counts


def update(store: Store, settings: Settings, client: HttpClient) -> RunCounts:
    """What `leanwatch update` does for arXiv: the daily RSS announcements."""
    return ingest_rss(store, settings, client)


# --- the query API -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiSearch:
    """What to ask the query API: categories and a submitted-date window."""

    categories: Sequence[str]
    since: date | None = None
    until: date | None = None
    page_size: int = 500
    limit: int | None = None  # stop after this many results
    raw_query: str | None = None  # arXiv's own search_query syntax, instead of categories and dates

    def query(self) -> str:
        if self.raw_query:
            return self.raw_query
        parts = []
        if self.categories:
            parts.append("(" + " OR ".join(f"cat:{c}" for c in self.categories) + ")")
        if self.since is not None and self.until is not None:
            parts.append(f"submittedDate:[{self.since:%Y%m%d}0000 TO {self.until:%Y%m%d}2359]")
        if not parts:
            raise ValueError("an API search needs categories, a date window or a raw query")
        return " AND ".join(parts)


def search_api(client: HttpClient, settings: Settings, search: ApiSearch) -> Iterator[Harvested | BadRecord]:
    """Every result of `search`, page by page; the caller never sees the paging.

    The total is re-read on each page: arXiv's count can shrink or grow during a run. An empty
    page before the end is retried, then ends the search with a warning.
    """
    size = max(1, min(search.page_size, API_MAX_PAGE))
    start, total, empty_tries = 0, None, 0
    limit = search.limit if search.limit is not None else float("inf")
    while (total is None or start < total) and start < limit:
        params: dict[str, str | int] = {
            "search_query": search.query(),
            "start": start,
            "max_results": size,
            "sortBy": "submittedDate",
            "sortOrder": "ascending",
        }
        result = client.get(settings.arxiv_api_url, params=params, accept_status={400})
        page = parse_api_page(result.content, f"{settings.arxiv_api_url} (start={start})")
        if page.error or result.status == 400:
            raise FetchError(settings.arxiv_api_url, f"arXiv API error: {page.error or 'HTTP 400'}")
        total = page.total if page.total is not None else start + len(page.records)
        if not page.records:
            if start >= total:
                break
            empty_tries += 1
            if empty_tries > EMPTY_PAGE_RETRIES:
                log.warning("arXiv API: empty page at start=%d of %d; stopping early", start, total)
                break
            continue
        empty_tries = 0
        yield from page.records[: int(min(len(page.records), limit - start))]
        start += len(page.records)


def ingest_api(
    store: Store,
    settings: Settings,
    client: HttpClient,
    since: date,
    until: date,
    all_categories: bool = False,
) -> RunCounts:
    counts = RunCounts()
    sink = PaperSink(
        store, "arxiv_api", FULL_COLUMNS, counts, _watched(settings, all_categories), batch_size=5_000
    )
    search = ApiSearch([] if all_categories else list(settings.arxiv_categories), since, until)
    for record in progress(search_api(client, settings, search), desc="arXiv API", unit="papers"):
        sink.add(record)
    sink.flush()
    return counts


# --- OAI-PMH -----------------------------------------------------------------------------------


def oai_sets(categories: Iterable[str]) -> list[str]:
    """OAI sets covering the categories: cs.AI -> cs, stat.ML -> stat."""
    return sorted({category.split(".")[0] for category in categories})


def harvest_oai(
    store: Store,
    settings: Settings,
    client: HttpClient,
    since: date | None = None,
    until: date | None = None,
    all_categories: bool = False,
) -> RunCounts:
    """Incremental ListRecords per set. After each page the resumption token and the last datestamp
    are stored as the set's cursor, so an interrupted harvest resumes where it stopped."""
    counts = RunCounts()
    sink = PaperSink(
        store, "arxiv_oai", FULL_COLUMNS, counts, _watched(settings, all_categories), batch_size=5_000
    )
    for oai_set in oai_sets(settings.arxiv_categories):
        _harvest_set(store, settings, client, sink, oai_set, since, until)
    return counts


def _harvest_set(
    store: Store,
    settings: Settings,
    client: HttpClient,
    sink: PaperSink,
    oai_set: str,
    since: date | None,
    until: date | None,
) -> None:
    state = store.source_state("arxiv_oai", oai_set) or {}
    cursor = json.loads(state["cursor"]) if state.get("cursor") else {}
    token = cursor.get("token") if since is None else None
    start_from = since.isoformat() if since else cursor.get("datestamp")
    datestamp = cursor.get("datestamp")
    while True:
        if token:
            params: dict[str, str | int] = {"verb": "ListRecords", "resumptionToken": token}
        else:
            params = {"verb": "ListRecords", "metadataPrefix": "arXiv", "set": oai_set}
            if start_from:
                params["from"] = start_from
            if until:
                params["until"] = until.isoformat()
        result = client.get(settings.arxiv_oai_url, params=params)
        page: OaiPage = parse_oai(result.content, f"{settings.arxiv_oai_url} ({oai_set})")
        if page.error_code == "badResumptionToken" and token:
            log.warning(
                "OAI-PMH %s: the stored resumption token expired; restarting from %s", oai_set, start_from
            )
            token = None
            continue
        if page.error_code and page.error_code != "noRecordsMatch":
            raise FetchError(settings.arxiv_oai_url, f"OAI-PMH error {page.error_code}: {page.error_message}")
        for record in page.records:
            sink.add(record)
        sink.flush()  # stored before the token that points past it
        if page.deleted:
            sink.counts.skip("deleted upstream", page.deleted)
        datestamp = max(filter(None, (datestamp, page.last_datestamp)), default=None)
        token = page.token
        store.set_source_state(
            "arxiv_oai", oai_set, cursor=json.dumps({"datestamp": datestamp, "token": token})
        )
        if not token:
            return


# --- local files -------------------------------------------------------------------------------


def detect_format(path: Path) -> str:
    """snapshot (JSON lines), recorded (a saved {url, status_code, body} exchange), api, oai or rss."""
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".json.gz")):
        return "snapshot"
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip()
    if head.startswith(b"{"):
        return (
            "recorded" if b'"body"' in head or (name.endswith(".json") and b'"url"' in head) else "snapshot"
        )
    if b"<OAI-PMH" in head:
        return "oai"
    if b"<rss" in head or b"<rdf:RDF" in head:
        return "rss"
    if b"<feed" in head:
        return "api"
    raise InputFormatError(f"{path}: not an arXiv snapshot, API page, OAI-PMH response or RSS feed")


PAGE_KINDS = ("api", "recorded", "oai", "rss")  # parsed whole, one job per file; runs go to workers
PARALLEL_MIN_BYTES = 8_000_000  # less is parsed inline: starting workers costs ~1 s
# A page file's records are held whole while it is prepared; bigger files (a saved bulk harvest)
# go one at a time in this process, so a few of them in flight never add up.
PARALLEL_MAX_PAGE_BYTES = 32_000_000


def ingest_snapshot_parallel(path: Path, sink: PaperSink, workers: int) -> None:
    """Parse in `workers` processes while this one upserts; results are written in file order."""
    blocks = progress(line_blocks(path), desc=path.name, unit="blocks")
    jobs = ((prepare_snapshot_block, str(path), first_line, block, sink.spec) for first_line, block in blocks)
    with closing(_in_workers(jobs, workers, str(path))) as batches:  # a failed write stops the pool now
        for batch in batches:
            sink.write(batch)


def _in_workers(
    jobs: Iterable[tuple[Any, ...]], workers: int, what: str
) -> Generator[PreparedBatch, None, None]:
    """`(function, *args)` jobs run in `workers` spawned processes, results in job order, at most
    2 x workers in flight so memory stays flat however many there are."""
    context = multiprocessing.get_context("spawn")  # never fork a process holding DuckDB threads
    in_flight: deque[Future[PreparedBatch]] = deque()
    try:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=worker_start) as pool:
            for function, *args in jobs:
                in_flight.append(pool.submit(function, *args))
                if len(in_flight) > 2 * workers:
                    yield in_flight.popleft().result()
            while in_flight:
                yield in_flight.popleft().result()
    except BrokenProcessPool as exc:
        raise IngestError(
            f"{what}: a parsing worker process died ({exc}); the batches written so far are kept. "
            "Run again (it is idempotent), or with LEANWATCH_INGEST_WORKERS=1 to parse in one process"
        ) from exc


def _read_pages(pages: list[tuple[Path, str]], sink_for: Callable[[str], PaperSink], workers: int) -> None:
    """Saved API and OAI-PMH pages and RSS feeds, written in the order given (a sink is flushed
    before another source's rows follow); in worker processes when there are enough of them."""
    if not pages:
        return
    sizes = [path.stat().st_size for path, _ in pages]
    batches: Iterator[PreparedBatch]
    if (
        workers > 1
        and len(pages) > 1
        and sum(sizes) >= PARALLEL_MIN_BYTES
        and max(sizes) <= PARALLEL_MAX_PAGE_BYTES
    ):
        jobs = ((prepare_page_file, path, kind, sink_for(kind).spec) for path, kind in pages)
        batches = _in_workers(jobs, workers, f"{len(pages)} saved page files")
    else:
        batches = (prepare_page_file(path, kind, sink_for(kind).spec) for path, kind in pages)
    previous: PaperSink | None = None
    with closing(batches):
        for (_, kind), batch in zip(pages, progress(batches, desc="saved pages", unit="files"), strict=True):
            sink = sink_for(kind)
            if previous is not None and previous is not sink:
                previous.flush()
            sink.write(batch)
            previous = sink
    if previous is not None:
        previous.flush()


def _read_snapshot(path: Path, sink: PaperSink, workers: int) -> None:
    """A metadata snapshot, in workers when it is big."""
    if workers > 1 and path.stat().st_size >= PARALLEL_MIN_BYTES:
        ingest_snapshot_parallel(path, sink, workers)
        return
    for record in progress(snapshot_records(path), desc=path.name, unit="records"):
        sink.add(record)


def ingest_files(
    store: Store, settings: Settings, paths: Iterable[Path], all_categories: bool = False
) -> RunCounts:
    """Load saved arXiv data in the order given. The snapshot streams in batches, so memory stays
    bounded; runs of saved pages and feeds are parsed together."""
    counts = RunCounts()
    watched = _watched(settings, all_categories)
    workers = settings.ingest_workers or os.cpu_count() or 1
    sinks: dict[str, PaperSink] = {}

    def sink_for(kind: str) -> PaperSink:
        source = {"snapshot": "arxiv_snapshot", "oai": "arxiv_oai", "rss": "arxiv_rss"}.get(kind, "arxiv_api")
        if source not in sinks:
            columns = RSS_COLUMNS if source == "arxiv_rss" else FULL_COLUMNS
            sinks[source] = PaperSink(store, source, columns, counts, watched)
        return sinks[source]

    try:
        _read_all(expand_paths(paths), sink_for, counts, workers)
    except IngestError:  # a worker died: what was parsed before is still stored
        for sink in sinks.values():
            sink.flush()
        raise
    return counts


def _read_all(
    files: Iterable[Path], sink_for: Callable[[str], PaperSink], counts: RunCounts, workers: int
) -> None:
    pages: list[tuple[Path, str]] = []
    for path in files:
        try:
            kind = detect_format(path)
        except InputFormatError as exc:  # one unreadable file does not stop the others
            counts.errors += 1
            log.warning("%s", exc)
            continue
        if kind in PAGE_KINDS:
            pages.append((path, kind))
            continue
        _read_pages(pages, sink_for, workers)
        pages = []
        sink = sink_for(kind)
        try:
            _read_snapshot(path, sink, workers)
        except (OSError, EOFError) as exc:  # a truncated .gz or an unreadable file
            sink.bad(BadRecord(str(path), f"{type(exc).__name__}: {exc}"))
        sink.flush()
    _read_pages(pages, sink_for, workers)


def parse_day(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise InputFormatError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def default_window(since: date | None, until: date | None, today: date) -> tuple[date, date]:
    end = until or today
    return since or end - timedelta(days=7), end
