"""Paper filters as the app's Papers page, its URL and `leanwatch export papers` share them.

A filter reads and writes URL query parameters (so a view can be bookmarked and shared), becomes
fixed SQL over the `paper_facets` catalog with every value a `?` parameter, and can be saved as a
watchlist. Full-text search ranks with BM25 over title + abstract from DuckDB's full-text index:

    score = sum over query terms t of idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen))
    idf(t) = ln((N - df + 0.5) / (df + 0.5) + 1),  k1 = 1.2, b = 0.75

with every query term required (terms are lower-cased, Porter-stemmed, stop words dropped, as the
index was built). Without the index (no wheel for the platform, or an old snapshot) the words are
matched as substrings and results are ordered by date; `Results.ranked` says which happened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from analysis.watchlists import Watchlist
from leanwatch.errors import InputFormatError
from leanwatch.records import abs_url

SORTS = {
    "relevance": "score DESC NULLS LAST, f.day DESC NULLS LAST",
    "date": "f.day DESC NULLS LAST, f.paper_id",
    "upvotes": "f.upvotes DESC NULLS LAST, f.day DESC NULLS LAST",
    "stars": "f.stars DESC NULLS LAST, f.day DESC NULLS LAST",
    "parameters": "f.parameters DESC NULLS LAST, f.day DESC NULLS LAST",
}

# URL parameter -> field; lists are comma-separated in the URL.
_LISTS = {"cat": "categories", "label": "labels", "source": "sources", "lab": "labs", "exclude": "exclude"}
_TEXTS = {"q": "text", "author": "author"}
_NUMBERS = {"pmin": "min_params", "pmax": "max_params", "upvotes": "min_upvotes"}
_FLAGS = {"code": "has_code", "compute": "reports_compute"}
_DATES = {"from": "since", "to": "until"}

# The query's terms as the index holds them (lower-cased, accents and punctuation gone, Porter stems,
# stop words dropped); one `?`: the text.
_TERMS = r"""
    SELECT DISTINCT stem(w, 'porter') AS term
    FROM (SELECT unnest(string_split_regex(regexp_replace(lower(strip_accents(?)),
          '[0-9!@#$%^&*()_+={}\[\]:;<>,.?~\\/\|''"`-]+', ' ', 'g'), '\s+')) AS w)
    WHERE w <> '' AND w NOT IN (SELECT sw FROM fts_main_papers.stopwords)
