"""Efficiency frontiers: the Pareto rule, smaller-beats-bigger events, the export on real data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from analysis.frontier import Point, lower_is_better, pareto, smaller_beats_bigger
from leanwatch.cli import cli
from leanwatch.settings import Settings


def _p(model: str, value: float, size: float) -> Point:
    return Point(model, value, size, None, "test", None)


def test_pareto_keeps_only_models_no_smaller_one_matches() -> None:
    found = [_p("a", 70, 1e6), _p("b", 69, 2e6), _p("c", 75, 3e6), _p("d", 75, 4e6), _p("e", 80, 9e6)]
    assert [p.model for p in pareto(found)] == ["a", "c", "e"]
    errors = [_p("a", 30, 1e6), _p("b", 20, 2e6), _p("c", 25, 3e6)]
    assert lower_is_better("Top-1 Error") and [p.model for p in pareto(errors, lower=True)] == ["a", "b"]


def test_smaller_beats_bigger_names_the_largest_model_matched() -> None:
    found = [_p("tiny", 76, 1e6), _p("mid", 74, 3e6), _p("big", 76, 10e6), _p("huge", 80, 50e6)]
    events = smaller_beats_bigger(found)
    assert [(e.small.model, e.big.model, e.ratio) for e in events] == [("tiny", "big", 10.0)]
    assert smaller_beats_bigger(found, min_ratio=20) == []


def test_frontier_export_on_the_model_index(settings: Settings, shared_data: Path, tmp_path: Path) -> None:
    base = ["--data-dir", str(settings.data_dir)]
    ingest = CliRunner().invoke(
        cli, [*base, "ingest", "pwc", "--from", str(shared_data / "pwc" / "model_index")]
    )
    assert ingest.exit_code == 0, ingest.output
    out = tmp_path / "frontier.csv"
    args = [
        *base,
        "export",
        "frontier",
        "--dataset",
        "ImageNet-1k",
        "--metric",
        "Top 1 Accuracy",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert len(frame) > 300
    resnet = frame[frame.model == "resnet50_8xb32_in1k"].iloc[0]
    assert (resnet["size"], resnet.value) == (25_560_000, 76.55)
    frontier = frame[frame.on_frontier].sort_values("size")
    assert frontier.value.is_monotonic_increasing and frontier.value.is_unique
    events = frame.dropna(subset=["matches_larger"])
    assert (events.size_ratio >= 2).all() and len(events) > 0
    missing = CliRunner().invoke(
        cli, [*base, "export", "frontier", "--dataset", "Nope", "--metric", "x", "--out", str(out)]
    )
    assert missing.exit_code == 2 and "ImageNet-1k / Top 1 Accuracy" in missing.output


def test_digest_reports_frontier_events_of_the_week(settings: Settings) -> None:
    import datetime as dt

    from analysis.digest import frontier_events
    from leanwatch.store import open_reader, open_writer

    with open_writer(settings, "test") as store:
        store.upsert(
            "papers",
            [
                {
                    "paper_id": "arxiv:2603.00042",
                    "arxiv_id": "2603.00042",
                    "title": "Tiny",
                    "announced": dt.date(2026, 3, 10),
                }
            ],
        )
        store.upsert(
            "models",
            [{"model_id": "m:tiny", "name": "tiny", "parameters": 5e6, "source": "model_index"},
             {"model_id": "m:big", "name": "big", "parameters": 60e6, "source": "model_index"}],
        )  # fmt: skip
        store.upsert(
            "results",
            [{"result_id": "r1", "model_name": "tiny", "dataset": "ImageNet-1k", "metric": "Top 1 Accuracy",
              "task": "Image Classification", "value": 80.1, "paper_id": "arxiv:2603.00042",
              "source": "model_index"},
             {"result_id": "r2", "model_name": "big", "dataset": "ImageNet-1k", "metric": "Top 1 Accuracy",
              "task": "Image Classification", "value": 79.9, "source": "model_index"}],
        )  # fmt: skip
    with open_reader(settings) as reader:
        week = frontier_events(reader, dt.date(2026, 3, 9), dt.date(2026, 3, 15))
        other = frontier_events(reader, dt.date(2026, 3, 16), dt.date(2026, 3, 22))
    assert week == [
        "ImageNet-1k Top 1 Accuracy: tiny (5e+06 parameters) scores 80.1 against big's 79.9 "
        "at 12.0x the size (arxiv:2603.00042; model_index)"
    ]
    assert other == []
