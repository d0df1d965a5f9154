"""Recipes: declarative TOML files that say which claim to check, what to run, what it needs, which
metrics to read and what each metric must be for the claim to hold.

    name = "resnet50-params-flops"
    version = 1
    [claim]
    text = "ResNet-50 has 25.56M parameters and 4.12G FLOPs"
    paper_id = "arxiv:1512.03385"
    source = "Papers with Code model-index: resnet50"
    claim_id = ""                     # a stored claim, when the recipe was made from one
    [run]
    python = "count_model.py"         # a script in the recipe's directory (or `command = [...]`)
    args = ["--model", "resnet50"]
    path = ""                         # run in this local directory instead of the recipe's
    git = { url = "", commit = "" }   # or in a checkout of this repository at this commit
    seeds = [0]                       # one run per seed (LEANWATCH_SEED); mean and spread reported
    [requires]
    gpus = 0
    memory_gb = 4
    time_limit_s = 600
    packages = ["torch"]              # importable in the interpreter that runs it
    executables = []                  # on PATH (e.g. lm_eval)
    network = false                   # true lets it reach the network (off when the platform allows)
    [metrics]
    source = "stdout"                 # LEANWATCH_METRIC name=value lines; or "json" with file = "..."
    [[expect]]
    metric = "params_m"
    claimed = 25.56
    rel_tol = 0.005                   # or abs_tol, or range = [lo, hi]; direction = "at_least"/"at_most"
    or_metric = "gmacs"               # the claim may mean this metric instead (FLOPs written for MACs)
    or_meaning = "multiply-accumulates"
"""

from __future__ import annotations

import hashlib
import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leanwatch.errors import InputFormatError

log = logging.getLogger(__name__)
BUILT_IN = Path(__file__).resolve().parent / "recipes"
DIRECTIONS = ("equal", "at_least", "at_most")


@dataclass(frozen=True)
class Expectation:
    metric: str
    claimed: float | None = None
    abs_tol: float | None = None
    rel_tol: float | None = None
    low: float | None = None  # a range instead of a claimed value
    high: float | None = None
    direction: str = "equal"  # at_least: measured >= claimed - tolerance; at_most: the reverse
    or_metric: str | None = None
    or_meaning: str | None = None

    def bounds(self) -> tuple[float, float]:
        """The interval a measured value must fall in."""
        if self.low is not None or self.high is not None:
            return (
                self.low if self.low is not None else float("-inf"),
                self.high if self.high is not None else float("inf"),
            )
        assert self.claimed is not None
        slack = max(self.abs_tol or 0.0, abs(self.claimed) * (self.rel_tol or 0.0))
        low, high = self.claimed - slack, self.claimed + slack
        if self.direction == "at_least":
            return low, float("inf")
        if self.direction == "at_most":
            return float("-inf"), high
        return low, high


@dataclass(frozen=True)
class Recipe:
    name: str
    version: int
    path: Path
    claim_text: str
    paper_id: str | None = None
    claim_source: str | None = None
    claim_id: str | None = None
    python: str | None = None
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    workdir: str | None = None
    git_url: str | None = None
    git_commit: str | None = None
    seeds: tuple[int, ...] = (0,)
    gpus: int = 0
    memory_gb: float | None = None
    time_limit_s: float = 600.0
    packages: tuple[str, ...] = ()
    executables: tuple[str, ...] = ()
    network: bool = False
    metrics_source: str = "stdout"
    metrics_file: str | None = None
    expect: tuple[Expectation, ...] = field(default_factory=tuple)

    @property
    def digest(self) -> str:
        """sha256 of the recipe file and of the script it runs, so an edited recipe is a new recipe."""
        sha = hashlib.sha256(self.path.read_bytes())
        if self.python and (self.path.parent / self.python).is_file():
            sha.update((self.path.parent / self.python).read_bytes())
        return sha.hexdigest()


