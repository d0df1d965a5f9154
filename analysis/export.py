"""CSV exports: tidy, documented columns (docs/exports.md), UTF-8, ISO dates, written atomically.

Every export reads the published snapshot, so it never waits for (or blocks) a running update.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from analysis import paper_filter
from analysis.paper_filter import PaperFilter
from analysis.trends import trend_rows
from leanwatch.files import replace_text, replacing
from leanwatch.records import abs_url

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
    "c.evidence, c.span_start, c.span_end, c.location, c.extractor_version, v.verdict, v.run_id "
    "FROM claims c JOIN papers p USING (paper_id) "
    "LEFT JOIN (SELECT claim_id, arg_max(verdict, started_at) AS verdict, "
    "arg_max(run_id, started_at) AS run_id FROM verification_runs GROUP BY claim_id) v USING (claim_id) "
    "ORDER BY c.paper_id, c.span_start"
)
CLAIM_COLUMNS = (
    "paper_id", "title", "benchmark", "metric", "value", "unit", "direction", "compared_with", "model",
    "evidence", "start", "end", "location", "extractor_version", "verification", "verification_run",
)  # fmt: skip


def write_csv(out: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Rows to `out` (UTF-8, a header, ISO dates), through a temporary file so a failed export never
    leaves half a file where the old one was."""
    with replacing(out, newline="") as handle:
        return write_rows(handle, columns, rows)


def write_rows(handle: TextIO, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """The CSV every export and the app's downloads write: a header, ISO dates, 6 significant digits."""
    writer = csv.writer(handle)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_cell(value) for value in row])
        count += 1
    return count


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else value


def export_trends(
    reader: Any,
    out: Path,
    period: str = "week",
    since: dt.date | None = None,
    until: dt.date | None = None,
    watchlist: Any = None,
) -> int:
    rows = trend_rows(reader, period, since, until, watchlist)
    return write_csv(
        out,
        TREND_COLUMNS,
        ((r.period, r.period_start, r.series, r.key, r.papers, r.total, round(r.share, 6)) for r in rows),
    )


def export_compute(reader: Any, out: Path) -> int:
    return write_csv(out, COMPUTE_COLUMNS, reader.query(_COMPUTE))


def export_claims(reader: Any, out: Path) -> int:
    return write_csv(out, CLAIM_COLUMNS, reader.query(_CLAIMS))


# ---- papers --------------------------------------------------------------------------------------

PAPER_COLUMNS = paper_filter.COLUMNS


def paper_rows(reader: Any, f: PaperFilter | None = None) -> list[tuple[Any, ...]]:
    """Every paper the filter keeps (the app's Papers table without its row limit), lists joined."""
    rows = paper_filter.search(reader, f or PaperFilter(), limit=None).rows
    return [(*row[:3], "; ".join(row[3]), *row[4:7], ";".join(row[7]), *row[8:]) for row in rows]


def papers_csv(reader: Any, f: PaperFilter) -> str:
    """The CSV `export papers` writes, in memory: what the app's Papers page downloads."""
    buffer = io.StringIO()
    write_rows(buffer, PAPER_COLUMNS, paper_rows(reader, f))
    return buffer.getvalue()


def export_papers(reader: Any, out: Path, f: PaperFilter | None = None, fmt: str = "csv") -> int:
    rows = paper_rows(reader, f)
    if fmt == "bibtex":
        replace_text(out, "".join(bibtex_entry(row) for row in rows))
        return len(rows)
    return write_csv(out, PAPER_COLUMNS, rows)


_BIBTEX_SPECIAL = str.maketrans(
    {c: "\\" + c for c in "&%$#_{}"} | {"~": r"\~{}", "^": r"\^{}", "\\": r"\textbackslash{}"}
)


def _bib(text: str) -> str:
    """Text safe inside a BibTeX braced field: LaTeX's special characters escaped."""
    return " ".join(text.split()).translate(_BIBTEX_SPECIAL)


def bibtex_entry(row: tuple[Any, ...]) -> str:
    paper_id, arxiv_id, title, authors, day, category, doi = row[:7]
    key = "".join(ch if ch.isalnum() else "_" for ch in (f"arxiv_{arxiv_id}" if arxiv_id else paper_id))
    fields = [
        ("title", "{" + _bib(title or "") + "}"),
        ("author", " and ".join(_bib(a) for a in authors.split("; ") if a) if authors else ""),
        ("year", str(day.year) if day else ""),
        ("eprint", arxiv_id or ""),
        ("archivePrefix", "arXiv" if arxiv_id else ""),
        ("primaryClass", category or ""),
        ("doi", doi or ""),
        ("url", abs_url(arxiv_id)),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}\n\n"


# ---- frontier ------------------------------------------------------------------------------------

FRONTIER_COLUMNS = (
    "task", "dataset", "metric", "model", "value", "size", "size_kind", "date", "paper_id", "source",
    "on_frontier", "matches_larger", "larger_size", "size_ratio",
)  # fmt: skip


def export_frontier(
    reader: Any, out: Path, dataset: str, metric: str, task: str | None = None, size: str = "parameters"
) -> int:
    from analysis.frontier import lower_is_better, pareto, points, smaller_beats_bigger

    found = points(reader, dataset, metric, task, size)
    lower = lower_is_better(metric)
    on_frontier = {p.model for p in pareto(found, lower)}
    beats = {e.small.model: e for e in smaller_beats_bigger(found, lower)}
    rows = []
    for p in found:
        event = beats.get(p.model)
        rows.append(
            (
                task or "",
                dataset,
                metric,
                p.model,
                p.value,
                p.size,
                size,
                p.day,
                p.paper_id,
                p.source,
                p.model in on_frontier,
                event.big.model if event else None,
                event.big.size if event else None,
                round(event.ratio, 3) if event else None,
            )
        )
    return write_csv(out, FRONTIER_COLUMNS, rows)
