from __future__ import annotations

from pathlib import Path

import pytest

from bench.listing import paper_row, read_listing
from leanwatch.records import PaperRow


@pytest.fixture(scope="session")
def real_rows(shared_data: Path) -> list[PaperRow]:
    """The first 2,000 real papers of the shared listing corpus, as papers-table rows."""
    return [paper_row(item) for item in read_listing(shared_data, limit=2000)]