"""
_SEARCH = f"""
WITH q AS ({_TERMS}),
qt AS (SELECT d.termid, d.df FROM fts_main_papers.dict d JOIN q USING (term)),
-- Every term is required: only papers with the rarest one can match, so only their postings of the
-- other terms are counted (a query with "language" and "models" no longer counts half the index).
candidates AS (
    SELECT DISTINCT docid FROM fts_main_papers.terms
    WHERE termid = (SELECT termid FROM qt ORDER BY df, termid LIMIT 1)
),
tf AS (
    SELECT t.docid, t.termid, count(*) AS tf FROM fts_main_papers.terms t
    WHERE t.termid IN (SELECT termid FROM qt) AND t.docid IN (SELECT docid FROM candidates) GROUP BY ALL
),
scored AS (
    SELECT tf.docid, count(*) AS matched,
           sum(ln((s.num_docs - qt.df + 0.5) / (qt.df + 0.5) + 1) * tf.tf * 2.2
               / (tf.tf + 1.2 * (0.25 + 0.75 * d.len / s.avgdl))) AS score
    FROM tf JOIN qt USING (termid) JOIN fts_main_papers.docs d ON d.docid = tf.docid,
         fts_main_papers.stats s
    GROUP BY tf.docid
),
hits AS (
    SELECT d.name AS paper_id, sc.score FROM scored sc JOIN fts_main_papers.docs d USING (docid)
    WHERE sc.matched = (SELECT count(*) FROM q)
)
"""  # noqa: S608 - fixed SQL
# Papers whose title or abstract has every term of a phrase, from the index; two `?`: the phrase twice.
_HAVING_ALL = f"""
SELECT d.name FROM fts_main_papers.terms t JOIN fts_main_papers.dict x USING (termid)
JOIN fts_main_papers.docs d USING (docid)
WHERE x.term IN ({_TERMS}) GROUP BY d.name
HAVING count(DISTINCT x.term) = (SELECT count(*) FROM ({_TERMS}))
"""  # noqa: S608 - fixed SQL

COLUMNS = (
    "paper_id", "arxiv_id", "title", "authors", "date", "primary_category", "doi", "labels", "code",
    "stars", "upvotes", "parameters", "training_flop", "transparency_score", "score", "url", "hf_url",
)  # fmt: skip
# COLUMNS up to transparency_score; the score and the URLs are added per row.
_FIELDS = (
    "f.paper_id, f.arxiv_id, f.title, f.authors, f.day, f.primary_category, f.doi, f.labels, "
    "f.code_url, f.stars, f.upvotes, f.parameters, f.training_flop, f.transparency_score"
)
_ON_HF = "list_contains(f.sources, 'hf_papers') OR f.upvotes IS NOT NULL"


@dataclass(frozen=True)
class PaperFilter:
    text: str = ""  # full-text search over title and abstract
    since: dt.date | None = None
    until: dt.date | None = None
    categories: tuple[str, ...] = ()  # any of these arXiv categories
    labels: tuple[str, ...] = ()  # any of these tags
    sources: tuple[str, ...] = ()  # delivered by any of these sources
    labs: tuple[str, ...] = ()  # cited by one of these labs' posts, or from that HF organisation
    has_code: bool = False
    reports_compute: bool = False
    min_params: float | None = None  # parameters the paper reports for its own model
    max_params: float | None = None
    min_upvotes: int | None = None
    author: str = ""  # any author whose name contains this
    exclude: tuple[str, ...] = ()  # none of these words in the title or abstract
    sort: str = "date"

    @classmethod
    def from_query(cls, params: Mapping[str, str | Sequence[str]]) -> PaperFilter:
        """Read URL query parameters; a malformed value raises InputFormatError naming it."""

        def one(key: str) -> str:
            value = params.get(key, "")
            return (value[-1] if value else "") if not isinstance(value, str) else value

        values: dict[str, Any] = {}
        for key, name in _LISTS.items():
            values[name] = tuple(part.strip() for part in one(key).split(",") if part.strip())
        for key, name in _TEXTS.items():
            values[name] = one(key).strip()
        for key, name in _FLAGS.items():
            values[name] = one(key) in {"1", "true", "yes"}
        for key, name in _DATES.items():
            if one(key):
                try:
                    values[name] = dt.date.fromisoformat(one(key))
                except ValueError as exc:
                    message = f"URL parameter {key}={one(key)!r}: not a date (YYYY-MM-DD)"
                    raise InputFormatError(message) from exc
        for key, name in _NUMBERS.items():
            if one(key):
                try:
                    number = float(one(key))
                except ValueError as exc:
                    raise InputFormatError(f"URL parameter {key}={one(key)!r}: not a number") from exc
                values[name] = int(number) if name == "min_upvotes" else number
        sort = one("sort") or ("relevance" if values["text"] else "date")
        if sort not in SORTS:
            raise InputFormatError(f"URL parameter sort={sort!r}: one of {', '.join(SORTS)}")
        return cls(sort=sort, **values)

    def to_query(self) -> dict[str, str]:
        """The URL query parameters of this filter, defaults left out."""
        out: dict[str, str] = {}
        for key, name in _TEXTS.items():
            if getattr(self, name):
                out[key] = getattr(self, name)
        for key, name in _DATES.items():
            if getattr(self, name):
                out[key] = getattr(self, name).isoformat()
        for key, name in _LISTS.items():
            if getattr(self, name):
                out[key] = ",".join(getattr(self, name))
        for key, name in _FLAGS.items():
            if getattr(self, name):
                out[key] = "1"
        for key, name in _NUMBERS.items():
            if getattr(self, name) is not None:
                out[key] = f"{getattr(self, name):g}"
        if self.sort != ("relevance" if self.text else "date"):
            out["sort"] = self.sort
        return out

    def watchlist(self, name: str) -> Watchlist:
        """The filter as a saved watchlist (what watchlists can hold: words, labels, authors, labs,
        categories; dates, numbers and flags are properties of a view, not of a topic)."""
        return Watchlist(
            name,
            keywords=tuple(self.text.split()) if self.text else (),
            exclude=self.exclude,
            labels=self.labels,
            authors=(self.author,) if self.author else (),
            labs=self.labs,
            categories=self.categories,
        )

    def where(self, indexed: bool = False) -> tuple[str, list[Any]]:
        """Conditions on `paper_facets f` with their values. Excluded words are looked up in the
        search index when `indexed` (whole words, stemmed: "survey" also drops "surveys"), else
        matched as substrings of `papers p`'s title and abstract."""
        parts: list[str] = []
        params: list[Any] = []

        def add(sql: str, *values: Any) -> None:
            parts.append(sql)
            params.extend(values)

        if self.since:
            add("f.day >= ?", self.since)
        if self.until:
            add("f.day <= ?", self.until)
        if self.categories:
            add("list_has_any(f.categories, ?)", list(self.categories))
        if self.labels:
            add("list_has_any(f.labels, ?)", list(self.labels))
        if self.sources:
            add("list_has_any(f.sources, ?)", list(self.sources))
        if self.labs:
            add("list_has_any(f.labs, ?)", [lab.lower() for lab in self.labs])
        if self.has_code:
            add("f.has_code")
        if self.reports_compute:
            add("f.reports_compute")
        if self.min_params is not None:
            add("f.parameters >= ?", self.min_params)
        if self.max_params is not None:
            add("f.parameters <= ?", self.max_params)
        if self.min_upvotes is not None:
            add("f.upvotes >= ?", self.min_upvotes)
        if self.author:
            add("len(list_filter(f.authors, a -> contains(lower(a), lower(?)))) > 0", self.author)
        text = "lower(f.title || ' ' || coalesce(p.abstract, ''))"
        for word in self.exclude:
            if indexed:
                add(f"f.paper_id NOT IN ({_HAVING_ALL})", word, word)
            else:
                add(f"NOT contains({text}, lower(?))", word)
        return (" AND ".join(parts) or "TRUE"), params


