"""Extraction speed: abstracts/s and full texts/s, in one process and with the worker pool.

Targets (issue 7): at least 2,000 abstracts/s and 20 full texts/s on the 2-core dev machine.
Abstracts are the shared arXiv listing corpus; full texts are the 306 SciREX papers. "Read" means
everything `leanwatch extract` computes per paper: compute facts, claims, the training-compute
estimate and cost, and the transparency checklist (the store's own writing is not included).

    python -m bench.extraction                 # 50,000 abstracts, all 306 full texts x 3
    python -m bench.extraction --abstracts 200000
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Iterator
from pathlib import Path

from analysis.extraction import BATCH, PaperInput, Utilization, read_batches
from analysis.fulltext import scirex_text
from bench.listing import read_listing


def _abstract_batches(papers: list[PaperInput], total: int) -> Iterator[list[PaperInput]]:
    for start in range(0, total, BATCH):
        yield [papers[(start + i) % len(papers)] for i in range(min(BATCH, total - start))]


def _rate(label: str, batches: Iterator[list[PaperInput]], workers: int) -> None:
    started = time.perf_counter()
    papers = facts = claims = 0
    for outputs in read_batches(batches, Utilization(), workers):
        papers += len(outputs)
        facts += sum(len(o.facts) for o in outputs)
        claims += sum(len(o.claims) for o in outputs)
    seconds = time.perf_counter() - started
    print(
        f"{label}, {workers or os.cpu_count()} worker(s): {papers:,} in {seconds:.1f} s = "
        f"{papers / seconds:,.0f}/s ({facts:,} facts, {claims:,} claims)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--abstracts", type=int, default=50_000)
    parser.add_argument("--fulltext-repeat", type=int, default=3)
    args = parser.parse_args()
    papers = [
        PaperInput(item["id"], item["title"], item["abstract"])
        for item in read_listing(args.shared, limit=None)
    ]
    print(f"corpus: {len(papers):,} real abstracts; {os.cpu_count()} CPUs")
    for workers in (1, 0):
        _rate("abstracts", _abstract_batches(papers, args.abstracts), workers)
    docs = sorted((args.shared / "fulltext" / "scirex").glob("*.json"))
    texts = [PaperInput(d.stem, "", "", full_text=scirex_text(d)) for d in docs]
    chars = sum(len(t.full_text or "") for t in texts)
    print(f"full texts: {len(texts)} SciREX papers, {chars / len(texts):,.0f} characters on average")
    for workers in (1, 0):
        repeated = texts * args.fulltext_repeat
        _rate("full texts", (repeated[i : i + 50] for i in range(0, len(repeated), 50)), workers)


if __name__ == "__main__":
    main()
