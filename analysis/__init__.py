"""Analysis: taxonomy, tagging, compute extraction, claims, trends, frontier, digest, export."""
