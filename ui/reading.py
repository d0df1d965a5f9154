"""What every page shares: the settings, the snapshot it reads, text made safe to show, the banner."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import streamlit as st

from leanwatch.settings import Settings, load_settings
from leanwatch.store import open_reader, snapshot_path
from leanwatch.store.connection import lock_path
from leanwatch.store.lock import running_writer


def settings() -> Settings:
    """Read on every run, never at import: `leanwatch ui` hands the app its settings through
    LEANWATCH_* variables, and a module is imported once per server process."""
    return load_settings()


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|$<>~])")


def snapshot_key() -> tuple[str, float]:
    """Identifies the published snapshot: cached reads keyed on it refresh when a writer publishes."""
    path = snapshot_path(settings().db)
    try:
        return str(path), path.stat().st_mtime
    except OSError:
        return str(path), 0.0


@st.cache_data(ttl=300, max_entries=256, show_spinner=False)
def rows(snapshot: tuple[str, float], sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Fixed SQL from the page (values only in `params`) on a short read-only connection."""
    with open_reader(settings()) as reader:
        return reader.query(sql, list(params))


def web_link(url: str | None) -> str | None:
    """A link from a feed or a source, kept only when it is http(s): never a javascript: or data: URL."""
    return url if isinstance(url, str) and url.lower().startswith(("https://", "http://")) else None


def plain(text: str | None) -> str:
    """Text from papers and feeds made inert for st.markdown: no markup, no LaTeX from a `$`."""
    return _MARKDOWN.sub(r"\\\1", text or "")


def update_banner() -> None:
    holder = running_writer(lock_path(settings().db))
    if holder:
        st.warning(
            f"An update is running ({holder}). You are reading the last published snapshot; "
            "reload when it finishes to see the new data.",
            icon="⏳",
        )


def empty_store_hint(what: str = "papers") -> None:
    st.info(
        f"No {what} yet. Load the shared snapshot or fetch every source:\n\n"
        "    leanwatch ingest arxiv --from arxiv-metadata-snapshot.jsonl.gz\n"
        "    leanwatch update\n\n"
        f"The app reads `{settings().db}`."
    )


def require_catalog(snapshot: tuple[str, float]) -> None:
    """Stop the page with what to run when the snapshot predates the paper catalog (an upgrade)."""
    found = rows(snapshot, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'paper_facets'")
    if not found[0][0]:
        st.info(
            "This store was written by an older leanwatch and has no paper catalog yet. Build it with\n\n"
            "    leanwatch index\n\n(or let the next `leanwatch update` do it), then reload."
        )
        st.stop()
