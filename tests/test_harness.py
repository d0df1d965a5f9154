"""The re-run harness: recipes, the runner's isolation and limits, verdicts, fingerprints, the CLI."""

from __future__ import annotations

import json
import os
import socket
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import recipe as rc
from harness.fingerprint import FIELDS
from harness.runner import network_isolation, run_recipe
from leanwatch.cli import cli
from leanwatch.errors import InputFormatError
from leanwatch.settings import Settings
from leanwatch.store import open_reader, open_writer


def _needs_torch() -> None:
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        if os.environ.get("LEANWATCH_REQUIRE_TORCH"):
            pytest.fail("torch is required here (make torch installs the CPU build)")
        pytest.skip("torch not installed (make torch)")


def _recipe(folder: Path, script: str, expect: str, **run: str) -> rc.Recipe:
    """A recipe running `script` (Python) with the given [[expect]] tables."""
    (folder / "job.py").write_text(textwrap.dedent(script))
    extra = "".join(f"{key} = {value}\n" for key, value in run.items())
    (folder / "job.toml").write_text(
        f'name = "job"\n[claim]\ntext = "a claim"\n[run]\npython = "job.py"\n{extra}'
        f"[requires]\ntime_limit_s = 20\n{textwrap.dedent(expect)}"
    )
    return rc.load(folder / "job.toml")


def test_built_in_count_recipes_reproduce_the_model_index_claims_as_macs(tmp_path: Path) -> None:
    _needs_torch()
    for name, params in (("resnet50-params-flops", 25.56), ("vit-b16-params-flops", 86.57)):
        run = run_recipe(rc.find(tmp_path, name), tmp_path / "runs")
        assert run.status == "finished", run.message
        assert run.verdict == "reproduced"
        by_metric = {v.metric: v for v in run.verdicts}
        assert by_metric["params_m"].measured == pytest.approx(params, rel=0.001)
        # PyTorch counts a multiply-add as two FLOPs: the zoo's "FLOPs" are multiply-accumulates.
        assert by_metric["gflops"].note == "matches as multiply-accumulates (gmacs)"
        assert run.per_seed[0]["gflops"] == pytest.approx(2 * run.per_seed[0]["gmacs"], rel=1e-3)


def test_built_in_int8_recipe_holds_over_two_seeds(tmp_path: Path) -> None:
    _needs_torch()
    run = run_recipe(rc.find(tmp_path, "int8-dynamic-quantization"), tmp_path / "runs")
    assert run.status == "finished", run.message
    assert [v.verdict for v in run.verdicts] == ["reproduced", "reproduced"]
    assert len(run.per_seed) == 2 and all(seed["accuracy_fp32"] > 90 for seed in run.per_seed)
    assert run.verdicts[1].spread is not None  # two seeds: mean and spread


def test_gpu_recipes_are_skipped_without_a_gpu(tmp_path: Path) -> None:
    run = run_recipe(rc.find(tmp_path, "gpu-sdpa-flash-speedup"), tmp_path / "runs")
    if run.fingerprint["gpu_count"]:
        pytest.skip("this machine has a GPU")
    assert (run.status, run.verdict) == ("skipped", "skipped")
    assert "needs 1 GPU" in run.message


def test_a_false_claim_is_not_reproduced_with_its_gap(tmp_path: Path) -> None:
    recipe = _recipe(
        tmp_path,
        'print("LEANWATCH_METRIC params_m=11.69")',
        '[[expect]]\nmetric = "params_m"\nclaimed = 25.56\nrel_tol = 0.01\n',
    )
    run = run_recipe(recipe, tmp_path / "runs")
    assert run.verdict == "not_reproduced"
    assert run.verdicts[0].measured == 11.69 and "gap -13.87 (-54.3%)" in run.verdicts[0].note


def test_seeds_that_disagree_are_inconclusive(tmp_path: Path) -> None:
    recipe = _recipe(
        tmp_path,
        """
        import os
        print("LEANWATCH_METRIC accuracy=" + ("76.1" if os.environ["LEANWATCH_SEED"] == "0" else "74.0"))
        """,
        '[[expect]]\nmetric = "accuracy"\nclaimed = 76.0\nabs_tol = 0.5\n',
        seeds="[0, 1]",
    )
    run = run_recipe(recipe, tmp_path / "runs")
    assert run.verdict == "inconclusive"
    assert run.verdicts[0].measured == pytest.approx(75.05) and run.verdicts[0].spread == pytest.approx(
        1.485, rel=1e-3
    )


