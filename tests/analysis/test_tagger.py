"""The tagger: the batch interface, tagging the store incrementally, model files, retraining."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from analysis import tagger as tg
from analysis import training
from analysis.taxonomy import LABEL_NAMES
from bench.listing import paper_row
from leanwatch.cli import cli
from leanwatch.settings import Settings
from leanwatch.store import open_reader, open_writer

QUANT = {
    "id": "q1",
    "title": "Low-Bit Post-Training Quantization for Large Language Models",
    "abstract": "We propose a post-training quantization method that compresses LLM weights to 3 bits "
    "and activations to 8 bits. Our quantization keeps accuracy within 1% of FP16 on LLaMA models.",
}
OTHER = {
    "id": "o1",
    "title": "A Study of Bird Migration Routes",
    "abstract": "We track birds across continents with GPS tags and describe their seasonal routes.",
}


class Payload:
    """An arbitrary object: a model file that holds one must not be loaded."""


@pytest.fixture(scope="module")
def model() -> tg.Tagger:
    return tg.load(tg.SHIPPED_MODEL)


def test_features_are_exactly_scikit_learns_tfidf(model: tg.Tagger, shared_data: Path) -> None:
    judged = training.load_devset(shared_data)[:300]
    texts = [tg.paper_text(j.doc.title, j.doc.abstract) for j in judged]
    texts += [
        "",
        "!!! 123",
        "Quantization QUANTIZATION quantization-aware low-bit low-bit",
        QUANT["abstract"],
    ]
    ours, reference = tg.tfidf_rows(model.vectorizer, texts), model.vectorizer.transform(texts)
    assert ours.shape == reference.shape and ours.dtype == reference.dtype
    assert (ours != reference).nnz == 0 and ours.nnz > 10_000


def _invoke(settings: Settings, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), *args], env={})


def test_batch_interface_keeps_order_and_shape(settings: Settings, tmp_path: Path, model: tg.Tagger) -> None:
    source = tmp_path / "in.jsonl"
    papers = (QUANT, OTHER, {**QUANT, "id": "q2"}, {"id": 7, "title": None})
    source.write_text("\n".join(json.dumps(p) for p in papers) + "\n")
    out = tmp_path / "out.jsonl"
    result = _invoke(settings, "-s", "tag_workers=2", "tag", "--from-jsonl", str(source), "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["q1", "o1", "q2", "7"]
    assert lines[3]["labels"] == []  # nothing to go on, still answered
    assert lines[0]["labels"] == ["quantization"] and lines[1]["labels"] == []
    assert all(list(line["scores"]) == list(LABEL_NAMES) for line in lines)  # every label's score
    assert all(0 <= v <= 1 for line in lines for v in line["scores"].values())
    assert lines[0]["scores"]["quantization"] > 0.9 > lines[1]["scores"]["quantization"]
    stored = model.tag([QUANT["title"]], [QUANT["abstract"]])[0]
    assert [t.label for t in stored] == lines[0]["labels"]  # the same labels the store gets
    assert lines[0] == {**lines[2], "id": "q1"}  # same text, same answer, in a worker or not
    assert not settings.db.exists()  # no store needed


def test_bad_jsonl_names_the_line(settings: Settings, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(QUANT) + "\n{not json\n")
    result = _invoke(settings, "tag", "--from-jsonl", str(source), "--out", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 1
    assert f"{source}:2: not JSON" in result.stderr
    assert not (tmp_path / "o.jsonl").exists()
    source.write_text(json.dumps(QUANT) + "\n" + json.dumps({"id": "x", "title": 1}) + "\n")
    result = _invoke(settings, "tag", "--from-jsonl", str(source), "--out", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 1
    assert f"{source}:2: title is int, not text" in result.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_store_tagging_is_incremental_and_keeps_evidence(
    settings: Settings, listing_papers: list[dict[str, Any]], model: tg.Tagger
) -> None:
    with open_writer(settings, "test") as store:
        store.upsert("papers", [paper_row(p) for p in listing_papers[:300]])
    first = _invoke(settings, "-s", "tag_workers=1", "tag")
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith(f"tag: 300 papers tagged by {model.version}")
    with open_reader(settings) as reader:
        tags = reader.query("SELECT label, score, method, evidence, model_version FROM tags")
        marks = reader.query("SELECT count(*), sum(labels) FROM tagged_papers")
    assert tags and marks == [(300, len(tags))]
    assert all(method in ("rule", "model", "both") and evidence for _, _, method, evidence, _ in tags)
    assert all(score >= 0.2 and version == model.version for _, score, _, _, version in tags)
    assert any(e.startswith("model: ") for *_, evidence, _ in tags for e in evidence)

    again = _invoke(settings, "tag")
    assert again.stdout.startswith("tag: nothing to tag")
    with open_writer(settings, "test") as store:
        store.upsert("papers", [paper_row(listing_papers[300])])
    assert _invoke(settings, "tag").stdout.startswith("tag: 1 papers tagged")


def test_model_files_are_checked_before_loading(tmp_path: Path, model: tg.Tagger) -> None:
    copy = tmp_path / "tagger.skops"
    tg.save(model, copy)
    loaded = tg.load(copy)
    assert loaded.version == model.version and np.array_equal(loaded.thresholds, model.thresholds)
    from sklearn.linear_model import LogisticRegression
    from skops import io as skops_io

    foreign = tmp_path / "foreign.skops"
    skops_io.dump({"meta": "{}", "payload": Payload()}, foreign)
    with pytest.raises(tg.TaggerError, match="does not trust.*Payload"):
        tg.load(foreign)
    estimator = tmp_path / "estimator.skops"  # types skops trusts, but not a tagger model
    skops_io.dump({"model": LogisticRegression()}, estimator)
    with pytest.raises(tg.TaggerError, match="not a readable tagger model"):
        tg.load(estimator)
    broken = tmp_path / "broken.skops"
    broken.write_bytes(b"not a zip")
    with pytest.raises(tg.TaggerError, match=f"{broken}: not a readable tagger model"):
        tg.load(broken)


def test_retrain_on_a_small_corpus(shared_data: Path) -> None:
    model = training.train(shared_data, limit=3_000, max_features=20_000)
    assert model.version.startswith("tagger-v1-") and model.meta["corpus_papers"] == 3_000
    assert model.meta["judged_papers"] == len(training.load_devset(shared_data))
    tags = model.tag([QUANT["title"]], [QUANT["abstract"]])[0]
    assert "quantization" in [t.label for t in tags]


def test_evaluate_prints_scores_per_label(settings: Settings, shared_data: Path) -> None:
    result = _invoke(settings, "-s", f"shared_data_dir={shared_data}", "tag", "--evaluate")
    assert result.exit_code == 0, result.output
    assert (
        "dev.jsonl: 700 judged papers" in result.stdout
        and "holdout.jsonl: 160 judged papers" in result.stdout
        and "holdout2.jsonl: 120 judged papers" in result.stdout
        and "holdout3.jsonl: 200 judged papers" in result.stdout
    )
    micro = [line for line in result.stdout.splitlines() if line.startswith("micro")]
    assert len(micro) == 4 and all(0 < float(line.split()[-1]) <= 1 for line in micro)
