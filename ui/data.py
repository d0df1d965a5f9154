"""What the pages read, through short-lived read-only connections to the store snapshot."""

from __future__ import annotations

from typing import Any

from leanwatch.settings import Settings, load_settings
from leanwatch.status import store_status


def current_settings() -> Settings:
    return load_settings()


def overview(settings: Settings) -> dict[str, Any]:
    return store_status(settings)
