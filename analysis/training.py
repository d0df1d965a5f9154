"""Building the tagger: the training corpus, weak labels, the development set and its evaluation.

The corpus is the shared arXiv listing (74,728 papers) and the Hugging Face daily papers (9,577),
plus any papers in the user's store. Weak labels per label and paper:

- positive when the labelling functions are confident (cue in the title, or in a sentence stating
  the contribution and repeated), or a curated list files the paper under the label, or the
  rules see the label and one of the paper's Hugging Face `ai_keywords` names it too;
- negative when no cue appears at all and no list names it;
- unknown otherwise (a passing mention): left out of that label's training.

The development set (analysis/devset/dev.jsonl) holds arXiv ids judged by reading against the
definitions; texts come from the shared listing corpus, which is never copied into the repository.
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from analysis import tagger as tg
from analysis.rules import names_label, rule_hits
from analysis.taxonomy import LABEL_NAMES
from leanwatch.errors import InputFormatError
from leanwatch.settings import load_settings

log = logging.getLogger(__name__)

DEVSET = Path(__file__).with_name("devset") / "dev.jsonl"
HOLDOUT = DEVSET.with_name("holdout.jsonl")
HOLDOUT_2 = DEVSET.with_name("holdout2.jsonl")
HOLDOUT_3 = DEVSET.with_name("holdout3.jsonl")  # judged 2026-11-23 (afternoon), misses not read
LISTING = "arxiv/listings/daily_arxiv_dedup_2025-03_to_2026-07.jsonl.gz"
HF_DEDUP = "hf_papers/hf_daily_papers_dedup_2024-05_to_2026-08.jsonl.gz"
CURATED = "labels/awesome_lists_arxiv_labels.csv"
# Headings of the curated lists, as parsed into the labels file, mapped to taxonomy labels.
CURATED_LABELS = {
    "quantization": "quantization",
    "pruning": "pruning",
    "distillation": "distillation",
    "peft": "peft",
    "low_rank": "low_rank",
    "moe": "mixture_of_experts",
    "efficient_attention": "efficient_attention",
    "kv_cache_compression": "kv_cache",
    "speculative_decoding": "speculative_decoding",
    "efficient_prompting": "token_reduction",
    "inference_acceleration": "efficient_serving",
    "hardware_systems": "efficient_serving",
    "data_curation": "data_efficiency",
}
CONFIDENT = 0.75  # a rule score at least this is a weak positive


@dataclass(frozen=True)
class Doc:
    id: str  # arXiv id without version
    title: str
    abstract: str
    keywords: tuple[str, ...] = ()


def _jsonl(path: Path) -> Iterator[dict[str, object]]:
    if not path.is_file():
        raise InputFormatError(f"{path}: not found (set LEANWATCH_SHARED_DATA_DIR to the shared data folder)")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def load_corpus(shared_data: Path, extra: Iterable[Doc] = ()) -> list[Doc]:
    """The listing and HF corpora (and `extra` papers), one Doc per arXiv id."""
    docs: dict[str, Doc] = {}
    for item in _jsonl(shared_data / LISTING):
        key = str(item["id"]).split("v")[0]
        docs[key] = Doc(key, str(item["title"]), str(item.get("abstract") or ""))
    for item in _jsonl(shared_data / HF_DEDUP):
        key = str(item["id"])
        keywords = tuple(str(k) for k in item.get("ai_keywords") or [])  # type: ignore[attr-defined]
        known = docs.get(key)
        if known is not None:
            docs[key] = Doc(key, known.title, known.abstract, keywords)
        else:
            docs[key] = Doc(key, str(item["title"]), str(item.get("summary") or ""), keywords)
    for doc in extra:  # the store's papers; their source terms join what the corpus knows
        known = docs.get(doc.id)
        terms = tuple(dict.fromkeys((*known.keywords, *doc.keywords))) if known else doc.keywords
        docs[doc.id] = Doc(doc.id, (known or doc).title, (known or doc).abstract, terms)
    return list(docs.values())


def curated_labels(shared_data: Path) -> dict[str, set[str]]:
    path = shared_data / CURATED
    labels: dict[str, set[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            label = CURATED_LABELS.get(row["label"])
            if label:
                labels.setdefault(row["arxiv_id"].split("v")[0], set()).add(label)
    return labels


def weak_labels(docs: list[Doc], curated: dict[str, set[str]]) -> tuple[np.ndarray, np.ndarray]:
    """(weak, known): weak[i, l] is the weak label, known[i, l] whether it may be trained on."""
    weak = np.zeros((len(docs), len(LABEL_NAMES)), dtype=np.int8)
    known = np.ones((len(docs), len(LABEL_NAMES)), dtype=bool)
    for row, doc in enumerate(docs):
        hits = rule_hits(doc.title, doc.abstract)
        listed = curated.get(doc.id, set())
        keywords = " ; ".join(doc.keywords)
        for col, name in enumerate(LABEL_NAMES):
            hit = hits.get(name)
            keyword_says = bool(keywords) and hit is not None and names_label(name, keywords)
            if name in listed or (hit and (hit.score >= CONFIDENT or (keyword_says and hit.score >= 0.4))):
                weak[row, col] = 1
            elif hit is not None:
                known[row, col] = False
    return weak, known


# ---- the development set --------------------------------------------------------------------


@dataclass(frozen=True)
class Judged:
    doc: Doc
    labels: tuple[str, ...]


def load_devset(shared_data: Path, path: Path = DEVSET) -> list[Judged]:
    """The judged papers with their texts from the shared listing corpus."""
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    wanted = {entry["id"] for entry in entries}
    texts = {}
    for item in _jsonl(shared_data / LISTING):
        if item["id"] in wanted:
            texts[item["id"]] = Doc(str(item["id"]).split("v")[0], str(item["title"]), str(item["abstract"]))
    missing = wanted - set(texts)
    if missing:
        raise InputFormatError(
            f"{path}: {len(missing)} judged ids not in {LISTING}, e.g. {sorted(missing)[:3]}"
        )
    return [Judged(texts[entry["id"]], tuple(entry["labels"])) for entry in entries]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int


def per_label_scores(predicted: np.ndarray, gold: np.ndarray) -> dict[str, Scores]:
    result = {}
    for index, label in enumerate(LABEL_NAMES):
        result[label] = _scores(predicted[:, index], gold[:, index])
    result["micro"] = _scores(predicted.ravel(), gold.ravel())
    with_support = [s for name, s in result.items() if name != "micro" and s.support]
    result["macro"] = Scores(
        float(np.mean([s.precision for s in with_support])),
        float(np.mean([s.recall for s in with_support])),
        float(np.mean([s.f1 for s in with_support])),
        sum(s.support for s in with_support),
    )
    return result


def _scores(predicted: np.ndarray, gold: np.ndarray) -> Scores:
    tp = int(((predicted == 1) & (gold == 1)).sum())
    fp = int(((predicted == 1) & (gold == 0)).sum())
    fn = int(((predicted == 0) & (gold == 1)).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp + fn)


# ---- training and evaluation ------------------------------------------------------------------


def train(
    shared_data: Path, extra: Iterable[Doc] = (), limit: int | None = None, max_features: int = 100_000
) -> tg.Tagger:
    """Weak labels on the corpus, the base model, then the combiner fitted on the development set.

    The judged papers are left out of the base model's corpus, so the combiner sees them fresh.
    """
    started = time.monotonic()
    judged = load_devset(shared_data)
    judged_ids = {j.doc.id for j in judged}
    docs = [doc for doc in load_corpus(shared_data, extra) if doc.id not in judged_ids][:limit]
    log.info("weak labels for %d papers", len(docs))
    weak, known = weak_labels(docs, curated_labels(shared_data))
    log.info("fitting TF-IDF and %d classifiers", len(LABEL_NAMES))
    texts = [tg.paper_text(doc.title, doc.abstract) for doc in docs]
    vectorizer, coef, intercept = tg.fit_base(texts, weak, known, max_features)
    base = tg.Tagger(vectorizer, coef, intercept, tg.default_combiner(), np.full(len(LABEL_NAMES), 0.5))
    titles = [j.doc.title for j in judged]
    abstracts = [j.doc.abstract for j in judged]
    logits = base.model_logits(base.features(titles, abstracts))
    gold = tg.labels_matrix(j.labels for j in judged)
    combiner, thresholds = tg.fit_combiner(logits, tg.gated_hits(titles, abstracts, logits), gold)
    meta = {
        "version": tg.version_of(coef, combiner, thresholds),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus_papers": len(docs),
        "weak_positives": dict(zip(LABEL_NAMES, weak.sum(axis=0).tolist(), strict=True)),
        "judged_papers": len(judged),
        "seconds": round(time.monotonic() - started, 1),
    }
    return tg.Tagger(vectorizer, coef, intercept, combiner, thresholds, meta)


def evaluate(tagger: tg.Tagger, judged: list[Judged]) -> dict[str, Scores]:
    titles = [j.doc.title for j in judged]
    abstracts = [j.doc.abstract for j in judged]
    predicted = (tagger.scores(titles, abstracts) >= tagger.thresholds).astype(np.int8)
    return per_label_scores(predicted, tg.labels_matrix(j.labels for j in judged))


def format_scores(scores: dict[str, Scores], title: str) -> str:
    lines = [title, f"{'label':<22} {'n':>4} {'precision':>9} {'recall':>7} {'F1':>6}"]
    for name, value in scores.items():
        if name == "micro":
            lines.append("-" * 52)
        lines.append(
            f"{name:<22} {value.support:>4} {value.precision:>9.3f} {value.recall:>7.3f} {value.f1:>6.3f}"
        )
    return "\n".join(lines)


def main() -> None:
    """Rebuild the model shipped with leanwatch: `python -m analysis.training [SHARED_DATA] [OUT]`."""
    import sys

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else load_settings().shared_data
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).with_name("models") / "tagger.skops"
    model = train(shared)
    tg.save(model, out)
    print(f"{model.version} saved to {out} ({model.meta['seconds']} s)")


if __name__ == "__main__":
    main()
