from __future__ import annotations

import re
from pathlib import Path

import pytest

from leanwatch.errors import SettingError
from leanwatch.settings import declared, load_settings

REPO = Path(__file__).resolve().parent.parent


def test_defaults_then_env_then_flags() -> None:
    defaults = load_settings(env={})
    assert defaults.data_dir == Path("data")
    assert defaults.db == Path("data/leanwatch.duckdb")
    assert defaults.origin["data_dir"] == "default"

    env = {"LEANWATCH_DATA_DIR": "/srv/lw", "LEANWATCH_HTTP_TIMEOUT": "7.5"}
    from_env = load_settings(env=env)
    assert from_env.db == Path("/srv/lw/leanwatch.duckdb")
    assert from_env.http_timeout == 7.5
    assert from_env.origin["http_timeout"] == "env LEANWATCH_HTTP_TIMEOUT"

    flagged = load_settings(env=env, flags={"http_timeout": "3", "db_path": "/tmp/x.duckdb"})
    assert flagged.http_timeout == 3.0
    assert flagged.origin["http_timeout"] == "flag"
    assert flagged.db == Path("/tmp/x.duckdb")
    assert flagged.data_dir == Path("/srv/lw")


def test_lists_accept_spaces_and_commas() -> None:
    settings = load_settings(env={"LEANWATCH_ARXIV_CATEGORIES": "cs.AI, cs.LG  stat.ML"})
    assert settings.arxiv_categories == ("cs.AI", "cs.LG", "stat.ML")


def test_bad_values_name_the_setting() -> None:
    with pytest.raises(SettingError, match="http_timeout.*'soon'"):
        load_settings(env={"LEANWATCH_HTTP_TIMEOUT": "soon"})
    with pytest.raises(SettingError, match="unknown setting 'colour'"):
        load_settings(env={}, flags={"colour": "red"})


def test_arxiv_hosts_share_one_slot() -> None:
    settings = load_settings(env={})
    assert settings.interval_for("export.arxiv.org") == ("arxiv.org", 3.0)
    assert settings.interval_for("rss.arxiv.org") == ("arxiv.org", 3.0)
    assert settings.interval_for("huggingface.co") == ("huggingface.co", 1.0)
    assert settings.interval_for("notarxiv.org") == ("notarxiv.org", 1.0)


def test_every_setting_is_documented() -> None:
    docs = (REPO / "README.md").read_text() + "".join(p.read_text() for p in (REPO / "docs").glob("*.md"))
    missing = [info.env for info in declared() if not re.search(rf"\b{info.env}\b", docs)]
    assert not missing, f"settings not documented in README.md or docs/: {missing}"


def test_secrets_are_never_printed(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from leanwatch.cli import cli

    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "-s", "smtp_password=hunter2", "settings"])
    assert result.exit_code == 0
    assert "hunter2" not in result.output and "(set, hidden)" in result.output
