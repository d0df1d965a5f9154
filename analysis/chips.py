"""Accelerators as papers name them, normalised to one short name, with their peak FLOP/s and prices.

Papers write "8 NVIDIA Tesla P100 GPUs", "4 K80s", "TPUv3", "GTX 1080Ti"; the compute facts store
the short model name ("P100", "K80", "TPU v3", "GTX 1080 Ti"), as `../shared/COMPUTE_FACTS.md` asks.
Each short name maps to the Epoch AI hardware rows it stands for; the peak FLOP/s per precision and
the cloud chip-hour prices come from Epoch's ML hardware and price tables, read once at build time
into the shipped `analysis/models/chips.json` (a user's machine has no `../shared`):

    python -m analysis.chips [SHARED_DATA_DIR]   # rebuilds analysis/models/chips.json
"""

from __future__ import annotations

import csv
import json
import re
import statistics
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CHIPS_FILE = Path(__file__).parent / "models" / "chips.json"


@dataclass(frozen=True)
class ChipSpec:
    name: str  # the short name facts store
    kind: str  # gpu, tpu, cpu, other
    epoch_names: tuple[str, ...]  # Epoch hardware rows, best first


# The short names papers use, the family they belong to, and the Epoch rows that give their specs.
_SPECS: tuple[ChipSpec, ...] = (
    ChipSpec("K20", "gpu", ("NVIDIA Tesla K20X", "NVIDIA Tesla K20m", "NVIDIA Tesla K20c")),
    ChipSpec("K40", "gpu", ("NVIDIA Tesla K40c", "NVIDIA Tesla K40m", "NVIDIA Tesla K40s")),
    ChipSpec("K80", "gpu", ("NVIDIA Tesla K80",)),
    ChipSpec("M40", "gpu", ("NVIDIA Tesla M40", "NVIDIA M40")),
    ChipSpec("M60", "gpu", ("NVIDIA TESLA M60",)),
    ChipSpec("P40", "gpu", ("NVIDIA Tesla P40", "NVIDIA P40")),
    ChipSpec("P100", "gpu", ("NVIDIA Tesla P100 SXM2", "NVIDIA P100", "NVIDIA Tesla P100 PCIe 16GB")),
    ChipSpec("V100", "gpu", ("NVIDIA Tesla V100 SXM2 32 GB", "NVIDIA Tesla V100 SXM2", "NVIDIA V100")),
    ChipSpec("T4", "gpu", ("NVIDIA Tesla T4", "NVIDIA T4")),
    ChipSpec("A10", "gpu", ("NVIDIA A10 PCIe",)),
    ChipSpec("A10G", "gpu", ("NVIDIA A10G",)),  # AWS's variant: its own row and clocks in Epoch's table
    ChipSpec("A40", "gpu", ("NVIDIA A40 PCIe",)),
    ChipSpec("A100", "gpu", ("NVIDIA A100 SXM4 40 GB", "NVIDIA A100 SXM4 80 GB", "NVIDIA A100")),
    ChipSpec("A800", "gpu", ("NVIDIA A800 SXM", "NVIDIA A800 PCIe")),
    ChipSpec("A6000", "gpu", ("NVIDIA RTX A6000",)),
    ChipSpec("A5000", "gpu", ("NVIDIA RTX A5000",)),
    ChipSpec("A4000", "gpu", ("NVIDIA RTX A4000",)),
    ChipSpec("L4", "gpu", ("NVIDIA L4",)),
    ChipSpec("L40", "gpu", ("NVIDIA L40",)),
    ChipSpec("L40S", "gpu", ("NVIDIA L40S",)),
    ChipSpec("H100", "gpu", ("NVIDIA H100 SXM5 80GB", "NVIDIA H100 PCIe")),
    ChipSpec("H800", "gpu", ("NVIDIA H800 SXM5", "NVIDIA H800 PCIe")),
    ChipSpec("H200", "gpu", ("NVIDIA H200 SXM",)),
    ChipSpec("H20", "gpu", ("NVIDIA H20",)),
    ChipSpec("B200", "gpu", ("NVIDIA B200",)),
    ChipSpec("GB200", "gpu", ("NVIDIA GB200 NVL2",)),
    ChipSpec("GV100", "gpu", ("NVIDIA Quadro GV100",)),
    ChipSpec("Titan X", "gpu", ("NVIDIA GeForce GTX TITAN X", "NVIDIA TITAN X Pascal")),
    ChipSpec("Titan Xp", "gpu", ("NVIDIA TITAN Xp",)),
    ChipSpec("Titan V", "gpu", ("NVIDIA Titan V",)),
    ChipSpec("Titan RTX", "gpu", ("NVIDIA TITAN RTX",)),
    ChipSpec("Titan Black", "gpu", ("NVIDIA GTX Titan Black",)),
    ChipSpec("Titan Z", "gpu", ("NVIDIA GeForce GTX TITAN Z",)),
    ChipSpec("Titan", "gpu", ("NVIDIA GeForce GTX TITAN",)),
    ChipSpec("Quadro P6000", "gpu", ("NVIDIA Quadro P6000",)),
    ChipSpec("Quadro M6000", "gpu", ("NVIDIA Quadro M6000",)),
    ChipSpec("Quadro RTX 4000", "gpu", ("NVIDIA Quadro RTX 4000",)),
    ChipSpec("Quadro RTX 5000", "gpu", ("NVIDIA Quadro RTX 5000",)),
    ChipSpec("Quadro RTX 6000", "gpu", ("NVIDIA Quadro RTX 6000",)),
    ChipSpec("Quadro RTX 8000", "gpu", ("NVIDIA Quadro RTX 8000",)),
    ChipSpec("TPU v1", "tpu", ("Google TPU v1",)),
    ChipSpec("TPU v2", "tpu", ("Google TPU v2",)),
    ChipSpec("TPU v3", "tpu", ("Google TPU v3",)),
    ChipSpec("TPU v4", "tpu", ("Google TPU v4",)),
    ChipSpec("TPU v5e", "tpu", ("Google TPU v5e",)),
    ChipSpec("TPU v5p", "tpu", ("Google TPU v5p",)),
    ChipSpec("TPU v6e", "tpu", ("Google TPU v6e Trillium",)),
    ChipSpec("MI100", "gpu", ("AMD Radeon Instinct MI100",)),
    ChipSpec("MI250X", "gpu", ("AMD Radeon Instinct MI250X",)),
    ChipSpec("Ascend 910", "other", ("Huawei Ascend 910", "Huawei Ascend 910A")),
    ChipSpec("Ascend 910B", "other", ("Huawei Ascend 910B",)),
    ChipSpec("MI250", "gpu", ("AMD Radeon Instinct MI250",)),
    ChipSpec("MI300X", "gpu", ("AMD Instinct MI300X",)),
    ChipSpec("Gaudi2", "other", ("Intel Habana Gaudi2",)),
    ChipSpec("GPU", "gpu", ()),
    ChipSpec("TPU", "tpu", ()),
    ChipSpec("CPU", "cpu", ()),
)
# GeForce cards: the short name is "GTX 1080 Ti", "RTX 2080 Ti"; Epoch writes "NVIDIA GeForce ...".
_GEFORCE = (
    "GTX 580", "GTX 680", "GTX 770", "GTX 780", "GTX 780 Ti", "GTX 960", "GTX 970", "GTX 980",
    "GTX 980 Ti", "GTX 1060", "GTX 1070", "GTX 1080", "GTX 1080 Ti", "RTX 2070", "RTX 2080",
    "RTX 2080 Ti", "RTX 3060", "RTX 3070", "RTX 3080", "RTX 3090", "RTX 4080", "RTX 4090", "RTX 5090",
)  # fmt: skip
SPECS: dict[str, ChipSpec] = {spec.name: spec for spec in _SPECS} | {
    name: ChipSpec(name, "gpu", (f"NVIDIA GeForce {name}",)) for name in _GEFORCE
}


