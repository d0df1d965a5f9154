"""The local runner: one run of a recipe in its own directory under DATA_DIR/runs/<id>/.

Each seed runs as its own process in a new process group (the whole tree is killed on timeout:
TERM, then KILL after a grace period), with resource limits (CPU time, file size, open files;
memory through a systemd scope where one can be made, never RLIMIT_AS, which breaks GPU jobs),
network off when the platform allows it (an unprivileged network namespace through `unshare`),
`CUDA_VISIBLE_DEVICES` set to the GPUs it was given and `LEANWATCH_SEED` to its seed. stdout and
stderr go to files in the run directory; metrics are read from `LEANWATCH_METRIC name=value`
lines on stdout or from a JSON file the recipe writes (LEANWATCH_RUN_DIR tells it where).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from harness import fingerprint
from harness.memcap import MemoryCap, make_cap
from harness.recipe import Recipe
from harness.verdicts import Verdict, judge, overall

GRACE_SECONDS = 5.0
MAX_FILE_BYTES = 2 * 2**30
MAX_OPEN_FILES = 4096
_METRIC = re.compile(r"^LEANWATCH_METRIC\s+([A-Za-z0-9_.\-]+)\s*=\s*(\S+)\s*$")


@dataclass
class Run:
    run_id: str
    recipe: Recipe
    run_dir: Path
    status: str = "running"  # finished, error, timeout, skipped
    verdict: str = ""
    verdicts: list[Verdict] = field(default_factory=list)
    per_seed: list[dict[str, float]] = field(default_factory=list)
    message: str = ""
    fingerprint: dict[str, Any] = field(default_factory=dict)
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    ended_at: dt.datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "recipe": self.recipe.name,
            "claim": self.recipe.claim_text,
            "claim_id": self.recipe.claim_id,
            "paper_id": self.recipe.paper_id,
            "status": self.status,
            "verdict": self.verdict,
            "message": self.message,
            "verdicts": [v.as_dict() for v in self.verdicts],
            "per_seed": self.per_seed,
            "run_dir": str(self.run_dir),
            "fingerprint": self.fingerprint,
        }


@cache
def network_isolation() -> str | None:
    """The wrapper that takes a process off the network here, or None (said in the run record)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    probe = subprocess.run(
        [unshare, "--user", "--map-root-user", "--net", "true"], capture_output=True, check=False
    )
    return unshare if probe.returncode == 0 else None


@cache
def memory_scope() -> str | None:
    """systemd-run, when it can put a process in a scope with a memory cap here."""
    tool = shutil.which("systemd-run")
    if tool is None:
        return None
    probe = subprocess.run(
        [tool, "--user", "--scope", "--quiet", "-p", "MemoryMax=64M", "true"],
        capture_output=True,
        check=False,
        timeout=20,
    )
    return tool if probe.returncode == 0 else None


def missing_requirements(recipe: Recipe, python: str, gpus_here: int) -> str | None:
    """Why this machine cannot run the recipe, or None."""
    if recipe.gpus > gpus_here:
        return f"needs {recipe.gpus} GPU(s), this machine has {gpus_here}"
    for tool in recipe.executables:
        if shutil.which(tool) is None:
            return f"needs the program {tool!r} on PATH"
    if recipe.packages:
        # Asked of the interpreter that will run the recipe, which need not be this one.
        check = (
            "import importlib.util, sys; "
            "print(' '.join(p for p in sys.argv[1:] if importlib.util.find_spec(p) is None))"
        )
        probe = subprocess.run(
            [python, "-c", check, *recipe.packages], capture_output=True, text=True, check=False, timeout=60
        )
        missing = probe.stdout.split() if probe.returncode == 0 else list(recipe.packages)
        if missing:
            hint = " (`make torch`, or pip install 'leanwatch[harness]')" if "torch" in missing else ""
            return f"needs the Python package(s) {', '.join(missing)}{hint}"
    return None


def _limits(cpu_seconds: int, cap: MemoryCap | None) -> None:
    """Runs in the child before exec: hard caps the kernel enforces."""
    if cap is not None:
        cap.enter()
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    files = MAX_OPEN_FILES if hard == resource.RLIM_INFINITY else min(MAX_OPEN_FILES, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, files), files))


def _argv(recipe: Recipe, python: str, workdir: Path) -> list[str]:
    if recipe.python:
        script = recipe.path.parent / recipe.python
        return [python, str(script if script.is_file() else workdir / recipe.python), *recipe.args]
    return [*recipe.command, *recipe.args]


def _workdir(recipe: Recipe, run_dir: Path) -> Path:
    """Where the code runs: a pinned git checkout, a given local path, or the recipe's directory."""
    if recipe.git_url:
        checkout = run_dir / "checkout"
        subprocess.run(["git", "clone", "--quiet", recipe.git_url, str(checkout)], check=True, timeout=600)
        if recipe.git_commit:
            subprocess.run(["git", "-C", str(checkout), "checkout", "--quiet", recipe.git_commit], check=True)
        return checkout
    if recipe.workdir:
        return Path(recipe.workdir).expanduser()
    return recipe.path.parent


