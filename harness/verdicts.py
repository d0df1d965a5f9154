"""Verdicts: what the measured metrics say about each expectation, and about the run.

Per expectation, over the seeds run:
- reproduced: every seed's value lies in the expectation's bounds (claimed +- tolerance, a range,
  or a one-sided bound);
- not reproduced: no seed's value does (the mean and its gap to the claim are reported);
- inconclusive: some seeds do and some do not (the spread is wider than the tolerance);
- error: the run finished but never reported the metric.
An expectation with `or_metric` holds when either metric holds, and says which (a "4.12 GFLOPs"
claim that is really 4.12 G multiply-accumulates is reproduced "as multiply-accumulates").
A run that timed out, crashed or was skipped gives that status to every expectation.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from typing import Any

from harness.recipe import Expectation

ORDER = ("error", "timeout", "skipped", "not_reproduced", "inconclusive", "reproduced")


@dataclass(frozen=True)
class Verdict:
    metric: str
    claimed: float | None
    measured: float | None  # mean over seeds
    spread: float | None  # standard deviation over seeds (None with one seed)
    verdict: str
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _judge_values(
    expectation: Expectation, metric: str, values: list[float]
) -> tuple[str, float, float | None]:
    low, high = expectation.bounds()
    inside = [low <= value <= high for value in values]
    mean = statistics.fmean(values)
    spread = statistics.stdev(values) if len(values) > 1 else None
    if all(inside):
        return "reproduced", mean, spread
    if not any(inside):
        return "not_reproduced", mean, spread
    return "inconclusive", mean, spread


def judge(expectation: Expectation, per_seed: list[dict[str, float]]) -> Verdict:
    """One expectation against the metrics each seed reported."""
    tried = [(expectation.metric, "")]
    if expectation.or_metric:
        tried.append((expectation.or_metric, expectation.or_meaning or expectation.or_metric))
    results = []
    for metric, meaning in tried:
        values = [seed[metric] for seed in per_seed if metric in seed]
        if len(values) == len(per_seed) and values:
            results.append((metric, meaning, *_judge_values(expectation, metric, values)))
    if not results:
        return Verdict(
            expectation.metric, expectation.claimed, None, None, "error", "the run did not report it"
        )
    for metric, meaning, verdict, mean, spread in results:
        if verdict == "reproduced":
            note = f"matches as {meaning} ({metric})" if meaning else ""
            return Verdict(expectation.metric, expectation.claimed, mean, spread, verdict, note)
    metric, meaning, verdict, mean, spread = results[0]
    low, high = expectation.bounds()
    gap = mean - expectation.claimed if expectation.claimed is not None else None
    note = f"measured {mean:.6g}, bounds [{low:.6g}, {high:.6g}]"
    if gap is not None and expectation.claimed:
        note += f", gap {gap:+.6g} ({gap / expectation.claimed:+.1%})"
    if len(results) > 1:
        other = results[1]
        note += f"; as {other[1]} ({other[0]}): {other[3]:.6g}"
    return Verdict(expectation.metric, expectation.claimed, mean, spread, verdict, note)


def overall(verdicts: list[Verdict]) -> str:
    """The run's verdict: the worst of its expectations' (error first, reproduced last)."""
    if not verdicts:
        return "error"
    return min((v.verdict for v in verdicts), key=ORDER.index)
