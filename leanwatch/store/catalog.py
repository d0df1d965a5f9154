"""The paper catalog the app and the papers export filter on, and the full-text search index.

`paper_facets` is one row per paper with everything a filter asks about (labels, code, upvotes,
labs, parameters, ...) already joined, so a filter change at a million papers is one scan of one
table instead of a dozen correlated subqueries. It is derived: rebuilt (one CREATE TABLE AS) at the
end of a writing command when what it is made of changed, before the snapshot is published.

The search index is DuckDB's full-text search (BM25 over title + abstract), loaded from the
`duckdb-extension-fts` wheel so nothing is downloaded at run time. It is rebuilt only when titles or
abstracts changed (about 2 minutes at a million papers). Where the wheel is missing (Intel macOS),
search falls back to substring matching and says so.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from pathlib import Path

import duckdb

from leanwatch.store.schema import PAPER_DATE

log = logging.getLogger(__name__)

FTS_SCHEMA = "fts_main_papers"

_FACETS = f"""
CREATE OR REPLACE TABLE paper_facets AS
WITH lab_names AS (
    SELECT q.paper_id, lower(coalesce(o.lab, o.feed)) AS lab FROM post_papers q JOIN posts o USING (post_id)
    UNION
    SELECT paper_id, lower(organization) FROM hf_daily
),
labs AS (
    SELECT paper_id, list(DISTINCT lab ORDER BY lab) AS labs FROM lab_names WHERE lab IS NOT NULL
    GROUP BY paper_id
),
tagged AS (SELECT paper_id, list(label ORDER BY label) AS labels FROM tags GROUP BY paper_id),
code AS (
    SELECT paper_id, arg_max(repo_url, coalesce(stars, -1)) AS code_url, max(stars) AS stars
    FROM code_links GROUP BY paper_id
),
hf AS (
    SELECT paper_id, max(upvotes) AS upvotes, max(github_repo) AS github_repo, max(github_stars) AS stars
    FROM hf_daily GROUP BY paper_id
),
sources AS (
    SELECT paper_id, list(DISTINCT source ORDER BY source) AS sources FROM paper_sources GROUP BY paper_id
),
params AS (
    SELECT paper_id, max(value) AS parameters FROM compute_facts WHERE kind = 'parameters' GROUP BY paper_id
),
reported AS (
    SELECT paper_id, bool_or(present) AS reports_compute FROM transparency WHERE item = 'compute'
    GROUP BY paper_id
)
SELECT p.paper_id, p.arxiv_id, p.title, {PAPER_DATE} AS day, p.primary_category, p.doi,
       coalesce(p.categories, []) AS categories, coalesce(p.authors, []) AS authors,
       coalesce(t.labels, []) AS labels, coalesce(s.sources, []) AS sources, coalesce(l.labs, []) AS labs,
       coalesce(c.code_url, h.github_repo) AS code_url, coalesce(c.stars, h.stars) AS stars,
       h.upvotes, coalesce(c.code_url, h.github_repo) IS NOT NULL AS has_code,
       coalesce(r.reports_compute, false) AS reports_compute, m.parameters, e.training_flop,
       x.transparency_score
FROM papers p
LEFT JOIN tagged t USING (paper_id)
LEFT JOIN sources s USING (paper_id)
LEFT JOIN labs l USING (paper_id)
LEFT JOIN code c USING (paper_id)
LEFT JOIN hf h USING (paper_id)
LEFT JOIN params m USING (paper_id)
LEFT JOIN reported r USING (paper_id)
LEFT JOIN compute_estimates e USING (paper_id)
LEFT JOIN extracted_papers x USING (paper_id)
ORDER BY day DESC NULLS LAST, p.paper_id
"""

# Cheap fingerprints of what each derived structure is made of: rebuild only when one changed.
_FACETS_INPUTS = """
SELECT concat_ws('/',
    (SELECT count(*) || ':' || coalesce(max(last_seen)::VARCHAR, '') FROM papers),
    (SELECT count(*) || ':' || coalesce(max(tagged_at)::VARCHAR, '') FROM tags),
    (SELECT count(*) || ':' || coalesce(max(last_seen)::VARCHAR, '') FROM code_links),
    (SELECT count(*) || ':' || coalesce(max(last_seen)::VARCHAR, '') FROM hf_daily),
    (SELECT count(*) FROM post_papers), (SELECT count(*) FROM paper_sources),
    (SELECT count(*) || ':' || coalesce(max(extracted_at)::VARCHAR, '') FROM extracted_papers))
"""
_TEXT_INPUTS = "SELECT count(*) || ':' || coalesce(bit_xor(hash(paper_id, title, abstract)), 0) FROM papers"


def fts_extension() -> Path | None:
    """The full-text search extension file the installed wheel carries for this duckdb, if any."""
    spec = importlib.util.find_spec("duckdb_extension_fts")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    path = root / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    return path if path.exists() else None


def load_fts(con: duckdb.DuckDBPyConnection) -> bool:
    """Load full-text search into `con` from the wheel; False (never a download) when unavailable."""
    path = fts_extension()
    if path is None:
        return False
    try:
        con.execute(f"LOAD '{path.as_posix()}'")  # a path of our own installed package, not user input
    except duckdb.Error as exc:
        log.warning("full-text search extension %s did not load: %s", path, exc)
        return False
    return True


def _state(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    row = con.execute("SELECT fingerprint FROM derived_state WHERE name = ?", [name]).fetchone()
    return row[0] if row else None


def _set_state(con: duckdb.DuckDBPyConnection, name: str, fingerprint: str) -> None:
    con.execute(
        "INSERT OR REPLACE INTO derived_state (name, fingerprint, built_at) VALUES (?, ?, now())",
        [name, fingerprint],
    )


def _fingerprint(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    row = con.execute(sql).fetchone()
    return str(row[0]) if row else ""


def refresh(con: duckdb.DuckDBPyConnection, force: bool = False) -> list[str]:
    """Rebuild the facets table and the search index where their inputs changed; return what was
    rebuilt (for the log and the CLI)."""
    rebuilt = []
    facets = _fingerprint(con, _FACETS_INPUTS)
    if force or _state(con, "facets") != facets:
        started = time.monotonic()
        con.execute(_FACETS)
        _set_state(con, "facets", facets)
        rebuilt.append(f"paper catalog ({time.monotonic() - started:.1f} s)")
    text = _fingerprint(con, _TEXT_INPUTS)
    if (force or _state(con, "search") != text) and load_fts(con):
        started = time.monotonic()
        papers = _fingerprint(con, "SELECT count(*) FROM papers")
        log.info("rebuilding the full-text search index over %s papers", papers)
        con.execute("PRAGMA create_fts_index('papers', 'paper_id', 'title', 'abstract', overwrite = 1)")
        _set_state(con, "search", text)
        rebuilt.append(f"search index ({time.monotonic() - started:.1f} s)")
    return rebuilt


def has_search_index(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = 'terms'", [FTS_SCHEMA]
    ).fetchone()
    return bool(row and row[0])
