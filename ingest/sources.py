"""The sources `leanwatch update` can refresh, by name."""

from __future__ import annotations

from ingest import arxiv, blogs, epoch, hf_papers
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
        Source(
            "hf_papers",
            "Hugging Face daily papers: upvotes, code, organisations",
            issue=4,
            update=hf_papers.update,
        ),
        Source("epoch", "Epoch AI models: parameters, training compute", issue=4, update=epoch.update),
        Source("blogs", "AI lab blog feeds", issue=5, update=blogs.update),
    )
}
