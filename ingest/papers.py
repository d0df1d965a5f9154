"""Writing harvested papers: batches of paper rows and their provenance, counted per run."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pyarrow as pa

from ingest.batches import BadRecord, BatchSpec, Harvested, PreparedBatch, prepare
from ingest.run import RunCounts
from leanwatch.store import Store, utc_now

log = logging.getLogger(__name__)

# Exactly one DuckDB row group (122,880 rows) per bulk upsert: new rows then fill whole row groups,
# which DuckDB writes compressed straight to the file. Batches that left a part-filled row group
# made the closing checkpoint rewrite them: 12.6 s of checkpoint after a million papers in
# 131,072-row batches, 0.3 s aligned (bench/arxiv_snapshot.py).
WRITE_BATCH_ROWS = 122_880


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
        """Take a prepared batch; upsert in slices of exactly `batch_size` rows as they gather.

        Many small upserts in one transaction were slower and used more memory than one upsert
        per row group (bench/arxiv_snapshot.py).
        """
        self.counts.fetched += batch.fetched
        if batch.skipped:
            self.counts.skip("not in the watched categories", batch.skipped)
        for record in batch.bad:
            self.bad(record)
        self._prepared.append(batch)
        self._prepared_rows += batch.papers.num_rows
        if self._prepared_rows >= self.batch_size:
            self._upsert_prepared(whole_batches_only=True)

    def flush(self) -> None:
        """Write everything gathered so far."""
        self._prepare_buffered()
        self._upsert_prepared()

    def _prepare_buffered(self) -> None:
        if self._records:
            records, self._records = self._records, []
            self.write(prepare(records, self.spec))

    def _upsert_prepared(self, whole_batches_only: bool = False) -> None:
        """Upsert what has gathered; with `whole_batches_only`, keep the rows short of a full batch
        for the next call."""
        if not self._prepared:
            return
        papers = pa.concat_tables([b.papers for b in self._prepared])
        provenance = pa.concat_tables([b.provenance for b in self._prepared])
        cut = papers.num_rows - (papers.num_rows % self.batch_size if whole_batches_only else 0)
        rest = papers.num_rows - cut
        self._prepared = [PreparedBatch(papers.slice(cut), provenance.slice(cut))] if rest else []
        self._prepared_rows = rest
        for start in range(0, cut, self.batch_size):
            self.counts.add(self.store.upsert("papers", papers.slice(start, self.batch_size)))
            self.store.upsert("paper_sources", provenance.slice(start, self.batch_size))
