"""CSV exports: tidy, documented columns (docs/exports.md), UTF-8, ISO dates, written atomically.

Every export reads the published snapshot, so it never waits for (or blocks) a running update.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from analysis.trends import trend_rows

TREND_COLUMNS = ("period", "period_start", "series", "key", "papers", "total", "share")
_COMPUTE = (
    "SELECT f.paper_id, p.title, f.kind, f.value, f.unit, f.chip, f.chip_count, f.scope, f.location, "
    "f.method, f.confidence, f.what, f.evidence, f.span_start, f.span_end, f.extractor_version "
    "FROM compute_facts f JOIN papers p USING (paper_id) ORDER BY f.paper_id, f.kind, f.span_start"
)
COMPUTE_COLUMNS = (
    "paper_id", "title", "kind", "value", "unit", "chip", "count", "scope", "location", "method",
    "confidence", "words", "evidence", "start", "end", "extractor_version",
)  # fmt: skip
_CLAIMS = (
    "SELECT c.paper_id, p.title, c.benchmark, c.metric, c.value, c.unit, c.direction, c.baseline, c.model, "
    "c.evidence, c.span_start, c.span_end, c.location, c.extractor_version "
    "FROM claims c JOIN papers p USING (paper_id) ORDER BY c.paper_id, c.span_start"
)
CLAIM_COLUMNS = (
    "paper_id", "title", "benchmark", "metric", "value", "unit", "direction", "compared_with", "model",
    "evidence", "start", "end", "location", "extractor_version",
)  # fmt: skip


def write_csv(out: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Rows to `out` (UTF-8, a header, ISO dates), through a temporary file so a failed export never
    leaves half a file where the old one was."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    count = 0
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(value) for value in row])
            count += 1
    tmp.replace(out)
    return count


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else value


def export_trends(
    reader: Any, out: Path, period: str = "week", since: dt.date | None = None, until: dt.date | None = None
) -> int:
    rows = trend_rows(reader, period, since, until)
    return write_csv(
        out,
        TREND_COLUMNS,
        ((r.period, r.period_start, r.series, r.key, r.papers, r.total, round(r.share, 6)) for r in rows),
    )


def export_compute(reader: Any, out: Path) -> int:
    return write_csv(out, COMPUTE_COLUMNS, reader.query(_COMPUTE))


def export_claims(reader: Any, out: Path) -> int:
    return write_csv(out, CLAIM_COLUMNS, reader.query(_CLAIMS))
