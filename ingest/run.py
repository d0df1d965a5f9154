"""Running one source: bookkeeping around cursor -> fetch -> parse -> upsert.

Each source's run is recorded in `ingest_runs`; one failing source never stops the others; each
ends with one summary line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.http import HttpClient
from leanwatch.errors import FetchError, IngestError, InputFormatError
from leanwatch.settings import Settings
from leanwatch.store import Store, UpsertCounts

log = logging.getLogger(__name__)


@dataclass
class RunCounts:
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, counts: UpsertCounts) -> None:
        """Count a paper-level upsert (not its provenance rows) into the run's totals."""
        self.new += counts.new
        self.updated += counts.updated
        self.unchanged += counts.unchanged + counts.duplicates

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped += n
        self.skip_reasons[reason] = self.skip_reasons.get(reason, 0) + n

    def as_dict(self) -> dict[str, int]:
        names = ("fetched", "new", "updated", "unchanged", "skipped", "errors")
        return {name: getattr(self, name) for name in names}

    def summary(self) -> str:
        text = ", ".join(f"{name} {value:,}" for name, value in self.as_dict().items())
        if self.skip_reasons:
            text += " (" + ", ".join(f"{n:,} {why}" for why, n in sorted(self.skip_reasons.items())) + ")"
        return text + "".join(f"; {note}" for note in self.notes)


SourceUpdate = Callable[[Store, Settings, HttpClient], RunCounts]


@dataclass(frozen=True)
class Source:
    name: str
    description: str
    issue: int  # the issue that builds it, named while it is not built
    update: SourceUpdate | None = None
    records_as: str | None = None  # the name its runs are recorded under, when not `name`


@dataclass(frozen=True)
class Outcome:
    source: str
    status: str  # ok, partial, failed, not_built
    line: str


def run_source(store: Store, settings: Settings, client: HttpClient, source: Source, command: str) -> Outcome:
    if source.update is None:
        line = f"{source.name}: skipped, live updates are not built yet (issue {source.issue})"
        return Outcome(source.name, "not_built", line)
    run_id = store.start_run(command, source.records_as or source.name)
    try:
        counts = source.update(store, settings, client)
    except (FetchError, InputFormatError, IngestError) as exc:
        store.finish_run(run_id, "failed", {"errors": 1}, str(exc))
        return Outcome(source.name, "failed", f"{source.name}: FAILED {exc}")
    except BaseException as exc:
        store.finish_run(run_id, "failed", {"errors": 1}, f"{type(exc).__name__}: {exc}")
        raise
    # Failed: nothing at all could be read. Partial: some records could not.
    status = ("failed" if not counts.fetched else "partial") if counts.errors else "ok"
    store.finish_run(run_id, status, counts.as_dict(), "; ".join(counts.notes))
    label = "FAILED " if status == "failed" else ""
    return Outcome(source.name, status, f"{source.name}: {label}{counts.summary()}")


def expand_paths(paths: Iterable[Path], accept: Callable[[Path], bool] | None = None) -> list[Path]:
    """Named files, and the files under named directories (hidden ones and those `accept` refuses
    left out). A named path that does not exist is an error naming it."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            members = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            files += [p for p in members if accept is None or accept(p)]
        elif path.exists():
            files.append(path)
        else:
            raise InputFormatError(f"{path}: no such file or directory")
    return files
