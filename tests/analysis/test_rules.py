"""Labelling functions: where a cue sits decides how much it counts, and what it names."""

from __future__ import annotations

from pathlib import Path

from analysis import taxonomy
from analysis.rules import rule_hits

REPO = Path(__file__).resolve().parents[2]


def test_title_and_contribution_count_more_than_a_passing_mention() -> None:
    central = rule_hits(
        "Low-Bit Quantization of Large Language Models",
        "We propose a quantization method for 4-bit weights. Quantization keeps accuracy.",
    )["quantization"]
    passing = rule_hits(
        "A Retrieval Benchmark for Chemistry",
        "Unlike quantization methods, our focus is retrieval quality across tasks.",
    )["quantization"]
    assert central.in_title and central.in_contribution == 1 and central.score > 0.9
    assert not passing.in_title and passing.in_contribution == 0 and passing.score < 0.3
    assert "title: quantization" in central.evidence and "abstract: 4-bit" in central.evidence


def test_phrases_that_name_another_label_are_not_counted() -> None:
    hits = rule_hits("UTPTrack: Unified Token Pruning for Visual Tracking", "We propose token pruning.")
    assert "pruning" not in hits  # removing tokens is token_reduction
    assert hits["token_reduction"].in_title
    data = rule_hits("Dataset Distillation at Scale", "We condense the training set.")
    assert "distillation" not in data and "data_efficiency" in data


def test_bare_words_mean_the_look_alike_the_text_names() -> None:
    # A word before the cue's own names the look-alike too, and the paper's bare "pruning" is it.
    tokens = rule_hits(
        "FlowPrune: Faster Vision-Language Models",
        "We study visual token pruning. Our pruning keeps 10% of tokens, and pruning is training-free.",
    )
    assert "pruning" not in tokens and "token_reduction" in tokens
    weights = rule_hits("Pruning LLMs in One Shot", "We prune 50% of the weights with no retraining.")
    assert weights["pruning"].in_title
    codec = rule_hits("Point Cloud Compression at Low Bit-Rates", "A codec for ultra-low bitrate streaming.")
    assert "quantization" not in codec
    low_bit = rule_hits("Low-bit LLMs", "We study low-bit inference and low bit-width weights.")
    assert low_bit["quantization"].in_title and low_bit["quantization"].mentions == 2


def test_title_only_cues_and_restricted_labels() -> None:
    hits = rule_hits("CMED: A Child Micro-Expression Dataset", "Videos of children, annotated.")
    assert hits["benchmark"].in_title
    assert "benchmark" not in rule_hits("X", "This dataset of videos is described.")  # title-only cue
    only = rule_hits("Quantization and pruning", "", labels=["pruning"])
    assert set(only) == {"pruning"}


def test_every_label_has_a_definition_and_cues_that_compile() -> None:
    assert len(taxonomy.LABELS) == 20 and len(taxonomy.TECHNIQUES) == 14
    for label in taxonomy.LABELS:
        assert label.definition and label.elsewhere and label.cues
    assert all(rule_hits(label.name.replace("_", " "), "") is not None for label in taxonomy.LABELS)


def test_the_docs_page_is_generated_from_the_taxonomy() -> None:
    assert (REPO / "docs" / "taxonomy.md").read_text() == taxonomy.markdown()


def test_cues_for_the_thin_labels() -> None:
    assert rule_hits("Next Forcing", "Our objective gives 2.3x faster training convergence.")[
        "efficient_training"
    ]
    assert rule_hits("Test-Time Backdoor Detection for Object Detection Models", "")["robustness"].in_title
    assert rule_hits("UAVLight: Illumination-Robust 3D Reconstruction", "")["robustness"].in_title
    adapters = rule_hits(
        "X", "We train adapters on a frozen encoder, updating only a small subset of parameters."
    )
    assert adapters["peft"].mentions == 2
    assert rule_hits("Cross-attention for RWKV-7", "")["efficient_attention"].in_title


def test_scaling_laws_count_only_about_compute() -> None:
    assert "efficient_training" not in rule_hits(
        "Capacity Scaling Laws for Drift-Diffusion Noise Channels", ""
    )
    assert rule_hits("IsoFLOP Scaling Laws for Multimodal Pretraining", "")["efficient_training"].in_title
    assert rule_hits("X", "We fit scaling laws under a fixed compute budget.")["efficient_training"]


def test_cues_for_wordings_the_second_judged_batch_showed() -> None:
    assert rule_hits("ECHO-LLaMA: Efficient Caching", "We share KV caching across layers.")["kv_cache"]
    assert rule_hits("X", "It uses progressive key value caching during decoding.")["kv_cache"]
    assert rule_hits("LoopServe: An Inference Acceleration System", "")["efficient_serving"].in_title
    assert rule_hits("X", "A single round cuts the token overhead of debate.")["token_reduction"]
    assert rule_hits("X", "We evaluate harmfulness understanding of memes.")["safety"]
    assert rule_hits("Revising RVL-CDIP", "We quantify test-train overlap.")["contamination"]
    assert rule_hits("X", "The detector generalizes to unseen regions.")["robustness"]
    assert "kv_cache" not in rule_hits("X", "We cache the retrieved documents.")


def test_efficient_training_by_name_but_not_parameter_or_data_efficient() -> None:
    assert rule_hits("MindVL: Efficient and Effective Training of MLLMs", "")["efficient_training"].in_title
    assert rule_hits("Efficient LLM Pretraining with Metadata", "")["efficient_training"].in_title
    for title in (
        "Parameter-efficient training of LLMs",
        "Data-efficient training",
        "Efficient Training-Free VLMs",
    ):
        assert "efficient_training" not in rule_hits(title, ""), title
    assert rule_hits("Scaling data parallelism", "")["efficient_training"].in_title
