"""Trends: papers per label per ISO week or month, their share of all papers, and which labels moved.

A paper's date is its first announcement (or, for papers a snapshot delivered, its publication
date). Counts are of papers tagged with the label; the share is of all papers with a date in that
period. A label "moved" in a week when its count is unlikely under its own recent share: with
baseline share s (papers with the label / all papers over the previous `baseline` weeks) and n
papers this week, the count is compared with a Poisson distribution of mean s x n, and the
one-sided p-value is reported. Only counts of at least `min_papers` are called rising, and only
expected counts of at least `min_papers` falling, so five papers never make a trend.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from scipy.stats import poisson

from analysis.watchlists import Watchlist
from leanwatch.store.schema import PAPER_DATE

PERIODS = {"week": "week", "month": "month"}

_LABEL_TRENDS = """
WITH dated AS (
    SELECT p.paper_id, date_trunc('{period}', {date}) AS period_start
    FROM papers p WHERE {date} IS NOT NULL AND {date} BETWEEN ? AND ? AND {filter}
),
totals AS (SELECT period_start, count(*) AS total FROM dated GROUP BY period_start),
counts AS (
    SELECT d.period_start, t.label, count(*) AS papers
    FROM dated d JOIN tags t USING (paper_id) GROUP BY d.period_start, t.label
)
SELECT c.period_start, c.label, c.papers, o.total
FROM counts c JOIN totals o USING (period_start)
ORDER BY c.period_start, c.label
"""
_ITEM_TRENDS = """
WITH dated AS (
    SELECT p.paper_id, date_trunc('{period}', {date}) AS period_start
    FROM papers p WHERE {date} IS NOT NULL AND {date} BETWEEN ? AND ? AND {filter}
)
SELECT d.period_start, x.item, count(*) FILTER (WHERE x.present) AS papers, count(*) AS total
FROM dated d JOIN transparency x USING (paper_id)
GROUP BY d.period_start, x.item ORDER BY d.period_start, x.item
"""


@dataclass(frozen=True)
class TrendRow:
    period: str  # 2026-W14 or 2026-04
    period_start: dt.date
    series: str  # label (a tag) or transparency (a checklist item)
    key: str  # the label or item name
    papers: int
    total: int

    @property
    def share(self) -> float:
        return self.papers / self.total if self.total else 0.0


def period_name(start: dt.date, period: str) -> str:
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start.year}-{start.month:02d}"


def _sql(template: str, period: str, condition: str = "TRUE") -> str:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {sorted(PERIODS)}, not {period!r}")
    # Fixed strings from this module and a watchlist condition whose values are all `?` parameters.
    return template.format(period=PERIODS[period], date=PAPER_DATE, filter=condition)


def trend_rows(
    reader: Any,
    period: str = "week",
    since: dt.date | None = None,
    until: dt.date | None = None,
    watchlist: Watchlist | None = None,
) -> list[TrendRow]:
    """Per period: papers per label with the period's total, then the transparency items' rates;
    only the papers a watchlist keeps, when one is given."""
    condition, values = watchlist.where() if watchlist else ("TRUE", [])
    params = [since or dt.date(1900, 1, 1), until or dt.date(9999, 12, 31), *values]
    rows = [
        TrendRow(period_name(_day(start), period), _day(start), "label", label, int(papers), int(total))
        for start, label, papers, total in reader.query(_sql(_LABEL_TRENDS, period, condition), params)
    ]
    rows += [
        TrendRow(period_name(_day(start), period), _day(start), "transparency", item, int(papers), int(total))
        for start, item, papers, total in reader.query(_sql(_ITEM_TRENDS, period, condition), params)
    ]
    return rows


def _day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@dataclass(frozen=True)
class Mover:
    label: str
    papers: int  # this week
    expected: float  # baseline share x this week's papers
    baseline_share: float
    p_value: float  # one-sided Poisson, in the direction of the move
    direction: str  # rising, falling

    def line(self) -> str:
        ratio = self.papers / self.expected if self.expected else float("inf")
        return (
            f"{self.label}: {self.papers} papers against {self.expected:.1f} expected "
            f"(x{ratio:.2f}; Poisson p = {self.p_value:.2g}, {self.direction})"
        )


def movers(
    rows: list[TrendRow],
    week: dt.date,
    baseline: int = 8,
    alpha: float = 0.01,
    min_papers: int = 5,
) -> list[Mover]:
    """Labels whose count in the week starting `week` departs from their share over the previous
    `baseline` weeks, most significant first. `rows` are weekly label rows from `trend_rows`."""
    labels = [r for r in rows if r.series == "label"]
    totals = {r.period_start: r.total for r in labels}
    this_total = totals.get(week, 0)
    window = [start for start in totals if week - dt.timedelta(weeks=baseline) <= start < week]
    base_total = sum(totals[start] for start in window)
    if not this_total or not base_total:
        return []
    base_counts: dict[str, int] = {}
    now_counts: dict[str, int] = {}
    for row in labels:
        if row.period_start in window:
            base_counts[row.key] = base_counts.get(row.key, 0) + row.papers
        elif row.period_start == week:
            now_counts[row.key] = row.papers
    found = []
    for label in sorted(set(base_counts) | set(now_counts)):
        share = base_counts.get(label, 0) / base_total
        expected = share * this_total
        count = now_counts.get(label, 0)
        if expected == 0:
            continue  # a label new this week has no baseline to move against
        p_up = float(poisson.sf(count - 1, expected))  # P(X >= count)
        p_down = float(poisson.cdf(count, expected))  # P(X <= count)
        if count > expected and count >= min_papers and p_up < alpha:
            found.append(Mover(label, count, expected, share, p_up, "rising"))
        elif count < expected and expected >= min_papers and p_down < alpha:
            found.append(Mover(label, count, expected, share, p_down, "falling"))
    return sorted(found, key=lambda m: m.p_value)


_WEEKS = f"""
SELECT date_trunc('week', {PAPER_DATE}) AS monday, count(*), max({PAPER_DATE}) FROM papers p
WHERE {PAPER_DATE} IS NOT NULL GROUP BY monday ORDER BY monday DESC LIMIT 27
"""  # noqa: S608 - fixed SQL


def latest_week(reader: Any) -> dt.date | None:
    """Monday of the last complete week with a real week's papers.

    A trailing week that holds only a sliver of the usual volume (a source that runs ahead of the
    arXiv listings, or a snapshot cut mid-week) is skipped: a week counts when it has at least a
    quarter of the median weekly count of the last six months.
    """
    found = reader.query(_WEEKS)
    if not found:
        return None
    weeks = [(_day(monday), int(n)) for monday, n, _ in found]
    counts = sorted(n for _, n in weeks)
    usual = counts[len(counts) // 2]
    # The newest week is complete only when its papers reach Sunday.
    latest, last_day = weeks[0][0], _day(found[0][2])
    newest_complete = latest if last_day.weekday() == 6 else latest - dt.timedelta(weeks=1)
    for monday, n in weeks:
        if monday <= newest_complete and n * 4 >= usual:
            return monday
    return None


_MEDIAN_PARAMETERS = """
SELECT date_trunc('{period}', f.day) AS period_start, l.label, median(f.parameters) AS median_parameters,
       count(*) AS papers
