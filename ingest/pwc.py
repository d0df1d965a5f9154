"""Papers with Code, from its archived formats: leaderboards, papers, code links, methods, model cards.

Papers with Code closed in July 2025; its dumps and formats live on. Read from files only:

- `evaluation-tables.json`: task -> datasets (-> subdatasets) -> sota rows, subtasks nested;
- the AxCell leaderboards file (`pwc-leaderboards.json`): per arXiv paper, its gold result records;
- `papers-with-abstracts.json`, `links-between-papers-and-code.json`, `methods.json`;
- model-index (`model-index.yml` importing `metafile.yml` files): models with parameters, FLOPs,
  training resources and techniques, and their results.

Leaderboard rows become `results` with the metric parsed to a number (unit kept, text kept);
model-index models become `models`. The JSON dumps are streamed item by item (the real ones are
gigabytes); a file's kind is told by its name or, failing that, by the keys of its first item.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import ijson
import yaml

from ingest.run import RunCounts, expand_paths
from leanwatch.errors import InputFormatError
from leanwatch.quantities import parse_quantity
from leanwatch.records import PAPER_FIELDS, arrow_table, arxiv_paper_ids, parse_arxiv_id, repo_url, url_id
from leanwatch.store import Store, seen_stamps, utc_now

log = logging.getLogger(__name__)

FLUSH_ROWS = 20_000
# Cells that say "no value" rather than a value that could not be read.
_EMPTY_CELLS = frozenset({"", "-", "--", "---", "?", "n/a", "na", "none", "—"})
# model-index FLOPs are written as they were counted; many tools (mmcv, fvcore, thop) count
# multiply-accumulates and call them FLOPs, so the unit is kept as written and flagged.
MODEL_INDEX_FLOPS_NOTE = "as written in the model-index; many model-index 'FLOPs' count multiply-accumulates"
_RESOURCES = re.compile(
    r"(?P<count>\d+)\s*[x×]\s*(?P<chip>[A-Za-z][\w.-]*(?:\s+[\w.-]+)*?)\s*(?:GPUs?|TPUs?)\b"
)


def _stable_id(prefix: str, *parts: object) -> str:
    digest = hashlib.sha1("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()
    return f"{prefix}:{digest[:16]}"


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return " ".join(str(value).split()) or None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def paper_of(*urls: Any) -> str | None:
    """The canonical arXiv paper id that any of these links or ids names."""
    for url in urls:
        text = _text(url)
        if not text:
            continue
        try:
            return parse_arxiv_id(text).paper_id
        except InputFormatError:
            ids = arxiv_paper_ids(text)
            if ids:
                return ids[0]
    return None


# ---- results --------------------------------------------------------------------------------------


@dataclass
class ResultTotals:
    cells: int = 0
    empty: int = 0  # "-" and blank cells: no value given
    text_only: int = 0  # a value that is not one number ("78.6/84.4"): kept as text
    with_paper: int = 0


class RowSink:
    """Gathers rows per table and upserts them in batches; counts the main table into the run."""

    def __init__(self, store: Store, counts: RunCounts, main: str) -> None:
        self.store = store
        self.counts = counts
        self.main = main
        self.seen_at = utc_now()
        self.rows: dict[str, list[dict[str, Any]]] = {}

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)
        if len(self.rows[table]) >= FLUSH_ROWS:
            self._write(table)

    def flush(self) -> None:
        for table in list(self.rows):
            self._write(table)

    def _write(self, table: str) -> None:
        rows = self.rows.pop(table, [])
        if not rows:
            return
        if table == "papers":  # a paper another source delivered is never overwritten from here
            columns = list(dict.fromkeys(k for row in rows for k in row))
            result = self.store.upsert("papers", arrow_table(rows, PAPER_FIELDS, columns), only_new=True)
        else:
            result = self.store.upsert(table, rows)
        if table == self.main:
            self.counts.add(result)


def result_rows(
    base: Mapping[str, Any], metrics: Mapping[str, Any], totals: ResultTotals
) -> Iterator[dict[str, Any]]:
    """One result per metric cell, its value parsed; `base` holds what the cells share."""
    for metric, raw in metrics.items():
        totals.cells += 1
        if raw is None or (isinstance(raw, str) and raw.strip().lower() in _EMPTY_CELLS):
            totals.empty += 1
            continue
        quantity = parse_quantity(raw)
        if quantity is None:
            totals.text_only += 1
        if base.get("paper_id"):
            totals.with_paper += 1
        yield {
            **base,
            "result_id": _stable_id(base["source"], base.get("_id_parts"), metric),
            "metric": metric,
            "value": quantity.value if quantity else None,
            "value_text": str(raw).strip(),
            "unit": quantity.unit if quantity else None,
            "value_spread": quantity.spread if quantity else None,
        }


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


# ---- evaluation-tables.json --------------------------------------------------------------------


def evaluation_rows(
    task: Mapping[str, Any], where: str, totals: ResultTotals, parents: tuple[str, ...] = ()
) -> Iterator[dict[str, Any]]:
    """Every sota row of a task, its datasets' subdatasets and its subtasks, as results."""
    name = _text(task.get("task")) or "(unnamed task)"
    for dataset in task.get("datasets") or []:
        dataset_name = _text(dataset.get("dataset"))
        tables = [(dataset_name, dataset.get("sota") or {})]
        for sub in dataset.get("subdatasets") or []:
            tables.append((f"{dataset_name} / {_text(sub.get('subdataset'))}", sub.get("sota") or {}))
        for dataset_name, sota in tables:
            for row in sota.get("rows") or []:
                yield from _sota_row(row, name, dataset_name, where, totals)
    for subtask in task.get("subtasks") or []:
        yield from evaluation_rows(subtask, where, totals, (*parents, name))


