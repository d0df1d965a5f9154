"""Benchmark names, so "ImageNet-1k", "imagenet" and "ImageNet" in claims are one benchmark.

The list is built from the leaderboard data (Papers with Code evaluation tables, AxCell records and
the model-index results in `../shared/data/pwc/`) plus the benchmarks current papers report that
those archives predate (MMLU, GSM8K, HumanEval, ...). It ships as `analysis/models/benchmarks.json`
because a user's machine has no `../shared`:

    python -m analysis.benchmarks [SHARED_DATA_DIR]   # rebuilds analysis/models/benchmarks.json
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

BENCHMARKS_FILE = Path(__file__).parent / "models" / "benchmarks.json"

# Benchmarks of the LLM era (and a few classics) under the names papers use, with their variants.
CURATED: dict[str, tuple[str, ...]] = {
    "MMLU": ("MMLU-Pro", "MMLU-Redux", "MMMLU"),
    "GSM8K": ("GSM-8K",),
    "MATH": ("MATH-500", "MATH500"),
    "HumanEval": ("HumanEval+", "Human-Eval"),
    "MBPP": ("MBPP+",),
    "BIG-bench": ("BIG-Bench Hard", "BBH", "BIG-bench Hard"),
    "GLUE": ("SuperGLUE",),
    "HellaSwag": (),
    "ARC": ("ARC-Challenge", "ARC-Easy", "ARC-C", "ARC-E", "ARC-AGI"),
    "WinoGrande": (),
    "TruthfulQA": (),
    "PIQA": (),
    "BoolQ": (),
    "LAMBADA": (),
    "WikiText-2": ("WikiText2", "WikiText"),
    "WikiText-103": ("WikiText103",),
    "Long Range Arena": ("LRA", "long-range arena"),
    "FLEURS": (),
    "OpenWebText": (),
    "C4": (),
    "Penn Treebank": ("PTB",),
    "GPQA": ("GPQA-Diamond", "GPQA Diamond"),
    "AIME": ("AIME 2024", "AIME24", "AIME 2025", "AIME25"),
    "LiveCodeBench": (),
    "SWE-bench": ("SWE-bench Verified", "SWE-Bench Lite"),
    "MT-Bench": ("MTBench",),
    "AlpacaEval": ("AlpacaEval 2.0", "AlpacaEval2"),
    "Arena-Hard": (),
    "IFEval": (),
    "LongBench": ("LongBench v2",),
    "RULER": (),
    "Needle in a Haystack": ("NIAH",),
    "MMMU": ("MMMU-Pro",),
    "MathVista": (),
    "VQAv2": ("VQA v2", "VQA"),
    "TextVQA": (),
    "DocVQA": (),
    "ChartQA": (),
    "GQA": (),
    "MME": (),
    "MMBench": (),
    "POPE": (),
    "SEED-Bench": (),
    "Video-MME": (),
    "ImageNet": (
        "ImageNet-1k",
        "ImageNet-1K",
        "ImageNet1k",
        "ImageNet-21k",
        "ILSVRC",
        "ILSVRC2012",
        "ILSVRC 2012",
    ),
    "CIFAR-10": ("CIFAR10",),
    "CIFAR-100": ("CIFAR100",),
    "MNIST": (),
    "COCO": ("MS COCO", "MS-COCO", "MSCOCO", "COCO 2017"),
    "ADE20K": (),
    "Cityscapes": (),
    "Pascal VOC": ("PASCAL VOC", "VOC 2007", "VOC 2012", "VOC2007", "VOC2012"),
    "KITTI": (),
    "nuScenes": (),
    "Kinetics-400": ("Kinetics",),
    "LibriSpeech": (),
    "SQuAD": ("SQuAD v1.1", "SQuAD 2.0", "SQuAD2.0"),
    "WMT14 En-De": ("WMT14 English-German", "WMT 2014 English-German", "WMT'14 En-De", "WMT 14 En-De"),
    "WMT14 En-Fr": ("WMT14 English-French", "WMT 2014 English-French"),
    "CNN/DailyMail": ("CNN/DM", "CNN / Daily Mail", "CNN-DailyMail"),
    "Atari": ("Atari 100k", "Atari 2600"),
    "DMControl": ("DeepMind Control Suite", "DMC"),
    "MuJoCo": (),
    "D4RL": (),
    "Open LLM Leaderboard": (),
    "HELM": (),
    "BEIR": (),
    "MTEB": (),
    "MS MARCO": ("MSMARCO",),
    "Natural Questions": ("NQ", "NaturalQuestions"),
    "TriviaQA": (),
    "HotpotQA": (),
    "GenEval": (),
    "DPG-Bench": ("DPG Bench",),
    "VBench": (),
    "LIBERO": (),
    "WebArena": (),
    "OSWorld": (),
    "AgentBench": (),
    "ToolBench": (),
    "BFCL": (),
    "Spider": (),
    "BIRD": (),
    "CommonsenseQA": ("CSQA",),
    "OpenBookQA": ("OBQA",),
    "SIQA": ("Social IQa",),
    "StrategyQA": (),
    "MedQA": (),
    "PubMedQA": (),
}
# Leaderboard "datasets" that are words, not benchmarks.
_NOT_NAMES = {
    "supervised", "knowledge-based", "social media", "google dataset", "unsupervised", "test", "dev",
    "validation", "english", "average", "overall", "full", "all", "small", "large", "base", "real",
    "synthetic", "human", "text", "images", "speech", "video", "other", "total", "accuracy",
}  # fmt: skip


@lru_cache(maxsize=200_000)
def key(name: str) -> str:
    """The lookup key of a name: lower case letters and digits only ("ImageNet-1k" -> "imagenet1k")."""
    return re.sub(r"[^a-z0-9+]", "", name.lower())


def _good(name: str) -> bool:
    name = name.strip()
    words = name.split()
    return (
        2 <= len(name) <= 40
        and 1 <= len(words) <= 5
        and name.lower() not in _NOT_NAMES
        and bool(re.search(r"[A-Z0-9]", name))
        and not name.lower().startswith(("results on", "the "))
        and not name.lower().endswith(("results", "result"))
        and not name.endswith(":")  # a table's section heading ("Supervised:"), not a dataset
    )


def _evaluation_datasets(task: Any) -> Iterator[str]:
    if not isinstance(task, dict):
        return
    for dataset in task.get("datasets") or ():
        if isinstance(dataset, dict) and isinstance(dataset.get("dataset"), str):
            yield dataset["dataset"]
    for subtask in task.get("subtasks") or ():
        yield from _evaluation_datasets(subtask)


def leaderboard_names(shared_data: Path) -> Iterator[str]:
    """Dataset names in the shared leaderboard data."""
    pwc = shared_data / "pwc"
    for path in sorted((pwc / "evaluation_tables").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for task in data if isinstance(data, list) else [data]:
            yield from _evaluation_datasets(task)
    axcell = pwc / "axcell" / "pwc-leaderboards.json"
    if axcell.exists():
        for paper in json.loads(axcell.read_text(encoding="utf-8")):
            for table in paper.get("tables") or ():
                for record in table.get("records") or ():
                    if isinstance(record.get("dataset"), str):
                        yield record["dataset"]
    for path in sorted((pwc / "model_index").rglob("*.yml")):
        for match in re.finditer(r"(?m)^\s*Dataset:\s*(.+?)\s*$", path.read_text(encoding="utf-8")):
            yield match.group(1).strip("'\"")


def build(names: Iterable[str]) -> dict[str, str]:
    """alias key -> canonical name: curated names first, then leaderboard names as written."""
    table: dict[str, str] = {}
    for canonical, aliases in CURATED.items():
        for alias in (canonical, *aliases):
            table.setdefault(key(alias), canonical)
    for name in names:
        name = re.sub(r"\s+", " ", name).strip()
        if _good(name):
            table.setdefault(key(name), name)
    return table


@cache
def benchmark_table(path: Path = BENCHMARKS_FILE) -> dict[str, str]:
    """The shipped alias table; the curated list alone when the file is missing."""
    if path.exists():
        data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))["aliases"]
        return data
    return build(())


def main(argv: list[str]) -> None:
    shared = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "shared" / "data"
    table = build(leaderboard_names(shared))
    payload = {
        "source": "curated list + ../shared/data/pwc (evaluation tables, AxCell, model-index)",
        "aliases": dict(sorted(table.items())),
    }
    BENCHMARKS_FILE.write_text(json.dumps(payload, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{BENCHMARKS_FILE}: {len(table)} names, {len(set(table.values()))} benchmarks")


if __name__ == "__main__":
    main(sys.argv[1:])
