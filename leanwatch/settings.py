"""Every setting, declared once: name, default and help.

Values are read from the defaults, then `LEANWATCH_<NAME>` environment variables, then CLI flags,
and passed down as one immutable `Settings` object. `Settings.origin` says where each came from.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from leanwatch.errors import SettingError

ENV_PREFIX = "LEANWATCH_"


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _setting(Path("data"), "Data directory: the store, models/, exports/, digests/, runs/.")
    db_path: Path | None = _setting(None, "DuckDB store file; unset means <data_dir>/leanwatch.duckdb.")
    db_memory_limit: str = _setting(
        "512MB", "Memory DuckDB may use while writing (it spills to <data_dir>/duckdb_tmp beyond that)."
    )
    writer_wait_seconds: float = _setting(
        600.0, "How long a writing command waits for another writer's lock before failing; 0 fails at once."
    )
    contact_email: str = _setting(
        "", "Contact address put in the User-Agent of every request (arXiv asks for one)."
    )
    http_connect_timeout: float = _setting(5.0, "Seconds to establish a connection before giving up.")
    http_timeout: float = _setting(30.0, "Seconds to wait for a response to progress (read/write/pool).")
    http_max_bytes: int = _setting(64_000_000, "Byte cap per response; a larger body is refused.")
    http_retries: int = _setting(3, "Retries on 429/5xx and dropped connections (not on DNS/refused).")
    http_max_retry_wait: float = _setting(120.0, "Longest single wait between retries, Retry-After included.")
    request_interval: float = _setting(1.0, "Default minimum seconds between requests to one host.")
    host_intervals: tuple[str, ...] = _setting(
        ("arxiv.org=3",),
        "Per-host minimum intervals as DOMAIN=SECONDS; subdomains share their domain's slot "
        "(arXiv asks one request every 3 s across its API, RSS and OAI-PMH).",
    )
    sources: tuple[str, ...] = _setting(
        ("arxiv", "hf_papers", "epoch", "blogs"), "Sources that `leanwatch update` refreshes, in order."
    )
    arxiv_categories: tuple[str, ...] = _setting(
        ("cs.AI", "cs.LG", "cs.CL", "cs.CV", "cs.NE", "cs.IR", "stat.ML"),
        "Watched arXiv categories; a paper is kept when any of its categories is watched.",
    )
    arxiv_api_url: str = _setting("https://export.arxiv.org/api/query", "arXiv query API endpoint.")
    arxiv_rss_url: str = _setting("https://rss.arxiv.org/rss", "arXiv RSS base; the category is appended.")
    arxiv_oai_url: str = _setting("https://oaipmh.arxiv.org/oai", "arXiv OAI-PMH endpoint.")
    arxiv_html_url: str = _setting("https://arxiv.org/html", "arXiv HTML full-text base; the id is appended.")
    hf_papers_url: str = _setting(
        "https://huggingface.co/api/daily_papers", "Hugging Face daily papers API endpoint."
    )
    epoch_models_url: str = _setting(
        "https://epoch.ai/data/notable_ai_models.csv", "Epoch AI notable models CSV."
    )
    blog_feeds_file: Path | None = _setting(
        None, "TOML list of lab blog feeds; unset means the list shipped with leanwatch."
    )
    blog_fetch_pages: bool = _setting(
        False, "Fetch a post's own page for its full text when the feed carries only a summary."
    )
    blog_pages_per_run: int = _setting(50, "At most this many post pages fetched per run (blog_fetch_pages).")
    ingest_workers: int = _setting(
        0,
        "Worker processes that parse large snapshot files and runs of saved API/OAI pages while the "
        "store writes; 0 means one per CPU.",
    )
    tag_workers: int = _setting(0, "Worker processes that score papers while tagging; 0 means one per CPU.")
    extract_workers: int = _setting(
        0, "Worker processes that read papers for compute facts and claims; 0 means one per CPU."
    )
    fulltext_per_run: int = _setting(
        20, "At most this many arXiv HTML full texts fetched per `extract`/`update` run (0: abstracts only)."
    )
    fulltext_url: str = _setting("https://arxiv.org/html/{id}", "Where a paper's HTML full text is fetched.")
    utilization_lm: float = _setting(0.3, "Assumed hardware utilisation of language-model training runs.")
    utilization_other: float = _setting(0.4, "Assumed hardware utilisation of other training runs.")
    smtp_host: str | None = _setting(
        None, "SMTP server `leanwatch digest --send` mails through; unset: --dry-run only."
    )
    smtp_port: int = _setting(587, "SMTP port (STARTTLS is used when the server offers it).")
    smtp_user: str | None = _setting(None, "SMTP login name; unset: no login.")
    smtp_password: str | None = _setting(None, "SMTP password (set it in the environment, not in files).")
    smtp_from: str = _setting("leanwatch@localhost", "The digest's From address.")
    smtp_to: tuple[str, ...] = _setting((), "Where the digest is mailed, space- or comma-separated.")
    shared_data_dir: Path | None = _setting(
        None,
        "The shared public corpora that `leanwatch tag --retrain` and `--evaluate` read; "
        "unset means ../shared/data beside the checkout.",
    )
    ui_port: int = _setting(8501, "Port the Streamlit app listens on.")

    origin: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def tagger_model(self) -> Path:
        """The tagger model `--retrain` writes; while absent, the model shipped with leanwatch is used."""
        return self.data_dir / "models" / "tagger.skops"

    @property
    def shared_data(self) -> Path:
        if self.shared_data_dir is not None:
            return self.shared_data_dir
        return Path(__file__).resolve().parent.parent.parent / "shared" / "data"

    @property
    def db(self) -> Path:
        return self.db_path if self.db_path is not None else self.data_dir / "leanwatch.duckdb"

    def interval_for(self, host: str) -> tuple[str, float]:
        """The rate-limit slot for `host` and its minimum interval in seconds."""
        for entry in self.host_intervals:
            domain, _, seconds = entry.partition("=")
            if host == domain or host.endswith("." + domain):
                return domain, float(seconds)
        return host, self.request_interval


@dataclass(frozen=True)
class SettingInfo:
    name: str
    env: str
    default: Any
    help: str


def declared() -> list[SettingInfo]:
    """The declared settings, in declaration order."""
    return [
        SettingInfo(f.name, ENV_PREFIX + f.name.upper(), f.default, f.metadata["help"])
        for f in dataclasses.fields(Settings)
        if "help" in f.metadata
    ]


_TYPES = get_type_hints(Settings)


def parse_value(name: str, raw: str) -> Any:
    """Turn the text of a setting (from the environment or a flag) into its typed value."""
    kind = _TYPES.get(name)
    if kind is None or name == "origin":
        known = ", ".join(s.name for s in declared())
        raise SettingError(f"unknown setting {name!r}; known settings: {known}")
    text = raw.strip()
    if kind == Path | None:  # an optional path: empty text unsets it
        return Path(text).expanduser() if text else None
    try:
        if kind is Path:
            return Path(text).expanduser()
        if kind is int:
            return int(text)
        if kind is float:
            return float(text)
        if kind == tuple[str, ...]:
            return tuple(text.replace(",", " ").split())
        if kind is bool:
            return _parse_bool(text)
    except ValueError as exc:
        raise SettingError(f"setting {name}: {raw!r} is not a valid {_type_name(kind)}") from exc
    return text


def _parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(text)


def _type_name(kind: Any) -> str:
    return {int: "integer", float: "number", bool: "boolean"}.get(kind, str(kind))


def load_settings(env: Mapping[str, str] | None = None, flags: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then LEANWATCH_* variables from `env`, then `flags` (name -> text), later winning."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for info in declared():
        origin[info.name] = "default"
        if info.env in env:
            values[info.name] = parse_value(info.name, env[info.env])
            origin[info.name] = f"env {info.env}"
    for name, raw in (flags or {}).items():
        values[name] = parse_value(name, raw)
        origin[name] = "flag"
    return Settings(**values, origin=origin)


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return " ".join(value)
    return str(value)
