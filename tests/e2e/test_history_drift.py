"""Issue 9, end to end over SSH: the sweep history and drift between sweeps.

Two labs serve the same fleet before and after one change per device
(fleets/history-before.yaml, fleets/history-after.yaml); sweeps over one history report
exactly the drift each change makes, an approved change inside its window as info, and a
third sweep with no change reports none.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from e2e_support import Sweep, audit, run_cli

from imagesweep.analyze.rules.drift import DRIFT_IDS
from imagesweep.history.lock import LOCKED_EXIT
from imagesweep.lab.fleet import Fleet, generate_fleet, load_fleet

FLEETS = Path(__file__).parent / "fleets"

EXPECTED = {
    "h-same": set(),
    "h-content": {"IMAGE_CHANGED"},
    "h-added": {"IMAGE_ADDED"},
    "h-boot": {"BOOT_CHANGED"},
    "h-confreg": {"CONFREG_CHANGED"},
    "h-rommon": {"ROMMON_CHANGED"},
    "h-memory": {"MEMORY_TEXT_CHANGED"},
    "h-version": {"VERSION_CHANGED", "BOOT_CHANGED", "UNEXPECTED_RELOAD"},
    "h-reload": {"UNEXPECTED_RELOAD"},
    "h-approved": {"VERSION_CHANGED", "BOOT_CHANGED", "UNEXPECTED_RELOAD"},
}


def drift(sweep: Sweep) -> dict[str, set[str]]:
    return {host: rules & DRIFT_IDS for host, rules in sweep.rules().items()}


def test_drift_between_sweeps(lab_of: Callable[[Fleet, Path], Path], tmp_path: Path) -> None:
    before = lab_of(load_fleet(FLEETS / "history-before.yaml"), tmp_path / "before")
    after = lab_of(load_fleet(FLEETS / "history-after.yaml"), tmp_path / "after")
    history = tmp_path / "history.sqlite"
    now = datetime.now(UTC)
    windows = tmp_path / "windows.yaml"
    windows.write_text(
        yaml.safe_dump(
            {
                "windows": [
                    {
                        "name": "CHG-9",
                        "hosts": ["h-approved"],
                        "start": (now - timedelta(hours=1)).isoformat(),
                        "end": (now + timedelta(hours=1)).isoformat(),
                        "expect_version": "15.5(3)M10",
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    opts = ("--history", str(history), "--windows", str(windows), "--memory-text")

    first = audit(before, tmp_path / "run1", *opts)
    assert drift(first) == {host: set() for host in EXPECTED}  # never seen before: no drift
    assert {(c["host"], c["change"]) for c in first.rows("changes.csv")} == {
        (host, "device-new") for host in EXPECTED
    }

    second = audit(after, tmp_path / "run2", *opts)
    assert drift(second) == EXPECTED
    for host, rules in EXPECTED.items():
        for rule in rules:
            (finding,) = second.findings(host, rule)
            if host == "h-approved":
                assert finding["severity"] == "info"
                assert "approved: window CHG-9" in finding["summary"]
            else:
                assert finding["severity"] != "info", (host, rule)
    (changed,) = second.findings("h-content", "IMAGE_CHANGED")
    assert "c2900-universalk9-mz.SPA.155-3.M10.bin" in changed["summary"]
    changes = second.rows("changes.csv")
    assert {c["host"] for c in changes} >= set(EXPECTED) - {"h-same"}
    assert not [c for c in changes if c["host"] == "h-same"]
    assert {"image-changed", "image-added", "boot", "rommon", "version", "reload"} <= {
        c["change"] for c in changes
    }

    third = audit(after, tmp_path / "run3", *opts)
    assert drift(third) == {host: set() for host in EXPECTED}

    # The CLI reads the same history: three sweeps, and diff of the last two is empty of
    # device changes (findings dated "since the sweep of ..." may differ).
    listed = run_cli("history", "--history", str(history))
    assert listed.returncode == 0, listed.stderr
    assert len([line for line in listed.stdout.splitlines() if str(tmp_path) in line]) == 3
    timeline = run_cli("history", "--history", str(history), "--host", "h-version")
    assert timeline.returncode == 0, timeline.stderr
    assert "15.7(3)M8" in timeline.stdout and "15.5(3)M10" in timeline.stdout
    diffed = run_cli(
        "diff", "--history", str(history), str(tmp_path / "run1"), str(tmp_path / "run2")
    )
    assert diffed.returncode == 0, diffed.stderr
    assert "h-rommon  rommon" in diffed.stdout
    assert "h-same" not in diffed.stdout


def _journal(run_dir: Path) -> int:
    path = run_dir / "journal.jsonl"
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


def _sweep(inventory: Path, run_dir: Path, history: Path) -> subprocess.Popen[bytes]:
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
        str(run_dir.parent / f"{run_dir.name}.known_hosts"),
        "--history",
        str(history),
        "--workers",
        "2",
        "--quiet",
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_sigkill_and_overlap(lab_of: Callable[[Fleet, Path], Path], tmp_path: Path) -> None:
    fleet = generate_fleet(6, seed=5)
    fleet = replace(fleet, devices=tuple(replace(d, digest_seconds=0.5) for d in fleet.devices))
    inventory = lab_of(fleet, tmp_path)
    history = tmp_path / "history.sqlite"
    first = audit(inventory, tmp_path / "run1", "--history", str(history))
    assert first.exit_code in (0, 1), first.stderr

    # A second sweep while one runs is refused at once with its own status.
    running = _sweep(inventory, tmp_path / "run2", history)
    try:
        deadline = time.monotonic() + 60
        while _journal(tmp_path / "run2") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        started = time.monotonic()
        refused = run_cli(
            "audit",
            "--inventory",
            str(inventory),
            "--out",
            str(tmp_path / "refused"),
            "--history",
            str(history),
            "--quiet",
        )
        assert refused.returncode == LOCKED_EXIT, refused.stderr
        assert "another sweep is running" in refused.stderr
        assert time.monotonic() - started < 15
        assert not (tmp_path / "refused" / "journal.jsonl").exists()
        # SIGKILL mid-sweep: the history keeps only the first sweep.
        assert 2 <= _journal(tmp_path / "run2") < len(fleet.devices)
        os.kill(running.pid, signal.SIGKILL)
    finally:
        running.wait(30)
    listed = run_cli("history", "--history", str(history))
    assert listed.returncode == 0, listed.stderr
    assert str(tmp_path / "run1") in listed.stdout and str(tmp_path / "run2") not in listed.stdout

    # The next sweep reads that history without error and sees no change.
    third = audit(inventory, tmp_path / "run3", "--history", str(history))
    assert third.exit_code == first.exit_code, third.stderr
    assert {h: r & DRIFT_IDS for h, r in third.rules().items()} == {
        d.name: set() for d in fleet.devices
    }
    assert third.rows("changes.csv") == []
    sweep = json.loads((tmp_path / "run3" / "sweep.json").read_text(encoding="utf-8"))
    assert sweep["options"]["history"] == str(history)
