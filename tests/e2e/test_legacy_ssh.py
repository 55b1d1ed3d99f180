"""Issue 5, legacy devices: a lab device that speaks only SHA-1 key exchange and ssh-rsa host
keys (IOS 12.4 on an ISR G1) is audited when its host opts in with ``legacy_ssh: true``, with
the weak algorithms named in the report; without the opt-in it is incomplete, with a message
that says how to fix it. Over real SSH, through the real CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from e2e_support import Sweep, audit

from imagesweep.collect.legacy_ssh import _GROUP1_PRIME
from imagesweep.lab.faults import parse_faults
from imagesweep.lab.fleet import Fleet, demo_fleet_path, load_fleet


@pytest.fixture(scope="module")
def sweep(lab_of: Callable[[Fleet, Path], Path], tmp_path_factory: pytest.TempPathFactory) -> Sweep:
    demo = load_fleet(demo_fleet_path())
    clean = demo.device("r1-clean")
    legacy = parse_faults({"legacy_crypto": True}, default_fs="flash:")
    devices = (
        replace(clean, name="isr-legacy-optin", faults=legacy),
        replace(clean, name="isr-legacy-default", faults=legacy),
        replace(clean, name="isr-modern", faults=replace(legacy, legacy_crypto=False)),
    )
    root = tmp_path_factory.mktemp("legacy")
    inventory = lab_of(replace(demo, devices=devices), root)
    hosts_file = inventory / "hosts.yaml"
    hosts = yaml.safe_load(hosts_file.read_text(encoding="utf-8"))
    hosts["isr-legacy-optin"].setdefault("data", {})["legacy_ssh"] = True
    hosts_file.write_text(yaml.safe_dump(hosts), encoding="utf-8")
    return audit(inventory, root / "run", "--connect-timeout", "10")


def test_opted_in_legacy_device_is_audited_and_named(sweep: Sweep) -> None:
    row = sweep.devices()["isr-legacy-optin"]
    assert (row["status"], row["hash_status"]) == ("findings", "match")
    assert sweep.rules()["isr-legacy-optin"] == {"LEGACY_SSH"}
    (finding,) = sweep.findings("isr-legacy-optin", "LEGACY_SSH")
    assert finding["severity"] == "low"
    assert "diffie-hellman-group14-sha1" in finding["evidence"]
    assert "host key ssh-rsa" in finding["evidence"]


def test_legacy_device_without_opt_in_says_how_to_fix(sweep: Sweep) -> None:
    row = sweep.devices()["isr-legacy-default"]
    assert row["status"] == "incomplete"
    assert sweep.rules()["isr-legacy-default"] == {"AUDIT_INCOMPLETE"}
    (finding,) = sweep.findings("isr-legacy-default", "AUDIT_INCOMPLETE")
    assert finding["evidence"].startswith("connect: ")
    assert "legacy_ssh: true" in finding["evidence"]


def test_modern_devices_are_untouched(sweep: Sweep) -> None:
    row = sweep.devices()["isr-modern"]
    assert (row["status"], row["rules"]) == ("clean", "")


def test_group1_prime_is_rfc_2409_oakley_group_2() -> None:
    # Cross-checked against an independent implementation's constant.
    from asyncssh.kex_dh import _group1_p

    assert _group1_p == _GROUP1_PRIME
