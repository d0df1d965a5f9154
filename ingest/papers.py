"""Writing harvested papers: batches of paper rows and their provenance, counted per run.

Preparing a batch (filtering, building Arrow columns) is pure and picklable, so bulk files can
prepare batches in worker processes while the writer process upserts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa

from ingest.run import RunCounts
from leanwatch.records import PAPER_FIELDS, PAPER_SOURCE_FIELDS, PaperRow, arrow_table
from leanwatch.store import Store, utc_now

log = logging.getLogger(__name__)

# At least one DuckDB row group (122,880 rows): DuckDB then writes the rows straight to the file
# instead of the write-ahead log first (measured in bench/arxiv_snapshot.py).
WRITE_BATCH_ROWS = 131_072
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


class PaperSink:
    """Collects harvested papers (or prepared batches) and upserts them with their provenance.

    Papers outside the watched categories are counted as skipped, not written; bad records are
    counted and logged with where they came from.
    """

    def __init__(
        self,
        store: Store,
        source: str,
        columns: Iterable[str],
        counts: RunCounts,
        categories: Iterable[str] | None,
        batch_size: int = WRITE_BATCH_ROWS,
    ) -> None:
        self.store = store
        self.counts = counts
        self.batch_size = batch_size
        self.spec = BatchSpec(
            source=source,
            columns=("paper_id", *[c for c in columns if c != "paper_id"]),
            watched=frozenset(categories) if categories is not None else None,
            seen_at=utc_now(),
        )
        self._records: list[Harvested | BadRecord] = []
        self._prepared: list[PreparedBatch] = []
        self._prepared_rows = 0

    def add(self, record: Harvested | BadRecord) -> None:
        self._records.append(record)
        if len(self._records) >= self.batch_size:
            self._prepare_buffered()

    def bad(self, record: BadRecord) -> None:
        self.counts.errors += 1
        log.warning("%s: skipped: %s", record.where, record.reason)

    def write(self, batch: PreparedBatch) -> None:
        """Take a prepared batch; upsert once `batch_size` rows have gathered.

        One upsert of a full DuckDB row group is written straight to the file; many small ones in
        one transaction were slower and used more memory (bench/arxiv_snapshot.py).
        """
        self.counts.fetched += batch.fetched
        if batch.skipped:
            self.counts.skip("not in the watched categories", batch.skipped)
        for record in batch.bad:
            self.bad(record)
        self._prepared.append(batch)
        self._prepared_rows += batch.papers.num_rows
        if self._prepared_rows >= self.batch_size:
            self._upsert_prepared()

    def flush(self) -> None:
        """Write everything gathered so far."""
        self._prepare_buffered()
        self._upsert_prepared()

    def _prepare_buffered(self) -> None:
        if self._records:
            records, self._records = self._records, []
            self.write(prepare(records, self.spec))

    def _upsert_prepared(self) -> None:
        if not self._prepared:
            return
        batches, self._prepared, self._prepared_rows = self._prepared, [], 0
        papers = pa.concat_tables([b.papers for b in batches])
        if papers.num_rows:
            self.counts.add(self.store.upsert("papers", papers))
            self.store.upsert("paper_sources", pa.concat_tables([b.provenance for b in batches]))
