"""A store built the way a user builds one, from the shared corpora: arXiv listing papers, a day of
Hugging Face papers, two lab feeds, the model-index leaderboards and Epoch's notable models, then
tagged, extracted and digested by the real commands. The app's tests and its benchmark start here."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bench.listing import paper_row, read_listing
from leanwatch.cli import cli
from leanwatch.settings import Settings
from leanwatch.store import open_writer


def _leanwatch(data_dir: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args])
    if result.exit_code != 0:
        raise RuntimeError(f"leanwatch {' '.join(args)} failed: {result.output}")


def build_corpus_store(settings: Settings, shared: Path, papers: int | None = None) -> int:
    """Fill `settings`' store; return the number of listing papers written (all when `papers` is None)."""
    items = list(read_listing(shared, limit=papers))
    with open_writer(settings, "corpus store") as store:
        rows = [paper_row(item) for item in items]
        store.upsert("papers", rows)
        store.upsert(
            "paper_sources", [{"paper_id": row["paper_id"], "source": "arxiv_listing"} for row in rows]
        )
    data_dir = settings.data_dir
    _leanwatch(
        data_dir,
        "ingest",
        "hf-papers",
        "--from",
        str(shared / "hf_papers/samples/daily_papers_2025-03-03.json"),
    )
    _leanwatch(data_dir, "ingest", "blogs", "--from", str(shared / "blogs/official_2025-07"))
    _leanwatch(data_dir, "ingest", "pwc", "--from", str(shared / "pwc/model_index"))
    _leanwatch(data_dir, "ingest", "epoch", "--from", str(shared / "epoch/notable_ai_models_2026-02.csv"))
    _leanwatch(data_dir, "tag")
    _leanwatch(data_dir, "extract", "--fetch", "0")
    _leanwatch(data_dir, "digest")
    return len(items)