def test_a_timeout_kills_the_whole_process_tree(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    recipe = _recipe(
        tmp_path,
        f"""
        import subprocess, time
        child = subprocess.Popen(["sleep", "120"])
        open({str(pid_file)!r}, "w").write(str(child.pid))
        time.sleep(120)
        """,
        '[[expect]]\nmetric = "x"\nclaimed = 1\n',
    )
    recipe = rc.Recipe(**{**recipe.__dict__, "time_limit_s": 2.0})
    started = time.monotonic()
    run = run_recipe(recipe, tmp_path / "runs")
    assert run.status == "timeout" and run.verdict == "timeout"
    assert time.monotonic() - started < 30
    child = int(pid_file.read_text())
    time.sleep(0.2)
    stat = Path(f"/proc/{child}/stat")
    # Gone, or a zombie waiting for init to reap it (it was killed: it no longer runs).
    assert not stat.exists() or stat.read_text().split(") ")[1].startswith("Z"), stat.read_text()


def test_a_recipe_cannot_reach_the_network_when_isolation_is_available(tmp_path: Path) -> None:
    if network_isolation() is None:
        pytest.skip("unprivileged network namespaces are unavailable here")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        script = f"""
        import socket
        try:
            socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
            print("LEANWATCH_METRIC reached=1")
        except OSError:
            print("LEANWATCH_METRIC reached=0")
        """
        recipe = _recipe(tmp_path, script, '[[expect]]\nmetric = "reached"\nclaimed = 0\n')
        isolated = run_recipe(recipe, tmp_path / "runs")
        allowed = run_recipe(recipe, tmp_path / "runs", allow_network=True)
    assert isolated.per_seed == [{"reached": 0.0}] and isolated.fingerprint["network"].startswith("off")
    assert allowed.per_seed == [{"reached": 1.0}]


def test_a_crashing_recipe_is_an_error_with_its_log_kept(tmp_path: Path) -> None:
    recipe = _recipe(
        tmp_path,
        'raise SystemExit("CUDA out of memory (pretend)")',
        '[[expect]]\nmetric = "x"\nclaimed = 1\n',
    )
    run = run_recipe(recipe, tmp_path / "runs")
    assert (run.status, run.verdict) == ("error", "error")
    assert "CUDA out of memory (pretend)" in (run.run_dir / "stderr.log").read_text()
    assert "exit status 1" in run.message


def test_the_fingerprint_has_every_field(tmp_path: Path) -> None:
    recipe = _recipe(tmp_path, 'print("LEANWATCH_METRIC x=1")', '[[expect]]\nmetric = "x"\nclaimed = 1\n')
    run = run_recipe(recipe, tmp_path / "runs")
    assert set(FIELDS) <= set(run.fingerprint)
    assert run.fingerprint["python"] == sys.version.split()[0]
    assert len(run.fingerprint["packages_sha256"]) == 64 and run.fingerprint["recipe_sha256"] == recipe.digest
    assert run.fingerprint["seeds"] == [0] and run.fingerprint["limits"]["cpu_seconds"] > 0


def test_bad_recipes_name_the_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[claim]\ntext = "x"\n[run]\npython = "a.py"\n[[expect]]\nmetric = "m"\ndirection = "sideways"\n'
    )
    with pytest.raises(InputFormatError, match=r"bad.toml: \[\[expect\]\] #1: direction"):
        rc.load(path)
    path.write_text('[claim]\ntext = "x"\n[run]\n[[expect]]\nmetric = "m"\nclaimed = 1\n')
    with pytest.raises(InputFormatError, match="exactly one of python"):
        rc.load(path)