def _sota_row(
    row: Mapping[str, Any], task: str, dataset: str | None, where: str, totals: ResultTotals
) -> Iterator[dict[str, Any]]:
    paper_url = _text(row.get("paper_url"))
    model = _text(row.get("model_name"))
    links = [link for link in row.get("code_links") or [] if isinstance(link, dict)]
    code = [link["url"] for link in links if link.get("url")]
    base = {
        "paper_id": paper_of(paper_url),
        "task": task,
        "dataset": dataset,
        "model_name": model,
        "result_date": _date(row.get("paper_date")),
        "code_links": code,
        "source": "pwc",
        "source_ref": where,
        "paper_title": _text(row.get("paper_title")),
        "paper_url": paper_url,
        # The file is part of the identity: two leaderboards listing one result are two sources.
        "_id_parts": (Path(where).name, task, dataset, model, paper_url),
    }
    for result in result_rows(base, row.get("metrics") or {}, totals):
        yield _clean(result)


def _date(value: Any) -> str | None:
    text = _text(value)
    if text and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text[:10]):
        return text[:10]
    return None


def _day_start(value: Any) -> datetime | None:
    day = _date(value)
    return datetime.fromisoformat(day) if day else None


# ---- AxCell leaderboards --------------------------------------------------------------------------


def axcell_rows(paper: Mapping[str, Any], where: str, totals: ResultTotals) -> Iterator[dict[str, Any]]:
    arxiv_id = _text(paper.get("arxiv_id"))
    paper_id = paper_of(arxiv_id)
    for table in paper.get("tables") or []:
        for record in table.get("records") or []:
            cell = (table.get("index"), record.get("row"), record.get("column"))
            base: dict[str, Any] = {
                "paper_id": paper_id,
                "task": _text(record.get("task")),
                "dataset": _text(record.get("dataset")),
                "model_name": _text(record.get("model")),
                "code_links": [],
                "source": "axcell",
                "source_ref": f"{where}: {arxiv_id} table {cell[0]} row {cell[1]} column {cell[2]}",
                "paper_url": f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None,
                "_id_parts": (Path(where).name, arxiv_id, *cell, record.get("task"), record.get("dataset")),
            }
            metric = _text(record.get("metric")) or "(unnamed metric)"
            for result in result_rows(base, {metric: record.get("value")}, totals):
                yield _clean(result)


# ---- papers, code links and methods dumps ---------------------------------------------------------


def _dump_paper_id(arxiv_id: Any, url: str | None) -> str | None:
    """A dump's paper: its arXiv id when it has one, else `url:<hash>` of its abstract page."""
    return paper_of(arxiv_id, url) or (url_id(url) if url else None)


