"""Parse speed of arXiv API (Atom) pages and OAI-PMH responses, in entries per second.

    python -m bench.arxiv_pages

Parses real recorded pages from ../shared/data/arxiv repeatedly for a few seconds each: the
100-entry API page, and an OAI-PMH ListRecords page of 1,000 records (arXiv's page size) assembled
from the real records in the OAI files; the tiny one-record files are timed too, to show the fixed
cost per response. Then the same pages as saved files through `leanwatch ingest arxiv --from`'s
loader, which parses a run of page files in worker processes (one per CPU) while it writes the
store: 150 copies of the OAI page and 1,000 of the API pages, each copy's records given new ids so
every one is a new paper, as in a real backfill. Target (issue 3): >= 20,000 entries/s.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
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


def renumbered(page: bytes, id_element: bytes, copy: int) -> bytes:
    """The page with each arXiv id replaced by one unique to this copy and position (< 1,000 each)."""
    numbers = iter(range(1_000))

    def new_id(match: re.Match[bytes]) -> bytes:
        prefix = b"<id>http://arxiv.org/abs/" if b"http" in match.group(0) else b"<id>"
        return prefix + b"%04d.%05dv1</id>" % (8000 + copy // 100, copy % 100 * 1000 + next(numbers))

    return re.sub(id_element, new_id, page)


def file_load_rate(
    oai: bytes, api_pages: list[bytes], oai_copies: int = 150, api_copies: int = 1_000
) -> float:
    """Entries/s of `ingest_files` over saved page files, store writes included, catalog excluded."""
    # Imported here: the parsing workers import this module as their main one and need no store.
    from ingest.arxiv import ingest_files
    from leanwatch.settings import load_settings
    from leanwatch.store import open_writer

    with tempfile.TemporaryDirectory() as tmp:
        pages = Path(tmp) / "pages"
        pages.mkdir()
        for i in range(oai_copies):
            (pages / f"oai-{i:03}.xml").write_bytes(renumbered(oai, rb"<id>[^<]*</id>", api_copies + i))
        for i in range(api_copies):
            page = renumbered(api_pages[i % len(api_pages)], rb"<id>http://arxiv\.org/abs/[^<]*</id>", i)
            (pages / f"api-{i:04}.xml").write_bytes(page)
        settings = load_settings(env={}, flags={"data_dir": str(Path(tmp) / "data")})
        with open_writer(settings, "bench", search_index=False) as store:
            started = time.perf_counter()
            counts = ingest_files(store, settings, [pages], all_categories=True)
            seconds = time.perf_counter() - started
    per_second = counts.fetched / seconds
    print(
        f"{'saved page files, ingest arxiv --from':<34} {counts.fetched:>9,} entries in {seconds:.1f} s"
        f"  {per_second:>10,.0f} entries/s  ({os.cpu_count()} CPUs; {counts.summary()})"
    )
    return per_second


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
    files_rate = file_load_rate(oai_page(oai_files, 1000), api_pages)
    for label, value in (
        ("one process, per page", min(api_rate, oai_rate)),
        ("saved page files", files_rate),
    ):
        print(f"target >= 20,000 entries/s, {label}: {'met' if value >= 20_000 else 'MISSED'}")


if __name__ == "__main__":
    main()
