"""Hugging Face Papers: the daily papers list, live (`/api/daily_papers?date=`) or saved responses.

Per paper and day the store keeps upvotes, comments, GitHub repo and stars, project page,
organisation, `ai_keywords` and `ai_summary`. Papers join arXiv by id; a paper arXiv has not
delivered yet is created from the HF record (first_source hf_papers) and never overwrites what
arXiv wrote. Real captures are not all JSON arrays of objects: some are arrays of Python-repr
strings, one wraps the list in `{status, date, count, data}`. Those are read (Python literals with
`ast.literal_eval`, which evaluates no code); what cannot be read is reported by file.
"""

from __future__ import annotations

import ast
import logging
import re
import tarfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from ingest.batches import BadRecord
from ingest.http import HttpClient
from ingest.run import RunCounts, expand_paths
from leanwatch.errors import FetchError, HttpStatusError, InputFormatError
from leanwatch.records import PAPER_FIELDS, PaperRow, arrow_table, parse_arxiv_id, repo_url
from leanwatch.settings import Settings
from leanwatch.store import Store, seen_stamps, utc_now

log = logging.getLogger(__name__)

SOURCE = "hf_papers"
PAPER_PAGE = "https://huggingface.co/papers/{id}"
# A Python-repr item longer than this is refused rather than evaluated (a real one is ~5 kB).
MAX_REPR_CHARS = 1_000_000
FLUSH_ITEMS = 5_000
# The first live run looks back this far; later runs start the day before their cursor, since a
# day's list keeps growing and its upvotes keep moving after the day is out.
FIRST_RUN_DAYS = 3
_DAY_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
_PAPER_COLUMNS = ["paper_id", "arxiv_id", "title", "abstract", "authors", "published"]


@dataclass
class DailyList:
    """The items of one saved or fetched daily list, and how its format departed from JSON."""

    items: list[Mapping[str, Any]]
    bad: list[BadRecord] = field(default_factory=list)
    odd_format: str | None = None  # "python-repr items", "{status,date,count,data} wrapper"
    day: date | None = None  # the list's own date, when it says


def parse_daily(content: bytes, where: str) -> DailyList:
    """Read a daily_papers response. Unreadable items become BadRecords naming `where` and the index."""
    try:
        data = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise InputFormatError(f"{where}: not JSON ({exc})") from exc
    odd: str | None = None
    day = None
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        odd = "{status,date,count,data} wrapper"
        day = _day(data.get("date"))
        data = data["data"]
    if not isinstance(data, list):
        raise InputFormatError(f"{where}: expected a list of papers, got {type(data).__name__}")
    result = DailyList([], day=day)
    for index, raw in enumerate(data):
        item = raw
        if isinstance(raw, str):
            odd = odd or "python-repr items"
            item = _literal(raw)
        paper = item.get("paper") if isinstance(item, dict) else None
        if not isinstance(paper, dict) or not paper.get("id"):
            result.bad.append(BadRecord(f"{where} item {index}", "not a paper object"))
            continue
        result.items.append(item)
    result.odd_format = odd
    return result


def _literal(text: str) -> Any:
    if len(text) > MAX_REPR_CHARS:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _organization(item: Mapping[str, Any]) -> str | None:
    for holder in (item["paper"].get("organization"), item.get("organization")):
        if isinstance(holder, dict):
            name = _text(holder.get("fullname")) or _text(holder.get("name"))
            if name:
                return name
    return None


def _submitter(item: Mapping[str, Any]) -> str | None:
    for holder in (item["paper"].get("submittedOnDailyBy"), item.get("submittedBy")):
        if isinstance(holder, dict) and _text(holder.get("user")):
            return _text(holder.get("user"))
    return None


def paper_key(hf_id: str) -> tuple[str, str | None]:
    """(paper_id, arxiv_id): HF Papers ids are arXiv ids; anything else is kept as `hf:<id>`."""
    try:
        arxiv = parse_arxiv_id(hf_id)
    except InputFormatError:
        return f"hf:{hf_id.strip()}", None
    return arxiv.paper_id, arxiv.id


