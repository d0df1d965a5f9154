"""Metric cells as leaderboards write them, parsed to numbers with the unit and the text kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leanwatch.quantities import parse_quantity


@pytest.mark.parametrize(
    ("text", "value", "unit", "spread"),
    [
        ("76.1%", 76.1, "%", None),
        ("0.92", 0.92, None, None),
        ("4.12G", 4.12e9, "G", None),
        ("25.56M", 25.56e6, "M", None),
        ("0.8428 ± 0.0014", 0.8428, None, 0.0014),  # OGB
        ("0.25±0.005", 0.25, None, 0.005),
        ("220k", 220e3, "k", None),
        ("3.0m", 3.0e6, "m", None),  # SNLI parameter counts: million, never milli
        ("~257M", 257e6, "M", None),
        ("**70.3**", 70.3, None, None),
        ("63.7*", 63.7, None, None),
        ("\ufeff93.3", 93.3, None, None),
        ("2,179,678", 2179678.0, None, None),
        ("70.14 (measured by Ge et al., 2018)", 70.14, None, None),
        ("−1.5", -1.5, None, None),
        (12, 12.0, None, None),
    ],
)
def test_parses_real_cells(text: object, value: float, unit: str | None, spread: float | None) -> None:
    parsed = parse_quantity(text)
    assert parsed is not None
    assert parsed.value == pytest.approx(value)
    assert (parsed.unit, parsed.spread) == (unit, pytest.approx(spread) if spread else None)


@pytest.mark.parametrize(
    "text", ["-", "", "Please tell us", "78.6/84.4", "(32.76 32.07 26.26 22.74)", "No", None, True, "5 Mb"]
)
def test_cells_without_one_number_are_none(text: object) -> None:
    assert parse_quantity(text) is None


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.sampled_from(["", "%", "M", "G"]))
def test_written_numbers_read_back(number: float, suffix: str) -> None:
    text = f"{number:.4f}{suffix}"
    parsed = parse_quantity(text)
    scale = {"": 1.0, "%": 1.0, "M": 1e6, "G": 1e9}[suffix]
    assert parsed is not None
    assert parsed.value == pytest.approx(float(f"{number:.4f}") * scale)
    assert (parsed.unit, parsed.spread, parsed.text) == (suffix or None, None, text)
