"""The lab's command layer without SSH: abbreviations, errors, pipes, and output layouts
compared with real device output from the corpus."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from imagesweep.lab.commands import Ctx, dispatch
from imagesweep.lab.fleet import Fleet, demo_fleet_path, load_fleet
from imagesweep.lab.personas import grammar
from imagesweep.lab.personas.common import FS_HEADER, dir_line, fs_row
from imagesweep.lab.personas.ios import ROUTER_DIR
from imagesweep.lab.personas.iosxe import XE_DIR, versions
from imagesweep.lab.storage import Entry, Storage

IMAGE = "c2900-universalk9-mz.SPA.157-3.M8.bin"


@pytest.fixture(scope="module")
def fleet() -> Fleet:
    return load_fleet(demo_fleet_path())


def run(fleet: Fleet, name: str, line: str, *, privileged: bool = True) -> str:
    device = fleet.device(name)
    storage = Storage(device)
    ctx = Ctx(device=device, storage=storage, privileged=privileged)
    return dispatch(grammar(device, storage), line, ctx).text


def caret_column(output: str) -> int:
    first = output.splitlines()[0]
    assert first.strip() == "^", output
    return first.index("^")


# --- the exec parser -------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["show version", "sh ver", "sho vers", "SH VER", "  sh   ver  "])
def test_abbreviations_reach_show_version(fleet: Fleet, typed: str) -> None:
    assert run(fleet, "r1-clean", typed).startswith(
        "Cisco IOS Software, C2900 Software (C2900-UNIVERSALK9-M), Version 15.7(3)M8, "
    )


def test_ambiguous_and_unknown_commands(fleet: Fleet) -> None:
    assert run(fleet, "r1-clean", "s") == '% Ambiguous command:  "s"\n'
    assert run(fleet, "r1-clean", "frobnicate") == (
        "% Unknown command or computer name, or unable to find computer address\n"
    )
    assert run(fleet, "r1-clean", "show") == "% Incomplete command.\n\n"


def test_show_boot_on_each_family(fleet: Fleet) -> None:
    # ISR G2: "boot" prefixes bootvar and bootflash:, so the collector must fall back
    assert run(fleet, "r1-clean", "show boot") == '% Ambiguous command:  "show boot"\n'
    assert run(fleet, "sw1-clean", "sh boot").startswith("BOOT path-list      : flash:/c2960x")
    assert run(fleet, "xe1-clean", "show boot").startswith(
        "BOOT variable = flash:cat9k_iosxe.17.09.04a.SPA.bin;\nConfiguration Register is 0x102\n"
    )
    assert run(fleet, "xe2-clean", "show boot") == run(fleet, "xe2-clean", "show bootvar")


def test_boot_state_reaches_the_boot_commands(fleet: Fleet) -> None:
    assert "\nManual Boot         : yes\n" in run(fleet, "sw3-manual-boot", "show boot")
    assert "\nManual Boot         : no\n" in run(fleet, "sw1-clean", "show boot")
    assert run(fleet, "r11-boot-unset", "show bootvar").startswith(
        "BOOT variable = \nCONFIG_FILE variable does not exist\n"
    )
    assert run(fleet, "r5-netboot", "show bootvar").startswith(
        f"BOOT variable = flash:{IMAGE},1;tftp://192.0.2.10/{IMAGE},1;\n"
    )
    assert run(fleet, "r8-confreg-pending", "show bootvar").endswith(
        "Configuration register is 0x2102 (will be 0x2142 at next reload)\n\n"
    )
    assert run(fleet, "xe3-boot-differs", "show boot").startswith(
        "BOOT variable = flash:cat9k_iosxe.17.06.05.SPA.bin;\n"
    )
    assert f'System image file is "flash:{IMAGE}"' in run(fleet, "r12-running-deleted", "sh ver")
    assert IMAGE not in run(fleet, "r12-running-deleted", "dir /recursive flash:")


def test_invalid_input_caret_points_at_the_first_bad_character(fleet: Fleet) -> None:
    # Catalyst IOS has "show boot" but no "show bootvar": the caret lands under the "v"
    output = run(fleet, "sw1-clean", "show bootvar")
    assert output.endswith("\n% Invalid input detected at '^' marker.\n\n")
    assert caret_column(output) == len("SW1-ACCESS#") + len("show boot")
    output = run(fleet, "r1-clean", "show version extra")
    assert caret_column(output) == len("R1-BRANCH#") + len("show version ")


def test_user_exec_hides_privileged_commands(fleet: Fleet) -> None:
    output = run(fleet, "r1-clean", "verify /md5 flash:x", privileged=False)
    assert caret_column(output) == len("R1-BRANCH>")
    assert "disable" not in run(fleet, "r1-clean", "disable", privileged=False)
    assert run(fleet, "r1-clean", "show version", privileged=False).startswith("Cisco IOS Software")


def test_output_pipes(fleet: Fleet) -> None:
    assert run(fleet, "r8-confreg-pending", "show version | include register") == (
        "Configuration register is 0x2102 (will be 0x2142 at next reload)\n"
    )
    assert run(fleet, "r1-clean", "sh bootvar | in BOOT") == (
        f"BOOT variable = flash:{IMAGE},1;\nBOOTLDR variable does not exist\n"
    )
    assert run(fleet, "r1-clean", "show bootvar | exclude variable") == (
        "Configuration register is 0x2102\n\n"
    )
    assert run(fleet, "r1-clean", "show bootvar | count BOOT") == (
        "Number of lines which match regexp = 2\n"
    )
    output = run(fleet, "r1-clean", "show bootvar | grep BOOT")
    assert caret_column(output) == len("R1-BRANCH#") + len("show bootvar | ")


def test_terminal_settings_are_validated(fleet: Fleet) -> None:
    assert run(fleet, "r1-clean", "terminal length 0") == ""
    assert run(fleet, "r1-clean", "term width 511") == ""
    output = run(fleet, "r1-clean", "terminal length many")
    assert caret_column(output) == len("R1-BRANCH#") + len("terminal length ")


# --- layouts against real output -------------------------------------------------------------


def test_show_file_systems_columns_match_a_real_device(corpus: Path) -> None:
    raw = (corpus / "ntc-templates/cisco_ios/show_file_systems/show_file_systems.raw").read_text()
    lines = raw.splitlines()
    assert lines[2] == FS_HEADER
    assert fs_row("*", 11353194496, 9936510976, "disk", "rw", "flash:") in lines
    assert fs_row(" ", None, None, "network", "rw", "tftp:") in lines
    assert fs_row(" ", 2097152, 2057602, "nvram", "rw", "nvram:") in lines


def test_dir_lines_match_real_devices(corpus: Path) -> None:
    xe = (corpus / "ntc-templates/cisco_ios/dir/cisco_ios_dir.raw").read_text().splitlines()
    entry = Entry(
        rel=".super.iso.dir", is_dir=True, size=0, modified=datetime(2015, 3, 2, 8, 47, 35)
    )
    assert dir_line(681409, entry, XE_DIR) in xe
    image = "csr1000v-mono-universalk9.03.14.01.S.155-1.S1-std.SPA.pkg"
    entry = Entry(rel=image, is_dir=False, size=250578048, modified=datetime(2015, 3, 2, 8, 48, 31))
    assert dir_line(519172, entry, XE_DIR) in xe
    # classic IOS: the iosv listing of genieparser's fixtures has this exact shape
    entry = Entry(rel="boot", is_dir=True, size=0, modified=datetime(2013, 1, 30))
    assert dir_line(1, entry, ROUTER_DIR) == (
        "    1  drw-           0  Jan 30 2013 00:00:00 +00:00  boot"
    )


def test_isr_show_flash_layout(fleet: Fleet, corpus: Path) -> None:
    output = run(fleet, "r1-clean", "show flash:")
    real = (corpus / "web/cisco_ios/show_flash/c2811_12.4-10a_sh_fla.raw").read_text()
    real_lines = real.replace("\r", "").splitlines()
    lines = output.splitlines()
    assert lines[0] == real_lines[1] == "-#- --length-- -----date/time------ path"
    # same columns: number, length right-aligned to column 14, date, time, zone, path
    shape = re.compile(r"^\d+ +\d+ [A-Z][a-z]{2} \d\d \d{4} \d\d:\d\d:\d\d [+-]\d\d:\d\d \S+$")
    assert shape.match(real_lines[2]) and shape.match(lines[1])
    assert lines[1].index(" Apr") == real_lines[2].index(" Dec") == 14
    assert lines[1].endswith(f" {IMAGE}")
    assert re.fullmatch(r"\d+ bytes available \(\d+ bytes used\)", output.rstrip().splitlines()[-1])
    assert run(fleet, "r1-clean", "sh fla") == output


def test_dir_recursive_lists_subdirectories(fleet: Fleet) -> None:
    output = run(fleet, "sw1-clean", "dir /recursive flash:")
    headers = [line for line in output.splitlines() if line.startswith("Directory of")]
    assert headers == [
        "Directory of flash:/",
        "Directory of flash:/c2960x-universalk9-mz.152-7.E8/",
        "Directory of flash:/c2960x-universalk9-mz.152-7.E8/html/",
    ]
    assert re.search(
        r"\n +\d+  -rwx    26357760 +\w{3} +\d+ \d{4} [\d:]{8} \+00:00  "
        r"c2960x-universalk9-mz\.152-7\.E8\.bin\n",
        output,
    )
    assert re.search(r"\n +\d+  drwx         512 .*  html\n", output)
    assert output.endswith("\n\n122185728 bytes total (95808314 bytes free)\n")
    assert run(fleet, "sw1-clean", "dir flash:").count("Directory of") == 1
    assert run(fleet, "xe1-clean", "dir crashinfo:") == (
        "Directory of crashinfo:/\n\nNo files in directory\n\n"
        "1651314688 bytes total (1651314688 bytes free)\n"
    )
    assert run(fleet, "r1-clean", "dir flash:nope") == (
        "%Error opening flash:/nope (No such file or directory)\n"
    )


# --- verify ----------------------------------------------------------------------------------


def test_verify_md5_prints_dots_then_the_fleet_digest(fleet: Fleet) -> None:
    output = run(fleet, "r1-clean", f"verify /md5 flash:{IMAGE}")
    lines = output.splitlines()
    assert set(lines[0]) == {"."} and len(lines[0]) == 75
    assert lines[-2].endswith("Done!") and set(lines[-2][: -len("Done!")]) == {"."}
    assert sum(line.count(".") for line in lines[:-1]) == 112452876 // 65536
    assert lines[-1] == f"verify /md5 (flash:{IMAGE}) = {fleet.image(IMAGE).md5}"


def test_verify_forms(fleet: Fleet) -> None:
    image = fleet.image(IMAGE)
    assert run(fleet, "r1-clean", f"verify /sha512 {IMAGE}").endswith(
        f"Done!\nverify /sha512 (flash:{IMAGE}) = {image.sha512}\n"
    )
    assert run(fleet, "r1-clean", f"verify /md5 flash:/{IMAGE} {image.md5}").endswith(
        f"Done!\nVerified (flash:/{IMAGE}) = {image.md5}\n"
    )
    assert run(fleet, "r1-clean", f"ver /md5 flash:{IMAGE} 0f").endswith(
        f"Done!\n%Error verifying flash:{IMAGE}\nComputed signature = {image.md5}\n"
        "Submitted signature = 0f\n"
    )
    assert run(fleet, "r1-clean", "verify /md5 flash:missing.bin") == (
        "%Error opening flash:missing.bin (No such file or directory)\n"
    )
    assert run(fleet, "r1-clean", "verify /md5") == "% Incomplete command.\n\n"
    # a stack member alias is echoed under the primary name, as the 2960-S capture shows
    stack = run(fleet, "sw2-dual", "verify /md5 flash1:c2960x-universalk9-mz.152-7.E8.bin")
    assert stack.splitlines()[-1].startswith(
        "verify /md5 (flash:c2960x-universalk9-mz.152-7.E8.bin)"
    )


def test_digest_error_fault(fleet: Fleet) -> None:
    path = "bootflash:isr4300-universalk9.17.09.04a.SPA.bin"
    output = run(fleet, "xe4-digest-fail", f"verify /md5 {path}")
    assert output.endswith(f".\n%Error reading {path} (I/O error)\n")
    assert "verify /md5 (" not in output and "Done!" not in output
    # the other files of the device still verify
    assert "Done!" in run(fleet, "xe4-digest-fail", "verify /md5 bootflash:pnp-tech-time")


def test_more_prints_text_files(tmp_path: Path) -> None:
    fleet_file = tmp_path / "fleet.yaml"
    content = "#! /usr/binos/bin/packages_conf.sh\\n"
    fleet_file.write_text(
        "devices:\n"
        "  - {name: x1, persona: iosxe_router, version: '17.9.4a',\n"
        "     running_image: bootflash:packages.conf,\n"
        f"     files: [{{path: 'bootflash:packages.conf', content: \"{content}\"}}]}}\n"
    )
    fleet = load_fleet(fleet_file)
    assert (
        run(fleet, "x1", "more bootflash:packages.conf") == "#! /usr/binos/bin/packages_conf.sh\n"
    )
    assert run(fleet, "x1", "more flash:packages.conf") == "#! /usr/binos/bin/packages_conf.sh\n"
    assert run(fleet, "x1", "more bootflash:nothing") == (
        "%Error opening bootflash:nothing (No such file or directory)\n"
    )
    assert "INSTALL" not in run(fleet, "x1", "show version")  # the router table has no mode


def test_iosxe_version_forms() -> None:
    assert versions("17.9.4a") == ("17.9.4a", "17.09.04a")
    assert versions("17.09.04a") == ("17.9.4a", "17.09.04a")
    assert versions("17.12.1") == ("17.12.1", "17.12.01")
