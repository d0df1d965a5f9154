"""Store write throughput on real paper rows: insert, re-upsert unchanged, update, publish.

    python -m bench.store_upsert [--repeat N] [--batch 10000]

Uses the shared 74,728-paper listing corpus; --repeat N adds N-1 copies under fresh ids to reach
N x 74,728 rows (the copies are load only, not real papers).
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.listing import paper_row, read_listing
from leanwatch.records import PaperRow
from leanwatch.settings import load_settings
from leanwatch.store import open_writer, snapshot_path

SHARED = Path(
    os.environ.get("LEANWATCH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def rows(repeat: int) -> list[PaperRow]:
    listing = list(read_listing(SHARED))
    out = [paper_row(item) for item in listing]
    for copy in range(1, repeat):
        out += [paper_row(item, paper_id=f"arxiv:copy{copy}-{item['id']}") for item in listing]
    return out


def timed(label: str, count: int, fn: Any) -> Any:
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"{label:<34} {count:>9,} rows  {seconds:7.2f} s  {count / seconds:>10,.0f} rows/s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    data = rows(args.repeat)
    n = len(data)
    batches = [data[i : i + args.batch] for i in range(0, n, args.batch)]
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(env={}, flags={"data_dir": tmp})

        def upsert_all(batch_rows: list[list[PaperRow]]) -> None:
            with open_writer(settings, "bench") as store:
                for batch in batch_rows:
                    store.upsert("papers", batch)

        timed("insert new (incl. snapshot)", n, lambda: upsert_all(batches))
        timed("re-upsert unchanged", n, lambda: upsert_all(batches))
        revised: list[list[PaperRow]] = [
            [PaperRow(**{**row, "title": row["title"] + " v2"}) for row in batch] for batch in batches
        ]
        timed("update every title", n, lambda: upsert_all(revised))
        started = time.perf_counter()
        with open_writer(settings, "bench"):
            pass
        print(f"{'open + migrate check + publish':<34} {time.perf_counter() - started:>25.2f} s")
        size = settings.db.stat().st_size
        print(
            f"store size {size / 2**20:.1f} MiB, "
            f"snapshot {snapshot_path(settings.db).stat().st_size / 2**20:.1f} MiB"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB (includes the {n:,} rows held in Python)")


if __name__ == "__main__":
    main()
