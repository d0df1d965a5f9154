"""Opening DuckDB files: the only place leanwatch calls duckdb.connect."""

from __future__ import annotations

import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from leanwatch.errors import StoreError
from leanwatch.store.schema import MIGRATIONS

log = logging.getLogger(__name__)


def snapshot_path(db: Path) -> Path:
    """The read-only copy that readers open, published by the writer at the end of each run."""
    return db.with_name(db.stem + ".snapshot.duckdb")


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def connect_writer(db: Path, memory_limit: str) -> duckdb.DuckDBPyConnection:
    db.parent.mkdir(parents=True, exist_ok=True)
    extensions = db.parent / "duckdb_extensions"
    try:
        # A high checkpoint threshold lets a run's batches share one checkpoint at close instead of
        # several mid-run (measured: bulk insert 14k -> 21k rows/s, bench/store_upsert.py).
        config: dict[str, str | bool | int | float | list[str]] = {
            "extension_directory": str(extensions),
            "checkpoint_threshold": "1GB",
            "memory_limit": memory_limit,
            "temp_directory": str(db.parent / "duckdb_tmp"),
            # Freed memory goes back to the system as the writer runs: without it the writer held
            # ~300 MB more at the peak of a million-paper load (bench/arxiv_snapshot.py).
            "allocator_background_threads": True,
        }
        con = duckdb.connect(str(db), config=config)
    except duckdb.Error as exc:
        raise StoreError(f"cannot open the store {db}: {exc}") from exc
    migrate(con)
    return con


def connect_reader(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise StoreError(f"cannot open the store snapshot {path}: {exc}") from exc


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations not yet recorded, each in its own transaction; return those applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    rows = con.execute("SELECT version FROM schema_migrations").fetchall()
    done = {row[0] for row in rows}
    applied = []
    for version, name, sql in MIGRATIONS:
        if version in done:
            continue
        con.execute("BEGIN")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [version, name, datetime.now(UTC).replace(tzinfo=None)],
            )
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise StoreError(f"migration {version} ({name}) failed: {exc}") from exc
        log.info("store migrated to version %d (%s)", version, name)
        applied.append(version)
    return applied


def publish_snapshot(db: Path) -> Path:
    """Copy the closed, checkpointed store next to itself and atomically swap it in for readers.

    Readers holding the previous snapshot keep their open file; new readers see the new one.
    """
    target = snapshot_path(db)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(db, tmp)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot publish the read snapshot {target}: {exc}") from exc
    return target
