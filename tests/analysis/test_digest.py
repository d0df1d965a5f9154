"""The weekly digest: every section, escaped HTML without scripts, a valid Atom feed of digests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from analysis import digest as dg
from leanwatch.cli import cli
from leanwatch.settings import Settings
from leanwatch.store import open_reader, open_writer
from tests.analysis.test_trends import _synthetic

WEEK = dt.date(2026, 3, 9)  # 2026-W11, the spike week of the synthetic store


def _store(settings: Settings) -> None:
    _synthetic(settings, spike=45)
    hostile = "arxiv:2611.00001"
    with open_writer(settings, "test") as store:
        store.upsert(
            "papers",
            [{"paper_id": hostile, "title": "<script>alert(1)</script> & Quantized", "announced": WEEK}],
        )
        store.upsert("tags", [{"paper_id": hostile, "label": "quantization", "score": 0.9, "method": "rule"}])
        store.upsert("hf_daily", [{"paper_id": hostile, "day": WEEK, "upvotes": 120, "github_stars": 900}])
        store.upsert("code_links", [{"paper_id": hostile, "repo_url": "https://github.com/x/y"}])
        store.upsert(
            "posts",
            [{"post_id": "url:1", "lab": "Hugging Face", "title": "A <b>post</b>", "url": "https://hf.co/blog/x",
              "published": dt.datetime(2026, 3, 10, 9)}],
        )  # fmt: skip
        store.upsert("post_papers", [{"post_id": "url:1", "paper_id": hostile}])


def test_digest_has_every_section_and_ranks_by_the_stated_score(settings: Settings) -> None:
    _store(settings)
    with open_reader(settings) as reader:
        made = dg.build(reader, WEEK)
    text = dg.to_markdown(made)
    for heading, _ in dg.sections(made):
        assert f"## {heading}" in text
    assert made.name == "2026-W11" and made.papers == 201 and made.papers_before == 200
    assert [m.label for m in made.rising] == ["quantization"]
    top = made.picks["quantization"][0]
    assert top.paper_id == "arxiv:2611.00001"  # upvotes, code, stars and a lab post put it first
    assert top.why == "120 upvotes, code, 900 stars, 1 lab post(s)"
    assert "Hugging Face: A <b>post</b> (https://hf.co/blog/x)" in text


def test_html_is_escaped_without_scripts_and_the_feed_is_valid_atom(
    settings: Settings, tmp_path: Path
) -> None:
    _store(settings)
    with open_reader(settings) as reader:
        made = dg.build(reader, WEEK)
    page = dg.to_html(made)
    soup = BeautifulSoup(page, "lxml")
    assert soup.find("script") is None and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Quantized" in page
    assert all(tag.get("style") for tag in soup.find_all(["h1", "h2", "li"]))
    feed_path = dg.save(made, tmp_path / "digests")
    parsed = feedparser.parse(feed_path.read_text(encoding="utf-8"))
    assert not parsed.bozo, parsed.bozo_exception
    assert [entry.title for entry in parsed.entries] == ["leanwatch digest, week 2026-W11"]
    assert "Rising and falling" in parsed.entries[0].content[0].value


def test_digest_command(settings: Settings, tmp_path: Path) -> None:
    _store(settings)
    base = ["--data-dir", str(settings.data_dir), "digest"]
    result = CliRunner().invoke(cli, [*base, "--week", "2026-W11"])
    assert result.exit_code == 0, result.output
    assert "quantization: 46 papers against 20.1 expected" in result.output  # 45 + the hostile one
    out = tmp_path / "d.html"
    assert (
        CliRunner()
        .invoke(cli, [*base, "--week", "2026-W11", "--format", "html", "--out", str(out)])
        .exit_code
        == 0
    )
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert (settings.data_dir / "digests" / "2026-W11.md").exists()
    bad = CliRunner().invoke(cli, [*base, "--week", "week 11"])
    assert bad.exit_code == 2 and "not an ISO week" in bad.output


@pytest.mark.parametrize("text", ["2026-W14", "2026-w01"])
def test_weeks_parse(text: str) -> None:
    assert dg.parse_week(text).weekday() == 0


def test_label_feeds_are_valid_atom_with_escaped_titles(settings: Settings, tmp_path: Path) -> None:
    from analysis.feeds import write_label_feeds

    _store(settings)
    with open_writer(settings, "test") as store:
        store.upsert("tags", [{"paper_id": "arxiv:2611.00001", "label": "quantization", "score": 0.9,
                               "method": "rule", "evidence": ["title: quantized"]}])  # fmt: skip
    with open_reader(settings) as reader:
        assert write_label_feeds(reader, tmp_path / "feeds", entries=500) == 20
    parsed = feedparser.parse((tmp_path / "feeds" / "quantization.atom").read_text(encoding="utf-8"))
    assert not parsed.bozo, parsed.bozo_exception
    assert len(parsed.entries) == 9 * 20 + 45 + 1  # nine weeks of 20, the spike week's 45, the hostile one
    days = [entry.updated for entry in parsed.entries]
    assert days == sorted(days, reverse=True)  # newest first
    hostile = next(e for e in parsed.entries if e.id == "urn:leanwatch:paper:arxiv:2611.00001")
    assert hostile.title == "<script>alert(1)</script> & Quantized"  # text, escaped in the XML
    assert "Why quantization: title: quantized" in hostile.summary
    raw = (tmp_path / "feeds" / "quantization.atom").read_text(encoding="utf-8")
    assert "<script>" not in raw
    assert feedparser.parse((tmp_path / "feeds" / "kv_cache.atom").read_text()).entries == []


def test_digest_mail_dry_run_and_send(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import email
    import smtplib

    _store(settings)
    base = ["--data-dir", str(settings.data_dir), "-s", "smtp_to=a@example.org,b@example.org", "digest"]
    dry = CliRunner().invoke(cli, [*base, "--week", "2026-W11", "--send", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    message = email.message_from_bytes((settings.data_dir / "digests" / "2026-W11.eml").read_bytes())
    assert (
        message["Subject"] == "leanwatch digest, week 2026-W11"
        and message["To"] == "a@example.org, b@example.org"
    )
    kinds = [part.get_content_type() for part in message.walk()]
    assert "text/plain" in kinds and "text/html" in kinds
    missing = CliRunner().invoke(cli, [*base, "--week", "2026-W11", "--send"])
    assert missing.exit_code == 2 and "LEANWATCH_SMTP_HOST" in missing.output
    sent: list[object] = []

    class FakeSMTP:
        def __init__(self, host: str, port: int, timeout: float) -> None:
            assert (host, port) == ("mail.example.org", 2525)

        def __enter__(self) -> FakeSMTP:
            return self

        def __exit__(self, *_: object) -> None:
            return None

        def ehlo(self) -> None:
            return None

        def has_extn(self, name: str) -> bool:
            return False

        def send_message(self, msg: object) -> None:
            sent.append(msg)

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    real = CliRunner().invoke(
        cli,
        [
            *base[:-1],
            "-s",
            "smtp_host=mail.example.org",
            "-s",
            "smtp_port=2525",
            "digest",
            "--week",
            "2026-W11",
            "--send",
        ],
    )
    assert real.exit_code == 0, real.output
    assert len(sent) == 1 and "mailed to a@example.org, b@example.org" in real.output


def test_watchlist_feeds_hold_what_the_watchlist_keeps(settings: Settings, tmp_path: Path) -> None:
    from analysis.feeds import write_watchlist_feeds
    from analysis.watchlists import Watchlist

    _store(settings)
    lists = {"low bit!": Watchlist("low bit!", labels=("quantization",), exclude=("alert",))}
    with open_reader(settings) as reader:
        assert write_watchlist_feeds(reader, tmp_path / "feeds", lists, entries=500) == 1
        expected = reader.query(
            "SELECT count(*) FROM papers p JOIN tags t USING (paper_id) WHERE t.label = 'quantization' "
            "AND NOT contains(lower(p.title || ' ' || coalesce(p.abstract, '')), 'alert')"
        )[0][0]
    parsed = feedparser.parse((tmp_path / "feeds" / "watchlist-low_bit_.atom").read_text(encoding="utf-8"))
    assert not parsed.bozo, parsed.bozo_exception
    assert len(parsed.entries) == expected > 0
    assert parsed.feed.title == "leanwatch watchlist: low bit!"
    assert "Why low bit!: it matches exclude: alert; labels: quantization" in parsed.entries[0].summary
