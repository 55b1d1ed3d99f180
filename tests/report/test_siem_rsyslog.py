"""--siem against a real rsyslog on 127.0.0.1 (started and stopped here): what it received
from a lab sweep, from a hostile device, and a SIEM that is down."""

from __future__ import annotations

import csv
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_support import HOSTILE_HOST, HOSTILE_HOSTNAME, hostile_run
from syslog_support import Receiver, parse_cef, rsyslog

from imagesweep.lab.fleet import demo_fleet_path, load_fleet
from imagesweep.lab.server import Lab
from imagesweep.report import siem
from imagesweep.sanitize import terminal

HOSTS = "r1-clean,r2-patched,r9-unreachable,xe1-clean"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imagesweep", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Receiver]:
    with rsyslog(tmp_path_factory.mktemp("rsyslog")) as running:
        yield running


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("siem-lab")
    with Lab(load_fleet(demo_fleet_path())) as lab:
        inv = lab.write_inventory(root / "inventory")
        lab.write_catalogue(inv / "known-good.csv")
        yield inv


def _audit(inventory: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return _cli(
        *("audit", "--inventory", str(inventory), "--out", str(out), "--hosts", HOSTS),
        *("--known-hosts", str(out.parent / "known_hosts"), "--no-history", "--quiet"),
        *extra,
    )


def test_lab_sweep_events_reach_rsyslog_over_tcp(
    receiver: Receiver, inventory: Path, tmp_path: Path
) -> None:
    receiver.clear()
    jsonl = tmp_path / "events.jsonl"
    proc = _audit(
        inventory,
        tmp_path / "run",
        "--siem",
        f"tcp://127.0.0.1:{receiver.tcp}",
        "--jsonl",
        str(jsonl),
    )
    assert proc.returncode == 1, proc.stderr  # r2-patched, r9-unreachable
    assert "warning" not in proc.stderr
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    with (tmp_path / "run" / "findings.csv").open(newline="", encoding="utf-8") as handle:
        findings = list(csv.DictReader(handle))
    assert len(records) == len(findings) + 4  # one per finding, one per device
    got = receiver.wait_for(len(records))
    assert [m["msg"] for m in got] == [r["CEF"] for r in records]
    assert {m["input"] for m in got} == {"imtcp"}
    assert {m["app"] for m in got} == {"imagesweep"}
    assert [m["msgid"] for m in got] == [
        "verdict" if r["DeviceEventClassID"] == siem.VERDICT_CLASS else "finding" for r in records
    ]
    mismatch = next(r for r in records if r["DeviceEventClassID"] == "HASH_MISMATCH")
    header, ext = parse_cef(mismatch["CEF"])
    assert header[6] == "10" and ext["deviceExternalId"] == "r2-patched"
    assert ext["dvc"] == "127.0.0.1" and ext["fname"].startswith("flash:")
    assert ext["cs3"].startswith("md5:") and ext["cs3"][4:] != ext["fileHash"]
    verdicts = {
        r["DeviceExternalID"]: r["EventOutcome"]
        for r in records
        if r["DeviceEventClassID"] == siem.VERDICT_CLASS
    }
    assert verdicts["r9-unreachable"] == "incomplete" and verdicts["r1-clean"] == "clean"


def test_hostile_device_cannot_change_the_framing_rsyslog_sees(
    receiver: Receiver, tmp_path: Path
) -> None:
    receiver.clear()
    run = hostile_run(tmp_path / "run")
    proc = _cli("report", str(run), "--siem", f"udp://127.0.0.1:{receiver.udp}")
    assert proc.returncode == 0, proc.stderr
    got = receiver.wait_for(3)
    assert len(got) == 3  # one finding, two verdicts: no message split or joined
    assert {m["input"] for m in got} == {"imudp"}
    assert [m["msgid"] for m in got] == ["finding", "verdict", "verdict"]
    for message in got:
        header, ext = parse_cef(message["msg"])
        assert header[0] == "CEF:0" and header[1:3] == ["imagesweep", "imagesweep"]
        assert message["sd"].startswith(f"[{siem.SD_ID} host=")
    _header, ext = parse_cef(got[0]["msg"])
    assert ext["deviceExternalId"] == terminal(HOSTILE_HOST)
    assert ext["dvchost"] == terminal(HOSTILE_HOSTNAME).replace("\u2028", " ")


def test_siem_down_loses_nothing(inventory: Path, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    reference = _audit(inventory, tmp_path / "plain")
    proc = _audit(inventory, tmp_path / "run", "--siem", f"tcp://127.0.0.1:{port}")
    assert proc.returncode == reference.returncode == 1
    assert "warning: events to tcp://127.0.0.1" in proc.stderr and "0 of" in proc.stderr
    for name in ("devices.csv", "findings.csv", "images.csv", "sweep.json", "report.html"):
        assert (tmp_path / "run" / name).is_file(), name
    assert (tmp_path / "run" / "devices.csv").read_text().count("\n") == 5
