"""CPU-bound batch work in worker processes, results in input order."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
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
    # Not pool.map: it submits every batch at once, so all the input would be read before the first
    # result is written. A window of 2 x workers keeps memory flat however many batches there are.
    with ProcessPoolExecutor(count, initializer=initializer, initargs=initargs) as pool:
        in_flight: deque[Future[R]] = deque()
        for batch in batches:
            in_flight.append(pool.submit(work, batch))
            if len(in_flight) >= 2 * count:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
