"""The tagger: labelling functions plus a TF-IDF linear model, combined per label and thresholded.

Training needs no hand labels: the labelling functions (analysis.rules), the curated paper lists
and Hugging Face `ai_keywords` give weak labels on tens of thousands of abstracts; one logistic
regression per label learns from them, so a paper that words a technique differently from the
cue phrases is still found. A small per-label combiner, fitted on the judged development set,
weighs the model against the rules and sets the decision threshold.

Every tag keeps its score, its method (rule, model or both) and its evidence: the cue phrases and
where they were found, and the terms that weighed most in the model's score for that paper.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED

import numpy as np
import sklearn
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from analysis.rules import RuleHit, rule_hits
from analysis.taxonomy import LABEL_INDEX, LABEL_NAMES
from leanwatch.errors import LeanwatchError
from leanwatch.settings import Settings

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the saved layout changes
SHIPPED_MODEL = Path(__file__).with_name("models") / "tagger.skops"
# The rules run only for labels whose model logit passes this gate: on the shared listing corpus
# 5% of (paper, label) cells, and 94% of the strong rule hits (bench/tagger.py).
GATE = -3.0
# Combiner inputs per label: model logit, rule score, cue in title, contribution sentences, mentions.
COMBINER_FEATURES = 5
MIN_DEV_POSITIVES = 8
VOCABULARY_SAMPLE = 40_000  # below this a label keeps the default combination instead of a fitted one


class TaggerError(LeanwatchError):
    """The model file is missing, untrusted or from another version."""


@dataclass(frozen=True)
class Tag:
    label: str
    score: float
    method: str  # rule, model, both
    evidence: tuple[str, ...]


@dataclass
class Tagger:
    vectorizer: TfidfVectorizer
    coef: np.ndarray  # labels x features (float32)
    intercept: np.ndarray  # labels
    combiner: np.ndarray  # labels x (COMBINER_FEATURES + 1): weights then bias
    thresholds: np.ndarray  # labels
    meta: dict[str, Any] = field(default_factory=dict)
    _feature_names: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unversioned"))

    # ---- scoring ----------------------------------------------------------------------------

    def features(self, titles: Sequence[str], abstracts: Sequence[str | None]) -> sparse.csr_matrix:
        return tfidf_rows(self.vectorizer, [paper_text(t, a) for t, a in zip(titles, abstracts, strict=True)])

    def model_logits(self, matrix: sparse.csr_matrix) -> np.ndarray:
        return np.asarray(matrix @ self.coef.T) + self.intercept

    def combine(self, logits: np.ndarray, hits: Sequence[dict[str, RuleHit]]) -> np.ndarray:
        """Probability per paper and label from the model logit and the rule evidence."""
        return combined(combiner_inputs(logits, hits), self.combiner)

    def _score(
        self, titles: Sequence[str], abstracts: Sequence[str | None]
    ) -> tuple[sparse.csr_matrix, np.ndarray, list[dict[str, RuleHit]], np.ndarray]:
        """Features, model logits, rule evidence and combined probabilities of a batch."""
        matrix = self.features(titles, abstracts)
        logits = self.model_logits(matrix)
        hits = gated_hits(titles, abstracts, logits)
        return matrix, logits, hits, self.combine(logits, hits)

    def tag(self, titles: Sequence[str], abstracts: Sequence[str | None]) -> list[list[Tag]]:
        """The tags of each paper, with score, method and evidence."""
        matrix, logits, hits, scores = self._score(titles, abstracts)
        names = self._names()
        result = []
        for row, (paper_scores, paper_hits) in enumerate(zip(scores, hits, strict=True)):
            tags = []
            for index in np.flatnonzero(paper_scores >= self.thresholds):
                label = LABEL_NAMES[index]
                hit = paper_hits.get(label)
                model_says = logits[row, index] > 0
                method = "both" if hit and model_says else ("rule" if hit else "model")
                evidence = (hit.evidence if hit else ()) + _top_terms(matrix, row, self.coef[index], names)
                tags.append(Tag(label, round(float(paper_scores[index]), 4), method, evidence))
            result.append(tags)
        return result

    def scores(self, titles: Sequence[str], abstracts: Sequence[str | None]) -> np.ndarray:
        """Probability per paper and label."""
        return self._score(titles, abstracts)[3]

    def _names(self) -> np.ndarray:
        if self._feature_names is None:  # building the list takes a second: once per loaded model
            self._feature_names = self.vectorizer.get_feature_names_out()
        return self._feature_names


def gated_hits(
    titles: Sequence[str], abstracts: Sequence[str | None], logits: np.ndarray
) -> list[dict[str, RuleHit]]:
    """Rule evidence for the labels the model does not rule out (logit above GATE)."""
    result = []
    for row, (title, abstract) in enumerate(zip(titles, abstracts, strict=True)):
        labels = [LABEL_NAMES[i] for i in np.flatnonzero(logits[row] > GATE)]
        result.append(rule_hits(title, abstract, labels) if labels else {})
    return result


def combined(inputs: np.ndarray, weights: np.ndarray) -> np.ndarray:
    raw = np.einsum("plf,lf->pl", inputs, weights[:, :-1]) + weights[:, -1]
    return 1.0 / (1.0 + np.exp(-raw))


def paper_text(title: str, abstract: str | None) -> str:
    # The title twice: it says what the paper is about more often than any abstract sentence.
    return f"{title} {title} {abstract or ''}"


def combiner_inputs(logits: np.ndarray, hits: Sequence[dict[str, RuleHit]]) -> np.ndarray:
    inputs = np.zeros((len(hits), len(LABEL_NAMES), COMBINER_FEATURES), dtype=np.float64)
    inputs[:, :, 0] = np.clip(logits, -10, 10)
    for row, paper in enumerate(hits):
        for name, hit in paper.items():
            col = LABEL_INDEX[name]
            inputs[row, col, 1:] = (
                hit.score,
                hit.in_title,
                min(hit.in_contribution, 2) / 2,
                min(hit.mentions, 4) / 4,
            )
    return inputs


def default_combiner() -> np.ndarray:
    """Model and rules counted alike: logit/2 + 4 x (rule score - 0.5)."""
    weights = np.zeros((len(LABEL_NAMES), COMBINER_FEATURES + 1))
    weights[:, 0] = 0.5
    weights[:, 1] = 4.0
    weights[:, -1] = -2.0
    return weights


def _top_terms(
    matrix: sparse.csr_matrix, row: int, coef: np.ndarray, names: np.ndarray, n: int = 4
) -> tuple[str, ...]:
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    cols = matrix.indices[start:end]
    weights = matrix.data[start:end] * coef[cols]
    best = np.argsort(weights)[::-1][:n]
    return tuple(f"model: {names[cols[i]]}" for i in best if weights[i] > 0)


# ---- training ------------------------------------------------------------------------------------


def fit_base(
    texts: Sequence[str], weak: np.ndarray, known: np.ndarray, max_features: int = 100_000
) -> tuple[TfidfVectorizer, np.ndarray, np.ndarray]:
    """TF-IDF and one logistic regression per label on the weak labels (`known` marks usable cells)."""
    vectorizer = new_vectorizer(max_features)
    # The vocabulary comes from a sample: counting every word pair of 100,000 abstracts held 2 GB,
    # a 40,000 sample finds the same frequent terms in half that (bench/tagger.py).
    sample = np.random.default_rng(0).permutation(len(texts))[:VOCABULARY_SAMPLE]
    vectorizer.fit([texts[i] for i in sample])
    vectorizer.stop_words_ = None  # every term the limits dropped: large, and never needed again
    matrix = vectorizer.transform(texts)
    coef = np.zeros((len(LABEL_NAMES), matrix.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(LABEL_NAMES), dtype=np.float32)
    for index, label in enumerate(LABEL_NAMES):
        rows = np.flatnonzero(known[:, index])
        target = weak[rows, index]
        if target.sum() < 5 or target.sum() == len(target):
            log.warning(
                "%s: too few weak positives (%d) to train; the rules decide alone", label, target.sum()
            )
            intercept[index] = -10.0
            continue
        model = LogisticRegression(
            C=4.0, class_weight="balanced", max_iter=300, solver="liblinear", random_state=0
        )
        model.fit(matrix[rows], target)
        coef[index] = model.coef_[0]
        intercept[index] = model.intercept_[0]
    return vectorizer, coef, intercept


def fit_combiner(
    logits: np.ndarray, hits: Sequence[dict[str, RuleHit]], gold: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-label weights and F1-best thresholds from judged papers; thin labels keep the default."""
    weights = default_combiner()
    inputs = combiner_inputs(logits, hits)
    for index in range(len(LABEL_NAMES)):
        if gold[:, index].sum() >= MIN_DEV_POSITIVES:
            # Unweighted: on the judged papers (5-fold) this kept F1 and raised precision 0.62 -> 0.71.
            model = LogisticRegression(C=0.3, max_iter=1000, random_state=0)
            model.fit(inputs[:, index, :], gold[:, index])
            weights[index, :-1] = model.coef_[0]
            weights[index, -1] = model.intercept_[0]
    probs = combined(inputs, weights)
    thresholds = np.array([best_threshold(probs[:, i], gold[:, i]) for i in range(len(LABEL_NAMES))])
    return weights, thresholds


