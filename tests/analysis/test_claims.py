"""Claims: result sentences read into benchmark, metric, value; judged real abstracts."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.benchmarks import benchmark_table, key
from analysis.claims import extract_claims, find_benchmarks
from analysis.judged import CLAIMS_DEV, claim_abstracts, evaluate_all, read_judged, score_claims


def _triples(text: str) -> list[tuple[str | None, str, float, str | None]]:
    return [(c.benchmark, c.metric, c.value, c.unit) for c in extract_claims(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Our network achieves 76.1% top-1 accuracy on ImageNet.",
            [("ImageNet", "top-1 accuracy", 76.1, "%")],
        ),
        (
            "The method gives 2.3x faster decoding with no loss on MMLU.",
            [("MMLU", "speedup", 2.3, "x")],
        ),
        ("At 4 bits our quantized model retains 99% of the accuracy.", [(None, "accuracy", 99.0, "%")]),
        (
            "It raises verb accuracy on SVO-Probes from 77.6% to 82.4%.",
            [("SVO-Probes", "accuracy", 82.4, "%")],
        ),
        ("The model improves BLEU by 1.2 points on WMT14 En-De.", [("WMT14 En-De", "bleu", 1.2, "points")]),
        ("With gains of up to 2 BLEU on one of the tested languages.", [(None, "bleu", 2.0, None)]),
    ],
)
def test_claims_from_result_sentences(
    text: str, expected: list[tuple[str | None, str, float, str | None]]
) -> None:
    assert _triples(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "For 300×300 input, the images are resized first.",
        "We collect 10,000 examples in 12 languages from 2024.",
        "Our 7B model uses 5% of the original pre-training compute.",
        "The benchmark spans 135$^{\\circ}$ camera baselines.",
    ],
)
def test_counts_sizes_and_compute_are_not_claims(text: str) -> None:
    assert extract_claims(text) == []


def test_claims_name_the_system_they_are_for() -> None:
    assert [c.model for c in extract_claims("Empirically, DiffDock obtains a 38% top-1 success rate.")] == [
        "DiffDock"
    ]
    assert [c.model for c in extract_claims("Our model reaches 45.2% accuracy on GSM8K.")] == [None]


def test_claim_offsets_and_comparison() -> None:
    text = "Results. Our model reaches 45.2% accuracy on GSM8K, 3.1 points higher than GPT-4o."
    claims = extract_claims(text)
    assert claims[0].value == 45.2 and text[claims[0].start : claims[0].end].startswith("45.2")
    assert claims[1].comparison == "GPT-4o"


def test_benchmarks_normalise_from_the_leaderboard_list() -> None:
    table = benchmark_table()
    assert table[key("ImageNet-1k")] == "ImageNet"
    assert table[key("CIFAR10")] == "CIFAR-10"
    names = [
        name for _, _, name in find_benchmarks("We evaluate on MS COCO, GSM-8K and a new 3DMem-Bench suite.")
    ]
    assert names[:2] == ["COCO", "GSM8K"]


def test_judged_abstracts_score_at_least_what_was_measured(shared_data: Path) -> None:
    """A regression guard on the development set (figures in analysis/devset/compute/README.md)."""
    judged = read_judged(CLAIMS_DEV)
    texts = claim_abstracts(shared_data, {p["id"] for p in judged})
    assert len(texts) == len(judged)
    found = {pid: [c.as_dict() for c in extract_claims(text)] for pid, text in texts.items()}
    score, _ = score_claims(found, judged)
    assert score.f1 >= 0.6


def test_unattributed_results_take_the_benchmark_named_before_them() -> None:
    text = (
        "We evaluate on GSM8K and MATH. On MATH, our model reaches 61.2% accuracy. "
        "It also improves over IPO by 3.6%. Decoding is 2.1x faster."
    )
    claims = {c.value: c for c in extract_claims(text)}
    assert claims[61.2].benchmark == "MATH"
    assert claims[3.6].benchmark == "MATH"  # carried from the sentence before
    assert claims[3.6].metric == "accuracy"  # the measure the text named last
    assert claims[2.1].metric == "speedup" and claims[2.1].benchmark is None  # about the method


def test_a_gain_with_no_measure_named_anywhere_stays_a_gain() -> None:
    [claim] = extract_claims("Our method improves the baseline by 4.2%.")
    assert claim.metric == "improvement"


def test_new_mixed_case_benchmarks_after_on() -> None:
    [claim] = extract_claims("Notably, on InterHuman, HINT achieves an FID of 3.100.")
    assert (claim.benchmark, claim.metric, claim.value) == ("InterHuman", "fid", 3.1)
    # a site or a model after "on" is not a benchmark
    assert [name for _, _, name in find_benchmarks("We release it on GitHub and fine-tune on LLaMA.")] == []


def test_ranges_give_their_upper_end() -> None:
    claims = extract_claims(
        r"It achieves a 62.9$\times$--287.2$\times$ speedup and improves PSNR by 1.5-2 dB."
    )
    assert [(c.value, c.unit) for c in claims] == [(287.2, "x"), (2.0, "db")]


def test_a_baselines_score_in_parentheses_is_not_a_claim() -> None:
    text = "It surpasses DPO variants by +3.6% over IPO (43.1%) and +5.0% over SLiC (41.7%)."
    assert [c.value for c in extract_claims(text)] == [3.6, 5.0]
    own = extract_claims("Our model reaches 71.2% accuracy (45.0% before tuning).")
    assert own[0].value == 71.2  # no baseline named before the parenthesis
    assert [c.value for c in extract_claims("Our method reaches the best accuracy (85.2%) on GSM8K.")] == [
        85.2
    ]


def test_latex_thin_spaces_keep_units() -> None:
    text = r"Our model achieves 79.64\% top-1 at 5.81\,MB."
    assert [c.value for c in extract_claims(text)] == [79.64]


def test_benchmark_names_by_their_form_and_not_training_data() -> None:
    text = (
        "We introduce AgentCIBench, an evaluation harness. Our PRM trained on Math-Shepherd "
        "reaches 67.9% F1, and DiffDock obtains a 38% success rate on PDBBind."
    )
    assert [name for _, _, name in find_benchmarks(text)] == ["AgentCIBench", "PDBBind"]
    claims = extract_claims(text)
    assert [(c.value, c.benchmark) for c in claims] == [(67.9, "AgentCIBench"), (38.0, "PDBBind")]


def test_compound_adjectives_are_not_benchmarks() -> None:
    text = "Evaluated on AI-driven workflows, our agent improves the success rate by 14% on SWE-Gym."
    assert [name for _, _, name in find_benchmarks(text)] == ["SWE-Gym"]


def test_multi_word_benchmark_names() -> None:
    [claim] = extract_claims("Our best variant achieves up to 28.7% on Humanity's Last\nExam benchmark.")
    assert (claim.benchmark, claim.metric, claim.value) == ("Humanity's Last Exam", "accuracy", 28.7)
    assert [n for _, _, n in find_benchmarks("Our New benchmark. The LLMs. The dataset")] == []


def test_respectively_pairs_numbers_with_benchmarks() -> None:
    text = (
        "It outperforms the previous leading MLLMs by 2.0% and 9.7% on MIG-Bench and MC-Bench, respectively."
    )
    assert [(c.value, c.benchmark) for c in extract_claims(text)] == [(2.0, "MIG-Bench"), (9.7, "MC-Bench")]


def test_a_setting_is_not_a_result() -> None:
    text = "At a token pruning ratio of 85%, ERASE retains 89.46% of the original model accuracy."
    assert [c.value for c in extract_claims(text)] == [89.46]


def test_an_error_in_units_of_distance_is_a_score_not_a_rate() -> None:
    text = (
        "The approach achieved a mean translation error of 4.13 mm and a mean rotation error of "
        "7.93 degrees, "
        "and reduces ImageNet-C mean corruption error from 45.7 to 28.3."
    )
    assert [(c.value, c.metric) for c in extract_claims(text)] == [
        (4.13, "score"),
        (7.93, "score"),
        (28.3, "error rate"),
    ]


def test_a_score_in_parentheses_after_an_outperformed_system_is_the_baselines() -> None:
    text = "Random Forest achieved a test accuracy of 100%, outperforming Boosting\n(97%) and Stacking (92%)."
    assert [c.value for c in extract_claims(text)] == [100.0]


def test_hyphenated_bench_names_and_pass_rates() -> None:
    text = "We build AMS-IO-Bench. On this benchmark, our agent achieves over 70% DRC+LVS pass rate."
    assert [n for _, _, n in find_benchmarks(text)] == ["AMS-IO-Bench"]
    assert _triples(text) == [("AMS-IO-Bench", "success rate", 70.0, "%")]


def test_the_evaluation_scores_every_judged_file(shared_data: Path) -> None:
    report = evaluate_all(shared_data)
    for name, size in (
        ("claims_dev", 320),
        ("claims_holdout", 120),
        ("claims_holdout2", 100),
        ("claims_holdout3", 100),
    ):
        assert f"{name}.jsonl: {size} abstracts judged by reading" in report
    assert report.count("claims       P") == 4
