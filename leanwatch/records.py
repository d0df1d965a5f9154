"""Records that ingesters produce and the store writes: one typed shape per table row.

Ids are canonical: `arxiv:<id>` without version (the version is a field), `doi:<doi>`, and
`url:<sha1 prefix>` for things only known by URL.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict
from urllib.parse import urlsplit, urlunsplit

import pyarrow as pa

from leanwatch.errors import InputFormatError

# New style 0704.0001 .. 2501.01234 (4 or 5 digits after the dot); old style hep-ex/0406020.
_ARXIV_ID = re.compile(
    r"^(?:arxiv:)?(?P<id>\d{4}\.\d{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v(?P<version>\d+))?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ArxivId:
    id: str
    version: int | None

    @property
    def paper_id(self) -> str:
        return f"arxiv:{self.id}"


def abs_url(arxiv_id: str | None) -> str:
    """The arXiv abstract page of a bare id ("" when there is none)."""
    return f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else ""


def paper_url(paper_id: str) -> str:
    """The page of a canonical paper id: arXiv's for `arxiv:<id>`, "" for others."""
    kind, _, key = paper_id.partition(":")
    return abs_url(key) if kind == "arxiv" else ""


def parse_arxiv_id(raw: str) -> ArxivId:
    """Split '2501.01234v2', 'arXiv:2501.01234' or 'hep-ex/0406020v1' into id and version."""
    text = raw.strip()
    for prefix in ("http://arxiv.org/abs/", "https://arxiv.org/abs/"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    match = _ARXIV_ID.match(text)
    if match is None:
        raise InputFormatError(f"not an arXiv id: {raw!r}")
    version = match.group("version")
    return ArxivId(match.group("id"), int(version) if version else None)


_ARXIV_LINK = re.compile(
    r"arxiv\.org/(?:abs|pdf|html)/((?:\d{4}\.\d{4,5})|(?:[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7}))", re.IGNORECASE
)
_ARXIV_NAMED = re.compile(r"\barXiv\s*:\s*(\d{4}\.\d{4,5})", re.IGNORECASE)


def arxiv_paper_ids(*texts: str | None) -> list[str]:
    """Canonical ids of the arXiv papers a post links (`arxiv.org/abs|pdf|html/<id>`) or names."""
    found: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        for match in (*_ARXIV_LINK.finditer(text), *_ARXIV_NAMED.finditer(text)):
            try:
                found[parse_arxiv_id(match.group(1)).paper_id] = None
            except InputFormatError:
                continue
    return list(found)


def repo_url(raw: object) -> str | None:
    """A code repository URL in one spelling: https, lower-case host, no trailing slash or `.git`."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    path = parts.path.rstrip("/").removesuffix(".git")
    return urlunsplit(("https", parts.netloc.lower().removeprefix("www."), path, "", ""))


def url_id(url: str) -> str:
    return "url:" + hashlib.sha1(url.strip().encode()).hexdigest()[:16]


class PaperRow(TypedDict, total=False):
    """A row of `papers`. Sources fill what they know; the store writes only the keys present."""

    paper_id: str
    arxiv_id: str | None
    arxiv_version: int | None
    title: str
    abstract: str | None
    authors: list[str]
    categories: list[str]  # primary first
    primary_category: str | None
    published: datetime | None  # naive UTC
    updated: datetime | None  # naive UTC
    announced: date | None
    comment: str | None
    doi: str | None
    journal_ref: str | None
    links: list[str]
    first_source: str | None
    first_seen: datetime | None
    last_seen: datetime | None


_STRING = pa.string()
_STRINGS = pa.list_(pa.string())
_TIMESTAMP = pa.timestamp("us")

# Arrow types of the columns, so batches built column-wise never depend on type inference.
PAPER_FIELDS: dict[str, pa.DataType] = {
    "paper_id": _STRING,
    "arxiv_id": _STRING,
    "arxiv_version": pa.int32(),
    "title": _STRING,
    "abstract": _STRING,
    "authors": _STRINGS,
    "categories": _STRINGS,
    "primary_category": _STRING,
    "published": _TIMESTAMP,
    "updated": _TIMESTAMP,
    "announced": pa.date32(),
    "comment": _STRING,
    "doi": _STRING,
    "journal_ref": _STRING,
    "links": _STRINGS,
    "first_source": _STRING,
    "first_seen": _TIMESTAMP,
    "last_seen": _TIMESTAMP,
}
PAPER_SOURCE_FIELDS: dict[str, pa.DataType] = {
    "paper_id": _STRING,
    "source": _STRING,
    "source_id": _STRING,
    "url": _STRING,
    "detail": _STRING,
    "first_seen": _TIMESTAMP,
    "last_seen": _TIMESTAMP,
}


def arrow_table(
    rows: Sequence[Mapping[str, Any]], fields: Mapping[str, pa.DataType], columns: list[str]
) -> pa.Table:
    """Rows (dicts) to an Arrow table of exactly `columns`, typed by `fields`; missing keys are null."""
    arrays = [pa.array([row.get(name) for row in rows], type=fields[name]) for name in columns]
    return pa.Table.from_arrays(arrays, names=columns)
