"""The judged sets for compute facts and claims, and how extraction is scored against them.

`analysis/devset/compute/` holds papers judged by reading (see its README): full-text compute facts
on SciREX papers and result claims on abstracts. Scores are micro precision, recall and F1 per field,
with one-to-one matching inside each paper:

- hardware: the same chip short name and the same count (an unstated count matches only unstated);
- durations: hours within 5%;
- parameters: within 2%;
- claims: value within 0.5%, the same metric family, and the same benchmark (by alias key; a
  claim that names no benchmark matches only one that names none).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.benchmarks import benchmark_table, key

DEVSET_DIR = Path(__file__).parent / "devset" / "compute"
FULLTEXT_DEV = DEVSET_DIR / "fulltext_dev.jsonl"
EPOCH_QUOTES_DEV = DEVSET_DIR / "epoch_quotes_dev.jsonl"
FULLTEXT_HOLDOUT = DEVSET_DIR / "epoch_quotes_holdout.jsonl"
# Judged on 2026-11-23 from quotes no rule had been written against (see the README).
FULLTEXT_HOLDOUT_2 = DEVSET_DIR / "epoch_quotes_holdout2.jsonl"
CLAIMS_DEV = DEVSET_DIR / "claims_dev.jsonl"
CLAIMS_HOLDOUT = DEVSET_DIR / "claims_holdout.jsonl"
CLAIMS_HOLDOUT_2 = DEVSET_DIR / "claims_holdout2.jsonl"  # judged 2026-11-23; its misses since read
CLAIMS_HOLDOUT_3 = DEVSET_DIR / "claims_holdout3.jsonl"  # judged 2026-11-23, misses not read


def read_judged(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self, name: str) -> str:
        return (
            f"{name:<12} P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}"
            f"   (tp {self.tp}, fp {self.fp}, fn {self.fn})"
        )


def match(
    found: Iterable[Any], gold: Iterable[Any], same: Callable[[Any, Any], bool], score: Score
) -> list[tuple[str, Any]]:
    """One-to-one greedy matching; adds to `score` and returns the misses ("fp"/"fn", item)."""
    remaining = list(gold)
    misses: list[tuple[str, Any]] = []
    for item in found:
        hit = next((g for g in remaining if same(item, g)), None)
        if hit is None:
            score.fp += 1
            misses.append(("fp", item))
        else:
            remaining.remove(hit)
            score.tp += 1
    score.fn += len(remaining)
    misses.extend(("fn", g) for g in remaining)
    return misses


def _close(a: Any, b: Any, tolerance: float) -> bool:
    if a is None or b is None:
        return False
    a, b = float(a), float(b)
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-12)


def _distinct(items: list[dict[str, Any]], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Each fact once: a paper that states the same chip twice has one hardware fact."""
    seen, out = set(), []
    for item in items:
        marker = tuple(item.get(f) for f in fields)
        if marker not in seen:
            seen.add(marker)
            out.append(item)
    return out


COMPUTE_FIELDS: dict[str, tuple[tuple[str, ...], Callable[[Any, Any], bool]]] = {
    "hardware": (("chip", "count"), lambda a, b: a["chip"] == b["chip"] and a.get("count") == b.get("count")),
    "durations": (("hours",), lambda a, b: _close(a["hours"], b["hours"], 0.05)),
    "parameters": (("value",), lambda a, b: _close(a["value"], b["value"], 0.02)),
}


def score_compute(
    records: dict[str, dict[str, Any]], judged: list[dict[str, Any]]
) -> tuple[dict[str, Score], list[tuple[str, str, str, Any]]]:
    """Per-field scores of extractor records (by paper id) against judged papers, and the misses."""
    scores = {name: Score() for name in COMPUTE_FIELDS}
    misses: list[tuple[str, str, str, Any]] = []
    for paper in judged:
        record = records.get(paper["id"], {})
        for name, (fields, same) in COMPUTE_FIELDS.items():
            gold = _distinct(
                [g for g in paper.get(name) or [] if all(g.get(f) is not None for f in fields[:1])], fields
            )
            found = _distinct(list(record.get(name) or []), fields)
            for kind, item in match(found, gold, same, scores[name]):
                misses.append((paper["id"], name, kind, item))
    return scores, misses


# ---- claims --------------------------------------------------------------------------------------

# Metrics the judges and the extractor may name differently but that mean the same measurement.
METRIC_FAMILIES = {
    "top-1 accuracy": "accuracy",
    "top-5 accuracy": "accuracy",
    "exact match": "accuracy",
    "success rate": "accuracy",
    "pass@1": "accuracy",
    "memory reduction": "reduction",
    "cost reduction": "reduction",
    "size reduction": "reduction",
    "compression ratio": "reduction",
    "latency": "speed",
    "speedup": "speed",
    "throughput": "speed",
    "rouge": "overlap",
    "bleu": "overlap",
}


def metric_family(metric: str | None) -> str:
    metric = (metric or "").lower()
    return METRIC_FAMILIES.get(metric, metric)


def benchmark_key(name: str | None) -> str | None:
    if not name:
        return None
    table = benchmark_table()
    return key(table.get(key(name), name))


