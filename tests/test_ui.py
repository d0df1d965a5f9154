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
    assert not app.info, app.info[0].value
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Papers stored"] == "3"
    sources = app.dataframe[-1].value
    assert list(sources["status"]) == ["failed"]


def test_compute_page_shows_estimates_against_epoch_and_one_paper(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analysis import extraction

    abstract = "We train our 7B model on 2T tokens with 256 A100 GPUs for 21 days <script>x</script>."
    with open_writer(settings, "test") as store:
        store.upsert(
            "papers", [{"paper_id": "arxiv:2501.00001", "title": "Small $LM$", "abstract": abstract}]
        )
        store.upsert(
            "models",
            [{"model_id": "epoch:S", "paper_id": "arxiv:2501.00001", "training_compute_flop": 8.4e22,
              "source": "epoch", "snapshot": "2026-02-01"}],
        )  # fmt: skip
        extraction.extract_store(store, extraction.Utilization(), workers=1)
    monkeypatch.setenv("LEANWATCH_DATA_DIR", str(settings.data_dir))
    app = AppTest.from_file(str(APP.parent / "views" / "compute.py"), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    frame = next(d.value for d in app.dataframe if "training FLOP" in d.value.columns)
    assert frame["method"].tolist() == ["6ND"]
    assert frame["training FLOP"].tolist() == ["8.4e+22"]
    assert frame["ours / Epoch"].tolist() == [6 * 7e9 * 2e12 / 8.4e22]
    app.text_input(key="paper").set_value("2501.00001").run()
    report = app.text[0].value
    assert "256 x A100" in report and "Epoch AI: 8.4e+22 FLOP for epoch:S" in report
    assert "Small $LM$" in report  # shown as text, not markup


def test_compute_page_tells_a_new_user_what_to_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEANWATCH_DATA_DIR", str(settings.data_dir))
    app = AppTest.from_file(str(APP.parent / "views" / "compute.py"), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    assert "leanwatch extract" in app.info[0].value


def test_overview_shows_rising_labels_with_their_test(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.analysis.test_trends import _synthetic

    _synthetic(settings, spike=45)  # ten weeks; the last (2026-W11) has 45 quantization papers, not 20
    app = _run_app(settings, monkeypatch)
    assert any(h.value.startswith("Week 2026-W11") for h in app.subheader)
    moved = app.dataframe[0].value
    assert moved.to_dict("records") == [
        {"label": "quantization", "direction": "rising", "papers": 45, "expected": 20.0, "p-value": "1.1e-06"}
    ]


def test_a_first_update_that_failed_still_tells_the_user_what_to_do(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_writer(settings, "test") as store:
        run = store.start_run("update", "arxiv_rss")
        store.finish_run(
            run, "failed", {"errors": 1}, "https://rss.arxiv.org/rss/cs.AI: Name or service not known"
        )
    app = _run_app(settings, monkeypatch)
    assert "leanwatch ingest arxiv --from" in app.info[0].value
    assert list(app.dataframe[-1].value["message"]) == [
        "https://rss.arxiv.org/rss/cs.AI: Name or service not known"
    ]
