"""Issue 14 item 6 end to end through the real CLI: ``imagesweep demo`` then the hunt it
suggests, and ``imagesweep lab`` + ``audit`` keeping the lab's host keys to itself."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from e2e_support import run_cli


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_demo_then_hunt_correlates_and_sets_the_sweep_aside(tmp_path: Path) -> None:
    run = tmp_path / "demo"
    demo = run_cli("demo", "--out", str(run), "--workers", "10")
    assert demo.returncode in (0, 1), demo.stderr
    said = " ".join(demo.stderr.split())  # rich wraps long lines at spaces
    assert f"imagesweep hunt {run / 'syslog.log'} --audit-run {run}" in said

    # Triage in the run itself: worst first, then natural host order; severity counts.
    devices = _rows(run / "devices.csv")
    ranks = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    order = [ranks.get(d["max_severity"], 5) for d in devices]
    assert order == sorted(order)
    criticals = [d["host"] for d in devices if d["max_severity"] == "critical"]
    numbers = [int(re.match(r"[a-z]+(\d+)", h).group(1)) for h in criticals if h.startswith("r")]  # type: ignore[union-attr]
    assert numbers == sorted(numbers)
    sweep = json.loads((run / "sweep.json").read_text())
    severity = sweep["summary"]["severity"]
    assert severity["devices"]["critical"] == len(criticals)
    findings = _rows(run / "findings.csv")
    assert severity["findings"]["critical"] == sum(f["severity"] == "critical" for f in findings)
    assert [ranks[f["severity"]] for f in findings] == sorted(
        ranks[f["severity"]] for f in findings
    )
    assert "top findings: HASH_MISMATCH (critical" in said
    assert "BOOT_NETWORK (critical" in said
    # Evidence lines printed by the device name the command that printed them.
    (boot_network,) = [f for f in findings if f["rule"] == "BOOT_NETWORK"]
    assert re.search(r"(^| \| )show [a-z -]+: ", boot_network["evidence"]), boot_network

    out = tmp_path / "hunt"
    hunt = run_cli("hunt", str(run / "syslog.log"), "--audit-run", str(run), "--out", str(out))
    assert hunt.returncode == 1, hunt.stderr  # the planted attack still stands
    hits = _rows(out / "hunt.csv")
    hosts = {d["host"] for d in devices}
    assert {h["HostName"] for h in hits} <= hosts  # the lab's own names
    verify = [
        h
        for h in hits
        if "CLI_LOG" in h["SyslogMessage"] and "command:verify /md5" in h["SyslogMessage"]
    ]
    assert len(verify) >= 20
    for hit in verify:
        assert hit["Suppressed"] == "true", hit
        assert hit["SuppressionReason"].startswith(f"imagesweep audit {run}"), hit
    standing = [h for h in hits if h["Suppressed"] == "false"]
    assert standing and all("CLI_LOG" not in h["SyslogMessage"] for h in standing)
    correlated = _rows(out / "correlated.csv")
    both = {r["host"] for r in correlated if r["both"] == "true"}
    assert both & set(criticals), (both, criticals)
    assert "devices with both log indicators and audit findings: " in hunt.stdout
    # hunt.csv went through the shared CSV rule: no escape byte anywhere.
    assert "\x1b" not in (out / "hunt.csv").read_text(encoding="utf-8")
    assert (out / "hunt.csv").stat().st_mode & 0o777 == 0o600


def test_lab_prints_its_devices_and_keeps_host_keys_to_itself(tmp_path: Path) -> None:
    inv = tmp_path / "lab-inventory"
    config = tmp_path / "config"
    env = {**os.environ, "XDG_CONFIG_HOME": str(config), "HOME": str(tmp_path)}
    lab = subprocess.Popen(
        [sys.executable, "-m", "imagesweep", "lab", "--inventory-out", str(inv)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 120
        assert lab.stdout is not None
        while time.monotonic() < deadline:
            line = lab.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Ctrl-C"):
                break
        text = "".join(lines)
        assert re.search(r"^lab: \d+ simulated devices on 127\.0\.0\.1$", text, re.M), text
        assert re.search(r"^  r1-clean +127\.0\.0\.1:\d+ +cisco_ios +healthy$", text, re.M), text
        assert f"next: imagesweep audit --inventory {inv}" in text
        audit = run_cli(
            "audit",
            "--inventory",
            str(inv),
            "--hosts",
            "r1-clean,xe1-clean",
            "--out",
            str(tmp_path / "run"),
            env={"XDG_CONFIG_HOME": str(config), "HOME": str(tmp_path)},
        )
        assert audit.returncode == 0, audit.stderr
        assert not (config / "imagesweep" / "known_hosts").exists()
        kept = (inv / "known_hosts").read_text()
        assert len(kept.splitlines()) == 2 and kept.startswith("[127.0.0.1]:")
    finally:
        lab.send_signal(signal.SIGINT)
        lab.wait(timeout=30)
