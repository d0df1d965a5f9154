"""The sources `leanwatch update` can refresh, by name."""

from __future__ import annotations

from ingest import arxiv, blogs
from ingest.run import Source

SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(
            "arxiv",
            "arXiv daily RSS announcements of the watched categories",
            issue=3,
            update=arxiv.update,
            records_as="arxiv_rss",
        ),
        Source("hf_papers", "Hugging Face daily papers: upvotes, code, organisations", issue=4),
        Source("epoch", "Epoch AI notable models: parameters, training compute", issue=4),
        Source("blogs", "AI lab blog feeds", issue=5, update=blogs.update),
        Source("pwc", "Papers with Code archived dumps and model-index files (files only)", issue=4),
    )
}
