"""The writer: one read-write DuckDB session held under the single-writer lock."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeAlias

import duckdb
import pyarrow as pa

from leanwatch.errors import StoreError
from leanwatch.settings import Settings
from leanwatch.store import catalog
from leanwatch.store.connection import connect_writer, lock_path, publish_snapshot
from leanwatch.store.lock import WriterLock
from leanwatch.store.schema import TABLES, TableSpec

log = logging.getLogger(__name__)

Rows: TypeAlias = Sequence[Mapping[str, Any]] | pa.Table
_BATCH_VIEW = "_lw_batch"


@dataclass(frozen=True)
class UpsertCounts:
    table: str
    received: int
    duplicates: int  # rows dropped because a later row in the same batch had the same key
    new: int
    updated: int
    unchanged: int


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def utc_now() -> datetime:
    """Now, as the naive UTC timestamp the store keeps."""
    return datetime.now(UTC).replace(tzinfo=None)


def seen_stamps(table: str, now: datetime) -> dict[str, datetime]:
    """`first_seen`/`last_seen` for rows seen now, as far as the table keeps them (TABLES)."""
    spec = TABLES[table]
    return {name: now for name in ("first_seen", "last_seen") if name in spec.keep or name in spec.stamp}


def _as_arrow(rows: Rows) -> pa.Table:
    if isinstance(rows, pa.Table):
        return rows
    return pa.Table.from_pylist([dict(row) for row in rows])


class Store:
    """Writes to the store. Obtain one with `open_writer`; it is valid inside that block only."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._columns: dict[str, dict[str, str]] = {}

    def columns(self, table: str) -> dict[str, str]:
        """Column name -> SQL type, in table order."""
        if table not in TABLES:
            raise StoreError(f"unknown table {table!r}")
        if table not in self._columns:
            rows = self._con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position",
                [table],
            ).fetchall()
            self._columns[table] = {name: kind for name, kind in rows}
        return self._columns[table]

    def upsert(self, table: str, rows: Rows, *, only_new: bool = False) -> UpsertCounts:
        """Insert new rows and update changed ones, in one transaction.

        Only the batch's columns are written; others keep their stored values (or NULL when new).
        Within the batch the last row for a key wins. Unchanged rows are not rewritten. With
        `only_new`, stored rows are left as they are (a secondary source never overwrites them).
        """
        spec = TABLES.get(table)
        if spec is None:
            raise StoreError(f"unknown table {table!r}")
        batch = _as_arrow(rows)
        if batch.num_rows == 0:
            return UpsertCounts(table, 0, 0, 0, 0, 0)
        known = self.columns(table)
        cols = batch.column_names
        unknown = [c for c in cols if c not in known]
        if unknown:
            raise StoreError(f"{table}: unknown columns {unknown}")
        missing_key = [k for k in spec.key if k not in cols]
        if missing_key:
            raise StoreError(f"{table}: batch lacks key columns {missing_key}")

        sql = _upsert_statements(table, spec, cols, known)
        con = self._con
        con.register(_BATCH_VIEW, batch)
        try:
            con.execute("BEGIN")
            con.execute(sql.cast_view)
            distinct = _scalar(con, sql.count_distinct)
            source = "_lw_cast"
            if distinct < batch.num_rows:  # only then is a deduplicated copy worth making
                con.execute(sql.dedup)
                source = "_lw_dedup"
            updated = 0 if only_new else _scalar(con, sql.update.format(source=source))
            new = _scalar(con, sql.insert.format(source=source))
            con.execute("DROP VIEW _lw_cast")
            con.execute("DROP TABLE IF EXISTS _lw_dedup")
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise StoreError(f"upsert into {table} failed: {exc}") from exc
        finally:
            con.unregister(_BATCH_VIEW)
        return UpsertCounts(
            table,
            received=batch.num_rows,
            duplicates=batch.num_rows - distinct,
            new=new,
            updated=updated,
            unchanged=distinct - new - updated,
        )

    def start_run(self, command: str, source: str | None) -> str:
        run_id = uuid.uuid4().hex[:16]
        self.upsert(
            "ingest_runs",
            [
                {
                    "run_id": run_id,
                    "command": command,
                    "source": source,
                    "started_at": utc_now(),
                    "status": "running",
                }
            ],
        )
        return run_id

    def finish_run(self, run_id: str, status: str, counts: Mapping[str, int], message: str = "") -> None:
        row: dict[str, Any] = {"run_id": run_id, "ended_at": utc_now(), "status": status, "message": message}
        for name in ("fetched", "new", "updated", "unchanged", "skipped", "errors"):
            row[name] = int(counts.get(name, 0))
        self.upsert("ingest_runs", [row])

    def mark_interrupted_runs(self) -> int:
        """Runs still 'running' while we hold the lock belong to a writer that died."""
        rows = self._con.execute(
            "UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running' RETURNING run_id"
        ).fetchall()
        return len(rows)

    def source_state(self, source: str, key: str = "") -> dict[str, Any] | None:
        cur = self._con.execute(
            "SELECT cursor, etag, last_modified, updated_at FROM source_state WHERE source = ? AND key = ?",
            [source, key],
        )
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip(("cursor", "etag", "last_modified", "updated_at"), row, strict=True))

    def set_source_state(self, source: str, key: str = "", **fields: str | None) -> None:
        allowed = {"cursor", "etag", "last_modified"}
        if not set(fields) <= allowed:
            raise StoreError(f"source_state: unknown fields {sorted(set(fields) - allowed)}")
        self.upsert("source_state", [{"source": source, "key": key, **fields, "updated_at": utc_now()}])

    def replace_paper_rows(self, paper_ids: Sequence[str], tables: Mapping[str, Rows]) -> None:
        """Each paper's rows in these tables are replaced whole: its old rows go, the new ones arrive
        (a re-tagged or re-extracted paper keeps nothing stale)."""
        ids = pa.table({"paper_id": pa.array(list(paper_ids), type=pa.string())})
        con = self._con
        con.register("_lw_ids", ids)
        try:
            for table in tables:
                if table not in TABLES:
                    raise StoreError(f"unknown table {table!r}")
                con.execute(f"DELETE FROM {_quote(table)} WHERE paper_id IN (SELECT paper_id FROM _lw_ids)")
        except duckdb.Error as exc:
            raise StoreError(f"replacing rows failed: {exc}") from exc
        finally:
            con.unregister("_lw_ids")
        for table, rows in tables.items():
            self.upsert(table, rows)

    def refresh_catalog(self, force: bool = False) -> list[str]:
        """Rebuild the app's paper catalog and search index where their inputs changed."""
        return catalog.refresh(self._con, force)

    def stream(
        self, sql: str, params: Sequence[Any] = (), batch_rows: int = 20_000
    ) -> Iterator[pa.RecordBatch]:
        """Fixed SQL's result in Arrow batches, on a cursor of its own so writes can go on meanwhile."""
        cursor = self._con.cursor()
        try:
            reader = cursor.execute(sql, list(params)).to_arrow_reader(batch_rows)
            yield from reader
        finally:
            cursor.close()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run fixed SQL written in leanwatch code; values only ever go in `params`."""
        return self._con.execute(sql, list(params)).fetchall()


@dataclass(frozen=True)
class _UpsertStatements:
    cast_view: str  # the batch cast to the table's types, as a view (no copy)
    count_distinct: str  # distinct keys in the batch
    dedup: str  # a copy holding the newest, then last, row per key, made only when keys repeat
    update: str  # stored rows that differ; `{source}` is the view or the copy
    insert: str  # rows whose key is not stored yet


def _upsert_statements(
    table: str, spec: TableSpec, cols: list[str], types: Mapping[str, str]
) -> _UpsertStatements:
    """SQL for one upsert. Identifiers come from the schema registry and the table's own columns."""
    q = _quote
    target = q(table)
    key = ", ".join(q(k) for k in spec.key)
    col_list = ", ".join(q(c) for c in cols)
    # Cast to the declared types so the batch's inferred Arrow types never leak into the table.
    cast_list = ", ".join(f"CAST({q(c)} AS {types[c]}) AS {q(c)}" for c in cols)
    compared = [c for c in cols if c not in spec.key and c not in spec.keep and c not in spec.stamp]
    kept = [c for c in cols if c in spec.keep]
    stamped = [c for c in cols if c in spec.stamp]
    join = " AND ".join(f"t.{q(k)} = b.{q(k)}" for k in spec.key)
    version = spec.version if spec.version in cols else None
    # An unknown version (NULL) neither differs from nor erases the stored one.
    same = (
        " AND ".join(
            f"(b.{q(c)} IS NULL OR t.{q(c)} = b.{q(c)})"
            if c == version
            else f"t.{q(c)} IS NOT DISTINCT FROM b.{q(c)}"
            for c in compared
        )
        or "TRUE"
    )
    older = f"coalesce(b.{q(version)} < t.{q(version)}, FALSE)" if version else "FALSE"
    assignments = [
        f"{q(c)} = coalesce(b.{q(c)}, t.{q(c)})" if c == version else f"{q(c)} = b.{q(c)}"
        for c in compared + stamped
    ] + [f"{q(c)} = coalesce(t.{q(c)}, b.{q(c)})" for c in kept]
    distinct_key = q(spec.key[0]) if len(spec.key) == 1 else f"({key})"
    # Within a batch, as between batches: an older version never wins over a newer one; otherwise
    # the last row for a key does (batches from several files then equal one upsert per file).
    newest_first = f"{q(version)} DESC NULLS LAST, _lw_ord DESC" if version else "_lw_ord DESC"
    return _UpsertStatements(
        cast_view=f"CREATE OR REPLACE TEMP VIEW _lw_cast AS SELECT {cast_list} FROM {_BATCH_VIEW}",
        count_distinct=f"SELECT count(DISTINCT {distinct_key}) FROM {_BATCH_VIEW}",
        dedup=(
            f"CREATE OR REPLACE TEMP TABLE _lw_dedup AS SELECT {col_list} FROM "
            f"(SELECT *, row_number() OVER () AS _lw_ord FROM _lw_cast) "
            f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY {newest_first}) = 1"
        ),
        # With no non-key column to write, a stored row can never differ: nothing to update.
        update=(
            f"UPDATE {target} AS t SET {', '.join(assignments)} FROM {{source}} b "
            f"WHERE {join} AND NOT ({same}) AND NOT ({older})"
            if assignments
            else "SELECT 0"
        ),
        insert=(
            f"INSERT INTO {target} ({col_list}) SELECT {col_list} FROM {{source}} b "
            f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {join})"
        ),
    )


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """The one number a statement returns: a count, or the rows an INSERT/UPDATE changed."""
    row = con.execute(sql).fetchone()
    return int(row[0]) if row is not None and row[0] is not None else 0