def _key(text: str) -> str:
    """The comparison key of a chip name: upper case, no vendor words, spaces or dashes."""
    # no word boundary after the vendor: "TeslaV100" is written too
    text = re.sub(r"(?i)\b(nvidia|tesla|geforce|google|gcp|cloud|amd|instinct|intel|habana|huawei)", "", text)
    return re.sub(r"[\s\-_]", "", text).upper()


_BY_KEY: dict[str, str] = {_key(name): name for name in SPECS} | {
    "TITANXP": "Titan Xp",
    "TITANVOLTA": "Titan V",
    "TITANXPASCAL": "Titan X",
    "TITANX(PASCAL)": "Titan X",
    "GTXTITANX": "Titan X",
    "GTXTITANBLACK": "Titan Black",
    "GTXTITANZ": "Titan Z",
    "GTXTITAN": "Titan",
    "TPUV5LITE": "TPU v5e",
    "TPUV6": "TPU v6e",
    "TPUV5": "TPU v5p",
}


def normalise_chip(text: str) -> str | None:
    """The short name of a chip as a paper writes it, or None when it is not a chip we know."""
    key = _key(text)
    if key not in _BY_KEY:  # plural and board letters: "K80s", "V100s", "K40c", "K40m"
        key = re.sub(r"(\d)[SCMX]$", r"\1", key)
    if key in _BY_KEY:
        return _BY_KEY[key]
    geforce = re.fullmatch(r"(GTX|RTX)?(\d{3,4})(TI)?", key)
    if geforce:  # any GeForce card, named as the series writes it: "GTX 560 Ti", "RTX 3090"
        series = geforce.group(1) or ("RTX" if int(geforce.group(2)) >= 2000 else "GTX")
        return f"{series} {geforce.group(2)}" + (" Ti" if geforce.group(3) else "")
    if key.startswith("TPU") and key[3:4] != "V" and key[3:4].isdigit():  # "TPU3"
        return _BY_KEY.get("TPUV" + key[3:])
    generation_first = re.fullmatch(r"V(\d[EP]?)TPUS?", key)
    if generation_first:  # "v3 TPU"
        return _BY_KEY.get("TPUV" + generation_first.group(1))
    return None