def _table(raw: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise InputFormatError(f"{where}: [{key}] must be a table")
    return value


def load(path: Path) -> Recipe:
    """Read and check one recipe; every mistake is an InputFormatError naming the file and key."""
    where = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFormatError(f"{where}: cannot read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputFormatError(f"{where}: not valid TOML ({exc})") from exc
    claim, run = _table(raw, "claim", where), _table(raw, "run", where)
    requires, metrics = _table(raw, "requires", where), _table(raw, "metrics", where)
    git = run.get("git") or {}
    if not claim.get("text"):
        raise InputFormatError(f"{where}: [claim] text is required")
    if bool(run.get("python")) == bool(run.get("command")):
        raise InputFormatError(f"{where}: [run] needs exactly one of python (a script) or command (a list)")
    if run.get("command") is not None and not isinstance(run["command"], list):
        raise InputFormatError(f"{where}: [run] command must be a list of strings")
    source = metrics.get("source", "stdout")
    if source not in ("stdout", "json") or (source == "json" and not metrics.get("file")):
        raise InputFormatError(f"{where}: [metrics] source is stdout, or json with a file")
    expectations = []
    for number, item in enumerate(raw.get("expect", []), 1):
        expectations.append(_expectation(item, f"{where}: [[expect]] #{number}"))
    if not expectations:
        raise InputFormatError(f"{where}: at least one [[expect]] is required")
    return Recipe(
        name=str(raw.get("name") or path.stem),
        version=int(raw.get("version", 1)),
        path=path,
        claim_text=str(claim["text"]),
        paper_id=claim.get("paper_id") or None,
        claim_source=claim.get("source") or None,
        claim_id=claim.get("claim_id") or None,
        python=run.get("python") or None,
        command=tuple(str(part) for part in run.get("command") or ()),
        args=tuple(str(arg) for arg in run.get("args", ())),
        workdir=run.get("path") or None,
        git_url=git.get("url") or None,
        git_commit=git.get("commit") or None,
        seeds=tuple(int(seed) for seed in run.get("seeds", [0])) or (0,),
        gpus=int(requires.get("gpus", 0)),
        memory_gb=float(requires["memory_gb"]) if requires.get("memory_gb") else None,
        time_limit_s=float(requires.get("time_limit_s", 600)),
        packages=tuple(requires.get("packages", ())),
        executables=tuple(requires.get("executables", ())),
        network=bool(requires.get("network", False)),
        metrics_source=source,
        metrics_file=metrics.get("file"),
        expect=tuple(expectations),
    )


def _expectation(item: Any, where: str) -> Expectation:
    if not isinstance(item, dict) or not item.get("metric"):
        raise InputFormatError(f"{where}: needs a metric")
    direction = item.get("direction", "equal")
    if direction not in DIRECTIONS:
        raise InputFormatError(f"{where}: direction is one of {', '.join(DIRECTIONS)}")
    bounds = item.get("range")
    if bounds is not None and (not isinstance(bounds, list) or len(bounds) != 2):
        raise InputFormatError(f"{where}: range is [low, high]")
    if item.get("claimed") is None and bounds is None:
        raise InputFormatError(f"{where}: needs claimed (with a tolerance) or range")
    return Expectation(
        metric=str(item["metric"]),
        claimed=float(item["claimed"]) if item.get("claimed") is not None else None,
        abs_tol=float(item["abs_tol"]) if item.get("abs_tol") is not None else None,
        rel_tol=float(item["rel_tol"]) if item.get("rel_tol") is not None else None,
        low=float(bounds[0]) if bounds else None,
        high=float(bounds[1]) if bounds else None,
        direction=direction,
        or_metric=item.get("or_metric"),
        or_meaning=item.get("or_meaning"),
    )


def recipe_dirs(data_dir: Path) -> list[Path]:
    """Built-in recipes, then the user's (DATA_DIR/recipes, where `verify new` writes)."""
    return [BUILT_IN, data_dir / "recipes"]


def available(data_dir: Path, problems: list[str] | None = None) -> dict[str, Recipe]:
    """Every recipe by name; a user's recipe of the same name replaces the built-in one. A file that
    does not load is left out and said (in `problems` when given, else in the log): one broken
    recipe must not hide the others."""
    found: dict[str, Recipe] = {}
    for folder in recipe_dirs(data_dir):
        for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
            try:
                recipe = load(path)
            except InputFormatError as exc:
                if problems is None:
                    log.warning("%s", exc)
                else:
                    problems.append(str(exc))
                continue
            found[recipe.name] = recipe
    return found


def find(data_dir: Path, name: str) -> Recipe:
    """A recipe by name, or by path to a .toml file."""
    if name.endswith(".toml"):
        return load(Path(name))
    recipes = available(data_dir)
    if name not in recipes:
        known = ", ".join(sorted(recipes)) or "none"
        raise InputFormatError(f"no recipe {name!r}; known: {known} (or give a path to a .toml file)")
    return recipes[name]
