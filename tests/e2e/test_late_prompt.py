"""Issue 14 item 1 end to end: prompts that arrive late from Netmiko's session preparation
must not be read as the answer to ``enable`` or to the first command.

Netmiko's ``find_prompt`` sends Enter and reads until any ``>``/``#``, then drains the
channel for 0.1 s. On a loaded device (or collector) the prompt after ``terminal length 0``
arrives after that drain; ``find_prompt`` takes it for the answer to its own Enter, whose
prompt then arrives after the session is handed over. Read as the answer to ``enable``, that
stale ``R1>`` said "the device refused the enable secret (it stayed in user EXEC mode)" for
2-4 % of a healthy 1,000-device fleet. The lab's ``late_prompt`` fault makes the race
certain: each of the session's first lines gets its prompt 0.3 s after its output.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_support import Sweep, audit
from netmiko import ConnectHandler

from imagesweep.lab.fleet import Fleet, demo_fleet_path, load_fleet
from imagesweep.lab.scenarios import FAMILIES, clean, image_path
from imagesweep.report.schema import read_raw

LATE = {"late_prompt": 0.3}
# name: (persona, faults, other fields)
DEVICES: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "late-ios": ("ios_router", LATE, {}),  # user EXEC at login: enable follows the race
    "late-xe": ("iosxe_router", LATE, {}),
    "late-priv15": ("ios_router", LATE, {"privilege": 15}),  # no enable: show version does
    "late-wan": ("iosxe_router", {**LATE, "latency_ms": 50}, {}),
    "prompt-ok": ("ios_router", {}, {}),
}


def fleet(directory: Path) -> Fleet:
    raw = yaml.safe_load(demo_fleet_path().read_text(encoding="utf-8"))
    raw["devices"] = []
    for name, (persona, faults, extra) in DEVICES.items():
        device = clean(name, persona)
        device.update(extra, faults=faults)
        raw["devices"].append(device)
    path = directory / "fleet.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return load_fleet(path)


@pytest.fixture(scope="module")
def inventory(lab_of: Callable[[Fleet, Path], Path], tmp_path_factory: Any) -> Path:
    root = tmp_path_factory.mktemp("late-prompt")
    return lab_of(fleet(root), root)


@pytest.fixture(scope="module")
def sweep(inventory: Path) -> Sweep:
    return audit(inventory, inventory.parent / "run", "--workers", "5")


@pytest.mark.parametrize("host", sorted(DEVICES))
def test_a_late_prompt_is_not_an_answer(sweep: Sweep, host: str) -> None:
    row = sweep.devices()[host]
    persona = DEVICES[host][0]
    family = FAMILIES[persona]
    assert (row["status"], row["hash_status"], row["rules"], row["error"]) == (
        "clean",
        "match",
        "",
        "",
    ), row
    assert row["version"]
    assert row["running_image"] == image_path(family, family.current)
    # Each command's own output, not the one before it: no reply is one prompt behind.
    (version,) = [o.text for o in read_raw(sweep.run_dir, host) if o.command == "show version"]
    assert version.lstrip().startswith("Cisco IOS"), version[:200]


def test_the_sweep_passes(sweep: Sweep) -> None:
    assert sweep.exit_code == 0, sweep.stderr


def test_netmiko_alone_enters_enable_on_the_same_device(inventory: Path) -> None:
    """The device grants privilege: plain Netmiko, which reads the echo of ``enable``
    before looking for a prompt, gets ``#``."""
    host = yaml.safe_load((inventory / "hosts.yaml").read_text(encoding="utf-8"))["late-ios"]
    conn = ConnectHandler(
        device_type=host["platform"],
        host=host["hostname"],
        port=host["port"],
        username=host["username"],
        password=host["password"],
        secret=host["connection_options"]["netmiko"]["extras"]["secret"],
        fast_cli=True,
    )
    try:
        conn.enable()
        assert conn.find_prompt().endswith("#")
    finally:
        conn.disconnect()
