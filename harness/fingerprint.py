"""The fingerprint of a run: everything needed to argue about its numbers later.

OS, CPU, RAM, GPUs (model, count, driver, memory from nvidia-smi), CUDA and library versions
(torch when present), Python and a hash of the installed package set, the recipe's version and
hash, the git commit of the code run, seeds, start and end, GPU-hours and, where NVML gives it,
energy. A field that cannot be read is None with the reason in `unavailable`.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

FIELDS = (
    "os", "kernel", "machine", "cpu", "cpu_count", "ram_gb", "gpus", "gpu_count", "gpu_driver", "cuda",
    "libraries", "python", "packages_sha256", "recipe", "recipe_version", "recipe_sha256", "code_commit",
    "seeds", "started_at", "ended_at", "wall_seconds", "gpu_hours", "energy_joules", "network",
    "limits", "unavailable",
)  # fmt: skip
_LIBRARIES = ("torch", "numpy", "scikit-learn", "transformers", "lm_eval")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> float | None:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        return None


def gpus() -> tuple[list[dict[str, Any]], str | None]:
    """GPUs as nvidia-smi reports them, and why none were read when so."""
    if shutil.which("nvidia-smi") is None:
        return [], "no nvidia-smi on PATH"
    try:
        out = subprocess.run(
            [
                "nvidia-smi",
                "--query-gpu=index,name,memory.total,driver_version",
                "--format=csv,noheader,nounits",
            ],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
    except (subprocess.SubprocessError, OSError) as exc:
        return [], f"nvidia-smi failed: {exc}"
    found = []
    for line in out.strip().splitlines():
        index, name, memory, driver = (part.strip() for part in line.split(","))
        found.append({"index": int(index), "name": name, "memory_mib": int(float(memory)), "driver": driver})
    return found, None


def _versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in _LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _cuda() -> str | None:
    try:
        import torch
    except ImportError:
        return None
    return torch.version.cuda


def _packages_sha256() -> str:
    names = sorted(f"{d.metadata['Name']}=={d.version}".lower() for d in importlib.metadata.distributions())
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def git_commit(folder: Path) -> str | None:
    if shutil.which("git") is None:
        return None
    result = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return result.stdout.strip() or None if result.returncode == 0 else None


def machine() -> dict[str, Any]:
    """What does not change between runs on this machine."""
    found, why = gpus()
    unavailable = {} if not why else {"gpus": why}
    cuda = _cuda()
    if cuda is None:
        unavailable["cuda"] = "torch not installed, or a CPU build"
    return {
        "os": f"{platform.system()} {platform.release()}",
        "kernel": platform.version(),
        "machine": platform.machine(),
        "cpu": _cpu(),
        "cpu_count": os.cpu_count(),
        "ram_gb": _ram_gb(),
        "gpus": found,
        "gpu_count": len(found),
        "gpu_driver": found[0]["driver"] if found else None,
        "cuda": cuda,
        "libraries": _versions(),
        "python": sys.version.split()[0],
        "packages_sha256": _packages_sha256(),
        "unavailable": unavailable,
    }


def energy_millijoules(gpu_ids: list[int]) -> tuple[float | None, str | None]:
    """Total energy the GPUs have drawn since the driver loaded (NVML, Volta and newer), summed; with
    the reason when it cannot be read. A run's energy is the difference of two readings."""
    if not gpu_ids:
        return None, "no GPU used"
    try:
        import pynvml  # type: ignore[import-not-found]  # nvidia-ml-py, from the harness extra
    except ImportError:
        return None, "nvidia-ml-py not installed (pip install 'leanwatch[harness]')"
    try:
        pynvml.nvmlInit()
        try:
            total = 0.0
            for index in gpu_ids:
                handle = pynvml.nvmlDeviceGetHandleByIndex(index)
                total += float(pynvml.nvmlDeviceGetTotalEnergyConsumption(handle))
            return total, None
        finally:
            pynvml.nvmlShutdown()
    except Exception as exc:
        return None, f"NVML: {exc}"
