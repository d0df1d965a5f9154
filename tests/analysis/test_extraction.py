"""`leanwatch extract`: the store run (incremental, idempotent), full-text fetching, the batch interface."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from analysis import extraction
from analysis.fulltext import scirex_text
from bench.listing import paper_row
from leanwatch.cli import cli
from leanwatch.settings import Settings, load_settings
from leanwatch.store import open_reader, open_writer

PAPERS: list[dict[str, Any]] = [
    {
        "id": "2501.00001",
        "title": "Training a Small Language Model Cheaply",
        "abstract": "We train a 7B model on 2T tokens using 256 A100 GPUs for 21 days. It reaches 61.2% "
        "accuracy on MMLU, 3.1 points above the baseline, with standard deviations over 3 seeds. "
        "Code is available at https://github.com/example/small.",
        "authors": ["A. Author"],
        "categories": ["cs.CL"],
        "listing_date": "2025-01-02",
        "comment": None,
    },
    {
        "id": "2501.00002",
        "title": "A Survey of Bird Songs",
        "abstract": "We describe bird songs.",
        "authors": ["B. Author"],
        "categories": ["cs.AI"],
        "listing_date": "2025-01-02",
        "comment": None,
    },
]


def _invoke(settings: Settings, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["--data-dir", str(settings.data_dir), "-s", "fulltext_per_run=0", *args]
    )
    return result.exit_code, result.output


def _store(settings: Settings, papers: list[dict[str, Any]] = PAPERS) -> None:
    with open_writer(settings, "test") as store:
        store.upsert("papers", [paper_row(p) for p in papers])
        store.upsert(
            "models",
            [
                {
                    "model_id": "epoch:Small-7B",
                    "name": "Small-7B",
                    "paper_id": "arxiv:2501.00001",
                    "training_compute_flop": 9.0e22,
                    "parameters": 7e9,
                    "source": "epoch",
                    "snapshot": "2026-02-01",
                }
            ],
        )


def test_extract_reads_the_store_once_per_version(settings: Settings) -> None:
    _store(settings)
    code, out = _invoke(settings, "extract", "--fetch", "0")
    assert code == 0, out
    assert "2 papers read by" in out
    with open_reader(settings) as reader:
        facts = reader.query(
            "SELECT kind, value, chip, chip_count, location, what FROM compute_facts "
            "WHERE paper_id = 'arxiv:2501.00001' ORDER BY kind, location, value"
        )
        estimate = reader.query(
            "SELECT method, training_flop, epoch_flop, epoch_ratio, chip_hours, cost_usd, price_source "
            "FROM compute_estimates WHERE paper_id = 'arxiv:2501.00001'"
        )[0]
        items = dict(
            reader.query("SELECT item, present FROM transparency WHERE paper_id = 'arxiv:2501.00001'")
        )
        claims = reader.query("SELECT benchmark, metric, value, unit FROM claims ORDER BY value")
        marks = reader.query("SELECT paper_id, transparency_score FROM extracted_papers ORDER BY paper_id")
    kinds = {(kind, location) for kind, _, _, _, location, _ in facts}
    assert {
        ("hardware", "abstract"),
        ("duration", "abstract"),
        ("parameters", "abstract"),
        ("tokens", "abstract"),
    } <= kinds
    assert ("parameters", "epoch") in kinds and ("flops", "epoch") in kinds
    assert ("hardware", 256.0, "A100", 256.0, "abstract", "256 A100 GPUs") in facts
    method, flop, epoch_flop, ratio, chip_hours, cost, price_source = estimate
    assert method == "6ND" and flop == 6 * 7e9 * 2e12
    assert epoch_flop == 9.0e22 and abs(ratio - flop / 9.0e22) < 1e-9
    assert chip_hours == 256 * 21 * 24 and cost is not None and "A100" in price_source
    assert items == {
        "code": True,
        "compute": True,
        "parameters": True,
        "data_size": True,
        "variance": True,
        "eval_configs": False,
    }
    assert ("MMLU", "accuracy", 61.2, "%") in claims
    assert [m[0] for m in marks] == ["arxiv:2501.00001", "arxiv:2501.00002"]
    assert marks[0][1] == 5 / 6 and marks[1][1] == 0.0
    code, out = _invoke(settings, "extract", "--fetch", "0")
    assert code == 0 and "nothing to read" in out
    with open_reader(settings) as reader:
        assert reader.query("SELECT count(*) FROM compute_facts WHERE location = 'abstract'")[0][0] == len(
            [f for f in facts if f[4] == "abstract"]
        )


def test_a_new_extractor_version_rereads_and_replaces(settings: Settings, monkeypatch: Any) -> None:
    _store(settings)
    assert _invoke(settings, "extract")[0] == 0
    monkeypatch.setattr(extraction, "EXTRACTOR_VERSION", "compute-test")
    code, out = _invoke(settings, "extract")
    assert code == 0 and "2 papers read by compute-test" in out
    with open_reader(settings) as reader:
        versions = reader.query("SELECT DISTINCT extractor_version FROM compute_facts")
        marks = reader.query("SELECT count(*) FROM extracted_papers")[0][0]
    assert versions == [("compute-test",)] and marks == 2


def test_full_texts_are_fetched_reduced_and_read(settings: Settings, httpserver: HTTPServer) -> None:
    _store(settings)
    httpserver.expect_request("/html/2501.00001").respond_with_data(
        "<html><body><article><h2>Setup</h2><p>We trained for 3 days on 8 V100 GPUs.</p>"
        "<script>steal()</script></article></body></html>",
        content_type="text/html",
    )
    httpserver.expect_request("/html/2501.00002").respond_with_data("not found", status=404)
    local = load_settings(
        env={},
        flags={
            "data_dir": str(settings.data_dir),
            "writer_wait_seconds": "0",
            "request_interval": "0",
            "host_intervals": "",
            "fulltext_url": httpserver.url_for("/html/{id}").replace("%7B", "{").replace("%7D", "}"),
        },
    )
    with open_writer(local, "test") as store:
        from ingest.http import HttpClient

        with HttpClient(local) as client:
            assert extraction.fetch_full_texts(store, client, local.fulltext_url, 10) == 1
        counts = extraction.extract_store(store, extraction.Utilization(), workers=1)
    assert counts.full_texts == 1
    with open_reader(local) as reader:
        texts = dict(reader.query("SELECT paper_id, status FROM full_texts"))
        full = reader.query("SELECT chip, chip_count FROM compute_facts WHERE location = 'full_text'")
        stored = reader.query("SELECT text FROM full_texts WHERE status = 'ok'")[0][0]
    assert texts == {"arxiv:2501.00001": "ok", "arxiv:2501.00002": "missing"}
    assert ("V100", 8.0) in full
    assert "steal" not in stored


def test_offline_fetch_stops_quietly(settings: Settings) -> None:
    _store(settings)
    offline = load_settings(
        env={},
        flags={"data_dir": str(settings.data_dir), "writer_wait_seconds": "0", "request_interval": "0",
               "host_intervals": "", "fulltext_url": "http://127.0.0.1:9/html/{id}"},
    )  # fmt: skip
    with open_writer(offline, "test") as store:
        from ingest.http import HttpClient

        with HttpClient(offline) as client:
            assert extraction.fetch_full_texts(store, client, offline.fulltext_url, 10) == 0


def test_batch_interface_on_real_full_texts(settings: Settings, shared_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    scirex = shared_data / "fulltext" / "scirex"
    docs = sorted(scirex.glob("*.json"))[:3]
    for doc in docs:
        (folder / f"{doc.stem}.txt").write_text(scirex_text(doc), encoding="utf-8")
    single = tmp_path / "one-paper.txt"
    single.write_text("We train our model for 3.5 days on 8 NVIDIA P100 GPUs.", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, output = _invoke(settings, "extract", "--from-text", str(folder), str(single), "--out", str(out))
    assert code == 0, output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == [doc.stem for doc in docs] + ["one-paper"]
    for line in lines:
        assert set(line) >= {"id", "hardware", "durations", "chip_hours", "parameters", "flops", "tokens"}
    last = lines[-1]
    assert [(h["chip"], h["count"]) for h in last["hardware"]] == [("P100", 8)]
    assert [(d["hours"], d["scope"]) for d in last["durations"]] == [(84.0, "train")]


def test_batch_interface_errors_name_the_path(settings: Settings, tmp_path: Path) -> None:
    code, output = _invoke(
        settings, "extract", "--from-text", str(tmp_path / "missing.txt"), "--out", "o.jsonl"
    )
    assert code == 1 and "missing.txt: no such file or directory" in output
    odd = tmp_path / "paper.pdf"
    odd.write_bytes(b"%PDF")
    code, output = _invoke(settings, "extract", "--from-text", str(odd), "--out", str(tmp_path / "o.jsonl"))
    assert code == 1 and "paper.pdf: expected a .txt full text" in output
    code, output = _invoke(settings, "extract", "--from-text", str(tmp_path))
    assert code == 2 and "go together" in output


def test_show_prints_one_papers_findings(settings: Settings) -> None:
    _store(settings)
    assert _invoke(settings, "extract")[0] == 0
    code, out = _invoke(settings, "extract", "--show", "2501.00001")
    assert code == 0, out
    assert "256 x A100" in out and "6ND" in out and "Epoch AI: 9e+22 FLOP for epoch:Small-7B" in out
    assert "transparency: 0.83" in out and "accuracy 61.2% on MMLU" in out
    code, out = _invoke(settings, "extract", "--show", "arxiv:0000.00000")
    assert code == 1 and "no such paper" in out