@dataclass
class DailyRows:
    """Rows for the store, gathered over many lists and written in batches."""

    papers: list[PaperRow] = field(default_factory=list)
    daily: list[dict[str, Any]] = field(default_factory=list)
    code: list[dict[str, Any]] = field(default_factory=list)
    terms: list[dict[str, Any]] = field(default_factory=list)

    def add(self, item: Mapping[str, Any], day: date, where: str) -> None:
        paper = item["paper"]
        paper_id, arxiv_id = paper_key(str(paper["id"]))
        authors = [a["name"] for a in paper.get("authors") or [] if isinstance(a, dict) and a.get("name")]
        self.papers.append(
            {
                "paper_id": paper_id,
                "arxiv_id": arxiv_id,
                "title": _text(paper.get("title")) or _text(item.get("title")) or "(untitled)",
                "abstract": _text(paper.get("summary")) or _text(item.get("summary")),
                "authors": authors,
                "published": _timestamp(paper.get("publishedAt")),
            }
        )
        repo = repo_url(paper.get("githubRepo"))
        keywords = [k.strip() for k in paper.get("ai_keywords") or [] if isinstance(k, str) and k.strip()]
        self.daily.append(
            {
                "paper_id": paper_id,
                "day": day,
                "upvotes": _int(paper.get("upvotes")),
                "comments": _int(item.get("numComments")),
                "github_repo": repo,
                "github_stars": _int(paper.get("githubStars")),
                "project_page": _text(paper.get("projectPage")),
                "organization": _organization(item),
                "ai_keywords": keywords,
                "ai_summary": _text(paper.get("ai_summary")),
                "submitted_by": _submitter(item),
                "source_ref": where,
            }
        )
        if repo:
            self.code.append(
                {
                    "paper_id": paper_id,
                    "repo_url": repo,
                    "stars": _int(paper.get("githubStars")),
                    "source": SOURCE,
                }
            )
        self.terms += [
            {"paper_id": paper_id, "kind": "ai_keyword", "term": k, "source": SOURCE} for k in keywords
        ]

    def __len__(self) -> int:
        return len(self.daily)


@dataclass
class HfTotals:
    created: int = 0  # papers first known from HF
    code_new: int = 0
    odd_formats: Counter[str] = field(default_factory=Counter)
    empty_days: list[date] = field(default_factory=list)


class DailySink:
    """Collects daily rows and writes them in batches: papers only where none is stored yet."""

    def __init__(self, store: Store, counts: RunCounts) -> None:
        self.store = store
        self.counts = counts
        self.totals = HfTotals()
        self.rows = DailyRows()
        self.seen_at = utc_now()

    def add_list(self, daily: DailyList, day: date | None, where: str) -> None:
        if daily.odd_format:
            self.totals.odd_formats[daily.odd_format] += 1
        for record in daily.bad:
            self.counts.errors += 1
            log.warning("%s: skipped: %s", record.where, record.reason)
        list_day = day or daily.day
        for item in daily.items:
            paper = item["paper"]
            item_day = list_day or _day(paper.get("submittedOnDailyAt")) or _day(item.get("publishedAt"))
            if item_day is None:
                self.counts.errors += 1
                log.warning("%s: paper %s: no date for its daily list", where, paper.get("id"))
                continue
            self.counts.fetched += 1
            self.rows.add(item, item_day, where)
        if not daily.items and list_day is not None:
            self.totals.empty_days.append(list_day)
        if len(self.rows) >= FLUSH_ITEMS:
            self.flush()

    def flush(self) -> None:
        rows, self.rows = self.rows, DailyRows()
        if not rows:
            return
        now = self.seen_at
        stamps = {"first_source": SOURCE, **seen_stamps("papers", now)}
        papers = arrow_table([{**p, **stamps} for p in rows.papers], PAPER_FIELDS, [*_PAPER_COLUMNS, *stamps])
        created = self.store.upsert("papers", papers, only_new=True)
        self.totals.created += created.new
        hf_ids = [p["paper_id"].split(":", 1)[1] for p in rows.papers]
        provenance = [
            {
                "paper_id": p["paper_id"],
                "source": SOURCE,
                "source_id": hf_id,
                "url": PAPER_PAGE.format(id=hf_id),
            }
            for p, hf_id in zip(rows.papers, hf_ids, strict=True)
        ]
        seen = seen_stamps("hf_daily", now)  # the same first_seen/last_seen pair every table here keeps
        self.store.upsert("paper_sources", [{**r, **seen} for r in provenance])
        self.counts.add(self.store.upsert("hf_daily", [{**r, **seen} for r in rows.daily]))
        if rows.code:
            code = self.store.upsert("code_links", [{**r, **seen} for r in rows.code])
            self.totals.code_new += code.new
        if rows.terms:
            self.store.upsert("paper_terms", rows.terms)

    def finish(self) -> RunCounts:
        self.flush()
        totals = self.totals
        notes = self.counts.notes
        if totals.created:
            notes.append(f"{totals.created:,} papers not yet seen from arXiv created from HF")
        if totals.code_new:
            notes.append(f"{totals.code_new:,} new code links")
        for kind, n in sorted(totals.odd_formats.items()):
            notes.append(f"{n} list(s) in an old format ({kind}) read")
        if totals.empty_days:
            days = sorted(totals.empty_days)
            notes.append(f"{len(days)} day(s) with no papers ({days[0]}..{days[-1]})")
        return self.counts


