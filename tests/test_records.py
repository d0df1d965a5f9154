from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leanwatch.errors import InputFormatError
from leanwatch.records import parse_arxiv_id


@pytest.mark.parametrize(
    ("raw", "paper_id", "version"),
    [
        ("2501.01234", "arxiv:2501.01234", None),
        ("2501.01234v3", "arxiv:2501.01234", 3),
        ("arXiv:0704.0001", "arxiv:0704.0001", None),
        ("hep-ex/0406020v1", "arxiv:hep-ex/0406020", 1),
        ("math.GT/0309136", "arxiv:math.GT/0309136", None),
        ("http://arxiv.org/abs/2104.12255v1", "arxiv:2104.12255", 1),
    ],
)
def test_parse_arxiv_id(raw: str, paper_id: str, version: int | None) -> None:
    parsed = parse_arxiv_id(raw)
    assert parsed.paper_id == paper_id
    assert parsed.version == version


@pytest.mark.parametrize("raw", ["abc", "", "2501.123", "12345.6789"])
def test_rejects_what_is_not_an_arxiv_id(raw: str) -> None:
    with pytest.raises(InputFormatError):
        parse_arxiv_id(raw)


def test_every_real_listing_id_parses(listing_papers: list[dict[str, Any]]) -> None:
    for row in listing_papers:
        parsed = parse_arxiv_id(row["id"])
        assert parsed.id == row["id"].split("v")[0]


@given(st.integers(7, 26), st.integers(1, 12), st.integers(1, 99999), st.integers(1, 30))
def test_new_style_round_trip(yy: int, mm: int, number: int, version: int) -> None:
    base = f"{yy:02d}{mm:02d}.{number:05d}"
    parsed = parse_arxiv_id(f"{base}v{version}")
    assert (parsed.id, parsed.version) == (base, version)
