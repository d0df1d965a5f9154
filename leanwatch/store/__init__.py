"""The store: the only code that opens DuckDB. Writers hold the lock; readers read the snapshot."""

from leanwatch.store.connection import snapshot_path
from leanwatch.store.reader import Reader, open_reader
from leanwatch.store.schema import LATEST_VERSION, TABLES
from leanwatch.store.writer import Store, UpsertCounts, open_writer, seen_stamps, utc_now

__all__ = [
    "LATEST_VERSION",
    "TABLES",
    "Reader",
    "Store",
    "UpsertCounts",
    "open_reader",
    "open_writer",
    "seen_stamps",
    "snapshot_path",
    "utc_now",
]