def _read_metrics(recipe: Recipe, stdout: str, seed_dir: Path) -> dict[str, float]:
    metrics: dict[str, float] = {}
    if recipe.metrics_source == "json" and recipe.metrics_file:
        path = seed_dir / recipe.metrics_file
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            metrics.update({k: float(v) for k, v in data.items() if isinstance(v, int | float)})
        return metrics
    for line in stdout.splitlines():
        match = _METRIC.match(line.strip())
        if match:
            try:
                metrics[match.group(1)] = float(match.group(2))
            except ValueError:
                continue
    return metrics


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """TERM the whole process group, then KILL what is left after the grace period."""
    for sig, wait in ((signal.SIGTERM, GRACE_SECONDS), (signal.SIGKILL, GRACE_SECONDS)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            if sig == signal.SIGTERM:
                # The leader is gone; KILL any child that ignored TERM.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
            return
        except subprocess.TimeoutExpired:
            continue


def run_recipe(
    recipe: Recipe,
    runs_dir: Path,
    python: str | None = None,
    gpu_ids: list[int] | None = None,
    allow_network: bool | None = None,
    gpus_here: int | None = None,
) -> Run:
    """Run every seed of `recipe`, judge its expectations, and return the run (not yet stored).

    `gpus_here` overrides the GPUs counted on this machine (a scheduler such as Ray assigned them)."""
    python = python or sys.executable
    run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    run_dir = runs_dir / run_id
    run_dir.mkdir(parents=True)
    run = Run(run_id, recipe, run_dir)
    machine = fingerprint.machine()
    gpu_ids = gpu_ids if gpu_ids is not None else [g["index"] for g in machine["gpus"]][: recipe.gpus]
    started = time.monotonic()
    energy_before, _ = fingerprint.energy_millijoules(gpu_ids if recipe.gpus else [])
    isolate = not (recipe.network if allow_network is None else allow_network)
    limits: dict[str, Any] = {
        "cpu_seconds": None, "file_bytes": MAX_FILE_BYTES, "open_files": MAX_OPEN_FILES, "memory": None,
    }  # fmt: skip
    network = "not run"
    workdir: Path | None = None
    why_not = missing_requirements(recipe, python, machine["gpu_count"] if gpus_here is None else gpus_here)
    if why_not:
        run.status, run.verdict, run.message = "skipped", "skipped", why_not
        run.verdicts = [Verdict(e.metric, e.claimed, None, None, "skipped", why_not) for e in recipe.expect]
    else:
        try:
            workdir = _workdir(recipe, run_dir)
        except (subprocess.SubprocessError, OSError) as exc:
            run.status, run.verdict, run.message = "error", "error", f"could not prepare the code: {exc}"
            workdir = None
        if workdir is not None:
            for seed in recipe.seeds:
                prefix: list[str] = []
                network = "allowed (the recipe or --allow-network asked for it)"
                if isolate:
                    wrapper = network_isolation()
                    if wrapper:
                        prefix = [wrapper, "--user", "--map-root-user", "--net"]
                        network = "off (network namespace, unshare)"
                    else:
                        network = "NOT isolated: unprivileged network namespaces are unavailable here"
                cap = make_cap(recipe.memory_gb) if recipe.memory_gb else None
                if cap is not None:
                    limits["memory"] = cap.how
                elif recipe.memory_gb and memory_scope():
                    prefix = [
                        memory_scope() or "",
                        "--user",
                        "--scope",
                        "--quiet",
                        "-p",
                        f"MemoryMax={recipe.memory_gb}G",
                        *prefix,
                    ]
                    limits["memory"] = f"{recipe.memory_gb} GB (systemd scope)"
                elif recipe.memory_gb:
                    limits["memory"] = (
                        "not enforced: no memory cgroup or systemd scope here "
                        "(not RLIMIT_AS: it breaks GPU jobs)"
                    )
                cpu_seconds = int(recipe.time_limit_s * max(1, os.cpu_count() or 1)) + 10
                limits["cpu_seconds"] = cpu_seconds
                status = _run_seed(
                    recipe,
                    run,
                    seed,
                    [*prefix, *_argv(recipe, python, workdir)],
                    workdir,
                    gpu_ids,
                    cpu_seconds,
                    cap,
                )
                if cap is not None:
                    cap.remove()
                if status != "finished":
                    break
            if run.status == "running":
                run.status = "finished"
                run.verdicts = [judge(e, run.per_seed) for e in recipe.expect]
                run.verdict = overall(run.verdicts)
            else:
                run.verdict = run.status
                run.verdicts = [
                    Verdict(e.metric, e.claimed, None, None, run.status, run.message) for e in recipe.expect
                ]
    run.ended_at = dt.datetime.now(dt.UTC)
    wall = time.monotonic() - started
    energy_after, energy_why = fingerprint.energy_millijoules(gpu_ids if recipe.gpus else [])
    energy = None
    if energy_after is not None and energy_before is not None:
        energy = round((energy_after - energy_before) / 1000, 1)
    run.fingerprint = {
        **machine,
        "recipe": recipe.name,
        "recipe_version": recipe.version,
        "recipe_sha256": recipe.digest,
        # The commit of the code that ran: the pinned checkout, else the recipe's own repository.
        "code_commit": fingerprint.git_commit(workdir or recipe.path.parent),
        "seeds": list(recipe.seeds),
        "started_at": run.started_at.isoformat(timespec="seconds"),
        "ended_at": run.ended_at.isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 2),
        "gpu_hours": round(wall / 3600 * len(gpu_ids), 6) if recipe.gpus else 0.0,
        "energy_joules": energy,
        "network": network,
        "limits": limits,
    }
    if energy is None:
        run.fingerprint["unavailable"] = {**machine["unavailable"], "energy_joules": energy_why}
    (run_dir / "run.json").write_text(json.dumps(run.as_dict(), indent=2, default=str), encoding="utf-8")
    return run


