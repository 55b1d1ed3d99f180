"""Issue 14 item 4: Ctrl-C and SIGTERM stop a sweep. The real CLI as a subprocess against a
lab of slow devices; the lab's login log shows what the sweep did after the signal.

SIGINT: no new SSH session after the signal, the sessions in flight finish within the
grace, the reports are written for what finished (the rest "interrupted before audit"),
exit 130, and the printed ``--resume`` command completes the sweep from another directory,
honouring ``--workers``. SIGTERM with sessions longer than the grace: they are cut, exit 143.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from e2e_support import Sweep

from imagesweep.lab.fleet import Fleet, generate_fleet
from imagesweep.lab.server import Lab

DEVICES = 10
# A session that checked the stop flag an instant before the signal may still connect.
RACE = 0.3


def journal_hosts(run_dir: Path) -> list[str]:
    path = run_dir / "journal.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["host"] for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def lab_factory() -> Iterator[list[Lab]]:
    labs: list[Lab] = []
    yield labs
    for lab in labs:
        lab.stop()


def _serve(labs: list[Lab], fleet: Fleet, root: Path) -> tuple[Lab, Path]:
    lab = Lab(fleet)
    lab.start()
    labs.append(lab)
    inventory = lab.write_inventory(root / "inventory")
    lab.write_catalogue(inventory / "known-good.csv")
    return lab, inventory


def _start(inventory: Path, run_dir: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "imagesweep",
            "audit",
            "--inventory",
            str(inventory),
            "--out",
            str(run_dir),
            "--known-hosts",
            str(run_dir.parent / "known_hosts"),
            "--workers",
            "2",
            "--quiet",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait(condition: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.05)
    assert condition(), "the sweep did not get that far"  # type: ignore[operator]


def _interrupt(proc: subprocess.Popen[str], signum: int, lab: Lab) -> tuple[int, str, float, float]:
    """Send ``signum``; (exit status, stderr, when it was sent, seconds until the exit)."""
    sent = time.monotonic()
    os.kill(proc.pid, signum)
    try:
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, stderr, sent, time.monotonic() - sent


def test_sigint_stops_reports_and_resumes(lab_factory: list[Lab], tmp_path: Path) -> None:
    fleet = generate_fleet(DEVICES, seed=3)
    fleet = replace(fleet, devices=tuple(replace(d, digest_seconds=0.6) for d in fleet.devices))
    lab, inventory = _serve(lab_factory, fleet, tmp_path)
    run_dir = tmp_path / "run"
    proc = _start(inventory, run_dir, "--grace", "20")
    _wait(lambda: len(journal_hosts(run_dir)) >= 2, 120)
    code, stderr, sent, took = _interrupt(proc, signal.SIGINT, lab)

    assert code == 130, stderr
    late = [device for at, device in lab.logins.started if at > sent + RACE]
    assert late == [], "no new SSH session after the signal"
    assert took < 20, "the sessions in flight finish within the grace"

    sweep = Sweep(run_dir, code, "", stderr)
    devices = sweep.devices()
    assert set(devices) == {d.name for d in fleet.devices}  # one row per inventory host
    audited = set(journal_hosts(run_dir))
    assert 2 <= len(audited) < DEVICES
    untouched = {h for h in devices if h not in audited}
    for host in untouched:
        row = devices[host]
        assert row["status"] == "incomplete" and row["integrity"] == "unverified"
        assert row["error"].startswith("interrupted")
    contacted = {device for _, device in lab.logins.started}
    assert {h for h in untouched if h not in contacted} == {
        h for h in untouched if devices[h]["error"].startswith("interrupted before audit")
    }
    report = json.loads((run_dir / "sweep.json").read_text(encoding="utf-8"))
    assert report["interrupted"] == "SIGINT"
    assert set(report["not_audited"]) <= untouched
    assert "INTERRUPTED by SIGINT" in stderr
    run_json = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert Path(run_json["inventory"]).is_absolute()
    assert Path(run_json["settings"]["known_hosts"]).is_absolute()

    # The exact command printed, run from another directory, with another --workers.
    (line,) = [ln.strip() for ln in stderr.splitlines() if "audit --resume" in ln]
    argv = shlex.split(line)
    assert argv[:3] == ["imagesweep", "audit", "--resume"]
    assert Path(argv[3]) == run_dir.absolute()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    resumed = subprocess.run(
        [sys.executable, "-m", "imagesweep", *argv[1:], "--workers", "4", "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=elsewhere,
        check=False,
    )
    assert resumed.returncode in (0, 1), resumed.stderr
    assert "workers 4 (--workers)" in resumed.stderr
    assert "from its run.json" in resumed.stderr
    after = journal_hosts(run_dir)
    assert sorted(after) == sorted(d.name for d in fleet.devices)  # none lost, none twice
    final = json.loads((run_dir / "sweep.json").read_text(encoding="utf-8"))
    assert final["interrupted"] is None and final["options"]["workers"] == 4
    assert all(
        not row["error"].startswith("interrupted")
        for row in Sweep(run_dir, 0, "", "").devices().values()
    )


def test_sigterm_cuts_sessions_after_the_grace(lab_factory: list[Lab], tmp_path: Path) -> None:
    fleet = generate_fleet(6, seed=5)
    # Digests far longer than the grace: only cutting the sessions ends the sweep in time.
    fleet = replace(fleet, devices=tuple(replace(d, digest_seconds=120) for d in fleet.devices))
    lab, inventory = _serve(lab_factory, fleet, tmp_path)
    run_dir = tmp_path / "run"
    proc = _start(inventory, run_dir, "--grace", "1", "--digest-timeout", "600")
    _wait(lambda: len({d for _, d in lab.logins.started}) >= 2, 60)
    time.sleep(1.5)  # inside the plan: version, listings, the first digest
    code, stderr, sent, took = _interrupt(proc, signal.SIGTERM, lab)

    assert code == 143, stderr
    assert took < 10, f"cut after the 1 s grace, not after the digests ({took:.1f} s)"
    assert [d for at, d in lab.logins.started if at > sent + RACE] == []
    devices = Sweep(run_dir, code, "", stderr).devices()
    assert set(devices) == {d.name for d in fleet.devices}
    cut = [h for h, row in devices.items() if row["error"].startswith("interrupted during audit")]
    assert len(cut) == 2, devices
    assert all(devices[h]["status"] == "incomplete" for h in devices)
    assert json.loads((run_dir / "sweep.json").read_text(encoding="utf-8"))["interrupted"] == (
        "SIGTERM"
    )
    assert journal_hosts(run_dir) == []  # nothing finished: --resume audits every host
    assert "audit --resume" in stderr