def best_threshold(scores: np.ndarray, gold: np.ndarray) -> float:
    """The threshold that maximises F1 (0.5 when a label has no positives to judge by)."""
    if gold.sum() < MIN_DEV_POSITIVES:
        return 0.5
    best, best_f1 = 0.5, -1.0
    # Not below 0.35: the judged set is enriched with candidates, so it understates how many
    # negatives a threshold lets through on the whole corpus.
    for threshold in np.arange(0.35, 0.95, 0.025):
        predicted = scores >= threshold
        tp = float((predicted & (gold == 1)).sum())
        f1 = 2 * tp / (predicted.sum() + gold.sum()) if tp else 0.0
        if f1 > best_f1:
            best, best_f1 = float(threshold), f1
    return best


def version_of(coef: np.ndarray, combiner: np.ndarray, thresholds: np.ndarray) -> str:
    digest = hashlib.sha1(coef.tobytes() + combiner.tobytes() + thresholds.tobytes()).hexdigest()[:10]
    return f"tagger-v{FORMAT}-{digest}"


# ---- saving --------------------------------------------------------------------------------------

# What a model file may contain: plain containers and numpy arrays. The vectorizer is stored as its
# vocabulary and idf weights, not as a scikit-learn object, so loading trusts nothing executable.
_TRUSTED = {"builtins.dict", "builtins.list", "builtins.tuple", "numpy.ndarray", "numpy.dtype"}
_WORD = r"(?u)\b[a-zA-Z][\w-]*\b"
VECTORIZER = {"ngram_range": (1, 2), "sublinear_tf": True, "dtype": np.float32, "token_pattern": _WORD}
_TOKEN = re.compile(_WORD)


