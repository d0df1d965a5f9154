"""Running the tagger: over the store (papers the current model has not tagged) or a JSONL file.

Scoring is CPU-bound Python (tokenising, cue phrases), so batches are scored in worker processes,
one per CPU, while the parent reads input and writes results in order.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from analysis.tagger import Tag, Tagger
from analysis.taxonomy import LABEL_NAMES
from leanwatch.errors import InputFormatError
from leanwatch.files import replacing
from leanwatch.store import Store, utc_now
from leanwatch.workers import map_in_workers

log = logging.getLogger(__name__)

BATCH = 5_000
_WORKER: Tagger | None = None

Batch = tuple[list[str], list[str], list[str | None]]  # ids, titles, abstracts


def _init_worker(tagger: Tagger) -> None:
    global _WORKER
    _WORKER = tagger


def _tag_batch(batch: Batch) -> tuple[list[str], list[list[Tag]]]:
    assert _WORKER is not None, "worker not initialised"
    ids, titles, abstracts = batch
    return ids, _WORKER.tag(titles, abstracts)


def _score_batch(batch: Batch) -> tuple[list[str], np.ndarray]:
    assert _WORKER is not None, "worker not initialised"
    ids, titles, abstracts = batch
    return ids, _WORKER.scores(titles, abstracts)


def tag_batches(
    tagger: Tagger, batches: Iterable[Batch], workers: int = 0
) -> Iterator[tuple[list[str], list[list[Tag]]]]:
    """Tags of each batch, in input order; `workers` 0 means one per CPU, 1 means in this process."""
    return map_in_workers(_tag_batch, batches, workers, _init_worker, (tagger,))


# ---- the batch interface -------------------------------------------------------------------------


def read_jsonl(path: Path) -> Iterator[tuple[str, str, str | None]]:
    """(id, title, abstract) per line; a line that is not such an object is an error naming it."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputFormatError(f"{path}:{number}: not JSON ({exc.msg})") from exc
            if not isinstance(item, dict) or item.get("id") is None:
                raise InputFormatError(f'{path}:{number}: expected {{"id", "title", "abstract"}}')
            # A missing title or abstract still gets its output line (no labels if nothing is left).
            title, abstract = item.get("title"), item.get("abstract")
            for field_name, value in (("title", title), ("abstract", abstract)):
                if value is not None and not isinstance(value, str):
                    kind = type(value).__name__
                    raise InputFormatError(f"{path}:{number}: {field_name} is {kind}, not text")
            yield str(item["id"]), title or "", abstract


def _batched(rows: Iterable[tuple[str, str, str | None]], size: int = BATCH) -> Iterator[Batch]:
    batch: Batch = ([], [], [])
    for paper_id, title, abstract in rows:
        batch[0].append(paper_id)
        batch[1].append(title)
        batch[2].append(abstract)
        if len(batch[0]) >= size:
            yield batch
            batch = ([], [], [])
    if batch[0]:
        yield batch


def tag_jsonl(tagger: Tagger, source: Path, out: Path, workers: int = 0) -> int:
    """`{"id","title","abstract"}` lines in, `{"id","labels","scores"}` lines out, same order.

    `scores` holds every label's probability, so a caller can pick its own thresholds; `labels`
    are those at or above the model's per-label thresholds (the tags `leanwatch tag` stores)."""
    written = 0
    batches = _batched(read_jsonl(source))
    with replacing(out) as handle:
        for ids, scores in map_in_workers(_score_batch, batches, workers, _init_worker, (tagger,)):
            for paper_id, row in zip(ids, scores, strict=True):
                record = {
                    "id": paper_id,
                    "labels": [LABEL_NAMES[i] for i in np.flatnonzero(row >= tagger.thresholds)],
                    "scores": {name: round(float(v), 4) for name, v in zip(LABEL_NAMES, row, strict=True)},
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
    return written


# ---- the store -----------------------------------------------------------------------------------

_UNTAGGED = (
    "SELECT p.paper_id, p.title, p.abstract FROM papers p "
    "LEFT JOIN tagged_papers t ON t.paper_id = p.paper_id AND t.model_version = ? "
    "WHERE t.paper_id IS NULL"
)
_COUNT_UNTAGGED = f"SELECT count(*) FROM ({_UNTAGGED})"  # noqa: S608 - fixed SQL


@dataclass
class TagCounts:
    papers: int = 0
    tags: int = 0
    by_label: Counter[str] = field(default_factory=Counter)
    by_method: Counter[str] = field(default_factory=Counter)

    def summary(self, version: str) -> str:
        if not self.papers:
            return f"tag: nothing to tag; every paper is tagged by {version}"
        top = ", ".join(f"{label} {n:,}" for label, n in self.by_label.most_common(6))
        methods = ", ".join(f"{m} {n:,}" for m, n in sorted(self.by_method.items()))
        return (
            f"tag: {self.papers:,} papers tagged by {version}: {self.tags:,} tags ({top}); method: {methods}"
        )


def untagged_count(store: Store, version: str) -> int:
    return int(store.query(_COUNT_UNTAGGED, [version])[0][0])


def tag_store(
    store: Store,
    tagger: Tagger,
    workers: int = 0,
    progress: Callable[[int], Any] | None = None,
) -> TagCounts:
    """Tag every paper the current model version has not tagged; each batch is committed as it ends."""
    counts = TagCounts()
    version = tagger.version
    batches = (
        (
            batch.column("paper_id").to_pylist(),
            batch.column("title").to_pylist(),
            batch.column("abstract").to_pylist(),
        )
        for batch in store.stream(_UNTAGGED, [version], BATCH)
    )
    for ids, tags in tag_batches(tagger, batches, workers):
        _write(store, version, ids, tags, counts)
        if progress is not None:
            progress(len(ids))
    return counts


def _write(store: Store, version: str, ids: list[str], tags: list[list[Tag]], counts: TagCounts) -> None:
    now = utc_now()
    rows: list[dict[str, Any]] = [
        {
            "paper_id": paper_id,
            "label": tag.label,
            "score": tag.score,
            "method": tag.method,
            "evidence": list(tag.evidence),
            "model_version": version,
            "tagged_at": now,
        }
        for paper_id, paper_tags in zip(ids, tags, strict=True)
        for tag in paper_tags
    ]
    marks = [
        {"paper_id": paper_id, "model_version": version, "labels": len(paper_tags), "tagged_at": now}
        for paper_id, paper_tags in zip(ids, tags, strict=True)
    ]
    store.replace_paper_rows(ids, {"tags": rows, "tagged_papers": marks})
    counts.papers += len(ids)
    counts.tags += len(rows)
    counts.by_label.update(row["label"] for row in rows)
    counts.by_method.update(row["method"] for row in rows)
