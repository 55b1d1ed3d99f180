"""Issue 5, crash safety: a sweep killed with SIGKILL loses no finished device, and
``audit --resume DIR`` completes it without auditing any device twice."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from e2e_support import Sweep, run_cli

from imagesweep.lab.fleet import Fleet, generate_fleet

DEVICES = 12


def journal_hosts(run_dir: Path) -> list[str]:
    path = run_dir / "journal.jsonl"
    if not path.exists():
        return []
    hosts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        # A torn last line is what a kill can leave; resume audits that host again.
        with contextlib.suppress(ValueError):
            hosts.append(json.loads(line)["host"])
    return hosts


def test_sigkill_then_resume(lab_of: Callable[[Fleet, Path], Path], tmp_path: Path) -> None:
    fleet = generate_fleet(DEVICES, seed=3)
    # Slow digests so the sweep is still running when it is killed.
    fleet = replace(fleet, devices=tuple(replace(d, digest_seconds=0.8) for d in fleet.devices))
    inventory = lab_of(fleet, tmp_path)
    run_dir = tmp_path / "run"
    known_hosts = tmp_path / "known_hosts"
    command = [
        sys.executable,
        "-m",
        "imagesweep",
        "audit",
        "--inventory",
        str(inventory),
        "--out",
        str(run_dir),
        "--known-hosts",
        str(known_hosts),
        "--workers",
        "2",
        "--quiet",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(journal_hosts(run_dir)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
    before = journal_hosts(run_dir)
    assert 3 <= len(before) < DEVICES, "kill the sweep while it runs"
    assert not (run_dir / "devices.csv").exists()  # the reports come at the end

    resumed = run_cli(
        "audit", "--resume", str(run_dir), "--known-hosts", str(known_hosts), "--quiet"
    )
    assert resumed.returncode in (0, 1), resumed.stderr
    after = journal_hosts(run_dir)
    assert after[: len(before)] == before  # the journal only grew
    assert sorted(after) == sorted(d.name for d in fleet.devices)  # none lost, none twice
    devices = Sweep(run_dir, resumed.returncode, "", "").devices()
    assert set(devices) == {d.name for d in fleet.devices}
    assert all(row["status"] in ("clean", "findings", "incomplete") for row in devices.values())
    sweep = json.loads((run_dir / "sweep.json").read_text(encoding="utf-8"))
    assert sweep["timings"]["resumed_devices"] == len(before)
    assert sweep["options"]["resume"] is True
