"""Netmiko's own cisco_ios / cisco_xe drivers against the demo lab, over real SSH."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from imagesweep.lab.fleet import Fleet

Connect = Callable[..., Any]

ROUTER_IMAGE = "c2900-universalk9-mz.SPA.157-3.M8.bin"
XE_IMAGE = "cat9k_iosxe.17.09.04a.SPA.bin"


@pytest.fixture(scope="module")
def router(connect: Connect) -> Any:
    session = connect("r1-clean")
    session.enable()
    return session


@pytest.fixture(scope="module")
def switch(connect: Connect) -> Any:
    session = connect("sw2-dual")
    session.enable()
    return session


@pytest.fixture(scope="module")
def xe_switch(connect: Connect) -> Any:
    session = connect("xe1-clean", device_type="cisco_xe")
    session.enable()
    return session


def test_prompt_and_enable(connect: Connect) -> None:
    session = connect("r3-unknown")
    assert session.find_prompt() == "R3-BRANCH>"
    assert session.base_prompt == "R3-BRANCH"
    assert not session.check_enable_mode()
    session.enable()
    assert session.find_prompt() == "R3-BRANCH#"
    session.exit_enable_mode()
    assert session.find_prompt() == "R3-BRANCH>"


def test_wrong_secret_fails_fast_and_stays_in_user_mode(connect: Connect) -> None:
    session = connect("r6-boot-missing", secret="not-the-secret")
    started = time.monotonic()
    with pytest.raises(ValueError, match="Failed to enter enable mode"):
        session.enable()
    assert time.monotonic() - started < 3
    assert session.find_prompt() == "R6-BRANCH>"


def test_router_show_version(router: Any, demo_fleet: Fleet) -> None:
    output = router.send_command("show version")
    device = demo_fleet.device("r1-clean")
    assert output.startswith(
        "Cisco IOS Software, C2900 Software (C2900-UNIVERSALK9-M), Version 15.7(3)M8, "
        "RELEASE SOFTWARE (fc2)\n"
    )
    assert f'\nSystem image file is "flash:{ROUTER_IMAGE}"\n' in output
    assert f"\nProcessor board ID {device.serial}\n" in output
    assert "\nCisco CISCO2911/K9 (revision 1.0) with " in output
    assert "\nR1-BRANCH uptime is " in output
    assert output.rstrip().endswith("Configuration register is 0x2102")


def test_router_boot_commands(router: Any) -> None:
    assert router.send_command("show boot") == '% Ambiguous command:  "show boot"'
    assert router.send_command("show bootvar") == (
        f"BOOT variable = flash:{ROUTER_IMAGE},1;\n"
        "CONFIG_FILE variable does not exist\n"
        "BOOTLDR variable does not exist\n"
        "Configuration register is 0x2102\n"
    )


def test_router_storage_commands(router: Any) -> None:
    flash = router.send_command("sh fla")
    assert flash.startswith("-#- --length-- -----date/time------ path\n1    112452876 ")
    assert f" +00:00 {ROUTER_IMAGE}\n" in flash
    listing = router.send_command("dir /recursive flash:")
    assert listing.startswith("Directory of flash:/\n\n    1  -rw-   112452876  ")
    assert listing.endswith(" bytes free)")
    systems = router.send_command("show file systems")
    assert re.search(r"\n\*    256487424 +\d+      disk     rw   flash:\n", systems)


def test_router_verify_matches_the_fleet(router: Any, demo_fleet: Fleet) -> None:
    image = demo_fleet.image(ROUTER_IMAGE)
    output = router.send_command(f"verify /md5 flash:{ROUTER_IMAGE}")
    assert output.splitlines()[-1] == f"verify /md5 (flash:{ROUTER_IMAGE}) = {image.md5}"
    output = router.send_command(f"verify /sha512 flash:{ROUTER_IMAGE}")
    assert output.splitlines()[-1] == f"verify /sha512 (flash:{ROUTER_IMAGE}) = {image.sha512}"
    assert router.send_command("verify /md5 flash:gone.bin") == (
        "%Error opening flash:gone.bin (No such file or directory)"
    )


def test_invalid_input_marker(router: Any) -> None:
    output = router.send_command("show imagesweep")
    lines = output.splitlines()
    assert lines[-1] == "% Invalid input detected at '^' marker."
    assert lines[0].strip() == "^"


def test_patched_device_digest_differs(connect: Connect, demo_fleet: Fleet) -> None:
    session = connect("r2-patched")
    session.enable()
    output = session.send_command(f"verify /md5 flash:{ROUTER_IMAGE}")
    patched = demo_fleet.device("r2-patched").files[0].md5
    assert output.splitlines()[-1] == f"verify /md5 (flash:{ROUTER_IMAGE}) = {patched}"
    assert patched != demo_fleet.image(ROUTER_IMAGE).md5
    flash = session.send_command("show flash:")
    assert "1    112452876 " in flash  # same size as the genuine image


def test_switch_stack(switch: Any) -> None:
    boot = switch.send_command("show boot")
    assert boot.startswith("BOOT path-list      : flash:c2960x-universalk9-mz.152-7.E8.bin\n")
    assert "\n-------------------\nSwitch 2\n-------------------\n" in boot
    assert "% Invalid input detected" in switch.send_command("show bootvar")
    systems = switch.send_command("show file systems")
    assert re.search(r"\n\*    122185728 +\d+     flash     rw   flash: flash1:\n", systems)
    assert re.search(r"\n     122185728 +\d+     flash     rw   flash2:\n", systems)
    member = switch.send_command("dir flash2:")
    assert member.startswith("Directory of flash2:/\n")
    assert "  c2960x-universalk9-mz.152-4.E10.bin\n" in member
    version = switch.send_command("show version")
    assert (
        "\n*    1 52    WS-C2960X-48FPD-L         15.2(7)E8             C2960X-UNIVERSALK9-M\n"
        in (version)
    )
    assert "\nSwitch 02\n---------\n" in version
    assert version.rstrip().endswith("Configuration register is 0xF")


def test_xe_switch(xe_switch: Any, demo_fleet: Fleet) -> None:
    assert xe_switch.find_prompt() == "XE1-CORE#"
    version = xe_switch.send_command("show version")
    assert version.startswith(
        "Cisco IOS XE Software, Version 17.09.04a\n"
        "Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), "
        "Version 17.9.4a, RELEASE SOFTWARE (fc3)\n"
    )
    assert f'\nSystem image file is "flash:{XE_IMAGE}"\n' in version
    assert "\n*    1 65    C9300-48P          17.09.04a         CAT9K_IOSXE           BUNDLE\n" in (
        version
    )
    boot = xe_switch.send_command("show boot")
    assert boot.splitlines()[:3] == [
        f"BOOT variable = flash:{XE_IMAGE};",
        "Configuration Register is 0x102",
        "MANUAL_BOOT variable = no",
    ]
    recursive = xe_switch.send_command("dir /recursive flash:")
    assert "\nDirectory of flash:/tracelogs/\n" in recursive
    sha512 = demo_fleet.image(XE_IMAGE).sha512
    output = xe_switch.send_command(f"verify /sha512 flash:{XE_IMAGE}", read_timeout=30)
    assert output.splitlines()[-1] == f"verify /sha512 (flash:{XE_IMAGE}) = {sha512}"


def test_xe_router_bootvar(connect: Connect) -> None:
    session = connect("xe2-clean", device_type="cisco_xe")
    session.enable()
    output = session.send_command("show bootvar")
    assert output.splitlines()[0] == (
        "BOOT variable = bootflash:isr4300-universalk9.17.09.04a.SPA.bin,12;"
    )
    assert "Standby not ready to show bootvar" in output
    listing = session.send_command("dir bootflash:")
    assert listing.startswith("Directory of bootflash:/\n\n    1  -rw-        724287808  ")
