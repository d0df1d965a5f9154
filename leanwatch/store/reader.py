"""Readers: short read-only connections to the snapshot the last writer published.

A reader never opens the live store, so it can neither block nor break a running writer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import duckdb

from leanwatch.settings import Settings
from leanwatch.store import catalog
from leanwatch.store.connection import connect_reader, snapshot_path
from leanwatch.store.schema import TABLES


class Reader:
    def __init__(self, con: duckdb.DuckDBPyConnection | None) -> None:
        self._con = con
        self._fts_loaded = False

    @property
    def empty(self) -> bool:
        """True when no writer has published a snapshot yet."""
        return self._con is None

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run fixed SQL written in leanwatch code; values only ever go in `params`."""
        if self._con is None:
            return []
        return self._con.execute(sql, list(params)).fetchall()

    def has_table(self, name: str) -> bool:
        return bool(self.query("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name])[0][0])

    def has_search_index(self) -> bool:
        """True when the snapshot has a full-text index and the extension to query it is loaded."""
        if self._con is None or not catalog.has_search_index(self._con):
            return False
        if not self._fts_loaded:
            self._fts_loaded = catalog.load_fts(self._con)
        return self._fts_loaded

    def table_counts(self) -> dict[str, int]:
        if self._con is None:
            return dict.fromkeys(TABLES, 0)
        # Table names come from the schema registry, never from a caller.
        union = " UNION ALL ".join(f"SELECT '{name}', count(*) FROM \"{name}\"" for name in TABLES)
        return {name: int(n) for name, n in self._con.execute(union).fetchall()}

    def source_summary(self) -> dict[str, dict[str, Any]]:
        """Per source: papers it contributed, its last run and its stored state."""
        sources: dict[str, dict[str, Any]] = {}
        for source, papers in self.query(
            "SELECT source, count(*) FROM paper_sources GROUP BY source ORDER BY source"
        ):
            sources.setdefault(source, {})["papers"] = int(papers)
        for source, started, ended, status, new, updated, errors, message in self.query(
            "SELECT source, started_at, ended_at, status, new, updated, errors, message FROM ingest_runs "
            "WHERE source IS NOT NULL "
            "QUALIFY row_number() OVER (PARTITION BY source ORDER BY started_at DESC) = 1"
        ):
            sources.setdefault(source, {})["last_run"] = {
                "started_at": _iso(started),
                "ended_at": _iso(ended),
                "status": status,
                "new": new,
                "updated": updated,
                "errors": errors,
                "message": message,
            }
        for source, key, cursor, etag, modified, updated_at in self.query(
            "SELECT source, key, cursor, etag, last_modified, updated_at FROM source_state "
            "ORDER BY source, key"
        ):
            sources.setdefault(source, {}).setdefault("state", {})[key] = {
                "cursor": cursor,
                "etag": etag,
                "last_modified": modified,
                "updated_at": _iso(updated_at),
            }
        return sources

    def schema_version(self) -> int:
        rows = self.query("SELECT max(version) FROM schema_migrations")
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def _iso(value: datetime | None) -> str | None:
    return value.replace(tzinfo=UTC).isoformat(timespec="seconds") if value else None


@contextmanager
def open_reader(settings: Settings) -> Iterator[Reader]:
    """A short-lived read-only view of the latest published snapshot (empty if none yet)."""
    path = snapshot_path(settings.db)
    if not path.exists():
        yield Reader(None)
        return
    con = connect_reader(path)
    try:
        yield Reader(con)
    finally:
        con.close()
