"""Logging and progress: progress bars on a terminal, plain log lines under cron."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")
log = logging.getLogger("leanwatch.progress")

PLAIN_EVERY_SECONDS = 30.0


def configure_logging(verbose: bool = False) -> None:
    level = logging.DEBUG if verbose else logging.INFO
    if sys.stderr.isatty():
        fmt = "%(levelname)s %(message)s"
    else:
        fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    logging.basicConfig(level=level, format=fmt, stream=sys.stderr, force=True)
    # httpx logs every request at INFO; ours are enough.
    logging.getLogger("httpx").setLevel(logging.DEBUG if verbose else logging.WARNING)


def progress(items: Iterable[T], *, desc: str, total: int | None = None, unit: str = "it") -> Iterator[T]:
    """Iterate with a bar on a terminal, or a log line every 30 s and at the end otherwise."""
    if sys.stderr.isatty():
        yield from tqdm(items, desc=desc, total=total, unit=unit, disable=None)
        return
    started = last = time.monotonic()
    count = 0
    for item in items:
        yield item
        count += 1
        now = time.monotonic()
        if now - last >= PLAIN_EVERY_SECONDS:
            of = f"/{total}" if total is not None else ""
            log.info("%s: %d%s %s so far", desc, count, of, unit)
            last = now
    log.info("%s: %d %s in %.1fs", desc, count, unit, time.monotonic() - started)
