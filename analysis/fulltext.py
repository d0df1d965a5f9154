"""Full texts: arXiv's HTML rendering reduced to plain text, and the SciREX corpus as text.

Fetched HTML is never rendered or trusted: BeautifulSoup reads it, scripts, styles, maths markup,
bibliography and navigation are dropped, and what remains is plain text with one paragraph or
heading per line (headings as "section : Title" lines, the form the compute rules know).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bs4 import BeautifulSoup

from leanwatch.errors import InputFormatError

# Elements whose text is not the paper's prose.
_DROP = ("script", "style", "noscript", "nav", "header", "footer", "math", "svg", "button", "form")
_DROP_CLASSES = re.compile(r"ltx_bibliography|ltx_page_footer|ltx_page_header|ltx_TOC|ltx_authors|ltx_dates")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def html_to_text(html: str | bytes) -> str:
    """The prose of an arXiv HTML paper (or any article page), one block per line."""
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(_DROP):
        tag.decompose()
    for tag in soup.find_all(class_=_DROP_CLASSES):
        tag.decompose()
    body = soup.find("article") or soup.body or soup
    lines: list[str] = []
    for element in body.find_all(["p", "li", "figcaption", "td", "th", *_HEADINGS]):
        if element.find(["p", "li", "figcaption", *_HEADINGS]) is not None:
            continue  # the inner blocks give the text once
        text = re.sub(r"\s+", " ", element.get_text(" ", strip=True)).strip()
        if not text:
            continue
        lines.append(f"section : {text}" if element.name in _HEADINGS else text)
    return "\n".join(lines) + ("\n" if lines else "")


def scirex_text(path: Path) -> str:
    """A SciREX document (`words`, `sentences`) as text, one sentence per line, tokens spaced."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        words, spans = doc["words"], doc["sentences"]
        return "\n".join(" ".join(words[a:b]) for a, b in spans) + "\n"
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InputFormatError(f"{path}: not a SciREX document ({exc})") from exc
