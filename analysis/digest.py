"""The weekly digest: what moved in efficient AI this week, with the numbers and how sure we are.

Sections: headline numbers against the week before; rising and falling labels with their test
(analysis.trends.movers); the top papers of each rising label, ranked by a stated score; lab posts;
new compute disclosures; verification results; and what to watch next (labels rising but not yet
significant). Rendered as Markdown, as e-mail-ready HTML (inline styles, no scripts, every text
escaped) and as entries of an Atom feed of all digests.

Top-paper score, shown with each pick: log(1 + Hugging Face upvotes) + 1 if code is linked
+ 0.5 x log(1 + GitHub stars) / log(1000) + 1 if a lab post cites it + 0.5 x recency (1 on the
week's last day, 0 on its first).
"""

from __future__ import annotations

import datetime as dt
import html
import math
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from analysis.feeds import atom_document, atom_element, atom_feed_element
from analysis.trends import Mover, movers, period_name, trend_rows
from analysis.watchlists import Watchlist
from leanwatch.files import replace_text
from leanwatch.records import paper_url
from leanwatch.store.schema import PAPER_DATE

_WEEK_PAPERS = f"SELECT count(*) FROM papers p WHERE {PAPER_DATE} BETWEEN ? AND ? AND {{filter}}"  # noqa: S608
_WEEK_CODE = (
    f"SELECT count(DISTINCT p.paper_id) FROM papers p JOIN code_links c USING (paper_id) "  # noqa: S608 - fixed SQL
    f"WHERE {PAPER_DATE} BETWEEN ? AND ? AND {{filter}}"
)
_WEEK_COMPUTE = (
    f"SELECT count(*) FILTER (WHERE x.present), count(*) FROM transparency x JOIN papers p USING (paper_id) "  # noqa: S608
    f"WHERE x.item = 'compute' AND {PAPER_DATE} BETWEEN ? AND ? AND {{filter}}"
)
_TOP = f"""
SELECT p.paper_id, p.title, {PAPER_DATE} AS day,
       max(h.upvotes) AS upvotes, max(h.github_stars) AS stars,
       count(DISTINCT c.repo_url) AS code, count(DISTINCT pp.post_id) AS posts
FROM papers p JOIN tags t USING (paper_id)
LEFT JOIN hf_daily h USING (paper_id)
LEFT JOIN code_links c USING (paper_id)
LEFT JOIN post_papers pp USING (paper_id)
WHERE t.label = ? AND {PAPER_DATE} BETWEEN ? AND ? AND {{filter}}
GROUP BY ALL
"""  # noqa: S608 - fixed SQL
_POSTS = (
    "SELECT coalesce(lab, feed), title, url FROM posts "
    "WHERE CAST(published AS DATE) BETWEEN ? AND ? ORDER BY published DESC LIMIT 10"
)
_COMPUTE = f"""
SELECT p.paper_id, p.title, e.training_flop, e.method, e.inputs
FROM compute_estimates e JOIN papers p USING (paper_id)
WHERE e.training_flop IS NOT NULL AND {PAPER_DATE} BETWEEN ? AND ? AND {{filter}}
ORDER BY e.training_flop DESC
"""  # noqa: S608 - fixed SQL
_RUNS = "SELECT run_id, recipe, verdict FROM verification_runs WHERE CAST(started_at AS DATE) BETWEEN ? AND ?"


@dataclass(frozen=True)
class Pick:
    paper_id: str
    title: str
    url: str
    score: float
    why: str


@dataclass
class Digest:
    week: dt.date  # Monday
    papers: int
    papers_before: int
    with_code: int
    compute_reported: tuple[int, int]  # papers whose checklist has compute, papers read
    rising: list[Mover]
    falling: list[Mover]
    picks: dict[str, list[Pick]]
    posts: list[tuple[str, str, str]]
    compute: list[tuple[str, str, float, str, str]]
    runs: list[tuple[str, str, str]]
    watching: list[Mover]
    frontier: list[str] = field(default_factory=list)  # smaller-beats-bigger events of the week
    watchlist: str | None = None
    generated: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def name(self) -> str:
        week = period_name(self.week, "week")
        return f"{week}-{self.watchlist}" if self.watchlist else week


def _score(row: tuple[Any, ...], first: dt.date) -> Pick:
    paper_id, title, day, upvotes, stars, code, posts = row
    recency = max(0.0, min(1.0, ((day - first).days if day else 0) / 6))
    parts = [
        ("upvotes", math.log1p(upvotes or 0)),
        ("code", 1.0 if code else 0.0),
        ("stars", 0.5 * math.log1p(stars or 0) / math.log(1000)),
        ("lab posts", 1.0 if posts else 0.0),
        ("recency", 0.5 * recency),
    ]
    why = f"{upvotes or 0} upvotes, {'code' if code else 'no code'}, {stars or 0} stars, {posts} lab post(s)"
    return Pick(paper_id, title or paper_id, paper_url(paper_id), sum(v for _, v in parts), why)


