"""Parse speed of arXiv API (Atom) pages and OAI-PMH responses, in entries per second.

    python -m bench.arxiv_pages

Parses real recorded pages from ../shared/data/arxiv repeatedly for a few seconds each: the
100-entry API page, and an OAI-PMH ListRecords page of 1,000 records (arXiv's page size) assembled
from the real records in the OAI files; the tiny one-record files are timed too, to show the fixed
cost per response. Target (issue 3): >= 20,000 entries/s.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from ingest.arxiv_parse import parse_api_page, parse_oai

SHARED = Path(
    os.environ.get("LEANWATCH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def rate(label: str, pages: list[bytes], parse: object, seconds: float = 3.0) -> float:
    entries = rounds = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for page in pages:
            entries += len(parse(page).records)  # type: ignore[operator]
        rounds += 1
    per_second = entries / (time.perf_counter() - started)
    print(f"{label:<34} {entries:>9,} entries in {rounds:,} rounds  {per_second:>10,.0f} entries/s")
    return per_second


def oai_page(files: list[bytes], size: int) -> bytes:
    """A ListRecords response of `size` records, cycling through the real records of `files`."""
    records = [r for content in files for r in re.findall(rb"<record>.*?</record>", content, re.S)]
    body = b"".join(records[i % len(records)] for i in range(size))
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        b"<ListRecords>" + body + b"</ListRecords></OAI-PMH>"
    )


def main() -> None:
    api = SHARED / "arxiv/api/recorded_2026"
    api_pages = [
        json.loads(path.read_text())["body"].encode() for path in sorted(api.glob("q_testing_s0_m100_*.json"))
    ]
    oai_files = [path.read_bytes() for path in sorted((SHARED / "arxiv/oai").glob("*.xml"))]
    api_rate = rate("API Atom page (100 entries)", api_pages, lambda b: parse_api_page(b, "bench"))
    oai_rate = rate(
        "OAI-PMH ListRecords (1,000 records)", [oai_page(oai_files, 1000)], lambda b: parse_oai(b, "b")
    )
    rate("OAI-PMH files as recorded (1-12 each)", oai_files, lambda b: parse_oai(b, "bench"))
    verdict = "met" if min(api_rate, oai_rate) >= 20_000 else "MISSED"
    print(f"target >= 20,000 entries/s: {verdict}")


if __name__ == "__main__":
    main()
