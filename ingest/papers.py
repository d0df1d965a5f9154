"""Writing harvested papers: batches of paper rows and their provenance, counted per run."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from ingest.run import RunCounts
from leanwatch.records import PAPER_FIELDS, PAPER_SOURCE_FIELDS, PaperRow, arrow_table
from leanwatch.store import Store, utc_now

log = logging.getLogger(__name__)


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


class PaperSink:
    """Collects harvested papers and upserts them in batches with their provenance rows.

    `columns` are the paper columns this source knows; the store leaves the others as they are.
    Papers outside the watched categories are counted as skipped, not written.
    """

    def __init__(
        self,
        store: Store,
        source: str,
        columns: Iterable[str],
        counts: RunCounts,
        categories: Iterable[str] | None,
        batch_size: int = 50_000,
    ) -> None:
        self.store = store
        self.source = source
        self.columns = [
            "paper_id",
            *[c for c in columns if c != "paper_id"],
            "first_source",
            "first_seen",
            "last_seen",
        ]
        self.counts = counts
        self.watched = frozenset(categories) if categories is not None else None
        self.batch_size = batch_size
        self.now = utc_now()
        self._batch: list[Harvested] = []

    def add(self, item: Harvested | BadRecord) -> None:
        if isinstance(item, BadRecord):
            self.bad(item)
            return
        self.counts.fetched += 1
        if self.watched is not None and self.watched.isdisjoint(item.row.get("categories") or ()):
            self.counts.skip("not in the watched categories")
            return
        self._batch.append(item)
        if len(self._batch) >= self.batch_size:
            self.flush()

    def bad(self, record: BadRecord) -> None:
        self.counts.errors += 1
        log.warning("%s: skipped: %s", record.where, record.reason)

    def flush(self) -> None:
        if not self._batch:
            return
        now = self.now
        rows = []
        for item in self._batch:
            row = dict(item.row)
            row["first_source"] = self.source
            row["first_seen"] = row["last_seen"] = now
            rows.append(row)
        provenance = [
            {
                "paper_id": item.row["paper_id"],
                "source": self.source,
                "source_id": item.source_id,
                "detail": item.detail,
                "first_seen": now,
                "last_seen": now,
            }
            for item in self._batch
        ]
        self._batch = []
        counts = self.store.upsert("papers", arrow_table(rows, PAPER_FIELDS, self.columns))
        self.counts.add(counts)
        self.store.upsert(
            "paper_sources", arrow_table(provenance, PAPER_SOURCE_FIELDS, list(PAPER_SOURCE_FIELDS))
        )
