from __future__ import annotations

import logging

import pytest

from leanwatch import logs


def test_progress_off_a_terminal_logs_plain_lines(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs.sys.stderr, "isatty", lambda: False)
    monkeypatch.setattr(logs, "PLAIN_EVERY_SECONDS", 0.0)  # a line per item, so every line shows
    with caplog.at_level(logging.INFO, logger="leanwatch.progress"):
        assert list(logs.progress(range(3), desc="papers", total=3, unit="papers")) == [0, 1, 2]
    lines = [record.getMessage() for record in caplog.records]
    assert lines[:3] == [
        "papers: 1/3 papers so far",
        "papers: 2/3 papers so far",
        "papers: 3/3 papers so far",
    ]
    assert lines[-1].startswith("papers: 3 papers in ")
