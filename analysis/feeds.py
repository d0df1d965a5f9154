"""Feeds out: an Atom feed of the newest papers per label and per watchlist, rewritten on every
update, so readers can follow "quantization" (or their own watchlist) in a feed reader without
opening the app. Each entry carries the paper's link, its tags and the one-line reason it is in the
feed (the tag's evidence, or what of the watchlist it matched)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from analysis.taxonomy import BY_NAME, LABEL_NAMES
from analysis.watchlists import Watchlist
from leanwatch.files import replace_text
from leanwatch.records import abs_url
from leanwatch.store.schema import PAPER_DATE

ATOM = "http://www.w3.org/2005/Atom"
_NEWEST = f"""
SELECT p.paper_id, p.arxiv_id, p.title, {PAPER_DATE} AS day,
       t.evidence,
       (SELECT string_agg(o.label, ', ' ORDER BY o.label) FROM tags o WHERE o.paper_id = p.paper_id)
FROM tags t JOIN papers p USING (paper_id)
WHERE t.label = ?
ORDER BY day DESC NULLS LAST, p.paper_id LIMIT ?
"""  # noqa: S608 - fixed SQL
_WATCHED = f"""
SELECT p.paper_id, p.arxiv_id, p.title, {PAPER_DATE} AS day, NULL,
       (SELECT string_agg(o.label, ', ' ORDER BY o.label) FROM tags o WHERE o.paper_id = p.paper_id)
FROM papers p
WHERE {{condition}}
ORDER BY day DESC NULLS LAST, p.paper_id LIMIT ?
"""  # noqa: S608 - fixed SQL; the watchlist's condition has only `?` values


def atom_feed_element() -> ElementTree.Element:
    ElementTree.register_namespace("", ATOM)
    return ElementTree.Element(f"{{{ATOM}}}feed")


def atom_document(feed: ElementTree.Element) -> str:
    return ElementTree.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


def atom_element(
    parent: ElementTree.Element, tag: str, text: str | None = None, **attrs: str
) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text  # ElementTree escapes it: a title never becomes markup
    return element


def _feed(title: str, subtitle: str, feed_id: str, rows: list[tuple[Any, ...]], topic: str, why: str) -> str:
    feed = atom_feed_element()
    atom_element(feed, "title", title)
    atom_element(feed, "subtitle", subtitle)
    atom_element(feed, "id", feed_id)
    newest = max((row[3] for row in rows if row[3]), default=dt.date(1970, 1, 1))
    atom_element(feed, "updated", f"{newest.isoformat()}T00:00:00Z")
    for paper_id, arxiv_id, paper_title, day, evidence, labels in rows:
        entry = atom_element(feed, "entry")
        atom_element(entry, "title", paper_title or paper_id)
        atom_element(entry, "id", f"urn:leanwatch:paper:{paper_id}")
        atom_element(entry, "updated", f"{(day or newest).isoformat()}T00:00:00Z")
        if arxiv_id:
            atom_element(entry, "link", href=abs_url(arxiv_id))
        reason = "; ".join(evidence or []) or why
        atom_element(entry, "summary", f"Tags: {labels or 'none'}. Why {topic}: {reason}", type="text")
    return atom_document(feed)


def label_feed(reader: Any, label: str, entries: int = 50) -> str:
    rows = reader.query(_NEWEST, [label, entries])
    title, feed_id = f"leanwatch: {label}", f"urn:leanwatch:label:{label}"
    return _feed(title, BY_NAME[label].definition, feed_id, rows, label, "tagged")


def watchlist_feed(reader: Any, watchlist: Watchlist, entries: int = 50) -> str:
    condition, values = watchlist.where()
    rows = reader.query(_WATCHED.format(condition=condition), [*values, entries])
    kept = {k: v for k, v in asdict(watchlist).items() if k != "name" and v}
    what = "; ".join(f"{key}: {', '.join(value)}" for key, value in kept.items()) or "everything"
    return _feed(
        f"leanwatch watchlist: {watchlist.name}", f"Papers the watchlist keeps ({what})",
        f"urn:leanwatch:watchlist:{watchlist.name}", rows, watchlist.name, f"it matches {what}",
    )  # fmt: skip


def write_label_feeds(reader: Any, folder: Path, entries: int = 50) -> int:
    """One `<label>.atom` per label in `folder`, each replaced atomically; returns how many."""
    for label in LABEL_NAMES:
        replace_text(folder / f"{label}.atom", label_feed(reader, label, entries))
    return len(LABEL_NAMES)


def write_watchlist_feeds(reader: Any, folder: Path, lists: dict[str, Watchlist], entries: int = 50) -> int:
    """One `watchlist-<name>.atom` per saved watchlist (names made file-safe); returns how many."""
    for name, watchlist in lists.items():
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        replace_text(folder / f"watchlist-{safe}.atom", watchlist_feed(reader, watchlist, entries))
    return len(lists)