def paper_rows(item: Mapping[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """papers-with-abstracts.json: the paper (created only where none is stored), its tasks and methods."""
    url = _text(item.get("url_abs")) or _text(item.get("paper_url"))
    paper_id = _dump_paper_id(item.get("arxiv_id"), url)
    title = _text(item.get("title"))
    if paper_id is None or title is None:
        return
    arxiv_id = paper_id.removeprefix("arxiv:") if paper_id.startswith("arxiv:") else None
    yield (
        "papers",
        {
            "paper_id": paper_id,
            "arxiv_id": arxiv_id,
            "title": title,
            "abstract": _text(item.get("abstract")),
            "authors": [a for a in (_text(a) for a in item.get("authors") or []) if a],
            "published": _day_start(item.get("date")),
            "links": [u for u in (_text(item.get("url_abs")), _text(item.get("url_pdf"))) if u],
            "first_source": "pwc",
        },
    )
    source_id = _text(item.get("paper_url"))
    yield "paper_sources", {"paper_id": paper_id, "source": "pwc", "source_id": source_id, "url": url}
    for task in item.get("tasks") or []:
        if _text(task):
            yield "paper_terms", {"paper_id": paper_id, "kind": "task", "term": _text(task), "source": "pwc"}
    for method in item.get("methods") or []:
        name = _text(method.get("name")) if isinstance(method, dict) else _text(method)
        if name:
            yield "paper_terms", {"paper_id": paper_id, "kind": "method", "term": name, "source": "pwc"}


def code_link_rows(item: Mapping[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """links-between-papers-and-code.json: one code link per paper and repository."""
    url = _text(item.get("paper_url_abs")) or _text(item.get("paper_url"))
    paper_id = _dump_paper_id(item.get("paper_arxiv_id"), url)
    repo = repo_url(item.get("repo_url"))
    if paper_id is None or repo is None:
        return
    yield (
        "code_links",
        {
            "paper_id": paper_id,
            "repo_url": repo,
            "official": item.get("is_official") if isinstance(item.get("is_official"), bool) else None,
            "framework": _text(item.get("framework")),
            "source": "pwc",
        },
    )


def method_rows(item: Mapping[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """methods.json: the method, the paper that introduced it, its collections and areas."""
    url = _text(item.get("url")) or ""
    slug = url.rstrip("/").rsplit("/", 1)[-1] if "/method/" in url else None
    name = _text(item.get("name"))
    method_id = slug or (name.lower() if name else None)
    if method_id is None:
        return
    paper = _mapping(item.get("paper"))
    collections = [c for c in item.get("collections") or [] if isinstance(c, dict)]
    year = item.get("introduced_year")
    yield (
        "methods",
        {
            "method_id": method_id,
            "name": name,
            "full_name": _text(item.get("full_name")),
            "description": _text(item.get("description")),
            "paper_id": paper_of(paper.get("url"), item.get("source_url")),
            "paper_title": _text(paper.get("title")) or _text(item.get("source_title")),
            "introduced_year": year if isinstance(year, int) and year > 0 else None,
            "collections": sorted({_text(c.get("collection")) for c in collections} - {None}),
            "areas": sorted({_text(c.get("area")) for c in collections} - {None}),
            "source": "pwc",
            "source_ref": where,
        },
    )


# ---- model-index ---------------------------------------------------------------------------------


def parse_resources(text: str | None) -> tuple[str | None, float | None]:
    """("V100", 8) from "8x V100 GPUs"; the first group when several are listed."""
    match = _RESOURCES.search(text or "")
    if match is None:
        return None, None
    return match.group("chip").strip(), float(match.group("count"))


def _number(value: Any) -> float | None:
    quantity = parse_quantity(value)
    return quantity.value if quantity else None


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [t for t in (_text(v) for v in items) if t]


def model_index_rows(
    model: Mapping[str, Any], collection: Mapping[str, Any], where: str, totals: ResultTotals
) -> Iterator[tuple[str, dict[str, Any]]]:
    """A model-index model: its `models` row, its results, and its paper's training techniques."""
    name = _text(model.get("Name")) or "(unnamed model)"
    meta = {**(collection.get("Metadata") or {}), **(model.get("Metadata") or {})}
    paper = _mapping(collection.get("Paper"))
    paper_url = _text(paper.get("URL")) or _text(model.get("Paper"))
    paper_id = paper_of(paper_url)
    resources = _text(meta.get("Training Resources"))
    chip, count = parse_resources(resources)
    techniques = _strings(meta.get("Training Techniques"))
    code = _text(_mapping(collection.get("Code")).get("URL"))
    results = [r for r in model.get("Results") or [] if isinstance(r, dict)]
    yield (
        "models",
        {
            "model_id": f"model_index:{name}",
            "name": name,
            "task": _text(results[0].get("Task")) if results else None,
            "parameters": _number(meta.get("Parameters")),
            "flops": _number(meta.get("FLOPs")),
            "flops_unit": "FLOPs" if meta.get("FLOPs") is not None else None,
            "training_resources": resources,
            "hardware": chip,
            "hardware_quantity": count,
            "training_techniques": techniques,
            "training_data": ", ".join(_strings(meta.get("Training Data"))) or None,
            "epochs": _number(meta.get("Epochs")),
            "link": _text(model.get("Weights")),
            "paper_id": paper_id,
            "notes": json.dumps({"flops": MODEL_INDEX_FLOPS_NOTE}) if meta.get("FLOPs") is not None else None,
            "source": "model_index",
            "source_ref": where,
        },
    )
    for result in results:
        base: dict[str, Any] = {
            "paper_id": paper_id,
            "task": _text(result.get("Task")),
            "dataset": _text(result.get("Dataset")),
            "model_name": name,
            "code_links": [code] if code else [],
            "source": "model_index",
            "source_ref": where,
            "paper_title": _text(paper.get("Title")),
            "paper_url": paper_url,
            "_id_parts": (name, result.get("Task"), result.get("Dataset")),
        }
        for row in result_rows(base, result.get("Metrics") or {}, totals):
            yield "results", _clean(row)
    if paper_id:
        for technique in techniques:
            yield (
                "paper_terms",
                {
                    "paper_id": paper_id,
                    "kind": "training_technique",
                    "term": technique,
                    "source": "model_index",
                },
            )
        repo = repo_url(code)
        if repo:
            yield "code_links", {"paper_id": paper_id, "repo_url": repo, "source": "model_index"}


def _load_yaml(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            return yaml.load(handle, Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
        raise InputFormatError(f"{path}: not readable YAML ({exc})") from exc


def metafiles(path: Path) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    """A metafile's own content, or every metafile a model-index.yml imports (relative to it)."""
    data = _load_yaml(path)
    if not isinstance(data, dict):
        raise InputFormatError(f"{path}: expected a model-index mapping, got {type(data).__name__}")
    if data.get("Collections") or data.get("Models"):
        yield path, data
    for entry in data.get("Import") or []:
        target = (path.parent / str(entry)).resolve()
        if not target.is_file():
            raise InputFormatError(f"{path}: imports {entry}, which does not exist")
        yield from metafiles(target)


# ---- files --------------------------------------------------------------------------------------


@dataclass
class FileTotals:
    kinds: dict[str, int] = field(default_factory=dict)
    results: ResultTotals = field(default_factory=ResultTotals)


_KIND_BY_NAME = {
    "evaluation-tables": "evaluation_tables",
    "papers-with-abstracts": "papers",
    "links-between-papers-and-code": "code_links",
    "methods": "methods",
    "pwc-leaderboards": "axcell",
}


def json_items(path: Path) -> Iterator[Any]:
    """The items of a top-level JSON array, streamed (plain or .gz)."""
    try:
        with gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb") as handle:
            yield from ijson.items(handle, "item", use_float=True)
    except (ijson.JSONError, OSError, EOFError) as exc:
        raise InputFormatError(f"{path}: not a readable JSON array ({exc})") from exc


def detect_kind(path: Path) -> str | None:
    """The dump a file is, by its name, else by its first item's keys; None for other files."""
    name = path.name.lower()
    if name.endswith((".yml", ".yaml")):
        return "model_index" if name in ("model-index.yml", "model-index.yaml", "metafile.yml") else None
    stem = name.removesuffix(".gz").removesuffix(".json")
    if stem in _KIND_BY_NAME:
        return _KIND_BY_NAME[stem]
    if not name.endswith((".json", ".json.gz")):
        return None
    first = next(iter(json_items(path)), None)
    keys = set(first) if isinstance(first, dict) else set()
    if "task" in keys and ("datasets" in keys or "subtasks" in keys):
        return "evaluation_tables"
    if {"arxiv_id", "tables"} <= keys:
        return "axcell"
    if {"repo_url", "paper_url"} <= keys:
        return "code_links"
    if {"title", "abstract"} <= keys:
        return "papers"
    if {"full_name", "description"} <= keys:
        return "methods"
    return None


def _accepts(path: Path) -> bool:
    return path.name.lower().endswith((".json", ".json.gz", ".yml", ".yaml"))


_MAIN_TABLE = {
    "evaluation_tables": "results",
    "axcell": "results",
    "model_index": "results",
    "papers": "papers",
    "code_links": "code_links",
    "methods": "methods",
}


_DUMP_ROWS = {"papers": paper_rows, "code_links": code_link_rows, "methods": method_rows}
SKIPPED = "_skipped"  # a pseudo-table: the entry gave no row, with the reason


def _rows_of(kind: str, path: Path, totals: ResultTotals) -> Iterator[tuple[str, dict[str, Any]]]:
    where = str(path)
    if kind == "model_index":
        yield from _model_index_file(path, totals)
        return
    for item in json_items(path):
        if not isinstance(item, dict):
            yield SKIPPED, {"reason": f"{kind} entries that are not objects"}
        elif kind == "evaluation_tables":
            yield from (("results", row) for row in evaluation_rows(item, where, totals))
        elif kind == "axcell":
            yield from (("results", row) for row in axcell_rows(item, where, totals))
        else:
            rows = list(_DUMP_ROWS[kind](item, where))
            if not rows:
                yield SKIPPED, {"reason": f"{kind} entries without a paper, title or repository"}
            yield from rows


def _model_index_file(path: Path, totals: ResultTotals) -> Iterator[tuple[str, dict[str, Any]]]:
    for metafile, data in metafiles(path):
        collections = {c.get("Name"): c for c in data.get("Collections") or [] if isinstance(c, dict)}
        for model in data.get("Models") or []:
            if isinstance(model, dict):
                collection = collections.get(model.get("In Collection"), {})
                yield from model_index_rows(model, collection, str(metafile), totals)


def _model_index_roots(files: list[Path]) -> list[Path]:
    """Metafiles that a model-index.yml in the same input imports are read through it, once."""
    imported: set[Path] = set()
    for path in files:
        if path.name.lower().startswith("model-index."):
            imported |= {p.resolve() for p, _ in metafiles(path) if p.resolve() != path.resolve()}
    return [p for p in files if p.resolve() not in imported]


def ingest_files(store: Store, paths: Iterable[Path]) -> RunCounts:
    """Every PwC-format file under `paths`; a file that cannot be read is reported and skipped."""
    counts = RunCounts()
    totals = FileTotals()
    files = [p for p in expand_paths(paths, accept=_accepts)]
    for path in _model_index_roots(files):
        try:
            kind = detect_kind(path)
        except InputFormatError as exc:
            _file_failed(counts, exc)
            continue
        if kind is None:
            counts.skip("files in no Papers with Code format")
            continue
        totals.kinds[kind] = totals.kinds.get(kind, 0) + 1
        sink = RowSink(store, counts, _MAIN_TABLE[kind])
        try:
            for table, row in _rows_of(kind, path, totals.results):
                if table == SKIPPED:
                    counts.skip(row["reason"])
                    continue
                counts.fetched += table == sink.main
                sink.add(table, {**row, **seen_stamps(table, sink.seen_at)})
        except InputFormatError as exc:
            _file_failed(counts, exc)
        sink.flush()  # what was read before a failure is kept
    _summarise(counts, totals)
    return counts


def _file_failed(counts: RunCounts, exc: InputFormatError) -> None:
    counts.errors += 1
    counts.notes.append(str(exc)[:300])
    log.warning("%s", exc)


def _summarise(counts: RunCounts, totals: FileTotals) -> None:
    if totals.kinds:
        counts.notes.insert(0, "read " + ", ".join(f"{n} {kind}" for kind, n in sorted(totals.kinds.items())))
    cells = totals.results
    if cells.cells:
        counts.notes.append(
            f"{cells.cells:,} metric cells: {cells.empty:,} empty, {cells.text_only:,} kept as text "
            f"(not one number), {cells.with_paper:,} results linked to arXiv papers"
        )
