"""Epoch AI's model tables (notable, large-scale, all models): parameters, training compute, hardware.

Epoch revises its values, so each CSV is a dated snapshot of one list. A model keeps the values of
the newest snapshot read (an older snapshot read later changes nothing), and every value a newer
snapshot revises is recorded in `model_revisions` with both values and both snapshot dates. A run
says what changed against the list's previous snapshot: added, revised (which fields), missing.

Column names moved between exports ("Training dataset size (datapoints)" became "... (total)",
"Hardware utilization" became "... (MFU)"); each field lists the names it has had.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ingest.http import HttpClient
from ingest.run import RunCounts, expand_paths
from leanwatch.errors import InputFormatError
from leanwatch.quantities import parse_quantity
from leanwatch.records import arxiv_paper_ids
from leanwatch.settings import Settings
from leanwatch.store import Store, seen_stamps, utc_now

log = logging.getLogger(__name__)

SOURCE = "epoch"
# field -> the column names Epoch has used for it, newest first
TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "organization": ("Organization",),
    "domain": ("Domain",),
    "task": ("Task",),
    "hardware": ("Training hardware",),
    "confidence": ("Confidence",),
}
NUMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "parameters": ("Parameters",),
    "training_compute_flop": ("Training compute (FLOP)",),
    "training_dataset_size": (
        "Training dataset size (total)",
        "Training dataset size (datapoints)",
        "Training dataset size",
        "(DEPRECATED) Training dataset size (datapoints)",
    ),
    "training_hours": ("Training time (hours)",),
    "hardware_quantity": ("Hardware quantity",),
    "hardware_utilization": ("Hardware utilization (MFU)", "Hardware utilization"),
    "epochs": ("Epochs",),
}
NOTE_COLUMNS = {
    "parameters": "Parameters notes",
    "training_compute_flop": "Training compute notes",
    "training_dataset_size": "Dataset size notes",
    "training_hours": "Training time notes",
    "hardware_utilization": "Utilization notes",
    "estimation_method": "Training compute estimation method",
}
# The fields a revision is reported for (what users compare across snapshots).
COMPARED = (
    "organization",
    "publication_date",
    "parameters",
    "training_compute_flop",
    "training_dataset_size",
    "training_hours",
    "hardware",
    "hardware_quantity",
    "hardware_utilization",
    "confidence",
    "link",
    "paper_id",
)
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}(?:-\d{2})?)")


def model_id(name: str) -> str:
    """`epoch:<name>` in lower case: names are unique within a list ("DeepLabV3" and "DeepLabV3+")."""
    return "epoch:" + " ".join(name.lower().split())


def snapshot_of(name: str) -> tuple[str, date | None]:
    """(list name, snapshot date) from a file or URL name: notable_ai_models_2026-02.csv."""
    stem = Path(urlsplit(name).path).name.removesuffix(".csv")
    match = _DATE_IN_NAME.search(stem)
    listing = _DATE_IN_NAME.sub("", stem).strip("_- ") or stem
    if match is None:
        return listing, None
    text = match.group(1)
    return listing, date.fromisoformat(text if len(text) == 10 else text + "-01")


def _first(row: Mapping[str, str | None], names: Iterable[str]) -> str | None:
    for name in names:
        value = row.get(name)
        if value is not None and value.strip():
            return value.strip()
    return None


def _number(text: str | None) -> float | None:
    quantity = parse_quantity(text)
    if quantity is None:
        return None
    return quantity.value / 100 if quantity.unit == "%" else quantity.value


def _publication_date(text: str | None) -> date | None:
    if not text:
        return None
    for size, suffix in ((10, ""), (7, "-01"), (4, "-01-01")):
        try:
            return date.fromisoformat(text[:size] + suffix)
        except ValueError:
            continue
    return None


def model_row(
    row: Mapping[str, str | None], snapshot: date | None, listing: str, where: str
) -> dict[str, Any]:
    """A `models` row from one CSV row (whose Model column is known to be filled)."""
    name = " ".join((row.get("Model") or "").split())
    links = (row.get("Link") or "").split()
    papers = arxiv_paper_ids(*links)
    record: dict[str, Any] = {
        "model_id": model_id(name),
        "name": name,
        "publication_date": _publication_date(_first(row, ("Publication date",))),
        "link": links[0] if links else None,
        "paper_id": papers[0] if papers else None,
        "source": SOURCE,
        "source_ref": where,
        "listing": listing,
        "snapshot": snapshot,
    }
    for name_, columns in TEXT_COLUMNS.items():
        record[name_] = _first(row, columns)
    for name_, columns in NUMBER_COLUMNS.items():
        record[name_] = _number(_first(row, columns))
    notes = {key: _first(row, (column,)) for key, column in NOTE_COLUMNS.items()}
    kept = {key: value for key, value in notes.items() if value}
    record["notes"] = json.dumps(kept, ensure_ascii=False, sort_keys=True) if kept else None
    return record


def read_csv(content: bytes, where: str) -> tuple[list[tuple[int, dict[str, str | None]]], list[str]]:
    """(line, row) pairs and the header; an unreadable file or one without a Model column raises."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFormatError(f"{where}: not UTF-8 text ({exc})") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        rows = []
        line = reader.line_num + 1
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputFormatError(f"{where}: line {reader.line_num}: {exc}") from exc
    header = list(reader.fieldnames or [])
    if "Model" not in header:
        raise InputFormatError(f"{where}: no 'Model' column; not an Epoch models CSV (columns: {header[:6]})")
    return rows, header