# ---- saved responses ------------------------------------------------------------------------------


def _is_capture(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(".json") or _is_archive(path)


def _is_archive(path: Path) -> bool:
    return any(path.name.lower().endswith(ext) for ext in (".tar", ".tar.xz", ".tar.gz", ".tgz", ".tar.bz2"))


def _day_of(name: str) -> date | None:
    match = _DAY_IN_NAME.search(Path(name).name)
    return _day(match.group(1)) if match else None


def saved_lists(paths: Iterable[Path]) -> Iterator[tuple[str, date | None, bytes]]:
    """(where, day from the file name, bytes) of every saved response: files, directories, tarballs."""
    for path in expand_paths(paths, accept=_is_capture):
        if not _is_archive(path):
            yield str(path), _day_of(path.name), path.read_bytes()
            continue
        try:
            with tarfile.open(path, "r:*") as archive:
                for member in archive:
                    if not member.isfile() or not member.name.lower().endswith(".json"):
                        continue
                    handle = archive.extractfile(member)
                    if handle is not None:
                        yield f"{path}:{member.name}", _day_of(member.name), handle.read()
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise InputFormatError(f"{path}: not a readable tar archive ({exc})") from exc


def ingest_files(store: Store, settings: Settings, paths: Iterable[Path]) -> RunCounts:
    """Saved daily_papers responses (JSON files, directories of them, .tar.xz archives)."""
    counts = RunCounts()
    sink = DailySink(store, counts)
    for where, day, content in saved_lists(paths):
        try:
            daily = parse_daily(content, where)
        except InputFormatError as exc:
            counts.errors += 1
            log.warning("%s", exc)
            counts.notes.append(str(exc))
            continue
        sink.add_list(daily, day, where)
    return sink.finish()


# ---- live ---------------------------------------------------------------------------------------


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def fetch_days(store: Store, settings: Settings, client: HttpClient, start: date, end: date) -> RunCounts:
    """One request per day from `start` to `end`; the cursor moves to the last day read.

    A day the server refuses (HTTP 4xx/5xx after retries) is reported and the others go on; an
    unreachable server ends the run at once.
    """
    if end < start:
        raise InputFormatError(f"--until {end} is before --since {start}")
    counts = RunCounts()
    sink = DailySink(store, counts)
    state = store.source_state(SOURCE) or {}
    cursor = _day(state.get("cursor"))
    failed: list[str] = []
    for day in days(start, end):
        try:
            result = client.get(settings.hf_papers_url, params={"date": day.isoformat()})
        except HttpStatusError as exc:
            counts.errors += 1
            failed.append(f"{day} ({exc.reason[:80]})")
            continue
        except FetchError:
            sink.finish()
            raise
        where = f"{settings.hf_papers_url}?date={day.isoformat()}"
        try:
            daily = parse_daily(result.content, where)
        except InputFormatError as exc:
            counts.errors += 1
            failed.append(str(exc)[:120])
            continue
        sink.add_list(daily, day, where)
        if cursor is None or day > cursor:
            cursor = day
            store.set_source_state(SOURCE, cursor=day.isoformat())
    sink.finish()
    if failed:
        counts.notes.append(f"{len(failed)} day(s) failed: {'; '.join(failed[:5])}")
    return counts


def update(store: Store, settings: Settings, client: HttpClient) -> RunCounts:
    """From the day before the cursor (or the last few days on a first run) up to today (UTC)."""
    today = datetime.now(UTC).date()
    state = store.source_state(SOURCE) or {}
    cursor = _day(state.get("cursor"))
    start = cursor - timedelta(days=1) if cursor else today - timedelta(days=FIRST_RUN_DAYS - 1)
    return fetch_days(store, settings, client, min(start, today), today)
