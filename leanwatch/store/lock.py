"""The single-writer lock: one flock held by every writing command for its whole run.

The kernel drops a flock when its holder dies, so a `kill -9`'d writer never leaves a stale lock.
The holder writes its pid, command and start time into the file so a waiting writer can say who it
waits for.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from leanwatch.errors import WriterBusyError

log = logging.getLogger(__name__)

POLL_SECONDS = 0.2


class WriterLock:
    def __init__(self, path: Path, command: str) -> None:
        self.path = path
        self.command = command
        self._fd: int | None = None

    def acquire(self, wait_seconds: float) -> None:
        """Take the lock, waiting up to `wait_seconds` (0: fail at once) with one message."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = self.holder()
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise WriterBusyError(
                        f"another leanwatch writer holds {self.path} ({holder}); "
                        "try again when it finishes, or raise --wait-seconds"
                    ) from None
                if not told:
                    log.warning("waiting up to %.0fs for the running writer (%s)", wait_seconds, holder)
                    told = True
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        os.write(fd, f"pid {os.getpid()}: {self.command}, since {stamp}".encode())
        self._fd = fd

    def holder(self) -> str:
        try:
            return self.path.read_text(errors="replace").strip() or "unknown holder"
        except OSError:
            return "unknown holder"

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> WriterLock:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def running_writer(path: Path) -> str | None:
    """Who holds the writer lock right now ("pid N: command, since ..."), or None; never waits and
    never takes the lock from a writer (a shared probe that fails while one holds it)."""
    try:
        if not path.read_bytes().strip():
            return None  # a writer writes its name while it holds the lock and clears it on release
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:  # the name is there: held, or left by a writer that was killed (its flock went with it)
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return WriterLock(path, "").holder()
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
