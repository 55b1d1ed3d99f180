"""IOS-XE install mode on the Catalyst 9300 persona through Netmiko's cisco_xe driver:
packages.conf booted, the INSTALL mode in show version, packages.conf listing the packages,
and show install summary committed or activated-not-committed, against the vendor formats."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from imagesweep.errors import ConfigError
from imagesweep.lab.fleet import Fleet, load_fleet
from imagesweep.parse import parse_step
from imagesweep.records import Pending, RunningSet, VersionInfo

Connect = Callable[..., Any]
FIXTURES = Path(__file__).resolve().parents[1] / "parse" / "cases" / "cisco_xe"


@pytest.fixture(scope="module")
def switch(connect: Connect) -> Any:
    session = connect("xe5-install-clean", device_type="cisco_xe")
    session.enable()
    return session


def test_show_version_says_install_mode(switch: Any) -> None:
    output = switch.send_command("show version")
    assert '\nSystem image file is "flash:packages.conf"\n' in output
    assert (
        "\n*    1 65    C9300-48P          17.09.04a         CAT9K_IOSXE           INSTALL\n"
        in (output)
    )
    version = parse_step("cisco_xe", "version", output)
    assert isinstance(version, VersionInfo) and version.running_image == "flash:packages.conf"


def test_packages_conf_lists_the_packages_in_the_vendor_layout(
    switch: Any, demo_fleet: Fleet
) -> None:
    output = switch.send_command("more flash:packages.conf")
    reference = (FIXTURES / "packages/cat9k_17.09.04a_vendor_format.raw").read_text()
    wanted = [ln for ln in reference.splitlines() if ln.startswith(("boot ", "iso "))]
    got = [ln for ln in output.splitlines() if ln.startswith(("boot ", "iso "))]
    assert got[:2] == wanted[:2]  # the boot lines first, both route processor slots
    assert set(got) == set(wanted)  # same packages and roles as the vendor's 17.09.04a file
    running = parse_step("cisco_xe", "packages", output, "flash:packages.conf")
    assert isinstance(running, RunningSet)
    expected = {f"flash:{p}" for p in demo_fleet.device("xe5-install-clean").packages}
    assert set(running.paths) == expected
    listing = switch.send_command("dir flash:")
    assert all(p.split(":", 1)[1] in listing for p in expected)
    assert "  packages.conf\n" in listing


def test_install_summary_committed(switch: Any) -> None:
    output = switch.send_command("show install summary")
    reference = FIXTURES / "install_summary/c9300_stack_committed_vendor_format.raw"
    header = reference.read_text().splitlines()[1:6]
    lines = output.splitlines()
    assert lines[0] == "[ Switch 1 ] Installed Package(s) Information:"
    assert lines[1:6] == header
    assert lines[6].startswith("IMG   C    17.09.04a.0.")
    assert "Auto abort timer: inactive" in lines
    assert parse_step("cisco_xe", "install_summary", output) == ()


def test_install_summary_activated_not_committed(connect: Connect) -> None:
    session = connect("xe8-install-uncommitted", device_type="cisco_xe")
    session.enable()
    output = session.send_command("show install summary")
    lines = output.splitlines()
    assert lines[6].startswith("IMG   C    17.09.04a.0.")
    assert lines[7].startswith("IMG   U    17.12.04.0.")
    assert "Auto abort timer: active , time before rollback - 05:40:12" in lines
    pending = parse_step("cisco_xe", "install_summary", output)
    assert isinstance(pending, tuple) and all(isinstance(p, Pending) for p in pending)
    assert any("activated, not committed" in p.description for p in pending)
    assert "Cisco IOS XE Software, Version 17.12.04\n" in session.send_command("show version")


def test_install_mode_needs_its_packages(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(
        "images:\n"
        "  p.17.09.04a.SPA.pkg: {size: 10, version: '17.9.4a', platform: cisco_xe}\n"
        "devices:\n"
        "  - {name: x1, persona: iosxe_router, version: '17.9.4a',\n"
        "     running_image: bootflash:packages.conf, packages: [cat9k-rpbase.17.09.04a.SPA.pkg]}\n"
    )
    with pytest.raises(ConfigError, match=r"cat9k-rpbase\.17\.09\.04a\.SPA\.pkg is neither in"):
        load_fleet(fleet)
