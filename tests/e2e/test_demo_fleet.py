"""Issue 2 end to end: the demo fleet's IOS / IOS-XE scenarios over real SSH, the real CLI,
the exact rule set, status and hash status per device, and the report files' contract."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from e2e_support import Sweep, audit

from imagesweep.lab.fleet import Credentials, demo_fleet_path, load_fleet
from imagesweep.report.schema import DEVICE_COLUMNS, FINDING_COLUMNS, IMAGE_COLUMNS, read_raw

CREDENTIALS = Credentials("auditor", "Pw-q7Z3xK9m", "En-4tR8wB2v")

# host: (rules, status, hash_status), from each scenario's intent (CHECKS.md), not from a run.
EXPECTED: dict[str, tuple[set[str], str, str]] = {
    "r1-clean": (set(), "clean", "match"),
    "sw1-clean": (set(), "clean", "match"),
    "xe1-clean": (set(), "clean", "match"),
    "xe2-clean": (set(), "clean", "match"),
    "r2-patched": ({"HASH_MISMATCH", "HASH_FLEET_OUTLIER"}, "findings", "mismatch"),
    "r3-unknown": ({"HASH_UNKNOWN"}, "findings", "unknown"),
    "r4-renamed": ({"HASH_OTHER_RELEASE", "VERSION_FILENAME_MISMATCH"}, "findings", "mismatch"),
    "sw2-dual": ({"DUAL_IMAGE"}, "findings", "match"),
    "r5-netboot": ({"BOOT_NETWORK"}, "findings", "match"),
    "r6-boot-missing": ({"BOOT_TARGET_MISSING"}, "findings", "match"),
    "xe3-boot-differs": ({"BOOT_MISMATCH", "DUAL_IMAGE"}, "findings", "match"),
    "r7-confreg": ({"CONFREG_ANOMALY"}, "findings", "match"),
    "r8-confreg-pending": ({"CONFREG_ANOMALY"}, "findings", "match"),
    "sw3-manual-boot": ({"MANUAL_BOOT"}, "findings", "match"),
    "r11-boot-unset": ({"BOOT_UNSET_MULTIPLE", "DUAL_IMAGE"}, "findings", "match"),
    "r12-running-deleted": ({"RUNNING_IMAGE_MISSING"}, "findings", "unverified"),
    "r9-unreachable": ({"AUDIT_INCOMPLETE"}, "incomplete", "unverified"),
    "r10-badpass": ({"AUDIT_INCOMPLETE"}, "incomplete", "unverified"),
    "xe4-digest-fail": ({"AUDIT_INCOMPLETE"}, "incomplete", "unverified"),
}


@pytest.fixture(scope="module")
def sweep(lab_of: Callable[..., Path], tmp_path_factory: pytest.TempPathFactory) -> Sweep:
    demo = load_fleet(demo_fleet_path())
    # Distinctive credentials, so a leak into any report file cannot hide among lab words.
    fleet = replace(demo, devices=tuple(replace(d, credentials=CREDENTIALS) for d in demo.devices))
    ios = [d.name for d in fleet.devices if d.name in EXPECTED]
    root = tmp_path_factory.mktemp("demo")
    inventory = lab_of(fleet, root)
    return audit(inventory, root / "run", "--hosts", ",".join(ios), "--digest-timeout", "30")


def test_every_device_gets_exactly_its_rules(sweep: Sweep) -> None:
    devices = sweep.devices()
    assert set(devices) == set(EXPECTED)
    got = {h: (sweep.rules()[h], row["status"], row["hash_status"]) for h, row in devices.items()}
    assert got == EXPECTED


def test_exit_status_says_findings(sweep: Sweep) -> None:
    assert sweep.exit_code == 1


def test_clean_devices_have_no_findings_and_full_rows(sweep: Sweep) -> None:
    devices = sweep.devices()
    for host in ("r1-clean", "xe1-clean"):
        row = devices[host]
        assert row["findings"] == "0" and row["max_severity"] == "" and row["error"] == ""
        assert row["running_image"] and row["boot_images"] and row["version"]
        assert row["images_on_storage"] == "1"
        assert not [r for r in sweep.rows("findings.csv") if r["host"] == host]
    assert devices["r1-clean"]["running_image"] == ("flash:c2900-universalk9-mz.SPA.157-3.M8.bin")
    assert devices["r1-clean"]["config_register"] == "0x2102"


def test_image_in_a_subdirectory_is_found(sweep: Sweep) -> None:
    images = [r for r in sweep.rows("images.csv") if r["host"] == "sw1-clean"]
    assert len(images) == 1
    assert "/" in images[0]["path"].split(":", 1)[1]
    assert images[0]["verdict"] == "match" and images[0]["running"] == "yes"


def test_incomplete_devices_say_why(sweep: Sweep) -> None:
    evidence = {
        h: sweep.findings(h, "AUDIT_INCOMPLETE")[0]["evidence"]
        for h in ("r9-unreachable", "r10-badpass", "xe4-digest-fail")
    }
    assert evidence["r9-unreachable"].startswith("connect: ")
    assert "refused" in evidence["r9-unreachable"]
    assert evidence["r10-badpass"].startswith("login: authentication failed")
    assert evidence["xe4-digest-fail"].startswith("digest bootflash:")
    assert "I/O error" in evidence["xe4-digest-fail"]
    assert "Traceback" not in "".join(evidence.values())


def test_patched_image_evidence_shows_both_digests(sweep: Sweep) -> None:
    (finding,) = sweep.findings("r2-patched", "HASH_MISMATCH")
    assert finding["severity"] == "critical" and finding["technique"] == "T1601.001"
    assert "device digest md5" in finding["evidence"]
    assert "known-good" in finding["evidence"]
    assert finding["recommendation"]


def test_report_files_follow_the_contract(sweep: Sweep) -> None:
    for name, columns in (
        ("devices.csv", DEVICE_COLUMNS),
        ("findings.csv", FINDING_COLUMNS),
        ("images.csv", IMAGE_COLUMNS),
    ):
        header = (sweep.run_dir / name).read_text(encoding="utf-8").splitlines()[0]
        assert header == ",".join(columns)
    document = json.loads((sweep.run_dir / "sweep.json").read_text(encoding="utf-8"))
    assert {d["host"] for d in document["devices"]} == set(EXPECTED)
    assert document["summary"]["clean"] == 4
    assert document["options"]["workers"] == 20
    raw = {o.command: o.text for o in read_raw(sweep.run_dir, "r1-clean")}
    assert raw["show version"].count("Version 15.7(3)M8") == 1
    assert any(command.startswith("verify /md5 flash:") for command in raw)
    journal = (sweep.run_dir / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(journal) == len(EXPECTED)
    # One file per device that ran a command (not the one that refused the login).
    ran = {e["host"] for e in map(json.loads, journal) if e["runs"]}
    assert "r10-badpass" not in ran and "r1-clean" in ran
    assert sorted(p.name for p in (sweep.run_dir / "raw").iterdir()) == sorted(
        f"{host}.txt" for host in ran
    )


def test_credentials_never_reach_the_reports(sweep: Sweep) -> None:
    secrets = (CREDENTIALS.password, CREDENTIALS.secret)
    files = [p for p in sweep.run_dir.rglob("*") if p.is_file()]
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not any(secret in text for secret in secrets), path
    assert not any(secret in sweep.stdout + sweep.stderr for secret in secrets)


def test_no_csv_cell_can_start_a_formula(sweep: Sweep) -> None:
    for name in ("devices.csv", "findings.csv", "images.csv"):
        for row in sweep.rows(name):
            for column, cell in row.items():
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, column)


def test_host_keys_are_trusted_once_each(sweep: Sweep) -> None:
    # Every device that completed the SSH handshake (all but the unreachable one) is
    # remembered exactly once, however many sessions ran at the same time.
    known = (sweep.run_dir.parent / f"{sweep.run_dir.name}.known_hosts").read_text(encoding="utf-8")
    names = [line.split()[0] for line in known.splitlines() if line.strip()]
    assert len(names) == len(set(names)) == len(EXPECTED) - 1
