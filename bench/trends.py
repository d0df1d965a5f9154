"""Trend queries, the trends and papers exports and a weekly digest on a 1,000,000-paper store.

Targets (issue 8): trend queries under 300 ms, each export under 20 s, a digest under 10 s, with a
million papers. The
store is synthetic in its rows but real in its schema and queries: a million papers spread over
two years, about 40% of them tagged (labels drawn with the shares real tagging gives), and the six
transparency items per paper, all written with SQL inside DuckDB so the bench starts in seconds.

    python -m bench.trends [--papers 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from analysis import digest, trends
from analysis.export import export_papers, export_trends
from analysis.taxonomy import LABEL_NAMES
from analysis.trends import movers, trend_rows
from leanwatch.settings import load_settings
from leanwatch.store import open_reader, open_writer

_ITEMS = ("code", "compute", "parameters", "data_size", "variance", "eval_configs")


def build(data_dir: Path, papers: int) -> None:
    settings = load_settings(env={}, flags={"data_dir": str(data_dir)})
    labels = ", ".join(f"'{name}'" for name in LABEL_NAMES)
    items = ", ".join(f"'{name}'" for name in _ITEMS)
    with open_writer(settings, "bench") as store:
        store.query(
            "INSERT INTO papers (paper_id, title, announced) "
            "SELECT 'arxiv:bench' || i, 'Paper ' || i, DATE '2024-07-01' + CAST(i % 730 AS INTEGER) "
            "FROM range(?) t(i)",
            [papers],
        )
        # About 40% of papers get one label, some a second: label index from a hash of the id.
        store.query(
            f"INSERT INTO tags (paper_id, label, score, method) "  # noqa: S608 - fixed names
            f"SELECT 'arxiv:bench' || i, ([{labels}])[1 + CAST(hash(i) % {len(LABEL_NAMES)} AS INTEGER)], "
            f"0.8, 'rule' "
            f"FROM range(?) t(i) WHERE hash(i * 7) % 10 < 4",
            [papers],
        )
        store.query(
            f"INSERT INTO transparency (paper_id, item, present) "  # noqa: S608 - fixed names
            f"SELECT 'arxiv:bench' || i, item, hash(i, item) % 5 = 0 "
            f"FROM range(?) t(i), unnest([{items}]) u(item)",
            [papers],
        )
        store.query(
            "INSERT INTO extracted_papers (paper_id, extractor_version) SELECT 'arxiv:bench' || i, 'bench' "
            "FROM range(?) t(i)",
            [papers],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        started = time.perf_counter()
        build(data_dir, args.papers)
        print(f"store: {args.papers:,} papers built in {time.perf_counter() - started:.1f} s")
        settings = load_settings(env={}, flags={"data_dir": str(data_dir)})
        with open_reader(settings) as reader:
            tagged = reader.query("SELECT count(*) FROM tags")[0][0]
            print(f"tags: {tagged:,}")
            for name, sql in (("labels", trends._LABEL_TRENDS), ("transparency", trends._ITEM_TRENDS)):
                query = trends._sql(sql, "week")
                started = time.perf_counter()
                reader.query(query, [dt.date(1900, 1, 1), dt.date(9999, 12, 31)])
                print(f"  {name} query alone: {(time.perf_counter() - started) * 1000:.0f} ms")
            for period in ("week", "month"):
                times = []
                for _ in range(3):
                    started = time.perf_counter()
                    rows = trend_rows(reader, period)
                    times.append(time.perf_counter() - started)
                print(f"trend query ({period}): {len(rows):,} rows, best of 3 {min(times) * 1000:.0f} ms")
            rows = trend_rows(reader, "week")
            started = time.perf_counter()
            moved = movers(rows, max(r.period_start for r in rows) - dt.timedelta(weeks=1))
            print(f"movers: {len(moved)} labels tested in {(time.perf_counter() - started) * 1000:.0f} ms")
            started = time.perf_counter()
            made = digest.build(reader, max(r.period_start for r in rows) - dt.timedelta(weeks=1))
            text = digest.to_html(made)
            print(
                f"digest {made.name}: {made.papers:,} papers, {len(text):,} characters of HTML in "
                f"{time.perf_counter() - started:.2f} s"
            )
            out = data_dir / "trends.csv"
            started = time.perf_counter()
            written = export_trends(reader, out, "week")
            print(f"export trends: {written:,} rows in {time.perf_counter() - started:.2f} s")
            started = time.perf_counter()
            written = export_papers(reader, data_dir / "papers.csv")
            print(f"export papers: {written:,} rows in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
