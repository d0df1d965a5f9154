"""A recipe skeleton from a stored claim: the claim, its paper and evidence filled in, one
expectation per claimed number; what to run is left for the user to write."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from leanwatch.errors import InputFormatError
from leanwatch.files import replace_text

_CLAIM = (
    "SELECT claim_id, paper_id, metric, value, unit, benchmark, model, evidence FROM claims "
    "WHERE claim_id = ?"
)


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "claim"


def from_claim(reader: Any, claim_id: str, folder: Path, name: str | None = None) -> Path:
    rows = reader.query(_CLAIM, [claim_id])
    if not rows:
        raise InputFormatError(f"no stored claim {claim_id!r}; `leanwatch export claims` lists them")
    claim_id, paper_id, metric, value, unit, benchmark, model, evidence = rows[0]
    metric_name = _slug(metric or "metric").replace("-", "_")
    name = name or _slug(f"{paper_id}-{benchmark or ''}-{metric or ''}")
    amount = f"{value:g}{unit or ''}" if value is not None else "?"
    text = f"{model or 'The method'} reaches {amount} {metric or ''} on {benchmark or 'its benchmark'}"
    lines = [
        f"# Made by `leanwatch verify new --claim {claim_id}`: write what to run in [run],",
        f"# then `leanwatch verify run {name}`.",
        f"# Evidence: {evidence or ''}".replace("\n", " "),
        f"name = {_toml(name)}",
        "version = 1",
        "",
        "[claim]",
        f"text = {_toml(text)}",
        f"paper_id = {_toml(paper_id or '')}",
        f"source = {_toml('extracted claim ' + claim_id)}",
        f"claim_id = {_toml(claim_id)}",
        "",
        "[run]",
        '# A script beside this file (python = "evaluate.py") or a command; it prints',
        f"# LEANWATCH_METRIC {metric_name}=<value>.",
        'command = ["sh", "-c", "echo edit the [run] table of this recipe >&2; exit 2"]',
        "",
        "[requires]",
        "gpus = 0",
        "time_limit_s = 3600",
        "",
        "[[expect]]",
        f"metric = {_toml(metric_name)}",
        f"claimed = {value!r}" if value is not None else "claimed = 0.0  # the claim gave no number: set it",
        "abs_tol = 0.5  # in the metric's unit: adjust to what the paper's variance allows",
        "",
    ]
    path = folder / f"{name}.toml"
    if path.exists():
        raise InputFormatError(f"{path} exists; edit it, or give another --name")
    replace_text(path, "\n".join(lines))
    return path
