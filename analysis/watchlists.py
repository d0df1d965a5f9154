"""Watchlists: saved paper filters (keywords, excluded keywords, labels, authors, labs, categories)
that trends, the digest and exports can be restricted to.

They live in DATA_DIR/watchlists.toml, one table per name, written by `leanwatch watchlist add` and
readable by hand. A filter becomes fixed SQL with `?` parameters: what a user typed is only ever a
parameter value, never SQL.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from leanwatch.errors import InputFormatError
from leanwatch.files import replace_text

FIELDS = ("keywords", "exclude", "labels", "authors", "labs", "categories")


@dataclass(frozen=True)
class Watchlist:
    name: str
    keywords: tuple[str, ...] = ()  # any of them in the title or abstract
    exclude: tuple[str, ...] = ()  # none of them in the title or abstract
    labels: tuple[str, ...] = ()  # any of these tags
    authors: tuple[str, ...] = ()  # any author whose name contains one of these
    labs: tuple[str, ...] = ()  # cited by a post of one of these labs, or from that HF organisation
    categories: tuple[str, ...] = ()  # any of these arXiv categories

    def where(self, alias: str = "p") -> tuple[str, list[Any]]:
        """An SQL condition on papers `alias` and its parameters ("TRUE" and none when empty)."""
        parts: list[str] = []
        params: list[Any] = []
        text = f"lower(coalesce({alias}.title, '') || ' ' || coalesce({alias}.abstract, ''))"
        if self.keywords:
            parts.append("(" + " OR ".join(f"contains({text}, lower(?))" for _ in self.keywords) + ")")
            params += self.keywords
        for word in self.exclude:
            parts.append(f"NOT contains({text}, lower(?))")
            params.append(word)
        if self.labels:
            parts.append(
                f"EXISTS (SELECT 1 FROM tags w WHERE w.paper_id = {alias}.paper_id "  # noqa: S608 - values are ?
                "AND list_contains(?, w.label))"
            )
            params.append(list(self.labels))
        if self.authors:
            parts.append(
                f"EXISTS (SELECT 1 FROM (SELECT unnest({alias}.authors) AS a) "  # noqa: S608 - values are ?
                "WHERE " + " OR ".join("contains(lower(a), lower(?))" for _ in self.authors) + ")"
            )
            params += self.authors
        if self.labs:
            labs = [lab.lower() for lab in self.labs]
            parts.append(
                f"(EXISTS (SELECT 1 FROM post_papers q JOIN posts o USING (post_id) "  # noqa: S608 - values are ?
                f"WHERE q.paper_id = {alias}.paper_id AND list_contains(?, lower(coalesce(o.lab, o.feed)))) "
                f"OR EXISTS (SELECT 1 FROM hf_daily h WHERE h.paper_id = {alias}.paper_id "
                "AND list_contains(?, lower(h.organization))))"
            )
            params += [labs, labs]
        if self.categories:
            parts.append(f"list_has_any({alias}.categories, ?)")
            params.append(list(self.categories))
        return (" AND ".join(parts) or "TRUE"), params


def path_of(data_dir: Path) -> Path:
    return data_dir / "watchlists.toml"


def load_all(data_dir: Path) -> dict[str, Watchlist]:
    path = path_of(data_dir)
    if not path.exists():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputFormatError(f"{path}: not valid TOML ({exc})") from exc
    lists = {}
    for name, table in raw.items():
        if not isinstance(table, dict):
            raise InputFormatError(f"{path}: [{name}] must be a table of lists")
        values = {key: tuple(str(v) for v in table.get(key, [])) for key in FIELDS}
        unknown = {k: v for k, v in table.items() if k not in FIELDS}
        if unknown:
            raise InputFormatError(
                f"{path}: [{name}] has unknown keys {sorted(unknown)}; known: {', '.join(FIELDS)}"
            )
        lists[name] = Watchlist(name, **values)
    return lists


def get(data_dir: Path, name: str) -> Watchlist:
    lists = load_all(data_dir)
    if name not in lists:
        known = ", ".join(sorted(lists)) or "none yet; add one with `leanwatch watchlist add`"
        raise InputFormatError(f"no watchlist {name!r} in {path_of(data_dir)}; known: {known}")
    return lists[name]


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save_all(data_dir: Path, lists: dict[str, Watchlist]) -> Path:
    """Rewrite the file (atomically) with every watchlist."""
    lines = ["# leanwatch watchlists: edit by hand or with `leanwatch watchlist add/remove`.", ""]
    for name in sorted(lists):
        lines.append(f"[{_toml_string(name)}]")
        values = asdict(lists[name])
        for key in FIELDS:
            if values[key]:
                lines.append(f"{key} = [{', '.join(_toml_string(v) for v in values[key])}]")
        lines.append("")
    path = path_of(data_dir)
    replace_text(path, "\n".join(lines))
    return path
