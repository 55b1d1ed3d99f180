"""Issue 3 end to end: IOS-XE install mode, NX-OS, IOS XR, Junos and PAN-OS lab devices over
real SSH, the real CLI as a subprocess, and per device the exact rule set, status and hash
status in the report files.

The expected values come from each scenario's intent (CHECKS.md, the fleet's comments), not
from a run. Two sweeps of one lab: every device with the defaults, and the PAN-OS devices
again with ``--accept-unverifiable panos``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from e2e_support import Sweep, audit

from imagesweep.lab.fleet import Fleet, demo_fleet_path, load_fleet

# host: (rules, status, hash_status). XR and Junos run installed software, not a file, so
# the running software's digest is "unverified" even when every image on storage matched.
EXPECTED: dict[str, tuple[set[str], str, str]] = {
    # IOS-XE install mode (packages.conf)
    "xe5-install-clean": (set(), "clean", "match"),
    "xe6-install-patched": ({"HASH_MISMATCH", "HASH_FLEET_OUTLIER"}, "findings", "mismatch"),
    "xe7-install-dual": ({"DUAL_IMAGE"}, "findings", "match"),
    "xe8-install-uncommitted": ({"BOOT_MISMATCH", "DUAL_IMAGE"}, "findings", "match"),
    # NX-OS
    "nx1-clean": (set(), "clean", "match"),
    "nx2-patched": ({"HASH_MISMATCH", "HASH_FLEET_OUTLIER"}, "findings", "mismatch"),
    "nx3-dual": ({"DUAL_IMAGE"}, "findings", "match"),
    "nx4-boot-differs": ({"BOOT_MISMATCH", "DUAL_IMAGE"}, "findings", "match"),
    "nx5-kickstart-clean": (set(), "clean", "match"),
    # IOS XR
    "xr1-clean": (set(), "clean", "unverified"),
    "xr2-patched": ({"HASH_MISMATCH", "HASH_FLEET_OUTLIER"}, "findings", "unverified"),
    "xr3-dual": ({"DUAL_IMAGE"}, "findings", "unverified"),
    "xr4-uncommitted": ({"BOOT_MISMATCH"}, "findings", "unverified"),
    # No install ISO of the running release: nothing vouches for it, so never clean (issue 14)
    "xr5-nothing-staged": ({"AUDIT_INCOMPLETE"}, "incomplete", "unverified"),
    # Junos
    "jn1-clean": (set(), "clean", "unverified"),
    "jn2-patched": ({"HASH_MISMATCH", "HASH_FLEET_OUTLIER"}, "findings", "unverified"),
    "jn3-dual": ({"DUAL_IMAGE"}, "findings", "unverified"),
    "jn4-backup-differs": ({"BOOT_MISMATCH"}, "findings", "unverified"),
    # Only another release's package staged: nothing vouches for the running one (issue 14)
    "jn5-nothing-staged": ({"AUDIT_INCOMPLETE"}, "incomplete", "unverified"),
    # PAN-OS without --accept-unverifiable: no on-box digest, so never complete
    "pa1-clean": ({"AUDIT_INCOMPLETE"}, "incomplete", "unverified"),
    "pa2-uploaded": ({"AUDIT_INCOMPLETE", "HASH_UNKNOWN"}, "incomplete", "unverified"),
    "pa3-dual": ({"AUDIT_INCOMPLETE", "DUAL_IMAGE"}, "incomplete", "unverified"),
    "pa4-staged": ({"AUDIT_INCOMPLETE", "DUAL_IMAGE"}, "incomplete", "unverified"),
}
# PAN-OS with --accept-unverifiable panos: clean for the checks that exist, still unverified
ACCEPTED: dict[str, tuple[set[str], str, str]] = {
    "pa1-clean": (set(), "clean", "unverified"),
    "pa2-uploaded": ({"HASH_UNKNOWN"}, "findings", "unverified"),
    "pa3-dual": ({"DUAL_IMAGE"}, "findings", "unverified"),
    "pa4-staged": ({"DUAL_IMAGE"}, "findings", "unverified"),
}
# XR and Junos accepted as unverifiable: the devices nothing vouched for pass, unverified
ACCEPTED_INSTALLED: dict[str, tuple[set[str], str, str]] = {
    "xr5-nothing-staged": (set(), "clean", "unverified"),
    "jn5-nothing-staged": (set(), "clean", "unverified"),
    "xr1-clean": (set(), "clean", "unverified"),
}
CLEAN = [host for host, (rules, _, _) in EXPECTED.items() if not rules]
# devices.csv integrity: every tampered device, whichever file the tampering is in; XR and
# Junos are verified through the staged install file of the running release.
INTEGRITY = {
    "xe5-install-clean": "verified",
    "xe6-install-patched": "tampered",
    "nx1-clean": "verified",
    "nx2-patched": "tampered",
    "xr1-clean": "verified",
    "xr2-patched": "tampered",
    "xr3-dual": "verified",
    "xr5-nothing-staged": "unverified",
    "jn1-clean": "verified",
    "jn2-patched": "tampered",
    "jn5-nothing-staged": "unverified",
    "pa1-clean": "unverified",
}


@pytest.fixture(scope="module")
def lab(lab_of: Callable[[Fleet, Path], Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    fleet = load_fleet(demo_fleet_path())
    fleet = replace(fleet, devices=tuple(d for d in fleet.devices if d.name in EXPECTED))
    return lab_of(fleet, tmp_path_factory.mktemp("platforms"))


@pytest.fixture(scope="module")
def sweep(lab: Path) -> Sweep:
    return audit(lab, lab.parent / "run", "--digest-timeout", "30")


@pytest.fixture(scope="module")
def accepted(lab: Path, sweep: Sweep) -> Sweep:
    """Follow the advice the PAN-OS finding gives, word for word (it once named a value the
    CLI ignored)."""
    (finding,) = sweep.findings("pa1-clean", "AUDIT_INCOMPLETE")
    advice = re.search(r"--accept-unverifiable (\S+?)\)", finding["evidence"])
    assert advice, finding["evidence"]
    hosts = ",".join(ACCEPTED)
    return audit(
        lab, lab.parent / "accepted", "--hosts", hosts, "--accept-unverifiable", advice.group(1)
    )


@pytest.fixture(scope="module")
def accepted_by_alias(lab: Path) -> Sweep:
    hosts = ",".join(ACCEPTED)
    return audit(lab, lab.parent / "alias", "--hosts", hosts, "--accept-unverifiable", "paloalto")


def _outcome(sweep: Sweep) -> dict[str, tuple[set[str], str, str]]:
    rules = sweep.rules()
    return {h: (rules[h], row["status"], row["hash_status"]) for h, row in sweep.devices().items()}


def test_every_device_gets_exactly_its_rules(sweep: Sweep) -> None:
    assert _outcome(sweep) == EXPECTED


def test_findings_csv_agrees_with_devices_csv(sweep: Sweep) -> None:
    by_host: dict[str, set[str]] = {}
    for row in sweep.rows("findings.csv"):
        by_host.setdefault(row["host"], set()).add(row["rule"])
    assert by_host == {host: rules for host, (rules, _, _) in EXPECTED.items() if rules}


def test_clean_devices_have_no_findings_at_all(sweep: Sweep) -> None:
    devices = sweep.devices()
    findings = {row["host"] for row in sweep.rows("findings.csv")}
    for host in CLEAN:
        row = devices[host]
        assert host not in findings
        assert (row["findings"], row["max_severity"], row["error"]) == ("0", "", "")
        assert row["version"]


def test_exit_status_says_findings(sweep: Sweep) -> None:
    assert sweep.exit_code == 1


def test_each_platform_reports_what_it_runs(sweep: Sweep) -> None:
    devices = sweep.devices()
    assert devices["xe5-install-clean"]["running_image"] == "flash:packages.conf"
    assert devices["nx1-clean"]["running_image"] == "bootflash:nxos64-cs.10.3.4a.M.bin"
    assert devices["nx5-kickstart-clean"]["version"] == "7.3(8)N1(1)"
    assert devices["xr1-clean"]["version"] == "7.5.2"
    assert devices["jn1-clean"]["version"] == "15.1X49-D170.4"
    assert devices["pa1-clean"]["running_image"] == "panos:10.2.9-h1"
    images = {(r["host"], r["path"]): r for r in sweep.rows("images.csv")}
    package = images[("xe5-install-clean", "flash:cat9k-rpbase.17.09.04a.SPA.pkg")]
    assert (package["running"], package["verdict"]) == ("yes", "match")
    iso = images[("xr1-clean", "harddisk:ncs5500-mini-x-7.5.2.iso")]
    assert iso["verdict"] == "match"
    staged = images[("jn1-clean", "/var/tmp/junos-srxsme-15.1X49-D170.4-domestic.tgz")]
    assert staged["verdict"] == "match"


def test_boot_mismatch_evidence_names_both_sides(sweep: Sweep) -> None:
    def evidence(host: str) -> str:
        (finding,) = sweep.findings(host, "BOOT_MISMATCH")
        return finding["evidence"]

    assert "17.12.04" in evidence("xe8-install-uncommitted")
    assert "activated, not committed" in evidence("xe8-install-uncommitted")
    assert "nxos64-cs.10.2.6.M.bin" in evidence("nx4-boot-differs")
    assert "7.3.2" in evidence("xr4-uncommitted") and "7.5.2" in evidence("xr4-uncommitted")
    text = evidence("jn4-backup-differs")
    assert "15.1X49-D160.2" in text and "15.1X49-D170.4" in text


def test_panos_says_why_it_is_incomplete(sweep: Sweep) -> None:
    (finding,) = sweep.findings("pa1-clean", "AUDIT_INCOMPLETE")
    assert "no CLI command that digests" in finding["evidence"]
    assert "--accept-unverifiable" in finding["evidence"]


def test_panos_accepted_is_clean_for_the_checks_that_exist(accepted: Sweep) -> None:
    assert _outcome(accepted) == ACCEPTED
    assert not [r for r in accepted.rows("findings.csv") if r["host"] == "pa1-clean"]


def test_panos_accepted_under_an_alias(accepted_by_alias: Sweep) -> None:
    assert _outcome(accepted_by_alias) == ACCEPTED


def test_integrity_finds_every_tampered_device(sweep: Sweep) -> None:
    devices = sweep.devices()
    assert {h: devices[h]["integrity"] for h in INTEGRITY} == INTEGRITY
    tampered = {h for h, row in devices.items() if row["integrity"] == "tampered"}
    assert tampered == {h for h, (rules, _, _) in EXPECTED.items() if "HASH_MISMATCH" in rules}


def test_nothing_vouched_says_so(sweep: Sweep) -> None:
    for host, release in (("xr5-nothing-staged", "7.5.2"), ("jn5-nothing-staged", "D170.4")):
        (finding,) = sweep.findings(host, "AUDIT_INCOMPLETE")
        assert "running software" in finding["summary"]
        assert (
            "nothing vouched for release" in finding["evidence"]
            and release in (finding["evidence"])
        )
        assert "--accept-unverifiable" in finding["evidence"]
        assert "nothing vouched for release" in sweep.devices()[host]["error"]


def test_xr_and_junos_accepted_as_unverifiable(lab: Path) -> None:
    hosts = ",".join(ACCEPTED_INSTALLED)
    accepted = audit(
        lab,
        lab.parent / "accepted-installed",
        "--hosts",
        hosts,
        "--accept-unverifiable",
        "xr",
        "--accept-unverifiable",
        "junos",
    )
    assert _outcome(accepted) == ACCEPTED_INSTALLED
    assert accepted.exit_code == 0