def test_cli_list_run_show_new_and_queue(settings: Settings, tmp_path: Path) -> None:
    base = ["--data-dir", str(settings.data_dir)]
    listed = json.loads(CliRunner().invoke(cli, [*base, "verify", "list", "--json"]).output)
    names = {item["name"]: item for item in listed}
    assert (
        names["gpu-bf16-matmul-datasheet"]["needs_gpu"]
        and not names["int8-dynamic-quantization"]["needs_gpu"]
    )
    assert set(listed[0]) == {"name", "claim", "needs_gpu"}

    recipe = _recipe(
        tmp_path,
        'print("LEANWATCH_METRIC params_m=11.69")',
        '[[expect]]\nmetric = "params_m"\nclaimed = 25.56\nrel_tol = 0.01\n',
    )
    result = CliRunner().invoke(cli, [*base, "verify", "run", str(recipe.path), "--json"])
    assert result.exit_code == 0, result.output  # "not reproduced" is a result, not an error
    printed = json.loads(result.output[result.output.index("{") :])
    assert [(v["metric"], v["claimed"], v["measured"], v["verdict"]) for v in printed["verdicts"]] == [
        ("params_m", 25.56, 11.69, "not_reproduced")
    ]
    assert set(FIELDS) <= set(printed["fingerprint"])
    shown = CliRunner().invoke(cli, [*base, "verify", "show", printed["run_id"][:12], "--json"])
    assert json.loads(shown.output)["verdict"] == "not_reproduced"

    with open_writer(settings, "test") as store:
        store.upsert("papers", [{"paper_id": "arxiv:1512.03385", "title": "Deep Residual Learning"}])
        store.upsert(
            "claims",
            [{"claim_id": "c1", "paper_id": "arxiv:1512.03385", "metric": "top-1 error", "value": 21.43,
              "unit": "%", "benchmark": "ImageNet", "evidence": "a top-1 error of 21.43%"}],
        )  # fmt: skip
    made = CliRunner().invoke(cli, [*base, "verify", "new", "--claim", "c1", "--name", "resnet-top1"])
    assert made.exit_code == 0, made.output
    written = rc.load(settings.data_dir / "recipes" / "resnet-top1.toml")
    assert (written.claim_id, written.paper_id, written.expect[0].claimed) == (
        "c1",
        "arxiv:1512.03385",
        21.43,
    )
    # Until its [run] is written, the skeleton fails on purpose: an error, exit 1, the log says why.
    failed = CliRunner().invoke(cli, [*base, "verify", "queue", "resnet-top1"])
    assert failed.exit_code == 0 and "resnet-top1" in failed.output
    ran = CliRunner().invoke(cli, [*base, "verify", "queue", "--run"])
    assert ran.exit_code == 1 and "edit the [run] table" in ran.output
    assert CliRunner().invoke(cli, [*base, "verify", "queue"]).output.strip() == "verify queue: empty"
    with open_reader(settings) as reader:
        verdicts = reader.query("SELECT recipe, verdict, claim_id FROM verification_runs ORDER BY started_at")
    assert verdicts == [("job", "not_reproduced", None), ("resnet-top1", "error", "c1")]


def test_local_runs_in_parallel_each_on_gpus_of_its_own(tmp_path: Path) -> None:
    from harness.runner import run_many

    script = """
    import os, time
    started = time.time()
    time.sleep(1.5)
    print("LEANWATCH_METRIC gpu=" + os.environ["CUDA_VISIBLE_DEVICES"])
    print(f"LEANWATCH_METRIC started={started}")
    print(f"LEANWATCH_METRIC ended={time.time()}")
    """
    recipes = []
    for name in ("first", "second"):
        folder = tmp_path / name
        folder.mkdir()
        made = _recipe(folder, script, '[[expect]]\nmetric = "gpu"\nrange = [0, 1]\n')
        recipes.append(rc.Recipe(**{**made.__dict__, "name": name, "gpus": 1}))
    first, second = run_many(recipes, tmp_path / "runs", parallel=2, gpu_ids=[0, 1])
    assert first.status == second.status == "finished", (first.message, second.message)
    a, b = first.per_seed[0], second.per_seed[0]
    assert {a["gpu"], b["gpu"]} == {0.0, 1.0}  # never the same GPU for two concurrent runs
    assert a["started"] < b["ended"] and b["started"] < a["ended"]  # they overlapped


def test_the_verification_page_shows_a_run_with_its_verdicts_and_logs(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    from harness.records import row

    recipe = _recipe(
        tmp_path,
        'print("LEANWATCH_METRIC params_m=11.69")',
        '[[expect]]\nmetric = "params_m"\nclaimed = 25.56\n',
    )
    run = run_recipe(recipe, settings.data_dir / "runs")
    with open_writer(settings, "test") as store:
        store.upsert("verification_runs", [row(run)])
    monkeypatch.setenv("LEANWATCH_DATA_DIR", str(settings.data_dir))
    app = AppTest.from_file(
        str(Path(__file__).parent.parent / "ui" / "views" / "verification.py"), default_timeout=60
    )
    app.run()
    assert not app.exception, app.exception
    verdicts = next(d.value for d in app.dataframe if "claimed" in d.value.columns)
    assert verdicts[["metric", "claimed", "measured", "verdict"]].values.tolist() == [
        ["params_m", 25.56, 11.69, "not_reproduced"]
    ]
    assert any("LEANWATCH_METRIC params_m=11.69" in c.value for c in app.code)  # stdout.log shown


def test_a_broken_user_recipe_is_named_and_does_not_hide_the_others(settings: Settings) -> None:
    folder = settings.data_dir / "recipes"
    folder.mkdir(parents=True)
    (folder / "broken.toml").write_text("name = [unclosed\n")
    problems: list[str] = []
    recipes = rc.available(settings.data_dir, problems)
    assert "resnet50-params-flops" in recipes
    assert len(problems) == 1 and "broken.toml: not valid TOML" in problems[0]
    listed = CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), "verify", "list", "--json"])
    assert listed.exit_code == 0 and "resnet50-params-flops" in listed.output


