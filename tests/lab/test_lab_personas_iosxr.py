"""The IOS XR persona through Netmiko's own cisco_xr driver, its layouts against real output
(line shapes checked on the corpus and the lab alike), and the harddisk:-only filesystem."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from imagesweep.lab.fleet import Fleet
from imagesweep.parse import parse_step
from imagesweep.platforms import profile
from imagesweep.records import BootInfo, DigestResult, RunningSet, StorageListing, VersionInfo

Connect = Callable[..., Any]
ISO = "ncs5500-mini-x-7.5.2.iso"
STAMP = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}\.\d{3} UTC$")
# "     11 drwx------ 2      16384 Jun 12  2017 lost+found": inode, mode, links, size, date
LS_LINE = re.compile(
    r"^ *\d+ [-dl][-rwxsStT]{9}\.? +\d+ +\d+ [A-Z][a-z]{2} [ \d]\d (?: \d{4}|\d{2}:\d{2}) \S+"
)


@pytest.fixture(scope="module")
def router(connect: Connect) -> Any:
    return connect("xr1-clean")


def test_prompt_names_the_route_processor(router: Any) -> None:
    assert router.find_prompt() == "RP/0/RP0/CPU0:XR1-PE#"
    assert router.base_prompt == "RP/0/RP0/CPU0:XR1-PE"


def test_show_version_is_64_bit_xr(router: Any, corpus: Path) -> None:
    output = router.send_command("show version")
    lines = output.splitlines()
    assert STAMP.match(lines[0])
    real = corpus / "ntc-templates/cisco_xr/show_version/cisco_xr_show_version_label.raw"
    assert STAMP.match(real.read_text().splitlines()[0])
    assert lines[1] == "Cisco IOS XR Software, Version 7.5.2"
    assert "\ncisco NCS-5500 () processor\n" in output
    assert "System image file" not in output  # 64-bit XR names no image file
    version = parse_step("cisco_xr", "version", output)
    assert isinstance(version, VersionInfo)
    assert (version.version, version.running_image) == ("7.5.2", "")


def test_install_active_and_committed(connect: Connect, demo_fleet: Fleet) -> None:
    session = connect("xr4-uncommitted")
    active = session.send_command("show install active summary")
    assert "\nLabel : 7.5.2\n\n    Active Packages: 6\n" in active
    assert "\n        ncs5500-xr-7.5.2 version=7.5.2 [Boot image]\n" in active
    committed = session.send_command("show install committed summary")
    assert "\n    Committed Packages: 4\n        ncs5500-xr-7.3.2 version=7.3.2 [Boot image]\n" in (
        committed
    )
    running = parse_step("cisco_xr", "running", active)
    boot = parse_step("cisco_xr", "boot", committed)
    assert isinstance(running, RunningSet) and isinstance(boot, BootInfo)
    assert running.paths == demo_fleet.device("xr4-uncommitted").packages
    assert boot.next_version == "7.3.2"
    per_node = session.send_command("show install active")
    assert "\nNode 0/RP0/CPU0 [RP]\n  Boot Partition: xr_lv0\n  Active Packages: 6\n" in per_node


def test_dir_harddisk_has_the_shape_of_real_xr_output(router: Any, corpus: Path) -> None:
    real = (corpus / "ntc-templates/cisco_xr/dir/cisco_xr_dir_01.raw").read_text()
    real_lines = [line for line in real.splitlines() if re.match(r"^ *\d+ [-dl]", line)]
    assert real_lines and all(LS_LINE.match(line) for line in real_lines)
    output = router.send_command("dir harddisk:")
    assert "\nDirectory of harddisk:\n\n" in output
    listed = [line for line in output.splitlines() if re.match(r"^ *\d+ [-dl]", line)]
    assert listed and all(LS_LINE.match(line) for line in listed)
    assert re.search(r"\n\d+ kbytes total \(\d+ kbytes free\)$", output)
    listing = parse_step("cisco_xr", "listing", output, "harddisk:")
    assert isinstance(listing, StorageListing)
    assert {f.path: f.size for f in listing.files}[f"harddisk:{ISO}"] == 1267548160


def test_a_box_without_disk0_says_so(router: Any) -> None:
    output = router.send_command("dir disk0:")
    assert output.splitlines()[-1] == "% Invalid input detected at '^' marker."
    assert profile("cisco_xr").rejection(output)
    # ... which is why the platform data does not list disk0: by default
    assert profile("cisco_xr").default_filesystems == ("harddisk:",)


def test_show_md5_file_prints_the_stamp_then_the_digest(router: Any, demo_fleet: Fleet) -> None:
    command = profile("cisco_xr").digest["md5"].format(fs="harddisk:", relpath=ISO)
    assert command == f"show md5 file /harddisk:/{ISO}"
    output = router.send_command(command)
    stamp, digest = output.splitlines()
    assert STAMP.match(stamp) and digest == demo_fleet.image(ISO).md5
    result = parse_step("cisco_xr", "digest", output, f"harddisk:{ISO}")
    assert isinstance(result, DigestResult) and result.digest == digest


def test_disconnect_is_quick(connect: Connect) -> None:
    session = connect("xr3-dual")
    started = time.monotonic()
    session.disconnect()
    assert time.monotonic() - started < 1
