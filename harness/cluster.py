"""The Ray executor: each run becomes a Ray task that asks the cluster for the recipe's GPUs, runs
the recipe with the local runner on whichever node Ray picks, and returns the run to be stored here.

Ray assigns the GPUs (`num_gpus`) and the task hands exactly those to the runner as
`CUDA_VISIBLE_DEVICES`. A task that outlives the recipe's time limit (times its seeds, plus a
margin for scheduling) is cancelled and recorded as a timeout; a task Ray loses is an error. Ray is
an optional extra (`pip install 'leanwatch[cluster]'`).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from harness.recipe import Recipe
from harness.runner import Run, run_recipe
from harness.verdicts import Verdict
from leanwatch.errors import LeanwatchError

log = logging.getLogger(__name__)
SCHEDULING_MARGIN_S = 120.0


class ClusterError(LeanwatchError):
    """Ray is missing or the cluster cannot be reached."""


def _on_worker(recipe: Recipe, runs_dir: str, python: str | None, allow_network: bool | None) -> Run:
    import ray

    gpu_ids = [int(float(i)) for i in ray.get_gpu_ids()]
    return run_recipe(recipe, Path(runs_dir), python, gpu_ids, allow_network, gpus_here=len(gpu_ids) or None)


def _failed(recipe: Recipe, runs_dir: Path, status: str, message: str) -> Run:
    run = Run(f"ray-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{recipe.name}", recipe, runs_dir, status=status)
    run.verdict, run.message, run.ended_at = status, message, dt.datetime.now(dt.UTC)
    run.verdicts = [Verdict(e.metric, e.claimed, None, None, status, message) for e in recipe.expect]
    run.fingerprint = {"executor": "ray", "recipe": recipe.name, "recipe_sha256": recipe.digest}
    return run


def run_on_ray(
    recipes: list[Recipe],
    runs_dir: Path,
    address: str | None = None,
    python: str | None = None,
    allow_network: bool | None = None,
) -> list[Run]:
    """Submit every recipe at once (Ray runs them as GPUs and CPUs allow) and collect the runs."""
    try:
        import ray
    except ImportError as exc:
        raise ClusterError("the Ray executor needs Ray: pip install 'leanwatch[cluster]'") from exc
    try:
        ray.init(address=address, ignore_reinit_error=True, log_to_driver=False, include_dashboard=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ClusterError(
            f"cannot reach the Ray cluster at {address or 'a new local instance'}: {exc}"
        ) from exc
    task = ray.remote(_on_worker)
    refs = [
        task.options(num_gpus=r.gpus, num_cpus=1, max_retries=0).remote(
            r, str(runs_dir), python, allow_network
        )
        for r in recipes
    ]
    runs = []
    for recipe, ref in zip(recipes, refs, strict=True):
        limit = recipe.time_limit_s * len(recipe.seeds) + SCHEDULING_MARGIN_S
        try:
            run = ray.get(ref, timeout=limit)
        except ray.exceptions.GetTimeoutError:
            ray.cancel(ref, force=True)
            run = _failed(recipe, runs_dir, "timeout", f"Ray task cancelled after {limit:g} s")
        except ray.exceptions.RayError as exc:
            run = _failed(recipe, runs_dir, "error", f"Ray task failed: {exc}")
        run.fingerprint = {**run.fingerprint, "executor": f"ray ({address or 'local'})"}
        runs.append(run)
    return runs