FROM paper_facets f, unnest(f.labels) AS l(label)
WHERE f.parameters > 0 AND f.day IS NOT NULL AND f.day BETWEEN ? AND ?
GROUP BY ALL ORDER BY period_start, l.label
"""
_TOP_LABS = """
SELECT l.label, b.lab, count(*) AS papers
FROM paper_facets f, unnest(f.labels) AS l(label), unnest(f.labs) AS b(lab)
WHERE f.day BETWEEN ? AND ?
GROUP BY l.label, b.lab
QUALIFY row_number() OVER (PARTITION BY l.label ORDER BY count(*) DESC, b.lab) <= ?
ORDER BY l.label, papers DESC
"""


def median_parameters(
    reader: Any, period: str = "month", since: dt.date | None = None, until: dt.date | None = None
) -> list[tuple[str, dt.date, str, float, int]]:
    """Per period and label: the median parameter count the label's papers report for their own
    models, and how many papers reported one (the median is of those only)."""
    bounds = [since or dt.date(1900, 1, 1), until or dt.date(9999, 12, 31)]
    rows = reader.query(_MEDIAN_PARAMETERS.format(period=PERIODS[period]), bounds)
    return [
        (period_name(_day(start), period), _day(start), label, float(median), int(n))
        for start, label, median, n in rows
    ]


def top_labs(
    reader: Any, per_label: int = 5, since: dt.date | None = None, until: dt.date | None = None
) -> list[tuple[str, str, int]]:
    """Per label, the labs and organisations with most of its papers (a lab's post citing the paper,
    or the Hugging Face organisation that submitted it)."""
    bounds = [since or dt.date(1900, 1, 1), until or dt.date(9999, 12, 31)]
    return [(label, lab, int(n)) for label, lab, n in reader.query(_TOP_LABS, [*bounds, per_label])]
