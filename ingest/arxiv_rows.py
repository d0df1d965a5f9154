"""arXiv paper rows: the normalisation every arXiv format shares (columns, whitespace, authors,
primary category first, dates in UTC). Light imports: snapshot workers load it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from leanwatch.records import ArxivId, PaperRow

# The paper columns each format knows; the store leaves the others as they are.
FULL_COLUMNS = (
    "arxiv_id",
    "arxiv_version",
    "title",
    "abstract",
    "authors",
    "categories",
    "primary_category",
    "published",
    "updated",
    "comment",
    "doi",
    "journal_ref",
    "links",
)
# RSS announces papers: it knows the announcement date but not submission dates or journal data.
RSS_COLUMNS = (*FULL_COLUMNS[:7], "announced", "links")

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1
    )
}


def collapse(text: str | None) -> str | None:
    """Whitespace runs to one space, ends trimmed; LaTeX and everything else kept as written."""
    if text is None:
        return None
    if text.isascii():
        # arXiv's text is ASCII wrapped with single newlines: when no other whitespace run is left,
        # replacing the newlines gives what split-and-join gives, four times faster
        # (bench/arxiv_pages.py). isascii() is O(1); `in` is a memchr-speed scan.
        flat = text.replace("\n", " ").strip()
        if not (
            "  " in flat or "\t" in flat or "\r" in flat or "\x0b" in flat or "\x0c" in flat
            or "\x1c" in flat or "\x1d" in flat or "\x1e" in flat or "\x1f" in flat
        ):  # fmt: skip
            return flat or None
    collapsed = " ".join(text.split())
    return collapsed or None


def paper_row(
    arxiv: ArxivId,
    title: str | None,
    abstract: str | None,
    authors: list[str],
    categories: list[str],
    *,
    published: datetime | None = None,
    updated: datetime | None = None,
    announced: date | None = None,
    comment: str | None = None,
    doi: str | None = None,
    journal_ref: str | None = None,
) -> PaperRow:
    """A papers row from any arXiv format: free text whitespace-collapsed, primary category first."""
    ordered = list(dict.fromkeys(categories))  # dedupe, primary stays first
    row: PaperRow = {
        "paper_id": arxiv.paper_id,
        "arxiv_id": arxiv.id,
        "arxiv_version": arxiv.version,
        "title": collapse(title) or "(untitled)",
        "abstract": collapse(abstract),
        "authors": [name for name in [" ".join(a.split()) for a in authors] if name],
        "categories": ordered,
        "primary_category": ordered[0] if ordered else None,
        "links": [
            f"https://arxiv.org/abs/{arxiv.id}",
            f"https://arxiv.org/pdf/{arxiv.id}",
            f"https://arxiv.org/html/{arxiv.id}",
        ],
        # Each format's sink writes only the columns that format knows (FULL_COLUMNS, RSS_COLUMNS).
        "announced": announced,
        "published": published,
        "updated": updated,
        "comment": collapse(comment),
        "doi": collapse(doi),
        "journal_ref": collapse(journal_ref),
    }
    return row


def rfc2822_utc(text: str) -> datetime:
    """'Mon, 2 Apr 2007 19:18:42 GMT' as naive UTC; the snapshot's form takes the fast path."""
    parts = text.split()
    if len(parts) == 6 and parts[5] == "GMT" and parts[2] in _MONTHS:
        hour, minute, second = parts[4].split(":")
        return datetime(int(parts[3]), _MONTHS[parts[2]], int(parts[1]), int(hour), int(minute), int(second))
    return parsedate_to_datetime(text).astimezone(UTC).replace(tzinfo=None)


def iso_utc(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def bad_reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"{type(exc).__name__}: {text}" if isinstance(exc, KeyError) else text