def build(reader: Any, week: dt.date, per_label: int = 3, watchlist: Watchlist | None = None) -> Digest:
    """The digest of the ISO week starting on Monday `week`, for the papers a watchlist keeps."""
    last = week + dt.timedelta(days=6)
    before = (week - dt.timedelta(weeks=1), week - dt.timedelta(days=1))
    condition, values = watchlist.where() if watchlist else ("TRUE", [])

    def query(template: str, params: list[Any]) -> list[tuple[Any, ...]]:
        # The condition's values are parameters; the SQL around them is this module's.
        rows: list[tuple[Any, ...]] = reader.query(template.format(filter=condition), [*params, *values])
        return rows

    rows = trend_rows(reader, "week", week - dt.timedelta(weeks=8), last, watchlist)
    near = movers(rows, week, alpha=0.1)  # close to moving; those under 0.01 moved
    moved = [m for m in near if m.p_value < 0.01]
    rising = [m for m in moved if m.direction == "rising"]
    rising_labels = {m.label for m in rising}
    picks = {}
    for mover in rising:
        found = [_score(row, week) for row in query(_TOP, [mover.label, week, last])]
        picks[mover.label] = sorted(found, key=lambda p: -p.score)[:per_label]
    reported, read = query(_WEEK_COMPUTE, [week, last])[0]
    compute = query(_COMPUTE, [week, last])
    return Digest(
        week=week,
        papers=query(_WEEK_PAPERS, [week, last])[0][0],
        papers_before=query(_WEEK_PAPERS, list(before))[0][0],
        with_code=query(_WEEK_CODE, [week, last])[0][0],
        compute_reported=(int(reported or 0), int(read or 0)),
        rising=rising,
        falling=[m for m in moved if m.direction == "falling"],
        picks=picks,
        posts=reader.query(_POSTS, [week, last]),
        compute=compute[:3] + [row for row in compute[-1:] if len(compute) > 3],
        runs=reader.query(_RUNS, [week, last]),
        watching=[m for m in near if m.direction == "rising" and m.label not in rising_labels],
        frontier=frontier_events(reader, week, last),
        watchlist=watchlist.name if watchlist else None,
    )


def frontier_events(reader: Any, first: dt.date, last: dt.date, benchmarks_read: int = 10) -> list[str]:
    """Smaller-beats-bigger events whose smaller model's paper is dated in the week, on the
    leaderboard benchmarks with the most sized results."""
    from analysis.frontier import benchmarks, lower_is_better, points, smaller_beats_bigger

    lines = []
    for task, dataset, metric, _ in benchmarks(reader, benchmarks_read):
        found = points(reader, dataset, metric, task)
        for event in smaller_beats_bigger(found, lower_is_better(metric)):
            if event.small.day and first <= event.small.day <= last:
                lines.append(
                    f"{dataset} {metric}: {event.small.model} ({event.small.size:.3g} parameters) scores "
                    f"{event.small.value:g} against {event.big.model}'s {event.big.value:g} at "
                    f"{event.ratio:.1f}x the size ({event.small.paper_id or event.small.source}; "
                    f"{event.big.paper_id or event.big.source})"
                )
    return lines


def parse_week(text: str) -> dt.date:
    """ "2026-W14" -> the Monday of that ISO week."""
    try:
        year, week = text.upper().split("-W")
        return dt.date.fromisocalendar(int(year), int(week), 1)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not an ISO week like 2026-W14") from exc


# ---- rendering -----------------------------------------------------------------------------------


def _change(now: int, before: int) -> str:
    if not before:
        return "no papers the week before"
    return f"{(now - before) / before:+.0%} on the week before ({before:,})"


def sections(d: Digest) -> list[tuple[str, list[str]]]:
    """(heading, lines) in order; both renderers read these, so Markdown and HTML say the same."""
    reported, read = d.compute_reported
    headline = [
        f"{d.papers:,} papers, {_change(d.papers, d.papers_before)}",
        f"{d.with_code:,} with code linked ({d.with_code / d.papers:.0%})" if d.papers else "no papers",
        f"{reported:,} of {read:,} read papers report compute" if read else "no paper read for compute yet",
    ]
    moving = [m.line() for m in d.rising + d.falling] or [
        "no label moved beyond its last eight weeks (one-sided Poisson test, p < 0.01)"
    ]
    top = [
        f"{label}: {p.title} ({p.url or p.paper_id}; score {p.score:.2f}: {p.why})"
        for label, picks in d.picks.items()
        for p in picks
    ] or ["no rising label this week"]
    labs = [f"{lab}: {title} ({url})" for lab, title, url in d.posts] or ["no lab post this week"]
    compute = [
        f"{title}: {flop:.2g} FLOP ({method}: {inputs})" for _, title, flop, method, inputs in d.compute
    ] or ["no new training-compute figure this week"]
    runs = [f"{run}: {recipe} - {verdict}" for run, recipe, verdict in d.runs] or [
        "no verification run this week"
    ]
    watching = [m.line() for m in d.watching] or ["nothing close to moving"]
    frontier = d.frontier or ["no smaller model matched a larger one on the leaderboards this week"]
    return [
        ("Headline", headline),
        ("Rising and falling", moving),
        ("Top papers of rising techniques", top),
        ("Lab highlights", labs),
        ("New compute disclosures", compute),
        ("New frontier events", frontier),
        ("Verification results", runs),
        ("What we're watching next", watching),
    ]