def test_datasheet_figures_match_device_names_by_whole_words() -> None:
    _needs_torch()
    import importlib.util

    spec = importlib.util.spec_from_file_location("gpu_bench", rc.BUILT_IN / "gpu_bench.py")
    assert spec and spec.loader
    gpu_bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gpu_bench)
    assert gpu_bench.datasheet("NVIDIA H100 80GB HBM3") == 989.5
    assert gpu_bench.datasheet("NVIDIA H100 PCIe") == 756.5
    assert gpu_bench.datasheet("NVIDIA H100 NVL") == 835.5
    assert gpu_bench.datasheet("NVIDIA H200") == 989.5
    assert gpu_bench.datasheet("NVIDIA A100-SXM4-80GB") == 312.0
    assert gpu_bench.datasheet("NVIDIA L40S") == 362.05 and gpu_bench.datasheet("NVIDIA L40") == 181.05
    assert gpu_bench.datasheet("NVIDIA A10G") is None  # not an A10: no guessed figure


def test_the_verification_page_queues_a_run_for_the_worker(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    from harness import queue

    monkeypatch.setenv("LEANWATCH_DATA_DIR", str(settings.data_dir))
    app = AppTest.from_file(
        str(Path(__file__).parent.parent / "ui" / "views" / "verification.py"), default_timeout=60
    )
    app.run()
    app.selectbox(key="queue_recipe").set_value("gpu-sdpa-flash-speedup").run()
    app.button[0].click().run()
    assert not app.exception, app.exception
    assert queue.queued(settings.data_dir) == ["gpu-sdpa-flash-speedup"]
    assert "Queued gpu-sdpa-flash-speedup (1 waiting)" in app.success[0].value
    ran = CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), "verify", "queue", "--run"])
    assert (
        ran.exit_code == 0 and "gpu-sdpa-flash-speedup" in ran.output
    )  # skipped here without a GPU: not an error
    assert queue.queued(settings.data_dir) == []


def test_a_recipe_runs_a_git_checkout_at_its_pinned_commit(tmp_path: Path) -> None:
    import subprocess

    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "evaluate.py").write_text('print("LEANWATCH_METRIC accuracy=76.1")\n')
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "claimed"], check=True)
    pinned = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    (repo / "evaluate.py").write_text(
        'print("LEANWATCH_METRIC accuracy=50.0")\n'
    )  # a later, different commit
    subprocess.run([*git, "commit", "-qam", "later"], check=True)
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    (recipes / "pinned.toml").write_text(
        f'name = "pinned"\n[claim]\ntext = "76.1% top-1"\n[run]\npython = "evaluate.py"\n'
        f'git = {{ url = "{repo}", commit = "{pinned}" }}\n'
        '[[expect]]\nmetric = "accuracy"\nclaimed = 76.1\nabs_tol = 0.1\n'
    )
    run = run_recipe(rc.load(recipes / "pinned.toml"), tmp_path / "runs")
    assert (run.status, run.verdict) == ("finished", "reproduced"), run.message
    assert run.fingerprint["code_commit"] == pinned


def test_a_memory_cap_stops_a_recipe_that_exceeds_it(tmp_path: Path) -> None:
    from harness.memcap import make_cap

    probe = make_cap(0.1)
    if probe is None:
        pytest.skip("no memory cgroup can be made here")
    probe.remove()
    recipe = _recipe(
        tmp_path,
        'block = bytearray(400 * 2**20)\nprint("LEANWATCH_METRIC x=1")',
        '[[expect]]\nmetric = "x"\nclaimed = 1\n',
    )
    capped = run_recipe(rc.Recipe(**{**recipe.__dict__, "memory_gb": 0.1}), tmp_path / "runs")
    assert (capped.status, capped.verdict) == ("error", "error")
    assert "memory cap of 0.1 GB" in capped.message and capped.fingerprint["limits"]["memory"].startswith(
        "0.1 GB"
    )
    roomy = run_recipe(rc.Recipe(**{**recipe.__dict__, "memory_gb": 2.0}), tmp_path / "runs")
    assert roomy.verdict == "reproduced"  # the same recipe under a cap it fits in
