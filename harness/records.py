"""Runs in the store: one verification_runs row per run, with its verdicts and fingerprint as JSON."""

from __future__ import annotations

import json
from typing import Any

from harness.runner import Run

RUN_COLUMNS = (
    "run_id", "claim_id", "recipe", "recipe_version", "recipe_hash", "status", "verdict", "measured",
    "fingerprint", "started_at", "ended_at", "run_dir",
)  # fmt: skip


def row(run: Run) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "claim_id": run.recipe.claim_id,
        "recipe": run.recipe.name,
        "recipe_version": str(run.recipe.version),
        "recipe_hash": run.fingerprint.get("recipe_sha256"),
        "status": run.status,
        "verdict": run.verdict,
        "measured": json.dumps(
            {
                "claim": run.recipe.claim_text,
                "message": run.message,
                "verdicts": [v.as_dict() for v in run.verdicts],
                "per_seed": run.per_seed,
            }
        ),
        "fingerprint": json.dumps(run.fingerprint, default=str),
        "started_at": run.started_at.replace(tzinfo=None),
        "ended_at": run.ended_at.replace(tzinfo=None) if run.ended_at else None,
        "run_dir": str(run.run_dir),
    }


def stored_run(reader: Any, run_id: str) -> dict[str, Any] | None:
    """A stored run as the JSON `verify show --json` prints (a unique prefix of the id is enough)."""
    found = reader.query(
        f"SELECT {', '.join(RUN_COLUMNS)} FROM verification_runs WHERE starts_with(run_id, ?) "  # noqa: S608
        "ORDER BY started_at DESC LIMIT 2",
        [run_id],
    )
    if len(found) != 1:
        return None
    record = dict(zip(RUN_COLUMNS, found[0], strict=True))
    measured = json.loads(record.pop("measured") or "{}")
    record["fingerprint"] = json.loads(record["fingerprint"] or "{}")
    record.update(
        claim=measured.get("claim"), message=measured.get("message"), per_seed=measured.get("per_seed")
    )
    record["verdicts"] = measured.get("verdicts", [])
    return record
