"""Feeds out: an Atom feed of the newest papers per label, rewritten on every update, so readers can
follow "quantization" in a feed reader without opening the app. Each entry carries the paper's
link, its tags and the one-line reason the tag was given (the tag's evidence)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from analysis.taxonomy import BY_NAME, LABEL_NAMES
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


def _sub(parent: ElementTree.Element, tag: str, text: str | None = None, **attrs: str) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text  # ElementTree escapes it: a title never becomes markup
    return element


def label_feed(reader: Any, label: str, entries: int = 50) -> str:
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _sub(feed, "title", f"leanwatch: {label}")
    _sub(feed, "subtitle", BY_NAME[label].definition)
    _sub(feed, "id", f"urn:leanwatch:label:{label}")
    rows = reader.query(_NEWEST, [label, entries])
    newest = max((day for _, _, _, day, _, _ in rows if day), default=dt.date(1970, 1, 1))
    _sub(feed, "updated", f"{newest.isoformat()}T00:00:00Z")
    for paper_id, arxiv_id, title, day, evidence, labels in rows:
        entry = _sub(feed, "entry")
        _sub(entry, "title", title or paper_id)
        _sub(entry, "id", f"urn:leanwatch:paper:{paper_id}")
        _sub(entry, "updated", f"{(day or newest).isoformat()}T00:00:00Z")
        if arxiv_id:
            _sub(entry, "link", href=abs_url(arxiv_id))
        reason = "; ".join(evidence or []) or "tagged"
        _sub(entry, "summary", f"Tags: {labels}. Why {label}: {reason}", type="text")
    return ElementTree.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


def write_label_feeds(reader: Any, folder: Path, entries: int = 50) -> int:
    """One `<label>.atom` per label in `folder`, each replaced atomically; returns how many."""
    for label in LABEL_NAMES:
        replace_text(folder / f"{label}.atom", label_feed(reader, label, entries))
    return len(LABEL_NAMES)