# ---- snapshot diff ----------------------------------------------------------------------------


@dataclass
class SnapshotDiff:
    listing: str
    snapshot: date | None
    first: bool = False  # the store held no snapshot of this list
    previous: date | None = None  # the list's latest snapshot in the store before this one
    added: int = 0
    revised: int = 0
    fields: Counter[str] = field(default_factory=Counter)
    missing: int = 0  # in the previous snapshot of this list, not in this one (kept in the store)
    older: int = 0  # stored from a newer snapshot: left as they are
    revisions: list[dict[str, Any]] = field(default_factory=list)

    def describe(self) -> str:
        label = f"{self.listing} {self.snapshot or 'undated'}"
        changed = ", ".join(f"{name} {n}" for name, n in self.fields.most_common())
        against = (
            "the first of this list" if self.first else f"against {self.previous or 'the same snapshot'}"
        )
        text = f"snapshot {label} ({against}): {self.added:,} added, {self.revised:,} revised"
        text += f" ({changed})" if changed else ""
        if self.missing:
            text += f", {self.missing:,} not in this snapshot (kept)"
        if self.older:
            text += f", {self.older:,} already known from a newer snapshot (left as they are)"
        return text


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, float) and isinstance(new, float):
        return math.isclose(old, new, rel_tol=1e-9)
    return bool(old == new)


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e6 else f"{value:.6g}"
    return str(value)


def compare(
    rows: list[dict[str, Any]], stored: Mapping[str, Mapping[str, Any]], listing: str, snapshot: date | None
) -> SnapshotDiff:
    """What this snapshot adds and revises against what the store holds."""
    known = [s["snapshot"] for s in stored.values() if s["listing"] == listing and s["snapshot"] is not None]
    earlier = [d for d in known if snapshot is None or d < snapshot]
    diff = SnapshotDiff(listing, snapshot, first=not known, previous=max(earlier, default=None))
    now = utc_now()
    for row in rows:
        old = stored.get(row["model_id"])
        if old is None:
            diff.added += 1
            continue
        if snapshot is not None and old["snapshot"] is not None and old["snapshot"] > snapshot:
            diff.older += 1
            continue
        changed = [name for name in COMPARED if not _same(old[name], row[name])]
        if not changed:
            continue
        diff.revised += 1
        diff.fields.update(changed)
        for name in changed:
            diff.revisions.append(
                {
                    "model_id": row["model_id"],
                    "snapshot": snapshot or now.date(),
                    "field": name,
                    "old_value": _shown(old[name]),
                    "new_value": _shown(row[name]),
                    "previous_snapshot": old["snapshot"],
                    "recorded_at": now,
                }
            )
    seen = {row["model_id"] for row in rows}
    if diff.previous is not None:
        diff.missing = sum(
            1
            for model, old in stored.items()
            if model not in seen and old["listing"] == listing and old["snapshot"] == diff.previous
        )
    return diff


