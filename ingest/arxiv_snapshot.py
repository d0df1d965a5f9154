"""The arXiv metadata snapshot (JSON lines, plain or .gz), parsed in worker processes.

The writer process only decompresses and cuts the file into blocks of whole lines; workers parse
and prepare each block. This module and its imports are all a worker loads (no DuckDB, HTTP or
XML libraries).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Iterator
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from pathlib import Path
from typing import Any

import orjson
from isal import igzip

from ingest.arxiv_rows import bad_reason, paper_row, rfc2822_utc
from ingest.batches import BadRecord, BatchSpec, Harvested, PreparedBatch, prepare
from leanwatch.errors import InputFormatError
from leanwatch.records import parse_arxiv_id


def open_text(path: Path) -> io.BufferedIOBase:
    """The file's bytes, decompressed when it is .gz."""
    return igzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


def snapshot_records(path: Path) -> Iterator[Harvested | BadRecord]:
    """Stream the arXiv metadata snapshot (plain or .gz), one record per line."""
    with open_text(path) as handle:
        yield from snapshot_lines(handle, str(path), first_line=1)


def snapshot_lines(lines: Iterable[bytes], where: str, first_line: int) -> Iterator[Harvested | BadRecord]:
    for number, line in enumerate(lines, start=first_line):
        if not line.strip():
            continue
        try:
            yield snapshot_record(orjson.loads(line))
        except (orjson.JSONDecodeError, KeyError, IndexError, TypeError, ValueError, InputFormatError) as exc:
            yield BadRecord(f"{where}:{number}", bad_reason(exc))


def snapshot_record(obj: dict[str, Any]) -> Harvested:
    raw_id = obj["id"]
    versions = obj.get("versions") or []
    latest = versions[-1]["version"] if versions else None
    arxiv = parse_arxiv_id(raw_id + latest if latest else raw_id)
    parsed = obj.get("authors_parsed")
    if parsed:  # [keyname, forenames, suffix]: "forenames keyname suffix"; paper_row trims the gaps
        authors = [" ".join(p[1:2] + p[0:1] + p[2:]) for p in parsed]
    else:
        authors = (obj.get("authors") or "").replace(" and ", ", ").split(", ")
    published = rfc2822_utc(versions[0]["created"]) if versions else None
    updated = rfc2822_utc(versions[-1]["created"]) if len(versions) > 1 else published
    row = paper_row(
        arxiv,
        obj.get("title"),
        obj.get("abstract"),
        authors,
        (obj.get("categories") or "").split(),
        published=published,
        updated=updated,
        comment=obj.get("comments"),
        doi=obj.get("doi"),
        journal_ref=obj.get("journal-ref"),
    )
    return Harvested(row, f"{arxiv.id}{latest or ''}")


BLOCK_BYTES = 4 * 2**20


def line_blocks(path: Path, size: int | None = None) -> Iterator[tuple[int, bytes]]:
    """The file in blocks of whole lines (~`size` bytes each, default BLOCK_BYTES), each with its
    first line's number.

    Workers split the lines, so this process only decompresses and counts newlines.
    """
    with open_text(path) as handle:
        first, rest = 1, b""
        while True:
            data = handle.read(size or BLOCK_BYTES)
            if not data:
                if rest:
                    yield first, rest
                return
            data = rest + data
            cut = data.rfind(b"\n") + 1
            if cut == 0:  # one line longer than a block: keep reading
                rest = data
                continue
            block, rest = data[:cut], data[cut:]
            yield first, block
            first += block.count(b"\n")


def prepare_snapshot_block(where: str, first_line: int, block: bytes, spec: BatchSpec) -> PreparedBatch:
    """Worker: parse and prepare one block of snapshot lines."""
    return prepare(snapshot_lines(block.splitlines(), where, first_line), spec)


class _NoPandas(MetaPathFinder):
    def find_spec(self, name: str, path: object, target: object = None) -> ModuleSpec | None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("pandas is not loaded in parsing workers", name=name)
        return None


def worker_start() -> None:
    """Parsing-worker initializer (snapshot blocks and saved pages). pyarrow imports pandas (60 MB,
    0.7 s) on its first conversion from Python lists only to ask whether they are pandas objects.
    These never are, so the import fails fast in workers, which pyarrow takes as "no pandas"."""
    sys.meta_path.insert(0, _NoPandas())
