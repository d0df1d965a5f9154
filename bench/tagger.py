"""Tagger speed and memory: tagging throughput, training time on 100,000 abstracts, peak memory.

Targets (issue 6): at least 5,000 abstracts/s tagging on the 2-core dev machine (1,000,000 in
under 4 minutes), training on 100,000 abstracts in under 5 minutes, peak memory under 2 GB.

    python -m bench.tagger                 # tag 200,000 abstracts, train on 100,000
    python -m bench.tagger --tag 1000000   # the full million
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from analysis import tagger as tg
from analysis import tagging, training
from bench.listing import read_listing


def _peak_mib() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def _batches(papers: list[tuple[str, str]], total: int) -> Iterator[tagging.Batch]:
    """`total` abstracts, the corpus repeated, in the batches the store path uses."""
    for start in range(0, total, tagging.BATCH):
        rows = [papers[(start + i) % len(papers)] for i in range(min(tagging.BATCH, total - start))]
        yield [str(start + i) for i in range(len(rows))], [t for t, _ in rows], [a for _, a in rows]


def bench_tagging(shared: Path, total: int, workers: int) -> None:
    model = tg.load(tg.SHIPPED_MODEL)
    papers = [(str(p["title"]), str(p["abstract"])) for p in read_listing(shared)]
    started = time.perf_counter()
    tagged = labels = 0
    for ids, tags in tagging.tag_batches(model, _batches(papers, total), workers):
        tagged += len(ids)
        labels += sum(len(t) for t in tags)
    seconds = time.perf_counter() - started
    own, children = _peak_mib()
    rate = tagged / seconds
    print(
        f"tagging: {tagged:,} abstracts in {seconds:.1f} s = {rate:,.0f}/s with {workers} workers "
        f"({labels / tagged:.2f} tags per paper); 1,000,000 would take {1e6 / rate / 60:.1f} min"
    )
    print(f"tagging peak RSS: parent {own:,.0f} MiB, largest worker {children:,.0f} MiB")


def bench_training(shared: Path, total: int) -> None:
    docs = training.load_corpus(shared)
    docs = [docs[i % len(docs)] for i in range(total)]
    started = time.perf_counter()
    weak, known = training.weak_labels(docs, training.curated_labels(shared))
    labelled = time.perf_counter()
    texts = [tg.paper_text(d.title, d.abstract) for d in docs]
    vectorizer, _, _ = tg.fit_base(texts, weak, known)
    fitted = time.perf_counter()
    print(
        f"training on {total:,} abstracts: {fitted - started:.1f} s "
        f"(weak labels {labelled - started:.1f} s, TF-IDF + 20 classifiers {fitted - labelled:.1f} s); "
        f"{len(vectorizer.vocabulary_):,} features, {int(np.count_nonzero(weak)):,} weak positives"
    )
    print(f"training peak RSS: {_peak_mib()[0]:,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--tag", type=int, default=200_000, help="abstracts to tag")
    parser.add_argument("--train", type=int, default=100_000, help="abstracts to train on (0: skip)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    print(f"cpus {os.cpu_count()}")
    if args.tag:
        bench_tagging(args.shared, args.tag, args.workers)
    if args.train:
        bench_training(args.shared, args.train)


if __name__ == "__main__":
    main()
