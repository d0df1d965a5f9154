"""Memory caps for runs through the kernel's memory cgroups, never RLIMIT_AS (which counts the
address space a GPU driver maps and kills GPU jobs that use little memory).

Where this process may create a child cgroup (cgroup v2 with the memory controller, or cgroup v1's
memory hierarchy; root, or a delegated subtree), each run gets one with the cap, and the run's
process joins it before it executes, so everything it starts is capped too. Elsewhere the caller
falls back to a systemd scope or records that the cap could not be enforced.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class MemoryCap:
    path: Path
    how: str  # said in the run record

    def enter(self) -> None:
        """Move the calling process into the cgroup (run in the child, before exec)."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def remove(self) -> None:
        # A process still in it (a zombie not yet reaped) keeps it; the kernel frees it with the last one.
        with contextlib.suppress(OSError):
            self.path.rmdir()


def _own_cgroups() -> dict[str, str]:
    """Controller (or "" for cgroup v2) -> this process's cgroup path."""
    found = {}
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                found[controller] = path
    except (OSError, ValueError):
        pass
    return found


def make_cap(gigabytes: float) -> MemoryCap | None:
    """A fresh cgroup capped at `gigabytes`, or None where none can be made here."""
    limit = str(int(gigabytes * 2**30))
    name = f"leanwatch-{uuid.uuid4().hex[:10]}"
    own = _own_cgroups()
    candidates = []
    if "memory" in own:  # cgroup v1
        candidates.append(
            (CGROUP_ROOT / "memory" / own["memory"].lstrip("/"), "memory.limit_in_bytes", "cgroup v1")
        )
    if "" in own:  # cgroup v2 (unified), mounted at the root or under /unified
        for root in (CGROUP_ROOT, CGROUP_ROOT / "unified"):
            if (root / "cgroup.controllers").exists():
                candidates.append((root / own[""].lstrip("/"), "memory.max", "cgroup v2"))
    for parent, control, how in candidates:
        path = parent / name
        try:
            path.mkdir()
        except OSError:
            continue
        try:
            (path / control).write_text(limit)
        except OSError:
            path.rmdir()
            continue
        # No way around the cap through swap, where the kernel offers the knob.
        for swap, value in (("memory.memsw.limit_in_bytes", limit), ("memory.swap.max", "0")):
            with contextlib.suppress(OSError):
                if (path / swap).exists():
                    (path / swap).write_text(value)
        return MemoryCap(path, f"{gigabytes:g} GB ({how})")
    return None
