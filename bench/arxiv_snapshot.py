"""Bulk arXiv snapshot ingest: records/s into an empty store, then re-ingest (all unchanged).

    python -m bench.arxiv_snapshot [SNAPSHOT.jsonl.gz] [--repeat N]

Without a file it writes one with ../shared/tools/to_arxiv_snapshot.py (--repeat 14 gives
1,046,192 records, the issue's million; copies after the first are load only). Peak memory is
sampled from /proc every 0.1 s: this process, and this process plus its worker processes.
Targets (issue 3): >= 20,000 records/s, peak < 1.5 GB, re-ingest at least as fast.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TOOL = Path(__file__).resolve().parents[2] / "shared" / "tools" / "to_arxiv_snapshot.py"


class MemorySampler(threading.Thread):
    """Peak resident memory of this process alone and with its children, from /proc (Linux)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_self = self.peak_total = 0
        self.running = True

    def run(self) -> None:
        me = os.getpid()
        while self.running:
            own = _rss(me)
            total = own + sum(_rss(pid) for pid in _children(me))
            self.peak_self, self.peak_total = max(self.peak_self, own), max(self.peak_total, total)
            time.sleep(0.1)


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def run(path: Path, data_dir: str, label: str) -> float:
    # Imported here, not at the top: parsing workers are spawned and import this module as their
    # main one, and must load only what the `leanwatch` command's workers load.
    from ingest.arxiv import ingest_files
    from leanwatch.settings import load_settings
    from leanwatch.store import open_writer

    settings = load_settings(env={}, flags={"data_dir": data_dir})
    started = time.perf_counter()
    # As `leanwatch ingest arxiv --from` does: the paper catalog is refreshed at the end, the
    # search index is left to `leanwatch index` (timed by bench.ui).
    with open_writer(settings, "bench", search_index=False) as store:
        counts = ingest_files(store, settings, [path])
        ingested = time.perf_counter()
    total = time.perf_counter() - started
    rate = counts.fetched / total
    print(
        f"{label:<10} {counts.fetched:>10,} records  {total:7.1f} s  {rate:>9,.0f} records/s  "
        f"(ingest {ingested - started:.1f} s, "
        f"catalog + checkpoint + snapshot {total - (ingested - started):.1f} s)"
    )
    print(f"{'':<10} {counts.summary()}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("snapshot", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=14)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.snapshot
        if path is None:
            path = Path(tmp) / "snapshot.jsonl.gz"
            subprocess.run([sys.executable, str(TOOL), str(path), "--repeat", str(args.repeat)], check=True)
        print(f"file {path} ({path.stat().st_size / 2**20:.0f} MiB), {os.cpu_count()} CPUs")
        data_dir = str(Path(tmp) / "data")
        sampler = MemorySampler()
        sampler.start()
        first = run(path, data_dir, "empty")
        again = run(path, data_dir, "re-ingest")
        sampler.running = False
        db = Path(data_dir) / "leanwatch.duckdb"
        print(f"store {db.stat().st_size / 2**20:,.0f} MiB")
    me, total = sampler.peak_self / 2**20, sampler.peak_total / 2**20
    print(f"peak RSS: writer {me:,.0f} MiB; writer + workers together {total:,.0f} MiB")
    print(
        f"targets: >= 20,000 records/s: {'met' if first >= 20_000 else 'MISSED'}; "
        f"re-ingest at least as fast: {'met' if again >= first else 'MISSED'}; "
        f"peak < 1.5 GB (writer + workers): {'met' if total < 1536 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
