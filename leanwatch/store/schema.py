"""The store's schema as numbered migrations, and the upsert key of every table.

Timestamps are UTC, stored as TIMESTAMP without zone. Lists are VARCHAR[]; free-form structured
values (fingerprints, measured metrics) are JSON text.

Keys are declared here (`TABLES`) and kept unique by the single writer's upsert (deduplicate the
batch, update what exists, insert by anti-join), not by DuckDB PRIMARY KEY indexes: on 448k real
papers those indexes made upserts 1.45x and checkpoints 1.8x slower (bench/arxiv_snapshot.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableSpec:
    key: tuple[str, ...]
    # Columns an update never overwrites (when a row was first seen, and by whom).
    keep: tuple[str, ...] = ()
    # Columns written with a change but never a change by themselves (when a row was last seen
    # changed), so re-ingesting the same input leaves every row as it was.
    stamp: tuple[str, ...] = ()
    # A column that only moves forward: a batch row with a lower value than the stored one is
    # older news (an earlier arXiv version) and is skipped.
    version: str | None = None


# A paper's date in queries (papers aliased `p`): its first announcement, else its publication.
# Every query that places papers in time uses this one expression.
PAPER_DATE = "coalesce(p.announced, CAST(p.published AS DATE))"

TABLES: dict[str, TableSpec] = {
    "papers": TableSpec(
        ("paper_id",),
        keep=("first_seen", "first_source", "announced"),  # announced: the first announcement
        stamp=("last_seen",),
        version="arxiv_version",
    ),
    "paper_sources": TableSpec(("paper_id", "source"), keep=("first_seen",), stamp=("last_seen",)),
    "posts": TableSpec(("post_id",), keep=("first_seen",), stamp=("last_seen",)),
    "post_papers": TableSpec(("post_id", "paper_id")),
    "code_links": TableSpec(("paper_id", "repo_url"), keep=("first_seen",), stamp=("last_seen",)),
    "results": TableSpec(("result_id",), keep=("first_seen",)),
    # snapshot: an Epoch snapshot older than the stored one never overwrites its values.
    "models": TableSpec(("model_id",), keep=("first_seen",), stamp=("last_seen",), version="snapshot"),
    "model_revisions": TableSpec(("model_id", "snapshot", "field")),
    "hf_daily": TableSpec(("paper_id", "day"), keep=("first_seen",), stamp=("last_seen",)),
    "paper_terms": TableSpec(("paper_id", "kind", "term", "source")),
    "methods": TableSpec(("method_id",), keep=("first_seen",)),
    "tags": TableSpec(("paper_id", "label")),
    "tagged_papers": TableSpec(("paper_id",)),
    "compute_facts": TableSpec(("fact_id",)),
    "claims": TableSpec(("claim_id",)),
    "extracted_papers": TableSpec(("paper_id",)),
    "full_texts": TableSpec(("paper_id",)),
    "compute_estimates": TableSpec(("paper_id",)),
    "transparency": TableSpec(("paper_id", "item")),
    "verification_runs": TableSpec(("run_id",)),
    "ingest_runs": TableSpec(("run_id",)),
    "source_state": TableSpec(("source", "key")),
}

# Append only: a released migration never changes; a schema change is a new numbered entry.
MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "initial schema",
        """
        CREATE TABLE papers (
            paper_id VARCHAR NOT NULL,      -- arxiv:2501.01234, doi:10.x/y, hf:<id>
            arxiv_id VARCHAR,                  -- without version: 2501.01234, hep-ex/0406020
            arxiv_version INTEGER,
            title VARCHAR NOT NULL,
            abstract VARCHAR,
            authors VARCHAR[],
            categories VARCHAR[],              -- primary first
            primary_category VARCHAR,
            published TIMESTAMP,
            updated TIMESTAMP,
            announced DATE,
            comment VARCHAR,
            doi VARCHAR,
            journal_ref VARCHAR,
            links VARCHAR[],
            first_source VARCHAR,
            first_seen TIMESTAMP,
            last_seen TIMESTAMP
        );
        CREATE TABLE paper_sources (
            paper_id VARCHAR NOT NULL,
            source VARCHAR NOT NULL,           -- arxiv_rss, arxiv_api, arxiv_oai, hf_papers, ...
            source_id VARCHAR,
            url VARCHAR,
            detail VARCHAR,                    -- e.g. announce_type
            first_seen TIMESTAMP,
            last_seen TIMESTAMP
        );
        CREATE TABLE posts (
            post_id VARCHAR NOT NULL,       -- url:<hash> of the canonical link (or entry id)
            feed VARCHAR,
            feed_url VARCHAR,                  -- the feed that first delivered the post owns it
            feed_kind VARCHAR,                 -- official, generated (a community-made feed)
            lab VARCHAR,
            title VARCHAR,
            url VARCHAR,
            published TIMESTAMP,
            updated TIMESTAMP,
            date_is_fallback BOOLEAN,
            author VARCHAR,
            summary VARCHAR,
            body VARCHAR,
            categories VARCHAR[],
            first_seen TIMESTAMP,
            last_seen TIMESTAMP
        );
        CREATE TABLE post_papers (
            post_id VARCHAR NOT NULL,
            paper_id VARCHAR NOT NULL
        );
        CREATE TABLE code_links (
            paper_id VARCHAR NOT NULL,
            repo_url VARCHAR NOT NULL,
            official BOOLEAN,
            framework VARCHAR,
            stars INTEGER,
            source VARCHAR,
            first_seen TIMESTAMP,
            last_seen TIMESTAMP
        );
        CREATE TABLE results (
            result_id VARCHAR NOT NULL,
            paper_id VARCHAR,
            task VARCHAR,
            dataset VARCHAR,
            metric VARCHAR,
            value DOUBLE,
            value_text VARCHAR,
            unit VARCHAR,
            model_name VARCHAR,
            result_date DATE,
            code_links VARCHAR[],
            source VARCHAR,
            source_ref VARCHAR,
            first_seen TIMESTAMP
        );
        CREATE TABLE models (
            model_id VARCHAR NOT NULL,
            name VARCHAR,
            organization VARCHAR,
            domain VARCHAR,
            publication_date DATE,
            parameters DOUBLE,
            training_compute_flop DOUBLE,
            training_tokens DOUBLE,
            training_hours DOUBLE,
            hardware VARCHAR,
            hardware_quantity DOUBLE,
            link VARCHAR,
            paper_id VARCHAR,
            source VARCHAR,
            first_seen TIMESTAMP
        );
        CREATE TABLE tags (
            paper_id VARCHAR NOT NULL,
            label VARCHAR NOT NULL,
            score DOUBLE,
            method VARCHAR,                    -- rule, model, both
            evidence VARCHAR[],
            model_version VARCHAR,
            tagged_at TIMESTAMP
        );
        CREATE TABLE compute_facts (
            fact_id VARCHAR NOT NULL,
            paper_id VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,             -- hardware, duration, chip_hours, parameters, flops, tokens
            value DOUBLE,
            unit VARCHAR,
            chip VARCHAR,
            chip_count DOUBLE,
            scope VARCHAR,
            evidence VARCHAR,
            span_start INTEGER,
            span_end INTEGER,
            location VARCHAR,                  -- abstract, full_text, epoch, model_index
            method VARCHAR,                    -- rule, model, reported, estimated
            confidence DOUBLE,
            extracted_at TIMESTAMP
        );
        CREATE TABLE claims (
            claim_id VARCHAR NOT NULL,
            paper_id VARCHAR NOT NULL,
            text VARCHAR,
            metric VARCHAR,
            value DOUBLE,
            unit VARCHAR,
            baseline VARCHAR,
            direction VARCHAR,
            evidence VARCHAR,
            span_start INTEGER,
            span_end INTEGER,
            location VARCHAR,
            method VARCHAR,
            confidence DOUBLE,
            extracted_at TIMESTAMP
        );
        CREATE TABLE verification_runs (
            run_id VARCHAR NOT NULL,
            claim_id VARCHAR,
            recipe VARCHAR,
            recipe_version VARCHAR,
            recipe_hash VARCHAR,
            status VARCHAR,
            verdict VARCHAR,
            measured VARCHAR,                  -- JSON
            fingerprint VARCHAR,               -- JSON
            started_at TIMESTAMP,
            ended_at TIMESTAMP,
            run_dir VARCHAR
        );
        CREATE TABLE ingest_runs (
            run_id VARCHAR NOT NULL,
            command VARCHAR,
            source VARCHAR,
            started_at TIMESTAMP,
            ended_at TIMESTAMP,
            status VARCHAR,                    -- running, ok, partial, failed, interrupted
            fetched BIGINT,
            new BIGINT,
            updated BIGINT,
            unchanged BIGINT,
            skipped BIGINT,
            errors BIGINT,
            message VARCHAR
        );
        CREATE TABLE source_state (
            source VARCHAR NOT NULL,
            key VARCHAR NOT NULL,              -- '' for the source as a whole, else e.g. a feed URL
            cursor VARCHAR,
            etag VARCHAR,
            last_modified VARCHAR,
            updated_at TIMESTAMP
        );
        """,
    ),
    (
        2,
        "Hugging Face daily papers, Papers with Code and Epoch columns",
        """
        CREATE TABLE hf_daily (
            paper_id VARCHAR NOT NULL,
            day DATE NOT NULL,                 -- the daily list the paper appeared on
            upvotes INTEGER,
            comments INTEGER,
            github_repo VARCHAR,
            github_stars INTEGER,
            project_page VARCHAR,
            organization VARCHAR,
            ai_keywords VARCHAR[],
            ai_summary VARCHAR,
            submitted_by VARCHAR,
            source_ref VARCHAR,                -- the URL or file it was read from
            first_seen TIMESTAMP,
            last_seen TIMESTAMP
        );
        -- Terms a source attaches to a paper: PwC tasks and methods, HF ai_keywords,
        -- model-index training techniques. Weak labels for the tagger.
        CREATE TABLE paper_terms (
            paper_id VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,             -- task, method, ai_keyword, training_technique
            term VARCHAR NOT NULL,
            source VARCHAR NOT NULL
        );
        CREATE TABLE methods (
            method_id VARCHAR NOT NULL,        -- pwc method slug
            name VARCHAR,
            full_name VARCHAR,
            description VARCHAR,
            paper_id VARCHAR,
            paper_title VARCHAR,
            introduced_year INTEGER,
            collections VARCHAR[],
            areas VARCHAR[],
            source VARCHAR,
            source_ref VARCHAR,
            first_seen TIMESTAMP
        );
        CREATE TABLE model_revisions (
            model_id VARCHAR NOT NULL,
            snapshot DATE NOT NULL,            -- the snapshot that revised the value
            field VARCHAR NOT NULL,
            old_value VARCHAR,
            new_value VARCHAR,
            previous_snapshot DATE,
            recorded_at TIMESTAMP
        );
        ALTER TABLE results ADD COLUMN paper_title VARCHAR;
        ALTER TABLE results ADD COLUMN paper_url VARCHAR;
        ALTER TABLE results ADD COLUMN value_spread DOUBLE;  -- the x of "0.84 +- x"
        ALTER TABLE models ADD COLUMN task VARCHAR;
        ALTER TABLE models ADD COLUMN flops DOUBLE;                -- per forward pass, as written
        ALTER TABLE models ADD COLUMN flops_unit VARCHAR;
        ALTER TABLE models ADD COLUMN training_dataset_size DOUBLE;
        ALTER TABLE models ADD COLUMN hardware_utilization DOUBLE;
        ALTER TABLE models ADD COLUMN training_resources VARCHAR;  -- as written: "8x V100 GPUs"
        ALTER TABLE models ADD COLUMN training_techniques VARCHAR[];
        ALTER TABLE models ADD COLUMN training_data VARCHAR;
        ALTER TABLE models ADD COLUMN epochs DOUBLE;
        ALTER TABLE models ADD COLUMN confidence VARCHAR;
        ALTER TABLE models ADD COLUMN notes VARCHAR;               -- JSON: the source's notes per field
        ALTER TABLE models ADD COLUMN source_ref VARCHAR;          -- the file or URL it was read from
        ALTER TABLE models ADD COLUMN listing VARCHAR;             -- notable_ai_models, large_scale_...
        ALTER TABLE models ADD COLUMN snapshot DATE;               -- the Epoch snapshot's date
        ALTER TABLE models ADD COLUMN last_seen TIMESTAMP;
        """,
    ),
    (
        3,
        "tagged papers, so tagging skips what the current model already tagged",
        """
        -- One row per paper the tagger has looked at, tags or none: `leanwatch tag` skips papers
        -- whose row names the current model version.
        CREATE TABLE tagged_papers (
            paper_id VARCHAR NOT NULL,
            model_version VARCHAR NOT NULL,
            labels INTEGER,                    -- how many tags it got
            tagged_at TIMESTAMP
        );
        """,
    ),
]

MIGRATIONS.append(
    (
        4,
        "compute extraction: facts' words, claims' benchmark, estimates, transparency, full texts",
        """
        ALTER TABLE compute_facts ADD COLUMN what VARCHAR;              -- the matched words
        ALTER TABLE compute_facts ADD COLUMN extractor_version VARCHAR;
        ALTER TABLE claims ADD COLUMN benchmark VARCHAR;                -- normalised benchmark name
        ALTER TABLE claims ADD COLUMN sentence VARCHAR;
        ALTER TABLE claims ADD COLUMN extractor_version VARCHAR;
        -- One row per paper the extractor has read, facts or none: `leanwatch extract` skips papers
        -- whose row names the current extractor version.
        CREATE TABLE extracted_papers (
            paper_id VARCHAR NOT NULL,
            extractor_version VARCHAR NOT NULL,
            facts INTEGER,
            claims INTEGER,
            full_text BOOLEAN,                 -- the full text was read, not only the abstract
            transparency_score DOUBLE,         -- share of checklist items present, 0..1
            extracted_at TIMESTAMP
        );
        CREATE TABLE full_texts (
            paper_id VARCHAR NOT NULL,
            url VARCHAR,
            status VARCHAR,                    -- ok, missing (no HTML rendering), failed
            chars INTEGER,
            text VARCHAR,                      -- plain text reduced from the HTML; never rendered
            fetched_at TIMESTAMP
        );
        CREATE TABLE compute_estimates (
            paper_id VARCHAR NOT NULL,
            training_flop DOUBLE,              -- our figure: reported, else estimated
            flop_low DOUBLE,
            flop_high DOUBLE,
            method VARCHAR,                    -- reported, 6ND, chip_hours, none
            inputs VARCHAR,                    -- the numbers the estimate used, in words
            utilization DOUBLE,
            epoch_model_id VARCHAR,
            epoch_flop DOUBLE,
            epoch_ratio DOUBLE,                -- ours / Epoch's, where both exist
            chip_hours DOUBLE,
            cost_usd DOUBLE,
            price_source VARCHAR,              -- which chip-hour price and date the cost used
            extractor_version VARCHAR,
            estimated_at TIMESTAMP
        );
        CREATE TABLE transparency (
            paper_id VARCHAR NOT NULL,
            item VARCHAR NOT NULL,             -- code, compute, parameters, data_size, variance, eval_configs
            present BOOLEAN,
            evidence VARCHAR,
            extractor_version VARCHAR
        );
        """,
    )
)

MIGRATIONS.append(
    (
        5,
        "the system a claim is about",
        """
        ALTER TABLE claims ADD COLUMN model VARCHAR;   -- "SSD achieves 72.1% mAP": SSD
        """,
    )
)

MIGRATIONS.append(
    (
        6,
        "fingerprints of derived tables (the app's paper catalog, the search index)",
        """
        -- What each derived structure was last built from: a writer rebuilds it only when that changed.
        CREATE TABLE derived_state (
            name VARCHAR PRIMARY KEY,          -- facets, search
            fingerprint VARCHAR NOT NULL,
            built_at TIMESTAMP
        );
        """,
    )
)

LATEST_VERSION = MIGRATIONS[-1][0]