def _run_seed(
    recipe: Recipe,
    run: Run,
    seed: int,
    argv: list[str],
    workdir: Path,
    gpu_ids: list[int],
    cpu_seconds: int,
    cap: MemoryCap | None,
) -> str:
    seed_dir = run.run_dir / f"seed-{seed}"
    seed_dir.mkdir()
    env = dict(os.environ)
    env.update(
        {
            "LEANWATCH_SEED": str(seed),
            "LEANWATCH_RUN_DIR": str(seed_dir),
            "CUDA_VISIBLE_DEVICES": ",".join(str(i) for i in gpu_ids),
            "PYTHONHASHSEED": str(seed),
        }
    )
    stdout_path, stderr_path = seed_dir / "stdout.log", seed_dir / "stderr.log"
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        try:
            process = subprocess.Popen(
                argv, cwd=workdir, env=env, stdout=out, stderr=err, start_new_session=True,
                preexec_fn=lambda: _limits(cpu_seconds, cap),
            )  # fmt: skip
        except OSError as exc:
            run.status, run.message = "error", f"could not start {argv[0]}: {exc}"
            return run.status
        try:
            code = process.wait(timeout=recipe.time_limit_s)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            run.status, run.message = (
                "timeout",
                f"seed {seed}: killed after {recipe.time_limit_s:g} s (process group)",
            )
            return run.status
    # The logs of every seed stay in the run directory; the first seed's are also at its top.
    for name in ("stdout.log", "stderr.log"):
        if not (run.run_dir / name).exists():
            shutil.copyfile(seed_dir / name, run.run_dir / name)
    if code != 0:
        tail = stderr_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        killed = (
            f" (killed: over its memory cap of {cap.how}?)" if cap is not None and code in (-9, 137) else ""
        )
        run.status, run.message = (
            "error",
            f"seed {seed}: exit status {code}{killed}; stderr ends: {tail.strip()[-500:]}",
        )
        return run.status
    run.per_seed.append(
        _read_metrics(recipe, stdout_path.read_text(encoding="utf-8", errors="replace"), seed_dir)
    )
    return "finished"


class GpuPool:
    """The GPUs concurrent runs share out: a run waits until the GPUs it needs are free, then holds
    them alone until it ends."""

    def __init__(self, ids: list[int]) -> None:
        self._free = list(ids)
        self._total = len(ids)
        self._ready = threading.Condition()

    def take(self, count: int) -> list[int]:
        if count > self._total:
            return []  # more than there are: the runner says so and skips
        with self._ready:
            self._ready.wait_for(lambda: len(self._free) >= count)
            taken, self._free = self._free[:count], self._free[count:]
            return taken

    def give_back(self, ids: list[int]) -> None:
        with self._ready:
            self._free.extend(ids)
            self._ready.notify_all()


def run_many(
    recipes: list[Recipe],
    runs_dir: Path,
    parallel: int = 1,
    gpu_ids: list[int] | None = None,
    python: str | None = None,
    allow_network: bool | None = None,
) -> list[Run]:
    """Several recipes on this machine, `parallel` at a time, each on GPUs of its own."""
    pool = GpuPool(gpu_ids if gpu_ids is not None else [g["index"] for g in fingerprint.gpus()[0]])

    def one(recipe: Recipe) -> Run:
        taken = pool.take(recipe.gpus) if recipe.gpus else []
        try:
            return run_recipe(
                recipe, runs_dir, python, taken, allow_network, gpus_here=len(taken) if taken else None
            )
        finally:
            pool.give_back(taken)

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as workers:
        return list(workers.map(one, recipes))
