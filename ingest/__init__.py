"""Ingesters: one module per source, all fetching through `ingest.http`."""
