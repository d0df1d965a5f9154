"""The Ray executor on a local Ray instance the test starts, with two logical GPUs."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import recipe as rc
from harness.cluster import run_on_ray

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, num_gpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _write(folder: Path, name: str, gpus: int, script: str, claimed: float) -> rc.Recipe:
    (folder / f"{name}.py").write_text(textwrap.dedent(script))
    (folder / f"{name}.toml").write_text(
        f'name = "{name}"\n[claim]\ntext = "{name}"\n[run]\npython = "{name}.py"\n'
        f"[requires]\ngpus = {gpus}\ntime_limit_s = 60\n"
        f'[[expect]]\nmetric = "value"\nclaimed = {claimed}\nabs_tol = 0.01\n'
    )
    return rc.load(folder / f"{name}.toml")


def test_two_recipes_run_as_ray_tasks_with_the_gpus_ray_assigned(local_ray: None, tmp_path: Path) -> None:
    cpu = _write(tmp_path, "cpu-claim", 0, 'print("LEANWATCH_METRIC value=3.0")', 3.0)
    gpu = _write(
        tmp_path,
        "gpu-claim",
        1,
        """
        import os
        # One logical GPU from Ray, handed to the recipe as CUDA_VISIBLE_DEVICES.
        print("LEANWATCH_METRIC value=%d" % len(os.environ["CUDA_VISIBLE_DEVICES"].split(",")))
        """,
        1.0,
    )
    runs = run_on_ray([cpu, gpu], tmp_path / "runs")
    assert [(r.recipe.name, r.status, r.verdict) for r in runs] == [
        ("cpu-claim", "finished", "reproduced"),
        ("gpu-claim", "finished", "reproduced"),
    ]
    assert all(r.fingerprint["executor"] == "ray (local)" for r in runs)
    assert (runs[1].run_dir / "stdout.log").read_text().strip() == "LEANWATCH_METRIC value=1"
