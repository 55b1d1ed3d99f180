"""A lab sweep whose inventory is a spreadsheet: the same devices, the same verdicts."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from imagesweep.lab.fleet import demo_fleet_path, load_fleet

HOSTS = ("r1-clean", "r2-patched", "xe1-clean", "nx1-clean")
ALIASES = {"cisco_ios": "ios", "cisco_xe": "iosxe", "cisco_nxos": "nxos"}  # through the table


def test_sweep_from_a_csv_inventory(lab_of: Callable[..., Path], tmp_path: Path) -> None:
    fleet = load_fleet(demo_fleet_path())
    inventory = lab_of(fleet, tmp_path)
    hosts = yaml.safe_load((inventory / "hosts.yaml").read_text(encoding="utf-8"))
    sheet = tmp_path / "sheet" / "devices.csv"
    sheet.parent.mkdir()
    (sheet.parent / "known-good.csv").write_bytes((inventory / "known-good.csv").read_bytes())
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["name", "address", "platform", "port", "groups", "site", "expected_hostname"])
        for name in HOSTS:
            h = hosts[name]
            groups = "lab;" + h["groups"][0]
            platform = ALIASES[h["platform"]]
            expected = h["data"]["expected_hostname"]
            out.writerow([name, h["hostname"], platform, h["port"], groups, "", expected])
    user = hosts[HOSTS[0]]
    env = {
        **os.environ,
        "IMAGESWEEP_USERNAME": user["username"],
        "IMAGESWEEP_PASSWORD": user["password"],
        "IMAGESWEEP_SECRET": user["connection_options"]["netmiko"]["extras"]["secret"],
    }
    run = tmp_path / "run"
    args = ["audit", "--inventory", str(sheet), "--out", str(run), "--no-history", "--quiet"]
    proc = subprocess.run(
        [sys.executable, "-m", "imagesweep", *args, "--known-hosts", str(tmp_path / "kh")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=env,
    )
    assert proc.returncode == 1, proc.stderr  # r2-patched
    with (run / "devices.csv").open(newline="", encoding="utf-8") as handle:
        rows = {r["host"]: r for r in csv.DictReader(handle)}
    assert set(rows) == set(HOSTS)
    assert {h: rows[h]["status"] for h in HOSTS} == {
        "r1-clean": "clean",
        "r2-patched": "findings",
        "xe1-clean": "clean",
        "nx1-clean": "clean",
    }
    assert rows["xe1-clean"]["platform"] == "cisco_xe"
    assert (run / "report.html").is_file()
