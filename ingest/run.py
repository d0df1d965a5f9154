"""Running one source: bookkeeping around cursor -> fetch -> parse -> upsert.

Each source's run is recorded in `ingest_runs`; one failing source never stops the others; each
ends with one summary line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.http import HttpClient
from leanwatch.errors import FetchError, InputFormatError
from leanwatch.settings import Settings
from leanwatch.store import Store, UpsertCounts

log = logging.getLogger(__name__)


@dataclass
class RunCounts:
    fetched: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    errors: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, counts: UpsertCounts) -> None:
        """Count a paper-level upsert (not its provenance rows) into the run's totals."""
        self.new += counts.new
        self.updated += counts.updated

    def as_dict(self) -> dict[str, int]:
        return {
            "fetched": self.fetched,
            "new": self.new,
            "updated": self.updated,
            "skipped": self.skipped,
            "errors": self.errors,
        }

    def summary(self) -> str:
        text = ", ".join(f"{name} {value}" for name, value in self.as_dict().items())
        return text + "".join(f"; {note}" for note in self.notes)


SourceUpdate = Callable[[Store, Settings, HttpClient], RunCounts]


@dataclass(frozen=True)
class Source:
    name: str
    description: str
    issue: int  # the issue that builds it, named while it is not built
    update: SourceUpdate | None = None


@dataclass(frozen=True)
class Outcome:
    source: str
    status: str  # ok, partial, failed, not_built
    line: str


def run_source(store: Store, settings: Settings, client: HttpClient, source: Source, command: str) -> Outcome:
    if source.update is None:
        line = f"{source.name}: skipped, live updates are not built yet (issue {source.issue})"
        return Outcome(source.name, "not_built", line)
    run_id = store.start_run(command, source.name)
    try:
        counts = source.update(store, settings, client)
    except (FetchError, InputFormatError) as exc:
        store.finish_run(run_id, "failed", {"errors": 1}, str(exc))
        return Outcome(source.name, "failed", f"{source.name}: FAILED {exc}")
    except BaseException as exc:
        store.finish_run(run_id, "failed", {"errors": 1}, f"{type(exc).__name__}: {exc}")
        raise
    status = "partial" if counts.errors else "ok"
    store.finish_run(run_id, status, counts.as_dict(), "; ".join(counts.notes))
    return Outcome(source.name, status, f"{source.name}: {counts.summary()}")