def same_claim(found: dict[str, Any], gold: dict[str, Any]) -> bool:
    if not _close(found.get("value"), gold.get("value"), 0.005):
        return False
    if metric_family(found.get("metric")) != metric_family(gold.get("metric")):
        return False
    a, b = benchmark_key(found.get("benchmark")), benchmark_key(gold.get("benchmark"))
    if a is None or b is None:
        return a is b
    return a == b or a in b or b in a


def score_claims(
    found: dict[str, list[dict[str, Any]]], judged: list[dict[str, Any]]
) -> tuple[Score, list[tuple[str, str, Any]]]:
    score = Score()
    misses: list[tuple[str, str, Any]] = []
    for paper in judged:
        for kind, item in match(found.get(paper["id"], []), paper.get("claims") or [], same_claim, score):
            misses.append((paper["id"], kind, item))
    return score, misses


# Epoch's notes quote the papers they describe; the quotes that talk about compute make a second,
# unseen kind of full text: short, dense and written by many different labs.
_EPOCH_FILES = (
    "notable_ai_models_2026-02.csv",
    "epoch_all_ml_systems_full_view.csv",
    "large_scale_ai_models_2026-02.csv",
    "frontier_ai_models_2025-12.csv",
)
_NOTES = (
    "Parameters notes", "Training compute notes", "Training time notes", "Dataset size notes",
    "Compute cost notes", "Training dataset notes", "Utilization notes",
)  # fmt: skip
_QUOTE = re.compile(r'["“]([^"”]{40,1200})["”]')
_COMPUTE_CUE = re.compile(r"(?i)gpu|tpu|hours|days|weeks|param|flop|tokens|v100|a100|h100|p100|chips")


def scirex_texts(shared_data: Path) -> dict[str, str]:
    """The SciREX full texts by document id, as `analysis.fulltext.scirex_text` renders them."""
    from analysis.fulltext import scirex_text

    folder = shared_data / "fulltext" / "scirex"
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: the judged full texts are SciREX papers from ../shared/data")
    return {path.stem: scirex_text(path) for path in sorted(folder.glob("*.json"))}


def epoch_quote_id(model: str) -> str:
    return "epoch-" + hashlib.sha1(model.encode()).hexdigest()[:10]


def epoch_quote_texts(shared_data: Path) -> dict[str, str]:
    """Per Epoch model, the passages its notes quote that mention compute, one per line."""
    notes: dict[str, dict[str, str]] = {}
    for name in _EPOCH_FILES:
        with (shared_data / "epoch" / name).open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                model = row.get("Model") or row.get("System")
                if not model:
                    continue
                kept = notes.setdefault(model, {})
                for column in _NOTES:
                    if row.get(column):
                        kept.setdefault(column, row[column])
    texts: dict[str, str] = {}
    for model, columns in notes.items():
        quotes: list[str] = []
        for value in columns.values():
            for quote in _QUOTE.findall(value):
                quote = " ".join(quote.split())
                if _COMPUTE_CUE.search(quote) and quote not in quotes:
                    quotes.append(quote)
        if quotes:
            texts[epoch_quote_id(model)] = "\n".join(quotes) + "\n"
    return texts


def claim_abstracts(shared_data: Path, ids: set[str]) -> dict[str, str]:
    """The abstracts the claim judges read: arXiv listing papers ("arxiv:<id>") and Epoch model
    rows ("epoch:<Model>"), from `../shared/data`."""
    texts: dict[str, str] = {}
    listing = shared_data / "arxiv" / "listings" / "daily_arxiv_dedup_2025-03_to_2026-07.jsonl.gz"
    with gzip.open(listing, "rt", encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            paper_id = f"arxiv:{item['id']}"
            if paper_id in ids:
                texts[paper_id] = item.get("abstract") or ""
    epoch = shared_data / "epoch" / "notable_ai_models_2026-02.csv"
    with epoch.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            paper_id = f"epoch:{row['Model']}"
            if paper_id in ids:
                texts[paper_id] = row.get("Abstract") or ""
    return texts


def evaluate_all(shared_data: Path) -> str:
    """`leanwatch extract --evaluate`: per-field scores on every judged set, as printable lines."""
    from analysis.claims import extract_claims
    from analysis.compute import as_record, extract_facts

    lines = []
    scirex, quotes = scirex_texts(shared_data), epoch_quote_texts(shared_data)
    compute_sets = (
        (FULLTEXT_DEV, scirex), (EPOCH_QUOTES_DEV, quotes),
        (FULLTEXT_HOLDOUT, quotes), (FULLTEXT_HOLDOUT_2, quotes),
    )  # fmt: skip
    for path, texts in compute_sets:
        judged = read_judged(path)
        records = {p["id"]: as_record(p["id"], extract_facts(texts[p["id"]])) for p in judged}
        scores, _ = score_compute(records, judged)
        lines.append(f"{path.name}: {len(judged)} texts judged by reading")
        lines.extend("  " + score.line(name) for name, score in scores.items())
    for path in (CLAIMS_DEV, CLAIMS_HOLDOUT, CLAIMS_HOLDOUT_2, CLAIMS_HOLDOUT_3):
        judged = read_judged(path)
        texts = claim_abstracts(shared_data, {p["id"] for p in judged})
        found = {pid: [c.as_dict() for c in extract_claims(text)] for pid, text in texts.items()}
        score, _ = score_claims(found, judged)
        lines.append(f"{path.name}: {len(judged)} abstracts judged by reading")
        lines.append("  " + score.line("claims"))
    return "\n".join(lines)
