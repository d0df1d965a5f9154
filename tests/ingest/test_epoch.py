"""Epoch AI CSVs: every shared export, arXiv links, and the diff between two real snapshots."""

from __future__ import annotations

import csv
import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from ingest import epoch
from ingest.http import HttpClient
from ingest.run import RunCounts
from leanwatch.cli import cli
from leanwatch.settings import Settings
from leanwatch.store import open_reader, open_writer

OLD = "epoch/notable_ai_models_2025-02-24.csv"
NEW = "epoch/notable_ai_models_2026-02.csv"


def _ingest(settings: Settings, *paths: Path) -> RunCounts:
    with open_writer(settings, "test") as store:
        return epoch.ingest_files(store, paths)


def _query(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with open_reader(settings) as reader:
        return reader.query(sql)


def _names(path: Path) -> set[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {
            " ".join(row["Model"].lower().split()) for row in csv.DictReader(handle) if row["Model"].strip()
        }


def test_snapshot_diff_between_two_real_snapshots(settings: Settings, shared_data: Path) -> None:
    runner = CliRunner()
    base = ["--data-dir", str(settings.data_dir), "ingest", "epoch", "--from"]
    first = runner.invoke(cli, [*base, str(shared_data / OLD)], env={})
    assert first.exit_code == 0, first.output
    assert "snapshot notable_ai_models 2025-02-24 (the first of this list): 895 added" in first.stdout
    second = runner.invoke(cli, [*base, str(shared_data / NEW)], env={})
    assert second.exit_code == 0, second.output
    old_names, new_names = _names(shared_data / OLD), _names(shared_data / NEW)
    added, gone = len(new_names - old_names), len(old_names - new_names)
    assert (added, gone) == (254, 168)
    assert f"(against 2025-02-24): {added} added, 505 revised (" in second.stdout
    assert f"{gone} not in this snapshot (kept)" in second.stdout
    assert "training_compute_flop 79" in second.stdout
    # Epoch revised Flan-PaLM 540B's compute; both values and both dates are kept.
    assert _query(
        settings,
        "SELECT snapshot, old_value, new_value, previous_snapshot FROM model_revisions "
        "WHERE model_id = 'epoch:flan-palm 540b' AND field = 'training_compute_flop'",
    ) == [(date(2026, 2, 1), "2.5e+24", "2.54e+24", date(2025, 2, 24))]
    assert _query(settings, "SELECT count(*) FROM models") == [(895 + added,)]  # nothing dropped

    revisions = _query(settings, "SELECT count(*) FROM model_revisions")
    again = runner.invoke(cli, [*base, str(shared_data / NEW)], env={})
    assert "new 0, updated 0, unchanged 981" in again.stdout and ": 0 added, 0 revised" in again.stdout
    older = runner.invoke(cli, [*base, str(shared_data / OLD)], env={})  # an old snapshot changes nothing
    assert "new 0, updated 0" in older.stdout and "already known from a newer snapshot" in older.stdout
    assert _query(settings, "SELECT count(*) FROM model_revisions") == revisions
    kept = _query(
        settings, "SELECT training_compute_flop FROM models WHERE model_id = 'epoch:flan-palm 540b'"
    )
    assert kept[0][0] == pytest.approx(2.54e24)


def test_every_epoch_export_loads_with_compute_and_arxiv_links(settings: Settings, shared_data: Path) -> None:
    counts = _ingest(settings, shared_data / "epoch")
    # The chip and price tables are not model tables: said by name, the model CSVs load.
    assert counts.errors == 2
    assert sum("no 'Model' column" in note for note in counts.notes) == 2
    rows = _query(
        settings,
        "SELECT listing, count(*) FILTER (training_compute_flop > 0), count(paper_id) "
        "FROM models GROUP BY ALL",
    )
    by_listing = {listing: (compute, linked) for listing, compute, linked in rows}
    assert set(by_listing) >= {"notable_ai_models", "large_scale_ai_models", "all_ai_models"}
    assert all(compute > 0 and linked > 0 for compute, linked in by_listing.values()), by_listing
    minerva = _query(
        settings,
        "SELECT parameters, training_compute_flop, hardware, hardware_quantity, paper_id "
        "FROM models WHERE model_id = 'epoch:minerva (540b)'",
    )
    assert minerva == [(540_350_000_000.0, 2.7415e24, "Google TPU v4", 1024.0, "arxiv:2206.14858")]


@pytest.mark.parametrize(
    ("name", "listing", "day"),
    [
        ("notable_ai_models_2026-02.csv", "notable_ai_models", date(2026, 2, 1)),
        ("notable_ai_models_2025-02-24.csv", "notable_ai_models", date(2025, 2, 24)),
        ("https://epoch.ai/data/large_scale_ai_models.csv", "large_scale_ai_models", None),
    ],
)
def test_snapshot_names(name: str, listing: str, day: date | None) -> None:
    assert epoch.snapshot_of(name) == (listing, day)


def test_live_download_is_conditional(settings: Settings, httpserver: HTTPServer, shared_data: Path) -> None:
    body = (shared_data / NEW).read_bytes()
    httpserver.expect_ordered_request("/data/notable_ai_models.csv").respond_with_data(
        body, headers={"ETag": '"v1"'}, content_type="text/csv"
    )
    httpserver.expect_ordered_request(
        "/data/notable_ai_models.csv", headers={"If-None-Match": '"v1"'}
    ).respond_with_data("", status=304)
    live = dataclasses.replace(settings, epoch_models_url=httpserver.url_for("/data/notable_ai_models.csv"))
    with open_writer(live, "test") as store, HttpClient(live) as client:
        first = epoch.update(store, live, client)
        second = epoch.update(store, live, client)
    assert (first.fetched, first.new) == (981, 981)
    assert second.notes == ["not modified since the last download"]
    httpserver.check_assertions()