def to_markdown(d: Digest) -> str:
    out = [f"# leanwatch digest, week {d.name} ({d.week} to {d.week + dt.timedelta(days=6)})", ""]
    for heading, lines in sections(d):
        out += [f"## {heading}", "", *(f"- {line}" for line in lines), ""]
    out.append(
        "Top papers are ranked by: " + __doc__.split("Top-paper score, shown with each pick: ")[1].strip()
    )
    return "\n".join(out) + "\n"


_STYLE = {
    "body": "font-family: Arial, Helvetica, sans-serif; color: #1f2933; max-width: 720px; margin: 0 auto;",
    "h1": "font-size: 22px; margin: 16px 0 8px;",
    "h2": "font-size: 17px; margin: 20px 0 6px; border-bottom: 1px solid #d9e2ec;",
    "li": "margin: 4px 0; line-height: 1.4;",
}


def to_html(d: Digest) -> str:
    """E-mail-ready HTML: inline styles only, no scripts, every piece of text escaped."""
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html><head><meta charset="utf-8"><title>leanwatch digest {esc(d.name)}</title></head>',
        f'<body style="{_STYLE["body"]}">',
        f'<h1 style="{_STYLE["h1"]}">leanwatch digest, week {esc(d.name)}</h1>',
    ]
    for heading, lines in sections(d):
        parts.append(f'<h2 style="{_STYLE["h2"]}">{esc(heading)}</h2><ul>')
        parts += [f'<li style="{_STYLE["li"]}">{esc(line)}</li>' for line in lines]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def atom_feed(folder: Path, base_url: str = "urn:leanwatch:digest:") -> str:
    """An Atom feed of every digest saved in `folder` (`<week>.html`), newest first."""
    feed = atom_feed_element()
    atom_element(feed, "title", "leanwatch weekly digest")
    atom_element(feed, "id", base_url + "feed")
    pages = sorted(folder.glob("*-W*.html"), reverse=True)
    updated = max((p.stat().st_mtime for p in pages), default=0.0)
    atom_element(feed, "updated", dt.datetime.fromtimestamp(updated, dt.UTC).isoformat(timespec="seconds"))
    for page in pages:
        entry = atom_element(feed, "entry")
        atom_element(entry, "title", f"leanwatch digest, week {page.stem}")
        atom_element(entry, "id", base_url + page.stem)
        when = dt.datetime.fromtimestamp(page.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")
        atom_element(entry, "updated", when)
        # The page's HTML as the content's text: escaped by ElementTree, never raw markup.
        atom_element(entry, "content", page.read_text(encoding="utf-8"), type="html")
    return atom_document(feed)


def save(d: Digest, folder: Path) -> Path:
    """Keep the digest as `<week>.md` and `<week>.html` and rewrite `feed.atom` beside them."""
    for suffix, text in ((".md", to_markdown(d)), (".html", to_html(d))):
        replace_text(folder / f"{d.name}{suffix}", text)
    feed = folder / "feed.atom"
    replace_text(feed, atom_feed(folder))
    return feed


# ---- mail ----------------------------------------------------------------------------------------


def email(d: Digest, sender: str, recipients: tuple[str, ...]) -> EmailMessage:
    """The digest as a mail: the Markdown as plain text, the HTML as the alternative."""
    message = EmailMessage()
    message["Subject"] = f"leanwatch digest, week {d.name}"
    message["From"] = sender
    message["To"] = ", ".join(recipients) or sender
    message.set_content(to_markdown(d))
    message.add_alternative(to_html(d), subtype="html")
    return message


def send(message: EmailMessage, host: str, port: int, user: str | None, password: str | None) -> None:
    """Mail through the configured server, with STARTTLS when it offers it and a login when set."""
    with smtplib.SMTP(host, port, timeout=30) as server:
        server.ehlo()
        if server.has_extn("starttls"):
            server.starttls()
            server.ehlo()
        if user:
            server.login(user, password or "")
        server.send_message(message)
