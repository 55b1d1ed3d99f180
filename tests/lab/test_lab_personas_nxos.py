"""The NX-OS persona through Netmiko's own cisco_nxos driver, its layouts against real output
(line shapes checked on the corpus and the lab alike), and what the platform data expects."""

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
from imagesweep.records import BootInfo, StorageListing, VersionInfo

Connect = Callable[..., Any]
IMAGE = "nxos64-cs.10.3.4a.M.bin"
KICK = "n5000-uk9-kickstart.7.3.8.N1.1.bin"
SYSTEM = "n5000-uk9.7.3.8.N1.1.bin"
# "   39616000    Aug 19 15:21:35 2024  name": size right-aligned in 11, four spaces, date
DIR_LINE = re.compile(r"^ {0,10}\d{1,11} {4}[A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \d{4}  \S+$")


@pytest.fixture(scope="module")
def nexus(connect: Connect) -> Any:
    return connect("nx1-clean")


def test_login_lands_in_exec_with_the_hash_prompt(nexus: Any) -> None:
    assert nexus.find_prompt() == "NX1-LEAF#"
    assert nexus.base_prompt == "NX1-LEAF"


def test_show_version_reads_like_nxos_10(nexus: Any, demo_fleet: Fleet) -> None:
    output = nexus.send_command("show version")
    assert output.startswith("Cisco Nexus Operating System (NX-OS) Software\n")
    assert "\n NXOS: version 10.3(4a) [Maintenance Release]\n" in output
    assert f"\n  NXOS image file is: bootflash:///{IMAGE}\n" in output
    assert "\n  cisco Nexus9000 C93180YC-FX Chassis\n" in output
    assert "\n  Device name: NX1-LEAF\n" in output
    version = parse_step("cisco_nxos", "version", output)
    assert isinstance(version, VersionInfo)
    device = demo_fleet.device("nx1-clean")
    assert (version.version, version.running_image, version.serial) == (
        "10.3(4a)",
        f"bootflash:{IMAGE}",
        device.serial,
    )


def test_kickstart_release_prints_both_images(connect: Connect) -> None:
    session = connect("nx5-kickstart-clean")
    output = session.send_command("show version")
    assert f"\n  kickstart image file is: bootflash:///{KICK}\n" in output
    assert f"\n  system image file is:    bootflash:///{SYSTEM}\n" in output
    assert "\n  kickstart: version 7.3(8)N1(1)\n" in output
    version = parse_step("cisco_nxos", "version", output)
    assert isinstance(version, VersionInfo)
    assert version.running_image == f"bootflash:{SYSTEM}"
    assert version.other_images == (f"bootflash:{KICK}",)
    boot = session.send_command("show boot")
    assert f"\nkickstart variable = bootflash:/{KICK}\nsystem variable = bootflash:/{SYSTEM}\n" in (
        boot
    )


def test_show_boot_has_current_and_next_reload_sections(connect: Connect) -> None:
    output = connect("nx4-boot-differs").send_command("show boot")
    assert output.splitlines()[:4] == [
        "Current Boot Variables:",
        "",
        "sup-1",
        "NXOS variable = bootflash:/nxos64-cs.10.2.6.M.bin",
    ]
    (boot,) = parse_step("cisco_nxos", "boot", output)  # type: ignore[misc]
    assert isinstance(boot, BootInfo)
    assert boot.next_boot == ("bootflash:nxos64-cs.10.2.6.M.bin",)


def test_dir_lines_have_the_shape_of_real_nexus_output(nexus: Any, corpus: Path) -> None:
    real = (corpus / "ntc-templates/cisco_nxos/dir/cisco_nxos_dir_02.raw").read_text()
    real_lines = [line for line in real.splitlines() if re.match(r"^ +\d+ {4}", line)]
    assert real_lines and all(DIR_LINE.match(line) for line in real_lines)
    output = nexus.send_command("dir bootflash:")
    listed = [line for line in output.splitlines() if re.match(r"^ +\d+ {4}", line)]
    assert listed and all(DIR_LINE.match(line) for line in listed)
    assert "\nUsage for bootflash://sup-local\n" in output
    assert re.search(r"\n +\d+ bytes total$", output)
    listing = parse_step("cisco_nxos", "listing", output, "bootflash:")
    assert isinstance(listing, StorageListing)
    sizes = {f.path: f.size for f in listing.files}
    assert sizes[f"bootflash:{IMAGE}"] == 1998430208


def test_digests_are_bare_hex_lines(nexus: Any, demo_fleet: Fleet) -> None:
    image = demo_fleet.image(IMAGE)
    assert nexus.send_command(f"show file bootflash:{IMAGE} md5sum") == image.md5
    assert nexus.send_command(f"show file bootflash:///{IMAGE} sha512sum") == image.sha512
    assert re.fullmatch(r"[0-9a-f]{64}", nexus.send_command(f"sh fil bootflash:{IMAGE} sha256"))
    missing = nexus.send_command("show file bootflash:gone.bin md5sum")
    assert missing == "/bootflash/gone.bin: No such file or directory"


def test_patched_image_keeps_its_size_not_its_digest(connect: Connect, demo_fleet: Fleet) -> None:
    session = connect("nx2-patched")
    digest = session.send_command(f"show file bootflash:{IMAGE} md5sum")
    assert digest != demo_fleet.image(IMAGE).md5
    assert " 1998430208    " in session.send_command("dir bootflash:")


def test_errors_use_nxos_words_and_the_platform_data_knows_them(nexus: Any) -> None:
    prof = profile("cisco_nxos")
    output = nexus.send_command("show bootvar")
    assert output.splitlines()[-1] == "% Invalid command at '^' marker."
    assert output.splitlines()[0].index("^") == len("NX1-LEAF#show boot")
    assert prof.rejection(output)
    assert prof.rejection(nexus.send_command("show")) == "% Incomplete command at '^' marker."


def test_disconnect_is_quick(connect: Connect) -> None:
    session = connect("nx3-dual")
    started = time.monotonic()
    session.disconnect()
    assert time.monotonic() - started < 1
