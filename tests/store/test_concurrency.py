"""The single-writer rule across processes: waiting, failing clearly, readers, and kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from leanwatch.errors import WriterBusyError
from leanwatch.settings import Settings
from leanwatch.store import open_reader, open_writer

REPO = Path(__file__).resolve().parents[2]


def _wait_until(check: Callable[[], bool], proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while not check():
        assert proc.poll() is None, f"writer exited early while waiting for {what}"
        assert time.monotonic() < deadline, f"{what} never happened"
        time.sleep(0.05)


def _wait_for(path: Path, proc: subprocess.Popen[bytes]) -> None:
    _wait_until(path.exists, proc, f"{path} to appear")


@contextmanager
def writer_process(
    settings: Settings, tmp_path: Path, rows: list[dict[str, Any]], name: str, *extra: str
) -> Iterator[subprocess.Popen[bytes]]:
    rows_file = tmp_path / f"{name}.json"
    rows_file.write_text(json.dumps(rows, default=str))
    log = (tmp_path / f"{name}.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.store.writer_proc", str(settings.data_dir), str(rows_file), *extra],
        cwd=REPO,
        stderr=log,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        log.close()


def _stall_args(tmp_path: Path, batch: int) -> tuple[list[str], Path, Path]:
    ready, go = tmp_path / "ready", tmp_path / "go"
    return ["--stall-batch", str(batch), "--ready", str(ready), "--go", str(go)], ready, go


def _paper_ids(settings: Settings) -> list[str]:
    with open_reader(settings) as reader:
        return [row[0] for row in reader.query("SELECT paper_id FROM papers")]


def test_second_writer_fails_clearly_or_waits(
    settings: Settings, tmp_path: Path, real_rows: list[dict[str, Any]]
) -> None:
    first, second = real_rows[:300], real_rows[300:500]
    args, ready, go = _stall_args(tmp_path, 2)
    with writer_process(settings, tmp_path, first, "first", *args) as proc:
        _wait_for(ready, proc)
        # Without waiting: a clear error that names the holder.
        with (
            pytest.raises(WriterBusyError, match=rf"pid {proc.pid}: writer_proc"),
            open_writer(settings, "2nd"),
        ):
            pass
        # With waiting: the second writer (its own process) blocks until the first is done.
        with writer_process(settings, tmp_path, second, "second", "--wait", "60") as waiter:
            log = tmp_path / "second.log"
            _wait_until(lambda: b"waiting up to" in log.read_bytes(), waiter, "the second writer to wait")
            assert waiter.poll() is None, "the second writer should still be waiting"
            go.touch()
            assert proc.wait(timeout=60) == 0
            assert waiter.wait(timeout=60) == 0
    ids = _paper_ids(settings)
    assert sorted(ids) == sorted(row["paper_id"] for row in first + second)


def test_reader_during_a_write_sees_the_last_snapshot(
    settings: Settings, tmp_path: Path, real_rows: list[dict[str, Any]]
) -> None:
    with open_writer(settings, "seed") as store:
        store.upsert("papers", real_rows[:50])
    args, ready, go = _stall_args(tmp_path, 1)
    with writer_process(settings, tmp_path, real_rows[50:250], "writer", *args) as proc:
        _wait_for(ready, proc)
        with open_reader(settings) as reader:  # neither blocks nor breaks the writer
            assert reader.table_counts()["papers"] == 50
            go.touch()
            assert proc.wait(timeout=60) == 0
            assert reader.table_counts()["papers"] == 50  # its snapshot stays consistent
    assert len(_paper_ids(settings)) == 250  # a new reader sees the new snapshot


def test_killed_writer_then_clean_next_run(
    settings: Settings, tmp_path: Path, real_rows: list[dict[str, Any]]
) -> None:
    rows = real_rows[:500]
    args, ready, _ = _stall_args(tmp_path, 3)  # batches 1-2 committed, batch 3 in flight
    with writer_process(settings, tmp_path, rows, "killed", *args) as proc:
        _wait_for(ready, proc)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    # The lock died with the process: the next writer gets in at once (wait 0).
    with open_writer(settings, "recovery") as store:
        committed = {row[0] for row in store.query("SELECT paper_id FROM papers")}
        assert committed == {row["paper_id"] for row in rows[:200]}
        assert store.query("SELECT status FROM ingest_runs") == [("interrupted",)]
        counts = store.upsert("papers", rows)
        assert (counts.new, counts.unchanged) == (300, 200)
        total, distinct = store.query("SELECT count(*), count(DISTINCT paper_id) FROM papers")[0]
    assert total == distinct == 500
