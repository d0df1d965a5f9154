"""What `leanwatch status` reports: counts per table and source, last runs, store size."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from leanwatch.settings import Settings
from leanwatch.store import open_reader, snapshot_path


def store_status(settings: Settings) -> dict[str, Any]:
    db = settings.db
    snapshot = snapshot_path(db)
    with open_reader(settings) as reader:
        tables = reader.table_counts()
        sources = reader.source_summary()
        version = reader.schema_version()
    snapshot_at = (
        datetime.fromtimestamp(snapshot.stat().st_mtime, UTC).isoformat(timespec="seconds")
        if snapshot.exists()
        else None
    )
    return {
        "tables": tables,
        "sources": sources,
        "store": {
            "path": str(db),
            "size_bytes": db.stat().st_size if db.exists() else 0,
            "schema_version": version,
            "snapshot_at": snapshot_at,
        },
    }