@contextmanager
def open_writer(settings: Settings, command: str, search_index: bool = True) -> Iterator[Store]:
    """Hold the writer lock and a read-write connection; publish a read snapshot at the end.

    Before publishing, the app's paper catalog is refreshed, and its search index too unless
    `search_index` is False (bulk loads leave that to `leanwatch index` or the next update)."""
    db = settings.db
    with WriterLock(lock_path(db), command) as lock:
        lock.acquire(settings.writer_wait_seconds)
        con = connect_writer(db, settings.db_memory_limit)
        try:
            store = Store(con)
            interrupted = store.mark_interrupted_runs()
            if interrupted:
                log.warning(
                    "%d earlier run(s) had been interrupted; their committed batches are kept", interrupted
                )
            yield store
        finally:
            _refresh_catalog(con, search_index)
            con.execute("CHECKPOINT")
            con.close()
            publish_snapshot(db)


def _refresh_catalog(con: duckdb.DuckDBPyConnection, search_index: bool) -> None:
    """Keep the app's paper catalog and search index in step with what this command wrote; a failure
    here keeps the previous ones and loses nothing stored."""
    try:
        for what in catalog.refresh(con, search=search_index):
            log.info("rebuilt the %s", what)
    except duckdb.Error as exc:
        log.error("could not rebuild the paper catalog or search index (the app keeps the last one): %s", exc)
