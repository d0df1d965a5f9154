"""CPU-bound batch work in worker processes, results in input order."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

B = TypeVar("B")
R = TypeVar("R")


def map_in_workers(
    work: Callable[[B], R],
    batches: Iterable[B],
    workers: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
) -> Iterator[R]:
    """`work` over `batches`, in input order; each worker runs `initializer(*initargs)` once (so a
    model is sent once, not with every batch). `workers` 0 means one per CPU, 1 means this process."""
    count = workers or os.cpu_count() or 1
    if count == 1:
        initializer(*initargs)
        yield from map(work, batches)
        return
    with ProcessPoolExecutor(count, initializer=initializer, initargs=initargs) as pool:
        yield from pool.map(work, batches, chunksize=1)
