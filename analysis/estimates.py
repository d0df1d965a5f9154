"""Training compute per paper: as reported, else estimated, with a range, Epoch's figure and a cost.

The order follows Epoch AI's own methods:
1. a training FLOP budget the paper reports;
2. else 6 x parameters x training tokens (the dense-transformer rule), range a factor 2 each way
   because stated parameters may include embeddings or inactive experts and tokens may repeat;
3. else chip-hours x the chip's peak 16-bit FLOP/s x an assumed utilisation (settings
   `utilization_lm`, 0.3, and `utilization_other`, 0.4), range utilisation halved to x1.5.
Chip-hours are stated ("672 GPU-hours") or the product of a chip count and a training duration.
The cost is chip-hours x the chip's on-demand price in Epoch's hardware price table; the price's
vendor and date travel with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.chips import chip_table, peak_flops
from analysis.compute import Fact


@dataclass(frozen=True)
class Estimate:
    training_flop: float | None
    flop_low: float | None
    flop_high: float | None
    method: str  # reported, 6ND, chip_hours, none
    inputs: str  # the numbers used, in words
    utilization: float | None
    chip_hours: float | None
    chip: str | None
    cost_usd: float | None
    price_source: str | None


def _largest(facts: list[Fact], kind: str, scope: str | None = None) -> Fact | None:
    chosen = [f for f in facts if f.kind == kind and f.value and (scope is None or f.scope == scope)]
    return max(chosen, key=lambda f: f.value or 0.0, default=None)


def _chip_hours(facts: list[Fact]) -> tuple[float | None, str | None, str]:
    """Chip-hours and the chip: stated, else the most numerous chip times the longest training time."""
    stated = _largest(facts, "chip_hours")
    chips = [f for f in facts if f.kind == "hardware" and f.count]
    main = max(chips, key=lambda f: f.count or 0.0, default=None)
    if stated is not None and stated.value:
        chip = stated.chip or (main.chip if main else None)
        return stated.value, chip, f"{stated.value:,.0f} chip-hours stated"
    train = _largest(facts, "duration", "train")
    if main is not None and main.count and train is not None and train.value:
        hours = main.count * train.value
        return hours, main.chip, f"{main.count:g} x {main.chip} for {train.value:,.1f} h"
    return None, None, ""


def estimate(
    facts: list[Fact], language_model: bool, utilization_lm: float, utilization_other: float
) -> Estimate:
    """The paper's training compute from its facts (see the module's notes for the method order)."""
    chip_hours, chip, hours_words = _chip_hours(facts)
    cost, price_source = cost_of(chip, chip_hours)
    reported = _largest(facts, "flops", "training")
    if reported is not None and reported.value and reported.unit == "FLOP":
        value = reported.value
        return Estimate(value, value, value, "reported", f"reported: {reported.what}", None,
                        chip_hours, chip, cost, price_source)  # fmt: skip
    # A mixture of experts computes with its activated parameters, not its total.
    active = [f for f in facts if f.kind == "parameters" and "activ" in (f.what or "").lower()]
    params = _largest(active, "parameters") or _largest(facts, "parameters")
    tokens = _largest(facts, "tokens")
    if params is not None and tokens is not None and params.value and tokens.value:
        value = 6 * params.value * tokens.value
        words = f"6 x {params.value:,.0f} parameters x {tokens.value:,.0f} tokens"
        return Estimate(value, value / 2, value * 2, "6ND", words, None, chip_hours, chip, cost, price_source)
    peak = peak_flops(chip)
    if chip_hours is not None and peak is not None:
        utilization = utilization_lm if language_model else utilization_other
        value = chip_hours * 3600 * peak * utilization
        words = f"{hours_words} x {peak:.3g} FLOP/s peak x {utilization:g} utilisation"
        return Estimate(value, value / 2, value * 1.5, "chip_hours", words, utilization,
                        chip_hours, chip, cost, price_source)  # fmt: skip
    return Estimate(None, None, None, "none", "", None, chip_hours, chip, cost, price_source)


def cost_of(chip: str | None, chip_hours: float | None) -> tuple[float | None, str | None]:
    """US dollars for `chip_hours` of `chip` at its on-demand price, and where that price came from."""
    facts = chip_table().get(chip or "")
    if facts is None or facts.price_per_hour is None or not chip_hours:
        return None, None
    return chip_hours * facts.price_per_hour, f"${facts.price_per_hour:g}/chip-hour ({facts.price_source})"


def epoch_ratio(ours: float | None, epoch: float | None) -> float | None:
    """How our figure compares with Epoch's: ours / Epoch's (1.0 is agreement)."""
    if not ours or not epoch:
        return None
    return ours / epoch
