"""A writer in its own process, for the concurrency tests.

    python -m tests.store.writer_proc DATA_DIR ROWS.json [--stall-batch N --ready F --go F] [--wait S]

Upserts the papers in ROWS.json in batches of 100. With --stall-batch N it stops inside batch N's
transaction, after its INSERT and before its COMMIT, touches --ready and waits for --go to exist
(or to be killed).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from leanwatch.settings import load_settings
from leanwatch.store import open_writer


class StallingConnection:
    """Wraps a DuckDB connection and stalls before one chosen COMMIT."""

    def __init__(self, con: Any, stall_at_commit: int, ready: Path, go: Path) -> None:
        self._con, self._stall_at, self._ready, self._go = con, stall_at_commit, ready, go
        self._commits = 0

    def execute(self, sql: str, *args: Any) -> Any:
        if sql == "COMMIT":
            self._commits += 1
            if self._commits == self._stall_at:
                self._ready.touch()
                while not self._go.exists():
                    time.sleep(0.05)
        return self._con.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("rows")
    parser.add_argument("--stall-batch", type=int, default=0)
    parser.add_argument("--ready", type=Path, default=Path("/nonexistent"))
    parser.add_argument("--go", type=Path, default=Path("/nonexistent"))
    parser.add_argument("--wait", default="0")
    args = parser.parse_args()
    rows = json.loads(Path(args.rows).read_text())
    settings = load_settings(env={}, flags={"data_dir": args.data_dir, "writer_wait_seconds": args.wait})
    with open_writer(settings, "writer_proc") as store:
        run_id = store.start_run("writer_proc", "test")
        if args.stall_batch:
            # Commits so far: start_run's. Batch N's commit is the (N+1)th from here.
            store._con = StallingConnection(store._con, args.stall_batch, args.ready, args.go)  # type: ignore[assignment]
        for start in range(0, len(rows), 100):
            store.upsert("papers", rows[start : start + 100])
        store._con = getattr(store._con, "_con", store._con)
        store.finish_run(run_id, "ok", {"new": len(rows)})


if __name__ == "__main__":
    main()