_STORED_COLUMNS = ("model_id", "listing", "snapshot", *COMPARED)
_STORED_SQL = f"SELECT {', '.join(_STORED_COLUMNS)} FROM models WHERE source = ?"  # noqa: S608 - fixed names


def _stored(store: Store) -> dict[str, dict[str, Any]]:
    rows = store.query(_STORED_SQL, [SOURCE])
    return {row[0]: dict(zip(_STORED_COLUMNS, row, strict=True)) for row in rows}


# ---- ingest -----------------------------------------------------------------------------------


def ingest_csv(
    store: Store,
    content: bytes,
    where: str,
    listing: str,
    snapshot: date | None,
    counts: RunCounts,
    undated: date,
) -> SnapshotDiff:
    """One snapshot: read, compare with the store, write models and revisions.

    Without a `snapshot` date the export's newest "Last modified" dates it, else `undated`.
    """
    lines, header = read_csv(content, where)
    snapshot = snapshot or last_modified(lines, header) or undated
    rows = []
    for line, row in lines:
        if not (row.get("Model") or "").strip():  # Epoch's exports hold a few placeholder rows
            counts.skip("rows without a model name")
            log.debug("%s: line %d: no model name; skipped", where, line)
            continue
        rows.append(model_row(row, snapshot, listing, where))
    counts.fetched += len(lines)
    diff = compare(rows, _stored(store), listing, snapshot)
    if rows:
        seen = seen_stamps("models", utc_now())
        counts.add(store.upsert("models", [{**row, **seen} for row in rows]))
    if diff.revisions:
        store.upsert("model_revisions", diff.revisions)
    linked = sum(1 for row in rows if row["paper_id"])
    counts.notes.append(diff.describe())
    counts.notes.append(f"{linked:,} of {len(rows):,} models linked to arXiv papers")
    return diff


def ingest_files(store: Store, paths: Iterable[Path], snapshot: date | None = None) -> RunCounts:
    """Epoch CSVs, each dated by `snapshot`, else its file name, else its own "Last modified"
    column, else the file's modification date."""
    counts = RunCounts()
    files = expand_paths(paths, accept=lambda p: p.suffix.lower() == ".csv")
    # Oldest snapshot first, so reading a folder of snapshots reports each one's changes in order.
    dated = sorted(((*snapshot_of(p.name), p) for p in files), key=lambda t: (t[0], t[1] or date.min))
    for listing, named, path in dated:
        try:
            ingest_csv(store, path.read_bytes(), str(path), listing, snapshot or named, counts, _mtime(path))
        except InputFormatError as exc:
            counts.errors += 1
            counts.notes.append(str(exc))
    return counts


def last_modified(lines: list[tuple[int, dict[str, str | None]]], header: list[str]) -> date | None:
    """The newest 'Last modified' date in an export that has that column (Epoch's full views do)."""
    if "Last modified" not in header:
        return None
    return max((d for _, row in lines if (d := _publication_date(row.get("Last modified")))), default=None)


def _mtime(path: Path) -> date:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).date()


def update(store: Store, settings: Settings, client: HttpClient) -> RunCounts:
    """Download the configured CSV (conditional GET); today's date is the snapshot's."""
    url = settings.epoch_models_url
    state = store.source_state(SOURCE, url) or {}
    result = client.get(url, etag=state.get("etag"), last_modified=state.get("last_modified"))
    counts = RunCounts()
    if result.not_modified:
        counts.notes.append("not modified since the last download")
        return counts
    listing, _ = snapshot_of(url)
    today = datetime.now(UTC).date()
    ingest_csv(store, result.content, url, listing, today, counts, today)
    store.set_source_state(SOURCE, url, etag=result.etag, last_modified=result.last_modified)
    return counts
