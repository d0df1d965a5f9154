"""Records that ingesters produce and the store writes: one typed shape per table row.

Ids are canonical: `arxiv:<id>` without version (the version is a field), `doi:<doi>`, and
`url:<sha1 prefix>` for things only known by URL.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

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


def url_id(url: str) -> str:
    return "url:" + hashlib.sha1(url.strip().encode()).hexdigest()[:16]


def utc_naive(value: datetime | None) -> datetime | None:
    """The store keeps naive UTC timestamps."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


@dataclass
class Paper:
    paper_id: str
    title: str
    arxiv_id: str | None = None
    arxiv_version: int | None = None
    abstract: str | None = None
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    primary_category: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    announced: date | None = None
    comment: str | None = None
    doi: str | None = None
    journal_ref: str | None = None
    links: list[str] = field(default_factory=list)
    first_source: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    def row(self) -> dict[str, Any]:
        row = asdict(self)
        row["published"] = utc_naive(self.published)
        row["updated"] = utc_naive(self.updated)
        return row


@dataclass
class PaperSource:
    """That `source` delivered `paper_id`, and under which id/URL: provenance for every paper."""

    paper_id: str
    source: str
    source_id: str | None = None
    url: str | None = None
    detail: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    def row(self) -> dict[str, Any]:
        return asdict(self)
