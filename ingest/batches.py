"""Harvested papers as batches of table rows: what a source delivered, turned into Arrow tables.

Pure and picklable, with light imports (pyarrow, no DuckDB, no HTTP): bulk files prepare batches in
worker processes, which import this module, while the writer process upserts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa

from leanwatch.records import PAPER_FIELDS, PAPER_SOURCE_FIELDS, PaperRow, arrow_table

_STAMPS = ("first_source", "first_seen", "last_seen")


@dataclass(frozen=True, slots=True)
class Harvested:
    """One paper as a source delivered it: the row, the id the source used, and a detail."""

    row: PaperRow
    source_id: str
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A record that could not be read: where (file:line, URL, page) and why."""

    where: str
    reason: str


@dataclass(frozen=True)
class BatchSpec:
    """How a source's records become table rows: picklable, so workers can use it."""

    source: str
    columns: tuple[str, ...]  # the paper columns the source knows (paper_id first)
    watched: frozenset[str] | None  # None: keep every category
    seen_at: datetime


@dataclass
class PreparedBatch:
    papers: pa.Table
    provenance: pa.Table
    fetched: int = 0
    skipped: int = 0
    bad: list[BadRecord] = field(default_factory=list)


def prepare(records: Iterable[Harvested | BadRecord], spec: BatchSpec) -> PreparedBatch:
    """Filter by category and build the papers and provenance tables of a batch."""
    kept: list[Harvested] = []
    bad: list[BadRecord] = []
    fetched = skipped = 0
    watched = spec.watched
    for record in records:
        if isinstance(record, BadRecord):
            bad.append(record)
            continue
        fetched += 1
        if watched is not None and watched.isdisjoint(record.row.get("categories") or ()):
            skipped += 1
            continue
        kept.append(record)
    n = len(kept)
    papers = arrow_table([item.row for item in kept], PAPER_FIELDS, list(spec.columns))
    for name, value in zip(_STAMPS, (spec.source, spec.seen_at, spec.seen_at), strict=True):
        papers = papers.append_column(name, pa.array([value] * n, type=PAPER_FIELDS[name]))
    provenance = pa.table(
        {
            "paper_id": papers.column("paper_id"),
            "source": pa.array([spec.source] * n, type=pa.string()),
            "source_id": pa.array([item.source_id for item in kept], type=pa.string()),
            "detail": pa.array([item.detail for item in kept], type=pa.string()),
            "first_seen": pa.array([spec.seen_at] * n, type=PAPER_SOURCE_FIELDS["first_seen"]),
            "last_seen": pa.array([spec.seen_at] * n, type=PAPER_SOURCE_FIELDS["last_seen"]),
        }
    )
    return PreparedBatch(papers, provenance, fetched, skipped, bad)
