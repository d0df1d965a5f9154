"""Numbers as leaderboards and model cards write them: "76.1%", "0.92", "4.12G", "0.84 ± 0.01".

A parsed value is the number scaled by its suffix (k, M, B, G, T: "25.56M" is 25,560,000), with the
suffix or "%" kept as the unit and the text kept as written, so nothing is lost in normalising.
Lower-case "m" is read as million, as leaderboards use it for parameter counts ("3.0m"), never milli.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

SCALES = {"k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "b": 1e9, "B": 1e9, "G": 1e9, "T": 1e12}

_NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+"
_QUANTITY = re.compile(
    rf"""^(?:~|≈|about\s+)?
    (?P<number>{_NUMBER})\s*
    (?P<unit>%|[kKmMbBGT](?![a-zA-Z]))?\s*
    (?:(?:±|\+/-|\+-)\s*(?P<spread>{_NUMBER})\s*%?)?
    (?:\s*\((?P<note>[^()]*)\))?$""",
    re.VERBOSE,
)
# Marks authors put after a number (starred rows, "+" for extra data, "?" for doubtful) and
# markdown emphasis: they say something about the row, not the value.
_MARKS = re.compile(r"^[*_]+|[*_†‡+?]+$")


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str | None  # "%", or the scale suffix as written ("M", "G", ...)
    spread: float | None  # the x of "0.84 ± x", in the value's scale
    text: str  # as written


def parse_quantity(raw: object) -> Quantity | None:
    """The number in a metric cell, or None when the cell holds no single number ("-", "78/84")."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float):
        value = float(raw)
        return Quantity(value, None, None, str(raw)) if math.isfinite(value) else None
    if not isinstance(raw, str):
        return None
    text = raw.strip().lstrip("\ufeff").replace("−", "-").replace("–", "-")
    cleaned = _MARKS.sub("", text.replace("**", "")).strip()
    match = _QUANTITY.match(cleaned)
    if match is None:
        return None
    unit = match.group("unit")
    scale = SCALES.get(unit or "", 1.0)
    value = _number(match.group("number")) * scale
    spread_text = match.group("spread")
    spread = _number(spread_text) * scale if spread_text else None
    if not math.isfinite(value):
        return None
    return Quantity(value, unit, spread, raw.strip().lstrip("\ufeff"))


def _number(text: str) -> float:
    return float(text.replace(",", ""))