def tfidf_rows(vectorizer: TfidfVectorizer, texts: Sequence[str]) -> sparse.csr_matrix:
    """`vectorizer.transform(texts)` for VECTORIZER's settings (lower-cased words and word pairs,
    sublinear tf, idf, l2 rows): the same matrix, 1.3-1.4 times faster: scikit-learn builds and counts
    every word pair in Python, two thirds of tagging time (tests check the two agree)."""
    vocabulary = vectorizer.vocabulary_.get
    indptr, indices, counts = [0], list[int](), list[int]()
    for text in texts:
        words = _TOKEN.findall(text.lower())
        pairs = map(" ".join, pairwise(words))
        found = Counter(map(vocabulary, words))
        found.update(map(vocabulary, pairs))
        found.pop(None, None)
        indices.extend(found)
        counts.extend(found.values())
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.asarray(counts, dtype=np.float32), np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
        shape=(len(texts), len(vectorizer.idf_)),
    )
    matrix.sort_indices()
    np.log(matrix.data, out=matrix.data)
    matrix.data += 1
    matrix.data *= vectorizer.idf_[matrix.indices].astype(np.float32)
    return normalize(matrix, copy=False)


def new_vectorizer(max_features: int) -> TfidfVectorizer:
    return TfidfVectorizer(min_df=3, max_df=0.4, max_features=max_features, **VECTORIZER)


