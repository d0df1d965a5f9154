"""Files leanwatch writes for people (exports, digests, feeds, watchlists): always replaced whole,
through a temporary file beside the target, so a failed write never leaves half a file where the
old one was."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


@contextmanager
def replacing(path: Path, newline: str | None = None) -> Iterator[TextIO]:
    """Write `path` through `<path>.tmp`, renamed over it only when the block ends without error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline=newline) as handle:
        yield handle
    tmp.replace(path)


def replace_text(path: Path, text: str) -> None:
    with replacing(path) as handle:
        handle.write(text)
