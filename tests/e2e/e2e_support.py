"""Helpers for the end-to-end tests: the real ``imagesweep`` CLI as a subprocess, and its
report files read back."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Sweep:
    """What one ``imagesweep audit`` run produced."""

    run_dir: Path
    exit_code: int
    stdout: str
    stderr: str

    def rows(self, name: str) -> list[dict[str, str]]:
        with (self.run_dir / name).open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    def devices(self) -> dict[str, dict[str, str]]:
        return {row["host"]: row for row in self.rows("devices.csv")}

    def rules(self) -> dict[str, set[str]]:
        return {
            host: set(filter(None, row["rules"].split(";"))) for host, row in self.devices().items()
        }

    def findings(self, host: str, rule: str) -> list[dict[str, str]]:
        return [r for r in self.rows("findings.csv") if r["host"] == host and r["rule"] == rule]


def run_cli(
    *args: str, timeout: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m imagesweep ARGS`` with no terminal, as a user's script would run it."""
    return subprocess.run(
        [sys.executable, "-m", "imagesweep", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def audit(inventory: Path, out: Path, *extra: str, timeout: float = 600) -> Sweep:
    proc = run_cli(
        "audit",
        "--inventory",
        str(inventory),
        "--out",
        str(out),
        "--known-hosts",
        str(out.parent / f"{out.name}.known_hosts"),
        "--quiet",
        # Sweeps keep no history unless the test asks for one (--history PATH).
        *(() if "--history" in extra else ("--no-history",)),
        *extra,
        timeout=timeout,
    )
    if proc.returncode == 2:
        pytest.fail(f"audit refused to run: {proc.stderr}")
    return Sweep(out, proc.returncode, proc.stdout, proc.stderr)