def _vectorizer_state(vectorizer: TfidfVectorizer) -> dict[str, np.ndarray]:
    terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    return {"terms": np.array(terms, dtype=str), "idf": np.asarray(vectorizer.idf_, dtype=np.float64)}


def _vectorizer_from(state: dict[str, Any]) -> TfidfVectorizer:
    terms = [str(t) for t in state["terms"]]
    vocabulary = {t: i for i, t in enumerate(terms)}
    vectorizer = TfidfVectorizer(vocabulary=vocabulary, **VECTORIZER)
    vectorizer.vocabulary_ = vocabulary  # as fitted: tfidf_rows reads it before any transform
    vectorizer.idf_ = np.asarray(state["idf"], dtype=np.float64)
    return vectorizer


def save(tagger: Tagger, path: Path) -> None:
    from skops import io as skops_io

    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "vectorizer": _vectorizer_state(tagger.vectorizer),
        # Half precision: the scores move by under 1e-3 and the file halves (bench/tagger.py).
        "coef": tagger.coef.astype(np.float16),
        "intercept": tagger.intercept,
        "combiner": tagger.combiner,
        "thresholds": tagger.thresholds,
        "meta": json.dumps({**tagger.meta, "format": FORMAT, "sklearn": sklearn.__version__}),
    }
    tmp = path.with_name(path.name + ".tmp")
    skops_io.dump(state, tmp, compression=ZIP_DEFLATED, compresslevel=9)
    tmp.replace(path)


def load(path: Path) -> Tagger:
    from skops import io as skops_io

    if not path.is_file():
        raise TaggerError(f"{path}: no tagger model (run `leanwatch tag --retrain`)")
    try:
        untrusted = set(skops_io.get_untrusted_types(file=path))
        unexpected = sorted(untrusted - _TRUSTED)
        if unexpected:
            raise TaggerError(f"{path}: refuses to load types it does not trust: {unexpected}")
        state = skops_io.load(path, trusted=sorted(untrusted))
        meta = json.loads(state["meta"])
        vectorizer = _vectorizer_from(state["vectorizer"])
    except TaggerError:
        raise
    except Exception as exc:  # a damaged or foreign file: say which and why, never half-load it
        raise TaggerError(f"{path}: not a readable tagger model ({type(exc).__name__}: {exc})") from exc
    if meta.get("format") != FORMAT:
        raise TaggerError(f"{path}: model format {meta.get('format')}, not {FORMAT}: retrain")
    if meta.get("sklearn") != sklearn.__version__:
        trained = meta.get("sklearn")
        log.info("%s: trained with scikit-learn %s, running %s", path, trained, sklearn.__version__)
    return Tagger(
        vectorizer,
        np.asarray(state["coef"], dtype=np.float32),
        np.asarray(state["intercept"], dtype=np.float32),
        np.asarray(state["combiner"], dtype=np.float64),
        np.asarray(state["thresholds"], dtype=np.float64),
        meta,
    )


def labels_matrix(rows: Iterable[Iterable[str]]) -> np.ndarray:
    rows = list(rows)
    matrix = np.zeros((len(rows), len(LABEL_NAMES)), dtype=np.int8)
    for r, labels in enumerate(rows):
        for label in labels:
            matrix[r, LABEL_INDEX[label]] = 1
    return matrix


def model_path(settings: Settings) -> Path:
    """The data dir's retrained model when there is one, else the model shipped with leanwatch."""
    return settings.tagger_model if settings.tagger_model.is_file() else SHIPPED_MODEL
