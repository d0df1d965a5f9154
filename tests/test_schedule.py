"""The schedule files: crontab lines are well formed, systemd units verify where systemd is present."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

CRON = Path(__file__).resolve().parent.parent / "cron"
_FIELD = r"(?:\*|\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*)(?:/\d+)?"


def test_crontab_lines_are_well_formed() -> None:
    jobs = []
    for number, line in enumerate((CRON / "crontab").read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if re.fullmatch(r"[A-Z_]+=\S+", line):
            continue  # an environment assignment
        match = re.fullmatch(rf"({_FIELD}) ({_FIELD}) ({_FIELD}) ({_FIELD}) ({_FIELD}) (.+)", line)
        assert match, f"crontab line {number} is not five time fields and a command: {line!r}"
        jobs.append(match.group(6))
    assert any("leanwatch --wait-seconds 1800 update" in job for job in jobs)
    assert any("leanwatch digest" in job for job in jobs)
    assert any("leanwatch verify queue --run" in job for job in jobs)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize(
    "unit", sorted(p.name for p in CRON.glob("*.service")) + sorted(p.name for p in CRON.glob("*.timer"))
)
def test_systemd_units_verify(unit: str) -> None:
    result = subprocess.run(
        ["systemd-analyze", "verify", str(CRON / unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # The units name /opt/leanwatch, which this machine does not have; anything else is a real error.
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "is not executable" not in line and "/opt/leanwatch" not in line
    ]
    assert not problems, problems
