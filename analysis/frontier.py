"""Efficiency frontiers: score against size (parameters or FLOPs) on one benchmark, the Pareto
frontier, and "smaller beats bigger" events.

Points are leaderboard results (Papers with Code model-index, AxCell, evaluation tables) whose
model has a known size in the models table. A point is on the frontier when no smaller (or equally
small) model scores at least as well. An event is a model that matches or beats the score of a
model at least `min_ratio` times its size; each event names both models and their sources.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

SIZES = {"parameters": "m.parameters", "flops": "m.flops"}
_LOWER_IS_BETTER = re.compile(r"(?i)error|perplexity|\bppl\b|fid|wer|loss|latency|\bmae\b|\brmse\b")

_POINTS = """
SELECT r.model_name, r.value, {size} AS size, r.paper_id, r.source, r.source_ref,
       coalesce(r.result_date, p.announced, CAST(p.published AS DATE)) AS day, p.arxiv_id
FROM results r
JOIN models m ON m.name = r.model_name
LEFT JOIN papers p ON p.paper_id = r.paper_id
WHERE r.dataset = ? AND r.metric = ? AND (? IS NULL OR r.task = ?) AND r.value IS NOT NULL AND {size} > 0
"""
_BENCHMARKS = """
SELECT r.task, r.dataset, r.metric, count(*) AS n
FROM results r JOIN models m ON m.name = r.model_name
WHERE r.value IS NOT NULL AND m.parameters > 0
GROUP BY ALL ORDER BY n DESC LIMIT ?
"""


@dataclass(frozen=True)
class Point:
    model: str
    value: float
    size: float
    paper_id: str | None
    source: str | None
    day: dt.date | None


@dataclass(frozen=True)
class Event:
    small: Point
    big: Point

    @property
    def ratio(self) -> float:
        return self.big.size / self.small.size


def lower_is_better(metric: str) -> bool:
    return _LOWER_IS_BETTER.search(metric) is not None


def _arxiv_month(arxiv_id: str | None) -> dt.date | None:
    """A new-style arXiv id says when the paper appeared: 2103.14030 is March 2021."""
    match = re.match(r"(\d{2})(\d{2})\.\d{4,5}$", arxiv_id or "")
    if match is None or not 1 <= int(match.group(2)) <= 12:
        return None
    return dt.date(2000 + int(match.group(1)), int(match.group(2)), 1)


def points(
    reader: Any, dataset: str, metric: str, task: str | None = None, size: str = "parameters"
) -> list[Point]:
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, not {size!r}")
    sql = _POINTS.format(size=SIZES[size])  # a fixed column name from SIZES, never caller input
    rows = reader.query(sql, [dataset, metric, task, task])
    found: dict[str, Point] = {}
    for model, value, amount, paper_id, source, _ref, day, arxiv_id in rows:
        point = Point(model, float(value), float(amount), paper_id, source, day or _arxiv_month(arxiv_id))
        found.setdefault(model, point)  # a model listed twice (two sources) counts once
    return sorted(found.values(), key=lambda p: (p.size, p.model))


def _better_or_equal(a: float, b: float, lower: bool) -> bool:
    return a <= b if lower else a >= b


def pareto(found: list[Point], lower: bool = False) -> list[Point]:
    """The points that score strictly better than every smaller model, smallest first."""
    frontier: list[Point] = []
    best: float | None = None
    for point in sorted(found, key=lambda p: (p.size, p.value if lower else -p.value)):
        if best is None or (point.value < best if lower else point.value > best):
            frontier.append(point)
            best = point.value
    return frontier


def smaller_beats_bigger(found: list[Point], lower: bool = False, min_ratio: float = 2.0) -> list[Event]:
    """For each model, the largest model at least `min_ratio` times its size whose score it matches
    or beats; the biggest size ratios first."""
    events = []
    for small in found:
        beaten = [
            big
            for big in found
            if big.size >= min_ratio * small.size and _better_or_equal(small.value, big.value, lower)
        ]
        if beaten:
            events.append(Event(small, max(beaten, key=lambda p: p.size)))
    return sorted(events, key=lambda e: -e.ratio)


def benchmarks(reader: Any, limit: int = 20) -> list[tuple[str, str, str, int]]:
    """The (task, dataset, metric) with most results whose models have a known size."""
    return [(t, d, m, int(n)) for t, d, m, n in reader.query(_BENCHMARKS, [limit])]
