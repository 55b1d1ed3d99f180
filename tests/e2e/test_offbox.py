"""Issue 11 end to end over SSH: the real CLI against the lab's offbox fleet.

Without --offbox the liar (its verify prints the catalogue digest, its flash holds other
bytes) looks clean: that is why the option exists. With it, the bytes are copied off the
device and hashed here, and the lie shows. SCP disabled is incomplete with the reason and the
command that would enable it. The fleet's uncatalogued image: only the one device whose
digest differs from the other four is the outlier.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_support import Sweep, audit

from imagesweep.lab.fleet import Fleet, load_fleet

FLEET = Path(__file__).parents[2] / "src/imagesweep/lab/fleets/offbox.yaml"


@pytest.fixture(scope="module")
def inventory(
    lab_of: Callable[[Fleet, Path], Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return lab_of(load_fleet(FLEET), tmp_path_factory.mktemp("offbox"))


@pytest.fixture(scope="module")
def plain(inventory: Path) -> Sweep:
    return audit(inventory, inventory.parent / "plain")


@pytest.fixture(scope="module")
def offbox(inventory: Path) -> Sweep:
    return audit(inventory, inventory.parent / "offbox", "--offbox", "running")


def test_without_offbox_the_liar_looks_clean(plain: Sweep) -> None:
    devices = plain.devices()
    assert devices["ob-liar"]["status"] == "clean"
    assert devices["ob-liar"]["hash_status"] == "match"
    assert devices["ob-scp-off"]["status"] == "clean"  # nothing was asked of its SCP server


def test_with_offbox_the_liar_is_caught_and_the_honest_stays_clean(offbox: Sweep) -> None:
    devices, rules = offbox.devices(), offbox.rules()
    assert "OFFBOX_HASH_MISMATCH" in rules["ob-liar"]
    assert devices["ob-liar"]["hash_status"] == "mismatch"
    (finding,) = offbox.findings("ob-liar", "OFFBOX_HASH_MISMATCH")
    assert finding["severity"] == "critical"
    assert "lied" in finding["summary"] and "scp" in finding["evidence"]
    assert devices["ob-honest"]["status"] == "clean" and rules["ob-honest"] == set()
    assert offbox.exit_code == 1


def test_scp_disabled_is_incomplete_with_the_reason(offbox: Sweep) -> None:
    row = offbox.devices()["ob-scp-off"]
    assert row["status"] == "incomplete"
    assert "offbox" in row["error"] and "ip scp server enable" in row["error"]
    (finding,) = offbox.findings("ob-scp-off", "AUDIT_INCOMPLETE")
    assert "SCP" in finding["evidence"]


def test_running_mode_on_junos_says_what_to_do(offbox: Sweep) -> None:
    row = offbox.devices()["ob-junos"]
    assert row["status"] == "incomplete" and "--offbox all" in row["error"]


@pytest.mark.parametrize("which", ["plain", "offbox"])
def test_only_the_differing_device_is_the_fleet_outlier(
    which: str, plain: Sweep, offbox: Sweep
) -> None:
    sweep = plain if which == "plain" else offbox
    rules = sweep.rules()
    assert "HASH_FLEET_OUTLIER" in rules["fl-5"]
    for host in ("fl-1", "fl-2", "fl-3", "fl-4"):
        assert rules[host] == {"HASH_UNKNOWN"}
    (finding,) = sweep.findings("fl-5", "HASH_FLEET_OUTLIER")
    assert "4 of 5 devices" in finding["evidence"]
    assert finding["severity"] == "high"


def test_all_mode_copies_the_junos_staged_package(inventory: Path) -> None:
    sweep = audit(inventory, inventory.parent / "all", "--offbox", "all", "--hosts", "ob-junos")
    row = sweep.devices()["ob-junos"]
    assert row["status"] == "clean", row["error"]
    assert sweep.exit_code == 0


def test_user_implant_marker_is_found_in_collected_output(inventory: Path) -> None:
    markers = inventory.parent / "markers.yaml"
    markers.write_text(
        "indicators:\n  - {id: lab-marker, text: imagesweep-test-marker, source: this test}\n",
        encoding="utf-8",
    )
    sweep = audit(
        inventory, inventory.parent / "markers", "--implant-markers", str(markers),
        "--hosts", "fl-1,fl-2",
    )  # fmt: skip
    rules = sweep.rules()
    assert "IMPLANT_MARKERS" in rules["fl-2"] and "IMPLANT_MARKERS" not in rules["fl-1"]
    (finding,) = sweep.findings("fl-2", "IMPLANT_MARKERS")
    assert finding["severity"] == "critical"
    assert "dir" in finding["evidence"] and "source: this test" in finding["evidence"]
