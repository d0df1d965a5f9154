"""The shared arXiv listing corpus as papers-table rows, for store tests and benchmarks."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from leanwatch.records import PaperRow, parse_arxiv_id

LISTING = "arxiv/listings/daily_arxiv_dedup_2025-03_to_2026-07.jsonl.gz"


def read_listing(shared_data: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    with gzip.open(shared_data / LISTING, "rt", encoding="utf-8") as handle:
        for count, line in enumerate(handle):
            if limit is not None and count >= limit:
                return
            yield json.loads(line)


def paper_row(item: dict[str, Any], paper_id: str | None = None) -> PaperRow:
    arxiv = parse_arxiv_id(item["id"])
    categories = item.get("categories") or []
    seen = dt.datetime(2026, 1, 1)
    return {
        "paper_id": paper_id or arxiv.paper_id,
        "arxiv_id": arxiv.id,
        "arxiv_version": arxiv.version,
        "title": item["title"],
        "abstract": item["abstract"],
        "authors": item["authors"],
        "categories": categories,
        "primary_category": categories[0] if categories else None,
        "announced": dt.date.fromisoformat(item["listing_date"]),
        "comment": item.get("comment"),
        "first_source": "listing",
        "first_seen": seen,
        "last_seen": seen,
    }