@dataclass
class Results:
    rows: list[tuple[Any, ...]]  # COLUMNS
    total: int  # matching papers, beyond the rows shown
    ranked: bool  # True: BM25 from the search index; False: substring match (or no text query)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Plan:
    """One filter as SQL pieces: the search CTE (if any), joins, condition, score and order."""

    prefix: str
    joins: str
    condition: str
    params: list[Any]  # the CTE's values first, then the condition's
    score: str
    order: str

    def ids(self, limit: int) -> tuple[str, list[Any]]:
        total = "count(*) OVER ()" if self.prefix else "NULL"  # cheap over search hits, not over 1M rows
        sql = (
            f"{self.prefix} SELECT f.paper_id, {self.score} AS score, {total} AS total "  # noqa: S608 - fixed SQL
            f"FROM paper_facets f{self.joins} WHERE {self.condition} ORDER BY {self.order} LIMIT ?"
        )
        return sql, [*self.params, limit]

    def count(self) -> tuple[str, list[Any]]:
        sql = f"{self.prefix} SELECT count(*) FROM paper_facets f{self.joins} WHERE {self.condition}"  # noqa: S608
        return sql, self.params

    def everything(self) -> tuple[str, list[Any]]:
        select = f"SELECT {_FIELDS}, {self.score} AS score, {_ON_HF}"
        where = f"WHERE {self.condition} ORDER BY {self.order}"
        sql = f"{self.prefix} {select} FROM paper_facets f{self.joins} {where}"
        return sql, self.params


def _plan(f: PaperFilter, indexed: bool) -> _Plan:
    condition, params = f.where(indexed)
    prefix, joins, score = "", "", "NULL"
    head: list[Any] = []
    if f.text and indexed:
        prefix, joins, score = _SEARCH, " JOIN hits h ON h.paper_id = f.paper_id", "h.score"
        head = [f.text]
    elif f.text:
        text = "lower(f.title || ' ' || coalesce(p.abstract, ''))"
        words = f.text.split()
        condition += "".join(f" AND contains({text}, lower(?))" for _ in words)
        params += words
    if not indexed and (f.exclude or f.text):
        joins += " JOIN papers p ON p.paper_id = f.paper_id"
    order = SORTS[f.sort if (f.sort != "relevance" or (f.text and indexed)) else "date"]
    return _Plan(prefix, joins, condition, head + params, score, order)


_DETAILS = (
    f"SELECT {_FIELDS}, {_ON_HF} FROM paper_facets f "  # noqa: S608 - fixed SQL
    "WHERE f.paper_id IN (SELECT unnest(?::VARCHAR[]))"
)


def search(reader: Any, f: PaperFilter, limit: int | None = 500) -> Results:
    """The papers the filter keeps, best first, at most `limit` (None: all), and how many match.

    With a limit, the matching ids are found first (reading only the columns the filter and order
    need), then the shown rows' columns are read for those ids alone."""
    notes = []
    if not reader.has_table("paper_facets"):
        raise InputFormatError(
            "the store has no paper catalog yet (it predates it): run `leanwatch index` or `leanwatch update`"
        )
    indexed = bool(f.text or f.exclude) and reader.has_search_index()
    if (f.text or f.exclude) and not indexed:
        notes.append("No full-text index here: words are matched as substrings, newest first.")
    if indexed:
        covered = int(reader.query("SELECT num_docs FROM fts_main_papers.stats")[0][0])
        stored = int(reader.query("SELECT count(*) FROM paper_facets")[0][0])
        if covered != stored:
            notes.append(
                f"The search index covers {covered:,} of {stored:,} papers (a file load deferred it): "
                "`leanwatch index` brings it up to date."
            )
    plan = _plan(f, indexed)
    by_relevance = indexed and bool(f.text)
    if limit is None:
        rows = [_row(row) for row in reader.query(*plan.everything())]
        return Results(rows, len(rows), by_relevance, notes)
    ranked = reader.query(*plan.ids(limit))
    if ranked and ranked[0][2] is not None:
        total = int(ranked[0][2])
    else:
        total = len(ranked) if len(ranked) < limit else int(reader.query(*plan.count())[0][0])
    details = {row[0]: row for row in reader.query(_DETAILS, [[paper_id for paper_id, _, _ in ranked]])}
    rows = [_row((*details[paper_id][:-1], score, details[paper_id][-1])) for paper_id, score, _ in ranked]
    return Results(rows, total, by_relevance, notes)


def _row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    *head, on_hf = row
    arxiv_id = head[1]
    hf = f"https://huggingface.co/papers/{arxiv_id}" if arxiv_id and on_hf else None
    return (*head, abs_url(arxiv_id), hf)
