from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from ingest.http import HttpClient
from ingest.run import RunCounts, Source, run_source
from leanwatch.cli import cli
from leanwatch.settings import Settings
from leanwatch.store import TABLES, Store, open_reader, open_writer

COMMANDS = [
    "ingest",
    "index",
    "tag",
    "extract",
    "update",
    "digest",
    "export",
    "watchlist",
    "verify",
    "ui",
    "settings",
    "status",
]


def invoke(settings: Settings, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(cli, ["--data-dir", str(settings.data_dir), *args], env={})
    return result.exit_code, result.stdout, result.stderr


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    commands = result.output.split("Commands:")[1]
    listed = {line.split()[0] for line in commands.strip().splitlines()}
    assert listed == set(COMMANDS)


def test_status_json_on_an_empty_store(settings: Settings) -> None:
    code, out, _ = invoke(settings, "status", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["tables"] == dict.fromkeys(TABLES, 0)
    assert report["sources"] == {}
    assert report["store"]["path"] == str(settings.db)
    assert not settings.db.exists()


def test_status_json_counts_what_was_written(settings: Settings) -> None:
    with open_writer(settings, "test") as store:
        store.upsert("papers", [{"paper_id": "arxiv:2501.00001", "title": "A paper"}])
        store.upsert("paper_sources", [{"paper_id": "arxiv:2501.00001", "source": "arxiv_rss"}])
        run = store.start_run("ingest", "arxiv_rss")
        store.finish_run(run, "ok", {"new": 1})
    _, out, _ = invoke(settings, "status", "--json")
    report = json.loads(out)
    assert (report["tables"]["papers"], report["tables"]["ingest_runs"]) == (1, 1)
    assert report["sources"]["arxiv_rss"]["papers"] == 1
    assert report["sources"]["arxiv_rss"]["last_run"]["status"] == "ok"


def test_a_missing_recipe_is_one_line(settings: Settings) -> None:
    code, _, err = invoke(settings, "verify", "run", "no-such-recipe")
    assert code == 1
    assert err.strip().startswith("leanwatch: error: no recipe 'no-such-recipe'; known: ")
    assert len(err.strip().splitlines()) == 1


def test_bad_setting_is_one_line(settings: Settings) -> None:
    code, _, err = invoke(settings, "-s", "http_timeout=soon", "status")
    assert code == 2
    assert err.strip() == "leanwatch: error: setting http_timeout: 'soon' is not a valid number"


def test_verbose_adds_the_traceback(settings: Settings) -> None:
    _, _, quiet = invoke(settings, "verify", "run", "no-such-recipe")
    _, _, loud = invoke(settings, "--verbose", "verify", "run", "no-such-recipe")
    assert "Traceback" not in quiet
    assert "Traceback" in loud and "InputFormatError" in loud


def test_busy_writer_is_a_clear_error(settings: Settings) -> None:
    with open_writer(settings, "holder"):
        code, _, err = invoke(settings, "--wait-seconds", "0", "update")
    assert code == 75
    assert "another leanwatch writer holds" in err and "holder" in err


def test_settings_shows_where_values_came_from(settings: Settings) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["-s", "http_retries=5", "settings", "--json"], env={"LEANWATCH_CONTACT_EMAIL": "me@example.org"}
    )
    shown = json.loads(result.stdout)
    assert shown["http_retries"] == {**shown["http_retries"], "value": "5", "source": "flag"}
    assert shown["contact_email"]["source"] == "env LEANWATCH_CONTACT_EMAIL"
    assert shown["data_dir"]["source"] == "default"


def test_update_offline_reports_each_source_and_publishes_a_store(settings: Settings, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(
        '[[feed]]\nname = "Lab"\nlab = "Lab"\nkind = "official"\nurl = "http://127.0.0.1:9/feed"\n'
    )
    code, _, err = invoke(
        settings,
        *("-s", "arxiv_rss_url=http://127.0.0.1:9/rss", "-s", f"blog_feeds_file={feeds}"),
        *("-s", "hf_papers_url=http://127.0.0.1:9/api/daily_papers"),
        *("-s", "epoch_models_url=http://127.0.0.1:9/notable_ai_models.csv"),
        "update",
    )
    assert code == 1
    assert "retrying" not in err  # a refused connection fails at once, with no backoff
    assert "arxiv: FAILED http://127.0.0.1:9/rss/cs.AI:" in err
    assert "blogs: FAILED fetched 0" in err and "Lab: failed (" in err
    assert "hf_papers: FAILED http://127.0.0.1:9/api/daily_papers" in err
    assert "epoch: FAILED http://127.0.0.1:9/notable_ai_models.csv" in err
    assert "update: 4 source(s) failed: arxiv, hf_papers, epoch, blogs" in err
    with open_reader(settings) as reader:
        assert not reader.empty  # the app opens on a real (empty) store afterwards
        runs = reader.query("SELECT source, status FROM ingest_runs ORDER BY source")
    assert runs == [
        ("arxiv_rss", "failed"),
        ("blogs", "failed"),
        ("epoch", "failed"),
        ("hf_papers", "failed"),
    ]


def _fetching(url: str) -> Source:
    def update(store: Store, settings: Settings, client: HttpClient) -> RunCounts:
        client.get(url)
        return RunCounts(fetched=1)

    return Source("probe", "test source", issue=0, update=update)


def test_unreachable_source_fails_fast_in_one_line_and_is_recorded(settings: Settings) -> None:
    started = time.monotonic()
    with open_writer(settings, "test") as store, HttpClient(settings) as client:
        outcome = run_source(
            store, settings, client, _fetching("http://does-not-exist.invalid/rss"), "update"
        )
        ok = run_source(
            store, settings, client, Source("later", "next", 0, lambda s, st, c: RunCounts(new=2)), "update"
        )
    assert time.monotonic() - started < 5
    assert outcome.status == "failed"
    assert outcome.line.startswith("probe: FAILED http://does-not-exist.invalid/rss:")
    assert "\n" not in outcome.line
    assert ok.line == "later: fetched 0, new 2, updated 0, unchanged 0, skipped 0, errors 0"
    with open_reader(settings) as reader:
        runs = dict(reader.query("SELECT source, status FROM ingest_runs"))
    assert runs == {"probe": "failed", "later": "ok"}


def test_console_script_runs() -> None:
    script = Path(sys.executable).parent / "leanwatch"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "leanwatch, version 0.1.0"
