"""arXiv's XML and feed formats to paper rows: API Atom pages, OAI-PMH XML, RSS (the metadata
snapshot is `ingest.arxiv_snapshot`).

Pure functions over bytes and files; fetching lives in `ingest.arxiv`. Every record that cannot
be read becomes a `BadRecord` naming where it was, and parsing goes on with the next.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import feedparser
from lxml import etree

from ingest.arxiv_rows import bad_reason, collapse, iso_utc, paper_row
from ingest.batches import BadRecord, BatchSpec, Harvested, PreparedBatch, prepare
from leanwatch.errors import InputFormatError
from leanwatch.records import parse_arxiv_id

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_ATOM = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


# --- the query API (Atom) ----------------------------------------------------------------------


@dataclass
class ApiPage:
    total: int | None
    start: int | None
    records: list[Harvested | BadRecord] = field(default_factory=list)
    error: str | None = None  # arXiv's error feed: one entry titled "Error"


def parse_api_page(content: bytes, where: str) -> ApiPage:
    try:
        root = etree.fromstring(content, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputFormatError(f"{where}: not an Atom feed: {exc}") from exc
    if root is None or etree.QName(root).localname != "feed":
        raise InputFormatError(f"{where}: not an Atom feed")
    page = ApiPage(
        _int(root.findtext(f"{OPENSEARCH}totalResults")), _int(root.findtext(f"{OPENSEARCH}startIndex"))
    )
    for index, entry in enumerate(root.iterfind(f"{ATOM}entry")):
        entry_id = entry.findtext(f"{ATOM}id") or ""
        if entry.findtext(f"{ATOM}title") == "Error" and "/api/errors" in entry_id:
            page.error = collapse(entry.findtext(f"{ATOM}summary")) or entry_id
            continue
        try:
            page.records.append(api_entry(entry))
        except (InputFormatError, ValueError) as exc:
            page.records.append(BadRecord(f"{where} entry {index + 1}", bad_reason(exc)))
    return page


_ATOM_TEXT = {
    f"{ATOM}id": "id",
    f"{ATOM}title": "title",
    f"{ATOM}summary": "summary",
    f"{ATOM}published": "published",
    f"{ATOM}updated": "updated",
    f"{ARXIV_ATOM}comment": "comment",
    f"{ARXIV_ATOM}doi": "doi",
    f"{ARXIV_ATOM}journal_ref": "journal_ref",
}


_API_TAGS = (*_ATOM_TEXT, f"{ATOM}name", f"{ATOM}category", f"{ARXIV_ATOM}primary_category")


def api_entry(entry: etree._Element) -> Harvested:
    # One walk over the wanted elements, filtered in C: a findtext per field rescans the entry.
    text: dict[str, str | None] = {}
    authors: list[str] = []
    primary: list[str] = []
    categories: list[str] = []
    for element in entry.iter(*_API_TAGS):
        tag = element.tag
        if tag == f"{ATOM}name":
            authors.append(element.text or "")
        elif tag == f"{ATOM}category":
            categories.append(element.get("term", ""))
        elif tag == f"{ARXIV_ATOM}primary_category":
            primary.append(element.get("term", ""))
        else:  # Atom nests no other element under these names
            text[_ATOM_TEXT[tag]] = element.text
    arxiv = parse_arxiv_id(text.get("id") or "")
    row = paper_row(
        arxiv,
        text.get("title"),
        text.get("summary"),
        authors,
        [c for c in primary + categories if c],
        published=iso_utc(text.get("published")),
        updated=iso_utc(text.get("updated")),
        comment=text.get("comment"),
        doi=text.get("doi"),
        journal_ref=text.get("journal_ref"),
    )
    return Harvested(row, f"{arxiv.id}v{arxiv.version}" if arxiv.version else arxiv.id)


# --- OAI-PMH (metadataPrefix=arXiv) ------------------------------------------------------------


@dataclass
class OaiPage:
    records: list[Harvested | BadRecord] = field(default_factory=list)
    deleted: int = 0
    token: str | None = None  # resumptionToken: more pages follow when set
    last_datestamp: str | None = None
    error_code: str | None = None  # e.g. noRecordsMatch, badResumptionToken
    error_message: str | None = None


_OAI_TAGS = ("{*}record", "{*}error", "{*}resumptionToken")
WHOLE_FILE_BYTES = 8 << 20  # a parsed tree takes about five times its file's size


def parse_oai(source: bytes | Path, where: str) -> OaiPage:
    """An OAI-PMH ListRecords or GetRecord response. A page is parsed whole, as is a file of up to
    `WHOLE_FILE_BYTES` (20% faster than streaming it, bench/arxiv_pages.py); bigger files, and a
    malformed one (to keep the records before the fault), are streamed."""
    if isinstance(source, Path) and source.stat().st_size > WHOLE_FILE_BYTES:
        return _oai_streamed(source, where)
    try:
        root = etree.fromstring(source if isinstance(source, bytes) else source.read_bytes(), parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        if isinstance(source, Path):
            return _oai_streamed(source, where)
        return OaiPage(records=[_malformed(where, exc)])
    page = OaiPage()
    _oai_elements(((el, False) for el in root.iter(*_OAI_TAGS)), page, where)
    return page


def _oai_streamed(path: Path, where: str) -> OaiPage:
    page = OaiPage()
    try:
        with path.open("rb") as stream:
            events = etree.iterparse(stream, events=("end",), tag=_OAI_TAGS, **_PARSER_OPTIONS)
            _oai_elements(((el, True) for _, el in events), page, where)
    except etree.XMLSyntaxError as exc:
        page.records.append(_malformed(where, exc))
    return page


def _malformed(where: str, exc: etree.XMLSyntaxError) -> BadRecord:
    return BadRecord(f"{where} line {exc.lineno}", f"malformed XML: {exc.msg}")


def _oai_elements(elements: Iterable[tuple[etree._Element, bool]], page: OaiPage, where: str) -> None:
    count = 0
    for element, streamed in elements:
        name = element.tag.rpartition("}")[2]
        if name == "record":
            count += 1
            _oai_record(element, page, f"{where} record {count}")
        elif name == "error":
            page.error_code = element.get("code")
            page.error_message = collapse(element.text)
        else:
            page.token = (element.text or "").strip() or None
        if streamed:
            element.clear()


# The elements a record's fields come from, in any namespace (some records have none). One walk
# over them, filtered in C, is 40% faster than finding each field (bench/arxiv_pages.py).
_RECORD_TAGS = tuple(
    "{*}" + name
    for name in (
        "header", "datestamp", "arXiv", "id", "created", "updated", "author", "keyname", "forenames",
        "suffix", "title", "categories", "comments", "doi", "journal-ref", "abstract",
    )
)  # fmt: skip
_NAME_SLOTS = {"forenames": 0, "keyname": 1, "suffix": 2}  # the order of a written name
_LOCAL_NAMES: dict[str, str] = {}


def _oai_record(record: etree._Element, page: OaiPage, where: str) -> None:
    header: etree._Element | None = None
    has_metadata = False
    meta: dict[str, str | None] = {}  # the first of each field wins
    names: list[list[str | None]] = []  # each author's forenames, keyname and suffix
    for element in record.iter(*_RECORD_TAGS):
        tag = element.tag
        name = _LOCAL_NAMES.get(tag) or _LOCAL_NAMES.setdefault(tag, tag.rpartition("}")[2])
        slot = _NAME_SLOTS.get(name)
        if slot is not None:
            if names and names[-1][slot] is None:
                names[-1][slot] = element.text
        elif name == "author":
            names.append([None, None, None])
        elif name == "header":
            header = element
        elif name == "arXiv":
            has_metadata = True
        elif name not in meta:
            meta[name] = element.text
    if header is None:
        page.records.append(BadRecord(where, "no header"))
        return
    page.last_datestamp = meta.get("datestamp") or page.last_datestamp
    if header.get("status") == "deleted":
        page.deleted += 1
        return
    if not has_metadata:
        page.records.append(BadRecord(where, "no arXiv metadata"))
        return
    try:
        arxiv = parse_arxiv_id(meta.get("id") or "")
        created = meta.get("created")
        row = paper_row(
            arxiv,
            meta.get("title"),
            meta.get("abstract"),
            [" ".join(filter(None, parts)) for parts in names],
            (meta.get("categories") or "").split(),
            published=_day(created),
            updated=_day(meta.get("updated") or created),
            comment=meta.get("comments"),
            doi=meta.get("doi"),
            journal_ref=meta.get("journal-ref"),
        )
    except (InputFormatError, ValueError) as exc:
        page.records.append(BadRecord(where, bad_reason(exc)))
        return
    page.records.append(Harvested(row, arxiv.id))


def _day(text: str | None) -> datetime | None:
    return datetime.combine(date.fromisoformat(text.strip()), datetime.min.time()) if text else None


# --- RSS (rss.arxiv.org, the 2024+ RSS 2.0 format) ---------------------------------------------


@dataclass
class RssFeed:
    category: str | None
    announced: date | None
    records: list[Harvested | BadRecord] = field(default_factory=list)


def parse_rss(content: bytes, where: str) -> RssFeed:
    parsed = feedparser.parse(content)
    if parsed.bozo and not parsed.entries:
        raise InputFormatError(f"{where}: not a readable feed: {parsed.get('bozo_exception')}")
    channel = parsed.feed
    stamp = channel.get("published_parsed") or channel.get("updated_parsed")
    announced = date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday) if stamp else None
    title = channel.get("title", "")
    feed = RssFeed(title.split(" updates")[0] or None, announced)
    for index, entry in enumerate(parsed.entries, start=1):
        try:
            feed.records.append(rss_entry(entry, announced))
        except (InputFormatError, ValueError, KeyError) as exc:
            feed.records.append(BadRecord(f"{where} item {index}", bad_reason(exc)))
    return feed


def rss_entry(entry: Any, announced: date | None) -> Harvested:
    description = entry.get("description", "")
    head, _, abstract = description.partition("Abstract:")
    raw_id = (
        head.split()[0].removeprefix("arXiv:") if head.strip() else entry.get("id", "").rsplit(":", 1)[-1]
    )
    arxiv = parse_arxiv_id(raw_id)
    creators = entry.get("author", "")
    row = paper_row(
        arxiv,
        entry.get("title"),
        abstract,
        creators.split(","),
        [tag["term"] for tag in entry.get("tags", []) if tag.get("term")],
        announced=announced,
    )
    return Harvested(row, raw_id, entry.get("arxiv_announce_type"))


# --- helpers -----------------------------------------------------------------------------------

# remove_blank_text: the whitespace between elements never becomes nodes to walk past (5% faster).
_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False, "no_network": True, "huge_tree": True, "remove_blank_text": True,
}  # fmt: skip
_PARSER = etree.XMLParser(**_PARSER_OPTIONS)


def _int(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


# --- saved page files (`leanwatch ingest arxiv --from`) ----------------------------------------


def page_file_records(path: Path, kind: str) -> list[Harvested | BadRecord]:
    """The records of one saved file: an API page ("api", or "recorded": a saved {url, body}
    exchange), an OAI-PMH response ("oai") or an RSS feed ("rss")."""
    if kind == "oai":
        return parse_oai(path, str(path)).records
    if kind == "rss":
        return parse_rss(path.read_bytes(), str(path)).records
    if kind == "api":
        return parse_api_page(path.read_bytes(), str(path)).records
    try:
        exchange = json.loads(path.read_text())
        body = exchange["body"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputFormatError(f"{path}: not a saved exchange with a body: {exc}") from exc
    if not isinstance(body, str):
        raise InputFormatError(f"{path}: the saved exchange's body is not text")
    page = parse_api_page(body.encode(), f"{path} ({exchange.get('url', '')})")
    if page.error:
        page.records.append(BadRecord(str(path), f"arXiv API error feed: {page.error}"))
    return page.records


def prepare_page_file(path: Path, kind: str, spec: BatchSpec) -> PreparedBatch:
    """One saved page file parsed and prepared (in a worker process or inline); a file that cannot
    be read is one bad record naming it."""
    try:
        records = page_file_records(path, kind)
    except InputFormatError as exc:
        records = [BadRecord(str(path), str(exc))]
    except OSError as exc:
        records = [BadRecord(str(path), f"{type(exc).__name__}: {exc}")]
    return prepare(records, spec)
