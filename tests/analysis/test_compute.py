"""Compute facts: the rules on the statements COMPUTE_FACTS.md names, and on judged real papers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analysis.chips import chip_table, normalise_chip, peak_flops
from analysis.compute import Fact, as_record, extract_facts, read_number
from analysis.estimates import cost_of, epoch_ratio, estimate
from analysis.fulltext import html_to_text
from analysis.judged import (
    EPOCH_QUOTES_DEV,
    FULLTEXT_DEV,
    FULLTEXT_HOLDOUT,
    epoch_quote_texts,
    read_judged,
    scirex_texts,
    score_compute,
)


def _facts(text: str, kind: str) -> list[Fact]:
    return [f for f in extract_facts(text) if f.kind == kind]


@pytest.mark.parametrize(
    ("text", "chip", "count"),
    [
        ("We train on 8 NVIDIA P100 GPUs for three days.", "P100", 8),
        ("Training takes about 12 hours on a single Titan X.", "Titan X", 1),
        ("We used a TPU v3-32 slice.", "TPU v3", 32),
        ("Our experiments ran on 4 K80s.", "K80", 4),
        ("We trained it on 64 A100-80GB GPUs.", "A100", 64),
        ("The model was trained on four 1080Ti GPUs .", "GTX 1080 Ti", 4),
        ("using 5 , 000 first - generation TPUs to generate self - play games", "TPU v1", 5000),
        ("Our reference model was trained for eight days on a single NVIDIA Tesla K40c .", "K40", 1),
        ("We train our models on an 8 - GPU implementation .", "GPU", 8),
        ("It takes 16 days on a cluster of 192 NVIDIA Tesla-V100 GPUs.", "V100", 192),
        ("We trained on 32 nodes with 8 H100 GPUs each.", "H100", 256),
        ("We train using 64 nodes with 8xA100-80GB GPUs.", "A100", 512),
        ("Training used two 8-GPU servers for 3 days.", "GPU", 16),
        ("For pre-training, we used ten 24-GB NVIDIA A5000 GPUs.", "A5000", 10),
        ("about 270 total hours of training on a v3-512 Cloud TPU device.", "TPU v3", 512),
        ("The models are trained using 16 NVIDIA TESLA V100 32GB GPUs.", "V100", 16),
        ("We train the model on 128 NVIDIA 80G-A100 GPUs for 10k steps.", "A100", 128),
        ("PaLI-17B is pretrained using 1,024 GCP-TPUv4 chips for 7 days", "TPU v4", 1024),
        ("We trained on 512 Ascend 910 chips.", "Ascend 910", 512),
        ("trained across 8 nodes with 8 A100 80GBs GPUs for each nodes.", "A100", 64),
        ("It is trained for 6 days on a Cloud TPU v3 Pod, which has 2048 cores.", "TPU v3", 2048),
        ("trained on 2048 TPU v3 cores for 6 weeks or a total of 235.5 TPU v3 core-years.", "TPU v3", 2048),
        ("We pretrained two models on a 480 GPUs (TeslaV100-32GB) cluster for three weeks", "V100", 480),
        ("Training is performed on a 16x16 TPU v3 slice for 1M steps.", "TPU v3", 256),
        ("we train on an 8x16x32 configuration of TPUv4, totaling 4096 chips", "TPU v4", 4096),
        ("The learner processes use two 3rd generation TPUs for 15 hours.", "TPU v3", 2),
        ("with an effective batch size of 64 on 4 nodes of 8 80GB A100 GPUs for 6 days.", "A100", 32),
        ("training on 8 DGX - 1 nodes with 8 Nvidia V100 GPUs each for 100 epochs", "V100", 64),
        ("Using a single 16-A100(40G) machine, our largest model requires less than 6 days.", "A100", 16),
        ("We train on a TPUv3 Pod (2,048 TPU cores) for 3 days.", "TPU v3", 2048),
        ("Each agent was trained using 32 third-generation tensor processing units (TPUs)", "TPU v3", 32),
        ("we train each of our agents for 8 GPU-weeks on a cluster", None, None),
    ],
)
def test_hardware_and_count(text: str, chip: str | None, count: int | None) -> None:
    expected = [(chip, count)] if chip else []  # chip-weeks are chip-hours, not chips
    assert [(f.chip, f.count) for f in _facts(text, "hardware")] == expected


@pytest.mark.parametrize(
    ("text", "hours", "scope"),
    [
        ("We train on 8 NVIDIA P100 GPUs for 3.5 days.", 84.0, "train"),
        ("Training takes about 12 hours on one GPU.", 12.0, "train"),
        ("The model converged after about 1 week of training.", 168.0, "train"),
        ("Each epoch takes 20 minutes on 4 GPUs.", 20 / 60, "epoch"),
        ("Our detector takes only 30 ms per image on a Titan X.", 30 / 3_600_000, "inference"),
        # time spent on a named dataset, not the dataset's size; a dataset named "Daily Mail"
        ("Training Fast R-CNN with FPN takes about 10 hours on the COCO dataset .", 10.0, "train"),
        ("Training takes 12 hours per epoch for Daily Mail .", 12.0, "epoch"),
        ("with a training time per epoch of 423.6 seconds .", 423.6 / 3600, "epoch"),
    ],
)
def test_durations_in_hours_with_scope(text: str, hours: float, scope: str) -> None:
    found = _facts(text, "duration")
    assert len(found) == 1
    assert found[0].value == pytest.approx(hours)
    assert found[0].scope == scope


def test_durations_about_data_are_not_compute() -> None:
    assert _facts("We use the 262 hours of SWB - 1 training data to train our models .", "duration") == []
    assert _facts("Two weeks ’ samples are used for training .", "duration") == []
    assert _facts("We train on 100 hours speech dataset .", "duration") == []


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("Our model has 213M parameters.", [213e6]),
        ("We train a network with 1.5 billion parameters.", [1.5e9]),
        ("We release a 7B model trained with our method.", [7e9]),
        ("our SRCNN is a relatively small network ( 8 , 032 parameters ) .", [8032]),
        ("the G and D of our model have 50.4 M and 34.6 M parameters respectively", [34.6e6, 50.4e6]),
        ("two sizes, 300M (MAGNET-small) and 1.5B (MAGNET-large) parameters", [300e6, 1.5e9]),
        ("The total parameters of Graphormer is 182M.", [182e6]),
        ("four models of different sizes, ranging from 500M up to 2.5B parameters", [500e6, 2.5e9]),
    ],
)
def test_parameter_counts(text: str, values: list[float]) -> None:
    assert sorted(f.value or 0.0 for f in _facts(text, "parameters")) == pytest.approx(sorted(values))


def test_flops_macs_tokens_and_chip_hours() -> None:
    facts = extract_facts(
        "Our model needs 2.3 x 10^19 FLOPs to train and 4.1 GFLOPs per image. "
        "The backbone costs 600M MACs. We trained it on 2T tokens, which took 672 GPU-hours."
    )
    flops = sorted((f.value, f.unit, f.scope) for f in facts if f.kind == "flops")
    assert flops == [
        (pytest.approx(6e8), "MAC", "per_inference"),
        (pytest.approx(4.1e9), "FLOP", "per_inference"),
        (pytest.approx(2.3e19), "FLOP", "training"),
    ]
    assert [f.value for f in facts if f.kind == "tokens"] == [2e12]
    assert [(f.value, f.unit) for f in facts if f.kind == "chip_hours"] == [(672.0, "gpu-hours")]


def test_flops_rates_are_not_flop_counts() -> None:
    assert _facts("The V100 has a peak of 125 TFLOPS per second for our training.", "flops") == []


def test_other_peoples_numbers_are_left_out() -> None:
    related = "section : Related Work\nAlphaGo Zero was trained on 64 GPUs for 40 days [ reference ] .\n"
    assert extract_facts(related) == []
    cited = "FlowNet2 has 160 M parameters [ reference ] ."
    assert extract_facts(cited) == []
    thanks = "We thank NVIDIA for donating a Titan X GPU ."
    assert extract_facts(thanks) == []


def test_evidence_offsets_point_at_the_words() -> None:
    text = "Intro.\nWe train on 8 NVIDIA P100 GPUs for 3.5 days.\n"
    for fact in extract_facts(text):
        assert text[fact.start : fact.end] == fact.what
        assert fact.what in fact.evidence


def test_record_has_the_batch_interface_fields() -> None:
    record: dict[str, Any] = as_record(
        "1706.03762", extract_facts("We trained the big model on 8 P100 GPUs for 3.5 days.")
    )
    assert set(record) >= {"id", "hardware", "durations", "chip_hours", "parameters", "flops", "tokens"}
    assert record["hardware"] == [
        {"chip": "P100", "count": 8, "evidence": "8 P100 GPUs", "sentence": record["hardware"][0]["sentence"],
         "start": 28, "end": 39}
    ]  # fmt: skip
    assert record["durations"][0]["hours"] == 84.0


@pytest.mark.parametrize("words", ["", "no numbers here", "GPU GPU GPU", "1 , , 2", "x" * 10_000])
def test_odd_texts_give_no_error(words: str) -> None:
    extract_facts(words)


def test_read_number_handles_tokenised_and_worded_numbers() -> None:
    assert read_number("1 , 024") == 1024
    assert read_number("3 . 5") == 3.5
    assert read_number("a single") == 1
    assert read_number("several") is None


# ---- chips, estimates and cost -----------------------------------------------------------------


def test_chip_names_normalise() -> None:
    assert normalise_chip("NVIDIA Tesla V100") == "V100"
    assert normalise_chip("TPUv3") == "TPU v3"
    assert normalise_chip("GeForce GTX TITAN X") == "Titan X"
    assert normalise_chip("RTX-2080Ti") == "RTX 2080 Ti"
    assert normalise_chip("GTX 560 Ti") == "GTX 560 Ti"
    assert normalise_chip("banana") is None


def test_chip_table_has_epoch_specs_and_prices() -> None:
    table = chip_table()
    assert table["V100"].peak_flops["tensor16"] == 1.25e14
    assert table["A100"].price_per_hour is not None and "Epoch AI hardware prices" in (
        table["A100"].price_source or ""
    )
    assert peak_flops("K80") is not None and peak_flops("GPU") is None


def test_estimate_prefers_reported_then_6nd_then_chip_hours() -> None:
    reported = extract_facts("Training our model took 3.1 x 10^23 FLOPs on 1024 A100 GPUs for 30 days.")
    assert estimate(reported, True, 0.3, 0.4).method == "reported"
    six_nd = extract_facts("Our 7B model was trained on 2T tokens.")
    ours = estimate(six_nd, True, 0.3, 0.4)
    assert ours.method == "6ND" and ours.training_flop == pytest.approx(6 * 7e9 * 2e12)
    assert ours.flop_low == pytest.approx((ours.training_flop or 0.0) / 2)
    hours = extract_facts("We train on 8 V100 GPUs for 3 days.")
    ours = estimate(hours, False, 0.3, 0.4)
    assert ours.method == "chip_hours"
    assert ours.chip_hours == pytest.approx(8 * 72)
    assert ours.training_flop == pytest.approx(8 * 72 * 3600 * 1.25e14 * 0.4)
    assert ours.cost_usd == pytest.approx(8 * 72 * (chip_table()["V100"].price_per_hour or 0.0))
    assert estimate(extract_facts("No numbers."), False, 0.3, 0.4).method == "none"


def test_cost_and_epoch_agreement() -> None:
    assert cost_of("GPU", 100) == (None, None)
    cost, source = cost_of("A100", 10)
    assert cost == pytest.approx(10 * (chip_table()["A100"].price_per_hour or 0.0)) and source
    assert epoch_ratio(2e24, 1e24) == 2.0
    assert epoch_ratio(None, 1e24) is None


# ---- full texts ---------------------------------------------------------------------------------


def test_html_to_text_keeps_prose_and_drops_markup() -> None:
    html = (
        "<html><head><script>alert(1)</script><style>p{}</style></head><body><article>"
        "<h2>4 Experiments</h2><p>We train on <b>8 V100</b> GPUs for 3 days.</p>"
        "<math><mi>x</mi></math><nav>menu</nav><section class='ltx_bibliography'><p>[1] Old work 64 GPUs</p>"
        "</section></article></body></html>"
    )
    text = html_to_text(html)
    assert "alert" not in text and "menu" not in text and "Old work" not in text
    assert "section : 4 Experiments" in text
    assert [(f.chip, f.count) for f in _facts(text, "hardware")] == [("V100", 8)]


# ---- judged real papers -------------------------------------------------------------------------


def test_judged_full_texts_score_at_least_what_was_measured(shared_data: Path) -> None:
    """A regression guard on the development sets (figures in analysis/devset/compute/README.md)."""
    scirex = read_judged(FULLTEXT_DEV)
    texts = scirex_texts(shared_data)
    records = {p["id"]: as_record(p["id"], extract_facts(texts[p["id"]])) for p in scirex}
    scores, _ = score_compute(records, scirex)
    assert scores["hardware"].f1 >= 0.84
    assert scores["durations"].f1 >= 0.70
    assert scores["parameters"].f1 >= 0.75
    quotes = epoch_quote_texts(shared_data)
    judged = read_judged(EPOCH_QUOTES_DEV) + read_judged(FULLTEXT_HOLDOUT)
    assert all(paper["id"] in quotes for paper in judged)  # the judged texts rebuild from ../shared
    dev = read_judged(EPOCH_QUOTES_DEV)
    scores, _ = score_compute({p["id"]: as_record(p["id"], extract_facts(quotes[p["id"]])) for p in dev}, dev)
    assert min(score.f1 for score in scores.values()) >= 0.88


def test_pathological_texts_are_read_in_bounded_time() -> None:
    """Flattened tables and runs of digits once made the list patterns backtrack for minutes; each of
    these now returns (a regression would hang this test)."""
    numbers = " , ".join(str(i) for i in range(3000))
    assert {f.value for f in extract_facts(numbers + " parameters")} >= {2999.0}
    assert extract_facts(numbers) == []
    assert extract_facts("1 " * 20_000 + "days") == []
    assert extract_facts("x" * 1_000_000) == []
    assert [f.value for f in extract_facts("takes 23 ms and most of it is I/O")] == [
        pytest.approx(23 / 3_600_000)
    ]


def test_hardware_named_again_is_one_fact() -> None:
    text = (
        "We trained our models on one machine with 8 NVIDIA P100 GPUs. Each P100 GPU holds 16 GB. "
        "The big model trained for 3.5 days on eight GPUs."
    )
    assert [(f.chip, f.count) for f in extract_facts(text) if f.kind == "hardware"] == [("P100", 8)]
    # a TPU does not stand in for an unnamed GPU
    other = extract_facts("We train on a TPU v3 pod and evaluate on a GPU.")
    assert {f.chip for f in other if f.kind == "hardware"} == {"TPU v3", "GPU"}


def _chips(text: str) -> list[tuple[str | None, float | None]]:
    return [(f.chip, f.count) for f in extract_facts(text) if f.kind == "hardware"]


def test_counts_in_thousands_and_generation_first_tpus() -> None:
    assert _chips("Our peak compute was approximately 2.5K H100s and 2.5K A100s.") == [
        ("H100", 2500.0),
        ("A100", 2500.0),
    ]
    assert _chips("We trained it on approximately 512 v4 TPU chips for 37 hours.") == [("TPU v4", 512.0)]
    assert normalise_chip("v3 TPUs") == "TPU v3"


def test_a_list_number_is_not_the_start_of_a_decimal_count() -> None:
    assert _chips("10. 96 K80 GPU’s * 9 days * 8.5 TFLOPS") == [("K80", 96.0)]
    assert read_number("3 . 5") == 3.5  # tokenised full texts space both sides of a decimal point


def test_chips_epoch_lists_in_their_own_rows() -> None:
    assert _chips("We use a cluster of NVIDIA A10G GPUs.") == [("A10G", None)]
    assert _chips("It was trained on 4 NVIDIA Quadro RTX4000 GPUs for 40 days.") == [("Quadro RTX 4000", 4.0)]
    assert peak_flops("A10G", ("fp32",)) != peak_flops("A10", ("fp32",))
