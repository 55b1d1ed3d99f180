"""The policy file and the inventory's emulator mark, end to end over SSH."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import yaml
from e2e_support import audit

from imagesweep.lab.fleet import Fleet, demo_fleet_path, load_fleet


def test_policy_and_emulator_mark(lab_of: Callable[[Fleet, Path], Path], tmp_path: Path) -> None:
    demo = load_fleet(demo_fleet_path())
    names = ("r1-clean", "r3-unknown", "sw3-manual-boot")
    fleet = replace(demo, devices=tuple(demo.device(n) for n in names))
    inventory = lab_of(fleet, tmp_path)
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        yaml.safe_dump(
            {
                "severity": {"MANUAL_BOOT": "low"},
                "approved_versions": {"cisco_ios": ["15.7(3)M8", "15.2(7)E8"]},
            }
        ),
        encoding="utf-8",
    )
    sweep = audit(inventory, tmp_path / "run", "--policy", str(policy), "--fail-on", "medium")
    rules = sweep.rules()
    assert rules["r1-clean"] == set()
    assert rules["r3-unknown"] == {"HASH_UNKNOWN", "VERSION_NOT_APPROVED"}
    assert rules["sw3-manual-boot"] == {"MANUAL_BOOT"}
    (manual,) = sweep.findings("sw3-manual-boot", "MANUAL_BOOT")
    assert manual["severity"] == "low"
    assert sweep.exit_code == 1  # r3's medium findings meet --fail-on medium


def test_emulator_mark_makes_the_placeholder_boot_url_info(
    lab_of: Callable[[Fleet, Path], Path], tmp_path: Path
) -> None:
    demo = load_fleet(demo_fleet_path())
    virl = replace(
        demo.device("r1-clean"),
        name="iosv-1",
        running_image="tftp://255.255.255.255/unknown",
        boot=(),
    )
    marked = replace(virl, name="iosv-2")
    inventory = lab_of(replace(demo, devices=(virl, marked)), tmp_path)
    hosts_file = inventory / "hosts.yaml"
    hosts = yaml.safe_load(hosts_file.read_text(encoding="utf-8"))
    hosts["iosv-2"].setdefault("data", {})["emulator"] = True
    hosts_file.write_text(yaml.safe_dump(hosts), encoding="utf-8")
    sweep = audit(inventory, tmp_path / "run")
    assert sweep.rules() == {"iosv-1": {"BOOT_NETWORK"}, "iosv-2": {"BOOT_NETWORK"}}
    assert sweep.findings("iosv-1", "BOOT_NETWORK")[0]["severity"] == "critical"
    assert sweep.findings("iosv-2", "BOOT_NETWORK")[0]["severity"] == "info"
