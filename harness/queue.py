"""The run queue: recipe names waiting in DATA_DIR/runs/queue.txt, one per line, filled by
`leanwatch verify queue NAME` or the app's Verification page and emptied by `verify queue --run`
(by hand or from a timer). A small lock file keeps a page's append and a worker's pop apart."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness import recipe as rc
from leanwatch.files import replace_text


def queue_path(data_dir: Path) -> Path:
    return data_dir / "runs" / "queue.txt"


@contextmanager
def _locked(data_dir: Path) -> Iterator[Path]:
    path = queue_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with (path.parent / "queue.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield path
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split() if path.exists() else []


def _write(path: Path, names: list[str]) -> None:
    replace_text(path, "".join(f"{name}\n" for name in names))


def queued(data_dir: Path) -> list[str]:
    with _locked(data_dir) as path:
        return _read(path)


def add(data_dir: Path, names: list[str]) -> list[str]:
    """Append recipes (refusing an unknown one now, not when the queue runs); return the queue."""
    for name in names:
        rc.find(data_dir, name)
    with _locked(data_dir) as path:
        waiting = _read(path) + list(names)
        _write(path, waiting)
        return waiting


def take_next(data_dir: Path) -> str | None:
    """Remove and return the first queued recipe, or None when the queue is empty."""
    with _locked(data_dir) as path:
        waiting = _read(path)
        if not waiting:
            return None
        _write(path, waiting[1:])
        return waiting[0]
