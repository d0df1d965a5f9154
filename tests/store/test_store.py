from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import duckdb
import pytest

from leanwatch.errors import StoreError
from leanwatch.settings import Settings
from leanwatch.store import LATEST_VERSION, TABLES, open_reader, open_writer, snapshot_path
from leanwatch.store.connection import connect_writer, migrate
from leanwatch.store.schema import MIGRATIONS


def _dump(settings: Settings, table: str = "papers") -> list[tuple[Any, ...]]:
    with open_reader(settings) as reader:
        return reader.query(f'SELECT * FROM "{table}" ORDER BY ALL')  # noqa: S608 - fixed names


def test_migrations_from_empty_are_recorded_once(settings: Settings) -> None:
    con = connect_writer(settings.db, settings.db_memory_limit)
    try:
        tables = {
            row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        assert set(TABLES) | {"schema_migrations"} <= tables
        versions = con.execute("SELECT version FROM schema_migrations").fetchall()
        assert versions == [(version,) for version, _, _ in MIGRATIONS]
        assert versions[-1] == (LATEST_VERSION,)
        assert migrate(con) == []  # a second run applies nothing
    finally:
        con.close()


def test_a_store_of_an_earlier_version_migrates_and_keeps_its_rows(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("leanwatch.store.connection.MIGRATIONS", MIGRATIONS[:1])
    with open_writer(settings, "v1") as store:
        store.upsert("papers", [{"paper_id": "arxiv:2501.00001", "title": "Kept"}])
        store.upsert("models", [{"model_id": "epoch:m", "name": "M", "parameters": 7e9}])
    monkeypatch.setattr("leanwatch.store.connection.MIGRATIONS", MIGRATIONS)
    with open_writer(settings, "v2") as store:
        store.upsert("models", [{"model_id": "epoch:m", "listing": "notable_ai_models"}])
    with open_reader(settings) as reader:
        assert reader.schema_version() == LATEST_VERSION
        assert reader.query("SELECT title FROM papers") == [("Kept",)]
        assert reader.query("SELECT name, parameters, listing FROM models") == [
            ("M", 7e9, "notable_ai_models")
        ]


def test_reader_before_any_write_is_empty(settings: Settings) -> None:
    with open_reader(settings) as reader:
        assert reader.empty
        assert reader.table_counts() == dict.fromkeys(TABLES, 0)
    assert not settings.db.exists()  # reading never creates the store


def test_same_batch_twice_leaves_the_same_rows(settings: Settings, real_rows: list[dict[str, Any]]) -> None:
    batch = real_rows[:1000]
    with open_writer(settings, "test") as store:
        first = store.upsert("papers", batch)
    after_first = _dump(settings)
    with open_writer(settings, "test") as store:
        second = store.upsert("papers", batch)
    assert (first.new, first.updated, first.unchanged) == (1000, 0, 0)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 1000)
    assert _dump(settings) == after_first
    assert len(after_first) == 1000


def test_duplicates_within_a_batch_keep_the_last(settings: Settings, real_rows: list[dict[str, Any]]) -> None:
    original = {**real_rows[0], "arxiv_version": 1}
    revised = {**original, "title": original["title"] + " (revised)", "arxiv_version": 2}
    with open_writer(settings, "test") as store:
        counts = store.upsert("papers", [original, real_rows[1], revised])
        stored = store.query(
            "SELECT title, arxiv_version FROM papers WHERE paper_id = ?", [original["paper_id"]]
        )
    assert (counts.received, counts.duplicates, counts.new) == (3, 1, 2)
    assert stored == [(revised["title"], 2)]


def test_within_a_batch_an_older_version_loses_as_between_batches(
    settings: Settings, real_rows: list[dict[str, Any]]
) -> None:
    newer = {**real_rows[0], "title": "Version two", "arxiv_version": 2}
    older = {**real_rows[0], "title": "Version one", "arxiv_version": 1}
    same_batch = dataclasses.replace(settings, data_dir=settings.data_dir / "one")
    with open_writer(same_batch, "test") as store:
        store.upsert("papers", [newer, older])
        together = store.query("SELECT title, arxiv_version FROM papers")
    with open_writer(settings, "test") as store:
        store.upsert("papers", [newer])
        store.upsert("papers", [older])
        apart = store.query("SELECT title, arxiv_version FROM papers")
    assert together == apart == [("Version two", 2)]


def test_update_writes_only_the_batch_columns_and_keeps_first_seen(
    settings: Settings, real_rows: list[dict[str, Any]]
) -> None:
    row = real_rows[0]
    with open_writer(settings, "test") as store:
        store.upsert("papers", [row])
        later = dt.datetime(2026, 6, 1)
        counts = store.upsert(
            "papers",
            [{"paper_id": row["paper_id"], "title": "New title", "first_seen": later, "last_seen": later}],
        )
        stored = store.query("SELECT title, abstract, authors, first_seen, last_seen FROM papers")
    assert (counts.new, counts.updated) == (0, 1)
    assert stored == [("New title", row["abstract"], row["authors"], row["first_seen"], later)]


def test_bad_batches_are_refused_without_writing(settings: Settings, real_rows: list[dict[str, Any]]) -> None:
    with open_writer(settings, "test") as store:
        with pytest.raises(StoreError, match="unknown table"):
            store.upsert("papers; DROP TABLE papers", real_rows[:1])
        with pytest.raises(StoreError, match="unknown columns"):
            store.upsert("papers", [{**real_rows[0], "colour": "red"}])
        with pytest.raises(StoreError, match="lacks key columns"):
            store.upsert("papers", [{"title": "no id"}])
        with pytest.raises(StoreError, match="upsert into papers failed"):
            store.upsert("papers", [real_rows[0], {"paper_id": "arxiv:x", "title": None}])  # NOT NULL
        assert store.query("SELECT count(*) FROM papers") == [(0,)]


def test_snapshot_is_published_for_readers(settings: Settings, real_rows: list[dict[str, Any]]) -> None:
    with open_writer(settings, "test") as store:
        store.upsert("papers", real_rows[:10])
    assert snapshot_path(settings.db).exists()
    with open_reader(settings) as reader:
        assert reader.table_counts()["papers"] == 10
        with pytest.raises(duckdb.Error):  # readers are read-only
            reader.query("DELETE FROM papers")


def test_source_state_round_trip(settings: Settings) -> None:
    with open_writer(settings, "test") as store:
        assert store.source_state("blogs", "https://example.org/feed") is None
        store.set_source_state("blogs", "https://example.org/feed", etag='"abc"', last_modified="Mon")
        store.set_source_state("arxiv_oai", cursor="token-1")
        state = store.source_state("blogs", "https://example.org/feed")
        assert state is not None
        assert (state["etag"], state["last_modified"]) == ('"abc"', "Mon")
        with pytest.raises(StoreError):
            store.set_source_state("x", colour="red")
    with open_reader(settings) as reader:
        state = reader.source_summary()["arxiv_oai"]["state"]
    assert state[""]["cursor"] == "token-1"


def test_keys_stay_unique_across_overlapping_batches(
    settings: Settings, real_rows: list[dict[str, Any]]
) -> None:
    """Uniqueness is the upsert's job (no DuckDB index): overlapping batches never duplicate a key."""
    rows = real_rows[:900]
    sources = [{"paper_id": r["paper_id"], "source": "test", "source_id": r["arxiv_id"]} for r in rows]
    with open_writer(settings, "test") as store:
        for start in (0, 200, 400, 0):
            store.upsert("papers", rows[start : start + 500])
            store.upsert("paper_sources", sources[start : start + 500] + sources[start : start + 10])
        papers = store.query("SELECT count(*), count(DISTINCT paper_id) FROM papers")
        provenance = store.query("SELECT count(*), count(DISTINCT (paper_id, source)) FROM paper_sources")
    assert papers == [(900, 900)]
    assert provenance == [(900, 900)]
