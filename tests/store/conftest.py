from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.listing import paper_row, read_listing


@pytest.fixture(scope="session")
def real_rows(shared_data: Path) -> list[dict[str, Any]]:
    """The first 2,000 real papers of the shared listing corpus, as papers-table rows."""
    return [paper_row(item) for item in read_listing(shared_data, limit=2000)]
