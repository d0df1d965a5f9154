"""Papers with Code formats: every shared evaluation table, model-index, AxCell, and the archive dumps."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ingest import pwc
from ingest.run import RunCounts
from leanwatch.settings import Settings
from leanwatch.store import open_reader, open_writer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pwc"


def _ingest(settings: Settings, *paths: Path) -> RunCounts:
    with open_writer(settings, "test") as store:
        return pwc.ingest_files(store, paths)


def _query(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with open_reader(settings) as reader:
        return reader.query(sql)


def test_every_leaderboard_file_gives_numeric_results_once(settings: Settings, shared_data: Path) -> None:
    first = _ingest(settings, shared_data / "pwc")
    assert first.errors == 0
    assert first.notes[0] == "read 1 axcell, 12 evaluation_tables, 1 model_index"
    per_file = dict(
        _query(
            settings,
            "SELECT regexp_extract(source_ref, '[^/]+$'), count(value) FROM results "
            "WHERE source = 'pwc' GROUP BY ALL",
        )
    )
    tables = sorted(p.name for p in (shared_data / "pwc/evaluation_tables").glob("*.json"))
    assert sorted(per_file) == tables
    assert all(n > 0 for n in per_file.values()), per_file
    assert per_file["eff.json"] == 1_710 and per_file["squad.json"] == 716
    # A row of the EFF table, joined to its arXiv paper.
    assert _query(
        settings,
        "SELECT paper_id, task, metric, value FROM results WHERE source = 'pwc' AND model_name = 'VQMM'",
    ) == [("arxiv:1410.0001", "Music Autotagging", "Percentage correct", 29.8)]
    parsed = _query(
        settings,
        "SELECT DISTINCT value_text, value, unit, value_spread FROM results "
        "WHERE value_text IN ('0.8428 ± 0.0014', '76.5%', '220k') ORDER BY 1",
    )
    assert parsed == [
        ("0.8428 ± 0.0014", 0.8428, None, 0.0014),
        ("220k", 220_000.0, "k", None),
        ("76.5%", 76.5, "%", None),
    ]
    axcell = _query(
        settings, "SELECT count(*), count(DISTINCT paper_id) FROM results WHERE source = 'axcell'"
    )
    assert axcell == [(5_390, 731)]  # every AxCell paper's gold records, keyed by its arXiv id

    before = _query(settings, "SELECT * EXCLUDE (first_seen) FROM results ORDER BY result_id")
    again = _ingest(settings, shared_data / "pwc")
    assert (again.new, again.updated, again.errors) == (0, 0, 0)
    assert _query(settings, "SELECT * EXCLUDE (first_seen) FROM results ORDER BY result_id") == before


def test_model_index_models_keep_units_and_training_resources(settings: Settings, shared_data: Path) -> None:
    counts = _ingest(settings, shared_data / "pwc/model_index")
    assert counts.notes[0] == "read 1 model_index"  # the 84 metafiles are read through the index, once
    assert _query(settings, "SELECT count(*) FROM models WHERE source = 'model_index'") == [(548,)]
    model = _query(
        settings,
        "SELECT parameters, flops, flops_unit, training_resources, hardware, hardware_quantity, "
        "training_techniques, notes FROM models WHERE name = 'resnet50_8xb32_in1k'",
    )[0]
    techniques = ["SGD with Momentum", "Weight Decay"]  # from its collection
    assert model[:7] == (25_560_000.0, 4_120_000_000.0, "FLOPs", "8x V100 GPUs", "V100", 8.0, techniques)
    assert "multiply-accumulates" in json.loads(model[7])["flops"]
    results = _query(
        settings,
        "SELECT metric, value FROM results WHERE model_name = 'resnet50_8xb32_in1k' ORDER BY metric",
    )
    assert results == [("Top 1 Accuracy", 76.55), ("Top 5 Accuracy", 93.06)]
    linked = _query(
        settings, "SELECT count(*) FROM results WHERE source = 'model_index' AND paper_id LIKE 'arxiv:%'"
    )
    assert linked[0][0] > 700
    simclr = _query(
        settings,
        "SELECT term FROM paper_terms WHERE kind = 'training_technique' AND paper_id = 'arxiv:2002.05709'",
    )
    assert simclr == [("LARS",)]  # SimCLR's collection


def test_archive_dumps_papers_code_and_methods(settings: Settings, tmp_path: Path) -> None:
    # A dump under another name, gzipped, is told by its first item's keys.
    renamed = tmp_path / "dump-2025-07.json.gz"
    with gzip.open(renamed, "wb") as handle:
        handle.write((FIXTURES / "papers-with-abstracts.json").read_bytes())
    shutil.copy(FIXTURES / "links-between-papers-and-code.json", tmp_path)
    shutil.copy(FIXTURES / "methods.json", tmp_path)
    counts = _ingest(settings, tmp_path)
    assert counts.notes[0] == "read 1 code_links, 1 methods, 1 papers"
    assert (counts.fetched, counts.new, counts.skipped, counts.errors) == (7, 7, 3, 0)
    assert _query(
        settings, "SELECT paper_id, first_source, published::DATE::VARCHAR FROM papers ORDER BY 1"
    ) == [
        ("arxiv:1706.03762", "pwc", "2017-06-12"),
        (_query(settings, "SELECT paper_id FROM papers WHERE arxiv_id IS NULL")[0][0], "pwc", "2021-05-04"),
    ]
    assert _query(settings, "SELECT repo_url, official, framework FROM code_links ORDER BY 1") == [
        ("https://github.com/harvardnlp/annotated-transformer", False, "pytorch"),
        ("https://github.com/someone/workshop-code", True, "none"),
        ("https://github.com/tensorflow/tensor2tensor", True, "tf"),
    ]
    assert _query(
        settings, "SELECT method_id, paper_id, introduced_year, collections FROM methods ORDER BY 1"
    ) == [
        ("adam", "arxiv:1412.6980", 2014, ["Stochastic Optimization"]),
        ("lora", "arxiv:2106.09685", 2021, ["Parameter Efficient Fine-tuning"]),
    ]
    assert _query(settings, "SELECT kind, term FROM paper_terms ORDER BY ALL") == [
        ("method", "Label Smoothing"),
        ("method", "Multi-Head Attention"),
        ("task", "Constituency Parsing"),
        ("task", "Machine Translation"),
    ]


def test_a_pwc_paper_never_overwrites_the_arxiv_record(settings: Settings) -> None:
    with open_writer(settings, "test") as store:
        store.upsert(
            "papers", [{"paper_id": "arxiv:1706.03762", "title": "From arXiv", "first_source": "arxiv_rss"}]
        )
    _ingest(settings, FIXTURES / "papers-with-abstracts.json")
    assert _query(settings, "SELECT title, first_source FROM papers WHERE paper_id = 'arxiv:1706.03762'") == [
        ("From arXiv", "arxiv_rss")
    ]


def test_a_broken_file_is_named_and_the_others_load(settings: Settings, tmp_path: Path) -> None:
    broken = tmp_path / "evaluation-tables.json"
    broken.write_text('[{"task": "X", "datasets": [')
    shutil.copy(FIXTURES / "methods.json", tmp_path)
    (tmp_path / "notes.txt").write_text("not a dump")
    counts = _ingest(settings, tmp_path)
    assert counts.errors == 1
    assert any(str(broken) in note and "not a readable JSON array" in note for note in counts.notes)
    assert _query(settings, "SELECT count(*) FROM methods") == [(2,)]


@pytest.mark.parametrize(
    ("text", "chip", "count"),
    [
        ("8x V100 GPUs", "V100", 8.0),
        ("8x A100-80G GPUs", "A100-80G", 8.0),
        ("8x V100 GPUs (b256), 16x A100-80G GPUs (b4096)", "V100", 8.0),
        (None, None, None),
    ],
)
def test_training_resources(text: str | None, chip: str | None, count: float | None) -> None:
    assert pwc.parse_resources(text) == (chip, count)