# ---- specs and prices ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChipFacts:
    name: str
    kind: str
    epoch_name: str | None
    peak_flops: dict[str, float]  # precision -> FLOP/s: fp32, fp16, tf32, tensor16, int8
    price_per_hour: float | None  # on-demand USD per chip-hour
    price_source: str | None  # "<vendor> <date>, on-demand" the price was taken from


@cache
def chip_table(path: Path = CHIPS_FILE) -> dict[str, ChipFacts]:
    """The shipped chip table, by short name; empty when the file is missing (facts still extract)."""
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: ChipFacts(
            name,
            item["kind"],
            item.get("epoch_name"),
            {k: float(v) for k, v in item.get("peak_flops", {}).items()},
            item.get("price_per_hour"),
            item.get("price_source"),
        )
        for name, item in raw["chips"].items()
    }


def peak_flops(chip: str | None, prefer: tuple[str, ...] = ("tensor16", "fp16", "fp32")) -> float | None:
    """The chip's peak FLOP/s in the first precision it has of `prefer` (training runs in 16-bit)."""
    facts = chip_table().get(chip or "")
    if facts is None:
        return None
    for precision in prefer:
        if precision in facts.peak_flops:
            return facts.peak_flops[precision]
    return None


_PRECISIONS = {
    "fp32": "FP32 (single precision) performance (FLOP/s)",
    "fp16": "FP16 (half precision) performance (FLOP/s)",
    "tf32": "TF32 (TensorFloat-32) performance (FLOP/s)",
    "tensor16": "Tensor-FP16/BF16 performance (FLOP/s)",
    "int8": "INT8 performance (OP/s)",
}


def _number(text: str | None) -> float | None:
    try:
        value = float((text or "").replace(",", "").replace("$", ""))
    except ValueError:
        return None
    return value if value > 0 else None


def build(shared_data: Path) -> dict[str, Any]:
    """The chip table from Epoch's hardware and price CSVs: specs of each short name's first Epoch
    row that has them, and its latest on-demand chip-hour price (median over vendors that day)."""
    epoch = shared_data / "epoch"
    with (epoch / "epoch_chip_dataset.csv").open(encoding="utf-8-sig", newline="") as handle:
        hardware = {row["Hardware name"]: row for row in csv.DictReader(handle)}
    prices: dict[str, list[tuple[str, float, str]]] = {}
    with (epoch / "epoch_hardware_prices.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            price = _number(row["Price per chip-hour (on-demand)"])
            if price is not None:
                vendor = row["Vendor"] or "unnamed vendor"
                prices.setdefault(row["Hardware model"], []).append((row["Price date"], price, vendor))
    chips: dict[str, Any] = {}
    for spec in SPECS.values():
        item: dict[str, Any] = {"kind": spec.kind}
        for epoch_name in spec.epoch_names:
            # A card Epoch lists only by its memory variant ("... RTX 2080 Ti 11GB") counts as it.
            found = hardware.get(epoch_name) or next(
                (row for name, row in hardware.items() if name.startswith(epoch_name + " ")), None
            )
            if found is None:
                continue
            flops = {p: v for p, col in _PRECISIONS.items() if (v := _number(found.get(col))) is not None}
            if flops and "epoch_name" not in item:
                item.update(epoch_name=epoch_name, peak_flops=flops, release=found["Release date"] or None)
        for epoch_name in spec.epoch_names:
            quotes = prices.get(epoch_name)
            if quotes:
                latest = max(date for date, _, _ in quotes)
                today = [(price, vendor) for date, price, vendor in quotes if date == latest]
                item["price_per_hour"] = round(statistics.median(p for p, _ in today), 4)
                vendors = ", ".join(sorted({v for _, v in today}))
                item["price_source"] = (
                    f"Epoch AI hardware prices: {epoch_name}, {vendors}, {latest}, on-demand"
                )
                break
        chips[spec.name] = item
    return {
        "source": "Epoch AI epoch_chip_dataset.csv and epoch_hardware_prices.csv (CC BY 4.0)",
        "chips": chips,
    }


def main(argv: list[str]) -> None:
    shared = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "shared" / "data"
    table = build(shared)
    CHIPS_FILE.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    found = sum(1 for item in table["chips"].values() if "peak_flops" in item)
    priced = sum(1 for item in table["chips"].values() if "price_per_hour" in item)
    print(f"{CHIPS_FILE}: {len(table['chips'])} chips, {found} with specs, {priced} with prices")


if __name__ == "__main__":
    main(sys.argv[1:])
