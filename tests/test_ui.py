from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from leanwatch.settings import Settings
from leanwatch.store import open_writer

APP = Path(__file__).resolve().parent.parent / "ui" / "app.py"


def _run_app(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("LEANWATCH_DATA_DIR", str(settings.data_dir))
    app = AppTest.from_file(str(APP), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    return app


def test_empty_store_tells_a_new_user_what_to_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _run_app(settings, monkeypatch)
    assert app.info, "an empty store shows instructions"
    text = app.info[0].value
    assert "leanwatch ingest arxiv --from" in text
    assert "leanwatch update" in text


def test_overview_shows_counts(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_writer(settings, "test") as store:
        store.upsert("papers", [{"paper_id": f"arxiv:2501.0000{i}", "title": f"Paper {i}"} for i in range(3)])
        run = store.start_run("update", "arxiv")
        store.finish_run(run, "failed", {"errors": 1}, "https://rss.arxiv.org/rss/cs.AI: unreachable")
    app = _run_app(settings, monkeypatch)
    assert not app.info
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Papers"] == "3"
    sources = app.dataframe[-1].value
    assert list(sources["status"]) == ["failed"]


def test_tags_page_shows_each_tag_with_its_evidence(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_writer(settings, "test") as store:
        store.upsert("papers", [{"paper_id": "arxiv:2501.00001", "title": "KV cache eviction"}])
        store.upsert(
            "tags",
            [
                {
                    "paper_id": "arxiv:2501.00001",
                    "label": "kv_cache",
                    "score": 0.97,
                    "method": "both",
                    "evidence": ["title: kv cache", "model: eviction"],
                    "model_version": "tagger-v1-test",
                }
            ],
        )
    monkeypatch.setenv("LEANWATCH_DATA_DIR", str(settings.data_dir))
    app = AppTest.from_file(str(APP.parent / "pages" / "tags.py"), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    app.selectbox(key="label").set_value("kv_cache").run()
    frame = app.dataframe[0].value
    assert frame["evidence"].tolist() == ["title: kv cache; model: eviction"]
    assert frame["paper"].tolist() == ["https://arxiv.org/abs/2501.00001"]
    assert frame["method"].tolist() == ["both"]
