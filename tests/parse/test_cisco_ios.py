"""Cisco IOS / IOS-XE parsers against every cisco_ios and cisco_xe case of the corpus.

Expected values are read off the raw output. ``*_vendor_format.raw`` fixtures under
``tests/fixtures`` fill formats the corpus lacks; they follow the vendors' documented layouts.
The ``target`` of each case is what the collector passes: the path or filesystem named in
the command (``sh fla`` is about ``flash:``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import textfsm
from textfsm import clitable

from imagesweep.errors import ParseError
from imagesweep.parse import cisco_ios as ios
from imagesweep.parse import command_step, parse_step
from imagesweep.parse.textfsm_run import own_template_dir
from imagesweep.paths import basename
from imagesweep.records import BootInfo, DigestResult, StorageListing, VersionInfo
from imagesweep.releases import image_version, same_version

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NTC = "ntc-templates/cisco_ios"


def read(ref: str) -> str:
    """``corpus:<path>`` or ``fixture:<path>``."""
    where, _, rel = ref.partition(":")
    base = CORPUS if where == "corpus" else FIXTURES
    return (base / rel).read_text(encoding="utf-8")


# --- show version --------------------------------------------------------------------------

VERSIONS = [
    # (case, version, running_image, hostname, model, serial, confreg, rommon, markers)
    (
        f"corpus:{NTC}/show_version/cisco_ios_show_version.raw",
        "12.2(54)SG1",
        "bootflash:cat4500e-entservicesk9-mz.122-54.SG1.bin",
        "router1",
        "WS-C4948E",
        "CAT1451S15C",
        "0x2102",
        "12.2(44r)SG9",
        (),
    ),
    (
        f"corpus:{NTC}/show_version/cisco_ios_show_version1.raw",  # 3850 stack, IOS-XE 3.6
        "03.06.05E",
        "flash:packages.conf",
        "city-building-4-sw",
        "WS-C3850-48U",
        "FOC11111111",
        "0x102",
        "CAT3K_CAA Boot Loader (CAT3K_CAA-HBOOT-M) Version 3.58, RELEASE SOFTWARE (P)",
        (),
    ),
    (
        # IOS-XE 3.x router: the IOS-XE release, not the embedded IOS 15.3(2)S1
        f"corpus:{NTC}/show_version/cisco_ios_show_version2.raw",
        "03.09.01.S",
        "bootflash:asr1001-universalk9.03.09.01.S.153-2.S1.bin",
        "my_device",
        "ASR1001",
        "SSI1289001MH",
        "0x2102",
        "IOS-XE ROMMON",
        (),
    ),
    (
        f"corpus:{NTC}/show_version/cisco_ios_show_version3.raw",
        "15.8(3)M2",
        "flash0:vios-adventerprisek9-m",
        "rtr-01",
        "IOSv",
        "991UCMIHG4UAJ1J010CQG",
        "0x0",
        "Bootstrap program is IOSv",
        (),
    ),
    (
        f"corpus:{NTC}/show_version/cisco_ios_show_version4.raw",  # C9500 pair
        "16.09.03",
        "flash:packages.conf",
        "AKBTESTW01",
        "C9500-40X",
        "FCW2233FFG3",
        "0x102",
        "System Bootstrap, Version 16.9.1r [FC2], RELEASE SOFTWARE (P)",
        (),
    ),
    (
        # The capture ends before the configuration register line.
        f"corpus:{NTC}/show_version/cisco_ios_show_version5.raw",
        "16.12.04",
        "flash:packages.conf",
        "Switch-Hostname",
        "C9500-48Y4C",
        "CAT23XXXXXX",
        "",
        "System Bootstrap, Version 17.1.1[FC2], RELEASE SOFTWARE (P)",
        (),
    ),
    (
        f"corpus:{NTC}/show_version/cisco_ios_show_version6.raw",  # weekly engineering build
        "15.2(4.0.55)E",
        "flash0:vios_l2-adventerprisek9-m",
        "Switch5",
        "IOSv",
        "9RYX5605M6M",
        "0x0",
        "Bootstrap program is IOSv",
        ("ENGINEERING", "WEEKLY BUILD"),
    ),
    (
        f"corpus:{NTC}/show_version/cisco_ios_show_version7.raw",
        "15.8(3)M3b",
        "flash:c900-universalk9-mz.SPA.158-3.M3b.bin",
        "Device-Hostname",
        "C921-4P",
        "PPP12345678",
        "0x2102",
        "System Bootstrap, Version 15.8(3r)M0b, RELEASE SOFTWARE (fc1)",
        (),
    ),
    (
        f"corpus:{NTC}/show_version/cisco_ios_show_version8.raw",
        "15.4(2)T",
        "flash:c800-universalk9-mz.SPA.154-2.T.bin",
        "Device-Hostname",
        "C881-K9",
        "FFF12345678",
        "0x2102",
        "System Bootstrap, Version 15.4(1r)T1, RELEASE SOFTWARE (fc1)",
        (),
    ),
    (
        f"corpus:{NTC}/show_version/cisco_ios_show_version_01.raw",
        "12.4(6)T2",
        "flash:c180x-advipservicesk9-mz.124-6.T2.bin",
        "stud-adsl",
        "1801",
        "FHK102KKKKK",
        "0x2102",
        "System Bootstrap, Version 12.3(8r)YH6, RELEASE SOFTWARE (fc1)",
        (),
    ),
    (
        # No "cisco <model> (...) processor" line: the model comes from "Model Number".
        f"corpus:{NTC}/show_version/cisco_ios_show_version_ab_stratix.raw",
        "17.12.04",
        "flash:packages.conf",
        "PAS-IDF17-SW02",
        "1783-CMS20DP",
        "ABC123",
        "0x102",
        "Version 0.2.5 [RELEASE SOFTWARE] crashkernel=64M",
        (),
    ),
    (
        # "Cisco IOS XE Software, Version V169_5_SR..." names a special build, not a release.
        f"corpus:{NTC}/show_version/cisco_ios_show_version_special_build.raw",
        "16.9.5",
        "flash:packages.conf",
        "AKBTESTW01",
        "C9500-40X",
        "FCW2233FFG3",
        "0x102",
        "System Bootstrap, Version 16.9.1r [FC2], RELEASE SOFTWARE (P)",
        ("CUST-SPECIAL:V169_5_SR689355441_2",),
    ),
    (
        "fixture:cisco_xe/show_version/c9300_17.09.04a_stack_vendor_format.raw",
        "17.09.04a",
        "flash:packages.conf",
        "access-stk-01",
        "C9300-48P",
        "FOC2401X0AB",
        "0x102",
        "System Bootstrap, Version 17.11.1r[FC2], RELEASE SOFTWARE (P)",
        (),
    ),
    (
        "fixture:cisco_xe/show_version/c9800_dev_build_vendor_format.raw",
        "17.9.20220506:200143",
        "bootflash:C9800-CL-universalk9_wlc.BLD_V179_THROTTLE_LATEST_20220506_192009.SSA.bin",
        "wlc-lab-5",
        "C9800-CL-K9",
        "9XYZ12AB3CD",
        "0x102",
        "IOS-XE ROMMON",
        (
            "BLD_V179_THROTTLE_LATEST_20220506_192009",
            "Experimental Version",
            "C9800-CL-universalk9_wlc.BLD_V179_THROTTLE_LATEST_20220506_192009.SSA.bin",
        ),
    ),
    (
        "fixture:cisco_ios/show_version/c2800_development_vendor_format.raw",
        "12.4(24.6)T",
        "flash:c2800nm-advipservicesk9-mz.124-24.6.T",
        "branch-7",
        "2811",
        "FTX1234A5BC",
        "0x2102",
        "System Bootstrap, Version 12.4(13r)T, RELEASE SOFTWARE (fc1)",
        ("DEVELOPMENT SOFTWARE",),
    ),
]


@pytest.mark.parametrize(
    ("case", "version", "image", "hostname", "model", "serial", "confreg", "rommon", "markers"),
    VERSIONS,
    ids=[basename(v[0]) for v in VERSIONS],
)
def test_version(
    case: str,
    version: str,
    image: str,
    hostname: str,
    model: str,
    serial: str,
    confreg: str,
    rommon: str,
    markers: tuple[str, ...],
) -> None:
    got = ios.parse_version(read(case), "")
    assert isinstance(got, VersionInfo)
    assert got.version == version
    assert got.running_image == image
    assert got.hostname == hostname
    assert got.model == model
    assert got.serial == serial
    assert got.config_register == confreg
    assert got.config_register_next == ""
    assert got.rommon == rommon
    assert got.release_markers == markers
    assert any("Version" in line for line in got.evidence)
    assert any(line.startswith("System image file is") for line in got.evidence)


def test_version_uptime_and_evidence() -> None:
    got = ios.parse_version(read(VERSIONS[0][0]), "")
    assert got.uptime == "2 years, 31 weeks, 6 days, 9 hours, 55 minutes"
    assert got.evidence[:3] == (
        "Cisco IOS Software, Catalyst 4500 L3 Switch Software (cat4500e-ENTSERVICESK9-M), "
        "Version 12.2(54)SG1, RELEASE SOFTWARE (fc1)",
        'System image file is "bootflash:cat4500e-entservicesk9-mz.122-54.SG1.bin"',
        "Configuration register is 0x2102",
    )


def test_version_network_image_and_pending_register() -> None:
    got = ios.parse_version(
        read("fixture:cisco_ios/show_version/iosv_tftp_pending_confreg_vendor_format.raw"), ""
    )
    assert got.version == "15.9(3)M4"
    assert got.running_image == "tftp://255.255.255.255/unknown"  # a URL stays a URL
    assert got.config_register == "0x2102"
    assert got.config_register_next == "0x2142"
    assert "Configuration register is 0x2102 (will be 0x2142 at next reload)" in got.evidence


@pytest.mark.parametrize(
    "case",
    [
        f"corpus:{NTC}/show_version/cisco_ios_show_version.raw",
        f"corpus:{NTC}/show_version/cisco_ios_show_version2.raw",
        f"corpus:{NTC}/show_version/cisco_ios_show_version7.raw",
        f"corpus:{NTC}/show_version/cisco_ios_show_version8.raw",
        f"corpus:{NTC}/show_version/cisco_ios_show_version_01.raw",
    ],
)
def test_version_agrees_with_image_name(case: str) -> None:
    """What the parser reports as the version compares with the running image's name."""
    got = ios.parse_version(read(case), "")
    encoded = image_version(basename(got.running_image))
    assert encoded is not None
    assert same_version(got.version, encoded)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (read("fixture:cisco_ios/show_version/invalid_input_vendor_format.raw"), "Invalid input"),
        ("", "no 'Cisco IOS Software"),
        ('System image file is "flash:x.bin"\n', "no 'Cisco IOS Software"),
    ],
)
def test_version_not_understood(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        ios.parse_version(text, "")


# --- show boot / show bootvar ----------------------------------------------------------------

BOOTS = [
    # (case, next_boot, current_boot, variable_set, manual_boot, confreg, confreg_next)
    (
        f"corpus:{NTC}/show_boot/cisco_ios_show_boot.raw",
        ("flash:c3750e-ipbasek9-mz.150-2.SE11.bin",),
        (),
        True,
        False,
        "",
        "",
    ),
    (
        f"corpus:{NTC}/show_boot/cisco_ios_show_boot2.raw",
        ("flash:c2960l-universalk9-mz.152-7.E2/c2960l-universalk9-mz.152-7.E2.bin",),
        (),
        True,
        False,
        "",
        "",
    ),
    (
        f"corpus:{NTC}/show_boot/cisco_ios_show_boot_gibraltar.raw",
        ("flash:packages.conf",),
        (),  # "Current Boot Variables: BOOT variable does not exist"
        True,
        False,
        "",
        "",
    ),
    (
        f"corpus:{NTC}/show_boot/cisco_ios_show_boot_optimization.raw",
        ("flash:c3560cx-universalk9-mz.152-7.E4/c3560cx-universalk9-mz.152-7.E4.bin",),
        (),
        True,
        False,
        "",
        "",
    ),
    (
        "corpus:web/cisco_ios/show_boot/user_notes_c2960s_sh_boot_inc_BOOT.raw",  # filtered
        ("flash:c2960s-universalk9-mz.150-2.SE10a.bin",),
        (),
        True,
        None,
        "",
        "",
    ),
    (
        "fixture:cisco_xe/show_boot/c9300x_current_next_vendor_format.raw",
        ("bootflash:packages.conf",),
        ("bootflash:packages.conf",),
        True,
        False,
        "",
        "",
    ),
    (
        "fixture:cisco_xe/show_boot/c9500_flat_variables_vendor_format.raw",
        ("bootflash:cat9k_iosxe.BLD_V173_THROTTLE_LATEST_20200421_032634.SSA.bin",),
        (),
        True,
        False,
        "0x102",
        "",
    ),
    (
        # Switch 2 will boot another image and stop in ROMMON: both show in the union.
        "fixture:cisco_xe/show_boot/c9300_stack_2member_vendor_format.raw",
        ("flash:packages.conf", "flash:cat9k_iosxe.17.12.04.SPA.bin"),
        ("flash:packages.conf",),
        True,
        True,
        "",
        "",
    ),
    (
        # Switch 2 has an empty path list: the stack's boot variable is not fully set.
        "fixture:cisco_ios/show_boot/c3750x_stack_classic_vendor_format.raw",
        ("flash:c3750e-universalk9-mz.150-2.SE11/c3750e-universalk9-mz.150-2.SE11.bin",),
        (),
        False,
        False,
        "",
        "",
    ),
    (
        "fixture:cisco_ios/show_bootvar/c2900_two_entries_vendor_format.raw",
        (
            "flash:c2900-universalk9-mz.SPA.154-3.M3.bin",
            "flash:c2900-universalk9-mz.SPA.152-4.M1.bin",
        ),
        (),
        True,
        None,
        "0x2102",
        "",
    ),
    (
        "fixture:cisco_ios/show_bootvar/c1941_empty_confreg_pending_vendor_format.raw",
        (),
        (),
        False,
        None,
        "0x2102",
        "0x2142",
    ),
    (
        "fixture:cisco_ios/show_bootvar/c2811_does_not_exist_vendor_format.raw",
        (),
        (),
        False,
        None,
        "0x2101",
        "",
    ),
    (
        "fixture:cisco_ios/show_bootvar/c2811_network_first_vendor_format.raw",
        (
            "tftp://10.20.30.40/c2800nm-advipservicesk9-mz.124-24.T4.bin",
            "flash:c2800nm-advipservicesk9-mz.124-24.T4.bin",
        ),
        (),
        True,
        None,
        "0x2102",
        "",
    ),
    (
        "fixture:cisco_ios/show_bootvar/c7513_hsa_cmdref_vendor_format.raw",
        (),
        (),
        False,
        None,
        "0x0",
        "",
    ),
    (
        "fixture:cisco_xe/show_bootvar/isr4331_standby_not_ready_vendor_format.raw",
        ("bootflash:isr4300-universalk9.16.12.04.SPA.bin",),
        (),
        True,
        None,
        "0x2102",
        "",
    ),
    (
        # The standby RP's lines are left out (they repeat the active's here).
        "fixture:cisco_xe/show_bootvar/asr1k_with_standby_vendor_format.raw",
        (
            "harddisk:asr1000rpx86-universalk9.17.06.04.SPA.bin",
            "bootflash:asr1000rpx86-universalk9.17.03.05.SPA.bin",
        ),
        (),
        True,
        None,
        "0x2100",
        "",
    ),
]


@pytest.mark.parametrize(
    ("case", "next_boot", "current", "variable_set", "manual", "confreg", "confreg_next"),
    BOOTS,
    ids=[basename(b[0]) for b in BOOTS],
)
def test_boot(
    case: str,
    next_boot: tuple[str, ...],
    current: tuple[str, ...],
    variable_set: bool,
    manual: bool | None,
    confreg: str,
    confreg_next: str,
) -> None:
    got = ios.parse_boot(read(case), "")
    assert isinstance(got, BootInfo)
    assert got.next_boot == next_boot
    assert got.current_boot == current
    assert got.variable_set is variable_set
    assert got.manual_boot is manual
    assert got.config_register == confreg
    assert got.config_register_next == confreg_next
    assert any(line.startswith("BOOT ") for line in got.evidence)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        # A router may take "show boot" for "show bootflash:": the collector then falls back
        # to "show bootvar", so this must not parse as an empty boot variable.
        ("fixture:cisco_ios/show_boot/c2921_bootflash_listing_vendor_format.raw", "-#-"),
        ("fixture:cisco_ios/show_boot/router_ambiguous_vendor_format.raw", "Ambiguous"),
        ("fixture:cisco_ios/show_boot/router_invalid_input_vendor_format.raw", "Invalid input"),
        (f"corpus:{NTC}/dir/cisco_ios_dir_no_files.raw", "Directory of"),
    ],
)
def test_boot_rejects_what_is_not_boot_output(case: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        ios.parse_boot(read(case), "")


def test_boot_without_a_boot_line() -> None:
    with pytest.raises(ParseError, match="no 'BOOT variable'"):
        ios.parse_boot("Manual Boot         : no\nEnable Break        : yes\n", "")


# --- show file systems ---------------------------------------------------------------------


def test_filesystems_keep_the_default_line() -> None:
    """ntc-templates drops the line marked "*" (the default file system); this must not."""
    got = ios.parse_filesystems(read(f"corpus:{NTC}/show_file_systems/show_file_systems.raw"), "")
    by_prefix = {fs.prefix: fs for fs in got}
    assert len(got) == 16
    assert by_prefix["flash:"].kind == "disk"
    assert by_prefix["flash:"].size == 11353194496
    assert by_prefix["flash:"].free == 9936510976
    assert by_prefix["webui:"].flags == "ro"
    assert by_prefix["nvram:"].size == 2097152
    assert by_prefix["tftp:"].kind == "network"
    assert by_prefix["tftp:"].size is None
    assert [fs.prefix for fs in got if fs.kind == "disk"] == ["crashinfo:", "flash:", "webui:"]


def test_filesystems_with_several_prefixes_per_line() -> None:
    got = ios.parse_filesystems(
        read("fixture:cisco_ios/show_file_systems/c1941_flash0_alias_vendor_format.raw"), ""
    )
    disks = [(fs.prefix, fs.size) for fs in got if fs.kind in ("disk", "usbflash")]
    # "flash0: flash:#" is one file system: listed once, under its first prefix.
    assert disks == [("flash0:", 256487424), ("flash1:", None), ("usbflash0:", 7925055488)]
    stack = ios.parse_filesystems(
        read("fixture:cisco_xe/show_file_systems/c2960x_stack_vendor_format.raw"), ""
    )
    assert [fs.prefix for fs in stack if fs.kind == "disk"] == [
        "crashinfo:",
        "crashinfo-2:",
        "flash:",
        "flash-2:",
    ]


def test_filesystems_not_a_table() -> None:
    with pytest.raises(ParseError):
        ios.parse_filesystems("% Invalid input detected at '^' marker.\n", "")
    with pytest.raises(ParseError):
        ios.parse_filesystems("File Systems:\n\n", "")


# --- dir / show flash: ---------------------------------------------------------------------

FLASH = "corpus:web/cisco_ios/show_flash"
LISTINGS = [
    # (case, target, filesystem, number of entries, {path: size}, total, free)
    (
        f"corpus:{NTC}/dir/cisco_ios_dir_no_files.raw",
        "bootflash:",
        "bootflash:",
        0,
        {},
        60817408,
        16626160,
    ),
    (
        "corpus:web/cisco_xe/dir/forensic_guide_asr1002x_17.03.05_dir_bootflash.raw",
        "",  # plain "dir": the header names the filesystem
        "bootflash:",
        23,
        {
            "bootflash:asr1002x-universalk9.17.03.05.SPA.bin": 860923521,
            "bootflash:asr1002x-universal.03.16.02b.S.155-3.S2b-ext.SPA.bin": 454254232,
            "bootflash:Router1_crashinf_20230201-141134-EST": 220651,
            "bootflash:tracelogs.629": 0,
        },
        6646632448,
        4938723328,
    ),
    (
        f"{FLASH}/book_c2500_12.1-17_show_flash_file_length_name_status.raw",
        "flash:",
        "flash:",
        1,
        {"flash:c2500-js-l.121-17.bin": 14692012},
        16777216,
        2085140,
    ),
    (
        f"{FLASH}/c1900_15.0-1.M8_show_flash_notes.raw",
        "flash:",
        "flash:",
        2,
        {"flash:c1900-universalk9-mz.SPA.150-1.M8.bin": 45832792, "flash:backup": 0},
        209698816 + 45838336,
        209698816,
    ),
    (
        f"{FLASH}/c1900_15.7-3_sh_flash_real_log.raw",
        "flash:",
        "flash:",
        4,
        {
            "flash:c1900-universalk9-mz.SPA.157-3.M9.bin": 85054748,
            "flash:c1900-universalk9-mz.SPA.157-3.M7.bin": 85053880,
            "flash:pnp-tech-discovery-summary": 48789,
        },
        85368832 + 170168320,
        85368832,
    ),
    (
        f"{FLASH}/c2811_12.4-10a_sh_fla.raw",
        "flash:",
        "flash:",
        1,
        {"flash:c2800nm-advipservicesk9-mz.124-10a.bin": 36805116},
        2042068992 + 36831232,
        2042068992,
    ),
    (
        # An empty flash is a valid empty listing. The negative "bytes available" is a FAT16
        # overflow on a 4 GB card: the device does not know its free space, so neither do we.
        f"{FLASH}/c2811_4gb_cf_sh_fla_no_files_negative.raw",
        "flash:",
        "flash:",
        0,
        {},
        None,
        None,
    ),
    (
        f"{FLASH}/c2900_book_example_show_flash.raw",
        "flash:",
        "flash:",
        8,
        {
            "flash:c2900-universalk9-mz.SPA.154-3.M3.bin": 104193476,
            "flash:c2900-universalk9-mz.SPA.152-4.M1.bin": 97794040,
            "flash:sslclient-win-1.1.4.176.pkg": 415956,
        },
        49238016 + 207249408,
        49238016,
    ),
    (
        f"{FLASH}/c2901_15.1-4.M4_sh_flash0.raw",
        "flash0:",
        "flash0:",
        1,
        {"flash0:c2900-universalk9-mz.SPA.151-4.M4.bin": 74503236},
        7926255616 + 74444800,
        7926255616,
    ),
    (
        f"{FLASH}/cat4500e_12.2SG_flash_listing.raw",
        "bootflash:",
        "bootflash:",
        3,
        {
            "bootflash:cat4500e-ipbasek9-mz.122-44.SG1.bin": 19267510,
            "bootflash:cat4500e-entservicesk9-mz.122-52.SG.bin": 25442508,
            "bootflash:cat4500e-entservicesk9-mz.122-53.SG1.bin": 25442405,
        },
        53825536 + 77611008,
        53825536,
    ),
    (
        # Partitioned class B flash ("show flash: all"; whitespace collapsed by the source):
        # files are named flash:<partition>:<name>, totals add up over the partitions.
        f"{FLASH}/cmdref_show_flash_all_partitioned_igs.raw",
        "flash:",
        "flash:",
        2,
        {"flash:1:master/igs-bfpx.100-4.3": 3459720, "flash:2:igs-kf.100": 3224008},
        4194304 * 2,
        734520 + 970232,
    ),
    (
        # The blank line before the summary was lost by the source: still understood.
        f"{FLASH}/cme_cmdref_c2801_sh_flash.raw",
        "flash:",
        "flash:",
        8,
        {"flash:c2801-ipbase-mz.124-1c.bin": 13932728, "flash:phone-loads": 0},
        14819328 + 49192960,
        14819328,
    ),
    (
        "fixture:cisco_xe/dir_recursive/c9300_install_mode_vendor_format.raw",
        "flash:",
        "flash:",
        8,
        {
            "flash:packages.conf": 7406,
            "flash:cat9k-rpbase.17.09.04a.SPA.pkg": 604111876,
            "flash:images/cat9k_iosxe.17.06.05.SPA.bin": 1330255208,
            "flash:images/old/cat9k_iosxe.17.03.05.SPA.bin": 1215391276,
        },
        11353194496,
        7940571136,
    ),
    (
        "fixture:cisco_ios/dir_recursive/c2960x_image_in_subdir_vendor_format.raw",
        "flash:",
        "flash:",
        8,
        {
            "flash:c2960x-universalk9-mz.152-7.E4/c2960x-universalk9-mz.152-7.E4.bin": 20957696,
            "flash:c2960x-universalk9-mz.152-7.E4/html/homepage.htm": 9710,
            "flash:config.text": 3096,
        },
        122185728,
        96262144,
    ),
    (
        "fixture:cisco_ios/dir_recursive/c2811_no_date_vendor_format.raw",
        "flash:",
        "flash:",
        2,
        {"flash:c2800nm-advipservicesk9-mz.124-24.T4.bin": 40123568},
        64016384,
        23883776,
    ),
    (
        "fixture:cisco_ios/show_flash/c7200_class_a_slot0_vendor_format.raw",
        "slot0:",
        "slot0:",
        3,
        {"slot0:c7200-js-mz": 32262000, "slot0:c7200-jk9s-mz.124-24.T4": 32400123},
        1474272 + 64538144,
        1474272,
    ),
    (
        "fixture:cisco_ios/show_flash/c2600_class_b_deleted_vendor_format.raw",
        "flash:",
        "flash:",
        2,
        {"flash:c2600-ik9o3s3-mz.123-26.bin": 14721024, "flash:c2600-is-mz.122-15.T5.bin": 8560412},
        32554432,
        9272868,
    ),
    (
        "fixture:cisco_ios/show_flash/c2911_subdirectory_vendor_format.raw",
        "flash:",
        "flash:",
        4,
        {"flash:archive/c2900-universalk9-mz.SPA.152-4.M1.bin": 97794040},
        54902784 + 201994240,
        54902784,
    ),
]


@pytest.mark.parametrize(
    ("case", "target", "fs", "count", "sizes", "total", "free"),
    LISTINGS,
    ids=[basename(c[0]) for c in LISTINGS],
)
def test_listing(
    case: str,
    target: str,
    fs: str,
    count: int,
    sizes: dict[str, int],
    total: int | None,
    free: int | None,
) -> None:
    got = ios.parse_listing(read(case), target)
    assert isinstance(got, StorageListing)
    assert got.filesystem == fs
    assert len(got.files) == count
    by_path = {f.path: f for f in got.files}
    for path, size in sizes.items():
        assert by_path[path].size == size
    assert got.total_bytes == total
    assert got.free_bytes == free


def test_listing_directories() -> None:
    xe = ios.parse_listing(
        read("corpus:web/cisco_xe/dir/forensic_guide_asr1002x_17.03.05_dir_bootflash.raw"), ""
    )
    dirs = {f.path for f in xe.files if f.is_dir}
    assert "bootflash:core" in dirs and "bootflash:lost+found" in dirs
    assert "bootflash:asr1002x-universalk9.17.03.05.SPA.bin" not in dirs
    assert len(dirs) == 13
    rec = ios.parse_listing(
        read("fixture:cisco_xe/dir_recursive/c9300_install_mode_vendor_format.raw"), "flash:"
    )
    assert {f.path for f in rec.files if f.is_dir} == {
        "flash:.installer",
        "flash:images",
        "flash:images/old",
    }
    # ISR layout has no type column: "archive" holds a file, so it is a directory.
    isr = ios.parse_listing(
        read("fixture:cisco_ios/show_flash/c2911_subdirectory_vendor_format.raw"), "flash:"
    )
    assert [f.path for f in isr.files if f.is_dir] == ["flash:archive"]


def test_listing_dates_and_status() -> None:
    asr = ios.parse_listing(
        read("corpus:web/cisco_xe/dir/forensic_guide_asr1002x_17.03.05_dir_bootflash.raw"), ""
    )
    assert asr.files[0].modified == "Feb 1 2023 14:11:58 -05:00"
    old = ios.parse_listing(
        read("fixture:cisco_ios/show_flash/c2600_class_b_deleted_vendor_format.raw"), "flash:"
    )
    assert [f.attrs for f in old.files] == [(), ("deleted",)]
    class_a = ios.parse_listing(
        read("fixture:cisco_ios/show_flash/c7200_class_a_slot0_vendor_format.raw"), "slot0:"
    )
    assert [f.attrs for f in class_a.files] == [(), ("deleted",), ()]


def test_listing_damaged_ntc_case() -> None:
    """ntc-templates' dir sample has "-rw  -" in one permission column (an edit, not device
    output): an entry we cannot read fails the listing instead of being skipped."""
    with pytest.raises(ParseError, match=r"packages\.conf"):
        ios.parse_listing(read(f"corpus:{NTC}/dir/cisco_ios_dir.raw"), "bootflash:")


@pytest.mark.parametrize(
    ("text", "target", "message"),
    [
        ("% Invalid input detected at '^' marker.\n", "flash:", "Invalid input"),
        ("%Error opening flash:/ (No such file or directory)\n", "flash:", "No such file"),
        ("Building configuration...\n", "flash:", "not a directory listing"),
        ("", "flash:", "not a directory listing"),
        # The ISR layout does not name its filesystem: without a target it cannot be read.
        (read(f"{FLASH}/c2811_12.4-10a_sh_fla.raw"), "", "filesystem asked for"),
        ("Directory of flash:/\n\n", "flash:", "no entries and no totals"),
    ],
)
def test_listing_not_understood(text: str, target: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        ios.parse_listing(text, target)


# --- verify /md5 | /sha512 -----------------------------------------------------------------

MD5 = "corpus:web/cisco_ios/verify_md5"
XE_MD5 = "corpus:web/cisco_xe/verify_md5"
ASR_BIN = "bootflash:asr1001-universalk9.03.08.02.S.153-1.S2.bin"
DIGESTS = [
    # (case, target, path, algorithm, digest, expected, verified)
    (
        f"{MD5}/forensic_guide_c800_15.9-3.M12_verify_md5.raw",
        "flash:c800-universalk9-mz.SPA.159-3.M12.bin",
        "flash:c800-universalk9-mz.SPA.159-3.M12.bin",
        "md5",
        "bda8eef0652b129e84ad138e98549937",
        "",
        None,
    ),
    (
        f"{MD5}/forensic_guide_c800_verify_md5_system_memory_text.raw",
        "system:memory/text",
        "system:memory/text",
        "md5",
        "87f97ac0b0703019056444a06070dbb2",
        "",
        None,
    ),
    (
        f"{MD5}/cmdref_c7200_verify_md5_prompted_filename.raw",
        "disk1:",  # only a filesystem was typed; the device asked for the file name
        "disk1:c7200-js-mz",
        "md5",
        "0f369ed9e98756f179d4f29d6e7755d3",
        "",
        None,
    ),
    (
        f"{MD5}/cmdref_c7200_verify_md5_expected_verified.raw",
        "disk1:c7200-js-mz",
        "disk1:c7200-js-mz",
        "md5",
        "0f369ed9e98756f179d4f29d6e7755d3",
        "0f369ed9e98756f179d4f29d6e7755d3",
        True,
    ),
    (
        f"{MD5}/cmdref_verify_md5_expected_error_c6msfc2.raw",
        "disk0:c6msfc2-jsv-mz",
        "disk0:c6msfc2-jsv-mz",
        "md5",
        "0f369ed9e98756f179d4f29d6e7755d3",
        "0f",
        False,
    ),
    (
        f"{MD5}/cmdref_c7600_verify_md5.raw",
        "c6msfc2-jsv-mz",  # relative name: the device printed where it found it
        "disk0:c6msfc2-jsv-mz",
        "md5",
        "0f369ed9e98756f179d4f29d6e7755d3",
        "",
        None,
    ),
    (
        # Stack member: asked about flash1:, the device printed flash:. Kept under the path
        # asked for; the printed line stays in the evidence.
        f"{MD5}/user_notes_c2960s_stack_15.2-2.E9_verify_md5.raw",
        "flash1:c2960s-universalk9-mz.152-2.E9.bin",
        "flash1:c2960s-universalk9-mz.152-2.E9.bin",
        "md5",
        "ea604d030b378b6c5c3dda3d501ac2f5",
        "",
        None,
    ),
    (
        # Line breaks collapsed by the source page: the result is still found in the line.
        f"{XE_MD5}/integrity_assurance_asr1001_verify_md5.raw",
        ASR_BIN,
        ASR_BIN,
        "md5",
        "8307d56881931c08c3fed66d169823a4",
        "",
        None,
    ),
    (
        f"{XE_MD5}/integrity_assurance_asr1001_verify_md5_expected_verified.raw",
        ASR_BIN,
        ASR_BIN,
        "md5",
        "8307d56881931c08c3fed66d169823a4",
        "8307d56881931c08c3fed66d169823a4",
        True,
    ),
    (
        f"{XE_MD5}/integrity_assurance_asr1001_verify_md5_expected_error.raw",
        ASR_BIN,
        ASR_BIN,
        "md5",
        "8307d56881931c08c3fed66d169823a4",
        "e383bf779e137367839593efa8f0f725",
        False,
    ),
    (
        f"{XE_MD5}/forensic_guide_asr1k_verify_md5_system_memory_text.raw",
        "system:memory/text",
        "system:memory/text",
        "md5",
        "53271c3c2baae5f6f9666db3031d478f",
        "",
        None,
    ),
    (
        f"{XE_MD5}/user_notes_isr4400_rommon_pkg_verify_md5.raw",
        "isr4400_rommon_167_5r_SPA.pkg",
        "bootflash:isr4400_rommon_167_5r_SPA.pkg",
        "md5",
        "7b852c2927f74ac9cbe5c713eb2c98fa",
        "",
        None,
    ),
    (
        f"{XE_MD5}/script_capture_csr1000v_verify_md5.raw",
        "bootflash:file.bin",
        "bootflash:file.bin",
        "md5",
        "84e7972536e584a9d2902352a9aec042",
        "",
        None,
    ),
    (
        f"{XE_MD5}/user_notes_cat9k_lite_17.09.06a_verify_md5.raw",
        "cat9k_lite_iosxe.17.09.06a.SPA.bin",
        "flash:cat9k_lite_iosxe.17.09.06a.SPA.bin",
        "md5",
        "2f12e313fced39906499474d0c379e79",
        "",
        None,
    ),
    (
        # The 128-digit digest wraps onto a second line.
        "corpus:web/cisco_xe/verify_sha512/forensic_guide_asr1002x_verify_sha512_crashinfo.raw",
        "bootflash:/Router1_crashinf_20230201-141134-EST",
        "bootflash:Router1_crashinf_20230201-141134-EST",
        "sha512",
        "def67296d50606d28d4f80b79826ff3898e0f7f07d01f59aefd658309632eb7f"
        "308b950d471b7c024a0c72097069d8cbb602365b7ddb32c4de99775806e86d62",
        "",
        None,
    ),
]


@pytest.mark.parametrize(
    ("case", "target", "path", "algorithm", "digest", "expected", "verified"),
    DIGESTS,
    ids=[basename(d[0]) for d in DIGESTS],
)
def test_digest(
    case: str,
    target: str,
    path: str,
    algorithm: str,
    digest: str,
    expected: str,
    verified: bool | None,
) -> None:
    got = ios.parse_digest(read(case), target)
    assert isinstance(got, DigestResult)
    assert got.path == path
    assert got.algorithm == algorithm
    assert got.digest == digest
    assert got.expected == expected
    assert got.verified is verified
    assert got.evidence and digest[:16] in " ".join(got.evidence)


def test_digest_of_another_file_is_refused() -> None:
    """The 7600 example prints a result for c6sup12-jsv-mz after being asked for
    c6msfc2-jsv-mz (an inconsistency of the source document). A digest for another file than
    the one asked for is never attributed to it; without a target the printed path is used."""
    text = read(f"{MD5}/cmdref_c7600_verify_md5_expected_lowercase_verified.raw")
    with pytest.raises(ParseError, match="c6sup12-jsv-mz"):
        ios.parse_digest(text, "disk0:c6msfc2-jsv-mz")
    got = ios.parse_digest(text, "")
    assert got.path == "disk0:c6sup12-jsv-mz"
    assert got.digest == "0f369ed9e98756f179d4f29d6e7755d3"
    assert got.verified is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (read("fixture:cisco_ios/verify_md5/error_opening_vendor_format.raw"), "No such file"),
        (read("fixture:cisco_ios/verify_md5/invalid_input_vendor_format.raw"), "Invalid input"),
        ("%Error computing MD5 hash flash:x.bin (No such file or directory)\n", "computing"),
        ("....Done!\n", "no digest"),
        ("verify /md5 (flash:x.bin) = 0f369ed9e98756f1\n", "16 hex digits"),
        (
            "%Error reading flash:x.bin (I/O error)\n"
            "verify /md5 (flash:x.bin) = 0f369ed9e98756f179d4f29d6e7755d3\n",
            "also reported",
        ),
        (
            "verify /md5 (flash:a.bin) = 0f369ed9e98756f179d4f29d6e7755d3\n"
            "verify /md5 (flash:b.bin) = 11111111111111111111111111111111\n",
            "several",
        ),
        ("%Error verifying flash:x.bin\nComputed signature = 0f369ed9\n", "both signatures"),
    ],
)
def test_digest_not_understood(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        ios.parse_digest(text, "flash:x.bin" if "flash:a.bin" not in text else "")


# --- plain verify (embedded hash) ----------------------------------------------------------

VERIFY = "corpus:web/cisco_ios/verify"
XE_VERIFY = "corpus:web/cisco_xe/verify"
EMBEDDED = [
    # (case, target, path, algorithm, digest prefix, verified)
    (
        f"{VERIFY}/cmdref_c7200_verify_embedded_hash.raw",
        "disk0:c7200-js-mz",
        "disk0:c7200-js-mz",
        "md5-embedded",
        "cfa258948c4ece52085dcf428a426dcd",
        True,
    ),
    (
        f"{VERIFY}/cmdref_c7200_verify_slot0_plain.raw",  # old IOS: a verdict, no hash
        "slot0:c7200-js-mz",
        "slot0:c7200-js-mz",
        "embedded",
        "",
        True,
    ),
    (
        f"{VERIFY}/forensic_guide_c800_verify_sha2_embedded.raw",
        "flash:c800-universalk9-mz.SPA.159-3.M12.bin",
        "flash:c800-universalk9-mz.SPA.159-3.M12.bin",
        "sha2-embedded",
        "cad6b6bda9d63bf1c24bc4699b1b21ebe0d67d28ef8bf793817d3c0d4e40fa95",
        True,
    ),
    (
        f"{XE_VERIFY}/forensic_guide_asr1000rp2_verify_bin.raw",
        "bootflash:asr1000rp2-advipservicesk9.03.13.09.S.154-3.S9-ext.bin",
        "bootflash:asr1000rp2-advipservicesk9.03.13.09.S.154-3.S9-ext.bin",
        "sha2-embedded",
        "35ea9ab4825f32810def7c10aa23acb480da7bb0e4903d3e28d3ebec2bd1cd5a",
        True,
    ),
    (
        # A provisioning file carries only SHA-1, and the device prints no verdict.
        f"{XE_VERIFY}/forensic_guide_csr1000v_verify_packages_conf.raw",
        "bootflash:packages.conf",
        "bootflash:packages.conf",
        "sha1-embedded",
        "7ebf483217e3e7071ed796f2a17258fb60b6b2b0",
        None,
    ),
    (
        f"{XE_VERIFY}/forensic_guide_csr1000v_verify_rpboot_pkg.raw",
        "bootflash:csr1000v-rpboot.16.06.04.SPA.pkg",
        "bootflash:csr1000v-rpboot.16.06.04.SPA.pkg",
        "sha2-embedded",
        "f2682757e0106b9c3907962d9602860889eb9325e0cb78276b0097219192143a",
        True,
    ),
]


@pytest.mark.parametrize(
    ("case", "target", "path", "algorithm", "prefix", "verified"),
    EMBEDDED,
    ids=[basename(e[0]) for e in EMBEDDED],
)
def test_verify_embedded_hash(
    case: str, target: str, path: str, algorithm: str, prefix: str, verified: bool | None
) -> None:
    got = ios.parse_verify(read(case), target)
    assert got.path == path
    assert got.algorithm == algorithm
    assert got.digest.startswith(prefix)
    assert got.expected == got.digest  # embedded = computed in every corpus case
    assert got.verified is verified
    if algorithm == "sha2-embedded":
        assert len(got.digest) == 128


def test_verify_keeps_the_cco_hash_as_evidence() -> None:
    got = ios.parse_verify(read(f"{VERIFY}/forensic_guide_c800_verify_sha2_embedded.raw"), "")
    assert "CCO Hash        MD5 : BDA8EEF0652B129E84AD138E98549937" in got.evidence


def test_verify_mismatch_is_not_verified() -> None:
    text = (
        "Verifying file integrity of flash:x.bin\n"
        "Embedded Hash   SHA1 : 7E9EA496349FC44B223C09F6DCC89FA1F5FBA7A8\n"
        "Computed Hash   SHA1 : 0000A496349FC44B223C09F6DCC89FA1F5FBA7A8\n"
    )
    got = ios.parse_verify(text, "flash:x.bin")
    assert got.verified is False
    assert got.digest == "0000a496349fc44b223c09f6dcc89fa1f5fba7a8"


@pytest.mark.parametrize(
    "text",
    [
        "%Filesystem does not support verify operations\n",
        "%Error opening flash:x.bin (No such file or directory)\n",
        # A SHA-2 digest cut after its first line is not a digest.
        "Verifying file integrity of flash:x.bin\n"
        "Computed Hash   SHA2: CAD6B6BDA9D63BF1C24BC4699B1B21EB\n",
        "",
    ],
)
def test_verify_not_understood(text: str) -> None:
    with pytest.raises(ParseError):
        ios.parse_verify(text, "flash:x.bin")


# --- packages.conf -------------------------------------------------------------------------

CAT9K_PACKAGES = (
    "cat9k-rpboot.17.09.04a.SPA.pkg",
    "cat9k-rpbase.17.09.04a.SPA.pkg",
    "cat9k-webui.17.09.04a.SPA.pkg",
    "cat9k-guestshell.17.09.04a.SPA.pkg",
    "cat9k-srdriver.17.09.04a.SPA.pkg",
    "cat9k-cc_srdriver.17.09.04a.SPA.pkg",
    "cat9k-wlc.17.09.04a.SPA.pkg",
    "cat9k-lni.17.09.04a.SPA.pkg",
    "cat9k-espbase.17.09.04a.SPA.pkg",
    "cat9k-sipbase.17.09.04a.SPA.pkg",
    "cat9k-sipspa.17.09.04a.SPA.pkg",
)


def test_packages_conf() -> None:
    text = read("fixture:cisco_xe/more_packages_conf/cat9k_17.09.04a_vendor_format.raw")
    got = ios.parse_packages(text, "flash:packages.conf")
    assert got.paths == tuple(f"flash:{name}" for name in CAT9K_PACKAGES)
    assert "sha1sum: 4f1c2b9e0d7a63c58e21f0b4d9a8c7e6f5a4b3c2" in got.evidence
    # Package names are relative to the provisioning file's own directory.
    nested = ios.parse_packages(text, "bootflash:/sdwan/packages.conf")
    assert nested.paths[0] == "bootflash:sdwan/cat9k-rpboot.17.09.04a.SPA.pkg"


def test_packages_conf_mono_package() -> None:
    text = read("fixture:cisco_xe/more_packages_conf/csr1000v_16.12.04_vendor_format.raw")
    got = ios.parse_packages(text, "bootflash:packages.conf")
    assert got.paths == (
        "bootflash:csr1000v-rpboot.16.12.04.SPA.pkg",
        "bootflash:csr1000v-mono-universalk9.16.12.04.SPA.pkg",
    )


@pytest.mark.parametrize(
    ("text", "target", "message"),
    [
        (
            read("fixture:cisco_xe/more_packages_conf/error_opening_vendor_format.raw"),
            "bootflash:packages.conf",
            "No such file",
        ),
        ("#! /usr/binos/bin/packages_conf.sh\n", "bootflash:packages.conf", "no package"),
        ("boot rp 0 0 rp_boot x.pkg\n", "packages.conf", "own path"),
        ("hostname sw1\ninterface Vlan1\n", "flash:packages.conf", "unrecognised line"),
    ],
)
def test_packages_conf_not_understood(text: str, target: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        ios.parse_packages(text, target)


# --- show install summary ------------------------------------------------------------------


def test_install_summary_nothing_pending() -> None:
    text = read("fixture:cisco_xe/show_install_summary/c9300_stack_committed_vendor_format.raw")
    assert ios.parse_install_summary(text, "") == ()


def test_install_summary_uncommitted_with_rollback_timer() -> None:
    text = read("fixture:cisco_xe/show_install_summary/c9300_uncommitted_timer_vendor_format.raw")
    got = ios.parse_install_summary(text, "")
    assert [p.description for p in got] == [
        "[Switch 1] IMG 17.12.04.0.11 activated, not committed",
        "[Switch 1] auto abort timer active , time before rollback - 05:40:12",
    ]
    assert got[0].evidence == ("IMG U 17.12.04.0.11",)


def test_install_summary_deactivated_smu() -> None:
    text = read("fixture:cisco_xe/show_install_summary/asr1k_smu_deactivated_vendor_format.raw")
    got = ios.parse_install_summary(text, "")
    assert len(got) == 1
    assert "asr1000-universalk9.17.03.05.CSCwa12345.SPA.smu.bin deactivated" in got[0].description


@pytest.mark.parametrize(
    "text",
    [
        "% Invalid input detected at '^' marker.\n",
        "",
        "Type  St   Filename/Version\nIMG   C    17.09.04a.0.6\nsomething else entirely\n",
    ],
)
def test_install_summary_not_understood(text: str) -> None:
    with pytest.raises(ParseError):
        ios.parse_install_summary(text, "")


# --- commands as engineers type them -------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "step"),
    [
        ("show version", "version"),
        ("sh ver", "version"),
        ("sh ver | in System image", "version"),
        ("show boot", "boot"),
        ("sh boot", "boot"),
        ("sh boot | in BOOT", "boot"),
        ("show bootvar", "boot"),
        ("sh bootv", "boot"),
        ("show boot system", "boot"),
        ("show file systems", "filesystems"),
        ("sh file sys", "filesystems"),
        ("sh fi s", "filesystems"),
        ("sh fla", "listing"),
        ("show flash", "listing"),
        ("show flash:", "listing"),
        ("sh flash0:", "listing"),
        ("show flash: all", "listing"),
        ("show bootflash:", "listing"),
        ("show slot0:", "listing"),
        ("dir", "listing"),
        ("dir flash:", "listing"),
        ("dir /recursive bootflash:", "listing"),
        ("dir /all flash-2:", "listing"),
        ("verify /md5 flash:c800-universalk9-mz.SPA.159-3.M12.bin", "digest"),
        ("ver /md5 cat9k_lite_iosxe.17.09.06a.SPA.bin", "digest"),
        ("verify /md5 disk1:c7200-js-mz 0f369ed9e98756f179d4f29d6e7755d3", "digest"),
        ("verify /sha512 bootflash:/Router1_crashinf_20230201-141134-EST", "digest"),
        ("verify /md5 system:memory/text", "digest"),
        ("verify disk0:c7200-js-mz", "verify"),
        ("verify bootflash:packages.conf", "verify"),
        ("more bootflash:packages.conf", "packages"),
        ("more flash:packages.conf", "packages"),
        ("show install summary", "install_summary"),
        ("sh install sum", "install_summary"),
        ("SH VER", "version"),
    ],
)
def test_command_step(command: str, step: str) -> None:
    assert command_step("cisco_ios", command) == step
    assert command_step("cisco_xe", command) == step


@pytest.mark.parametrize(
    "command",
    ["show running-config", "show software authenticity keys", "verify", "copy tftp flash"],
)
def test_command_without_parser(command: str) -> None:
    with pytest.raises(ParseError):
        command_step("cisco_ios", command)


def _target(command: str) -> str:
    """What the collector would pass for a typed command: the path or filesystem it names."""
    words = [w for w in command.split()[1:] if not w.startswith("/")]
    if command.split()[0].lower().startswith("ver"):
        return words[0] if words else ""
    named = [w for w in words if ":" in w]
    if named:
        return named[0]
    return "flash:" if words and words[0].startswith("fla") else ""


# The two corpus cases that must not parse, each explained by its own test above.
REFUSED = {
    "cmdref_c7600_verify_md5_expected_lowercase_verified.raw",  # digest of another file
    "cisco_ios_dir.raw",  # damaged permission column
}


def test_every_corpus_case_parses_through_the_dispatcher() -> None:
    """Each cisco_ios / cisco_xe corpus command this module covers maps to a step, and its
    output parses through ``parse_step`` (what the CLI and the audit use)."""
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    parsed, refused = [], set()
    for entry in manifest:
        platform, command = entry["platform"], entry["command"]
        if platform not in ("cisco_ios", "cisco_xe") or "authenticity" in command:
            continue  # show software authenticity belongs to another parser
        if "(inferred" in command:
            command, target = "show bootflash:", "bootflash:"  # the manifest holds a label
        else:
            target = _target(command)
        step = command_step(platform, command)
        text = (CORPUS / entry["raw"]).read_text(encoding="utf-8")
        try:
            parsed.append(parse_step(platform, step, text, target))
        except ParseError:
            refused.add(basename(entry["raw"]))
    assert refused == REFUSED
    assert len(parsed) == 51


def test_parse_step_dispatches_to_this_module() -> None:
    text = read(f"{MD5}/cmdref_c7600_verify_md5.raw")
    got = parse_step("cisco_xe", "digest", text, "disk0:c6msfc2-jsv-mz")
    assert isinstance(got, DigestResult)


# --- every own template is exercised by a fixture ------------------------------------------

TEMPLATE_FIXTURES = {
    # template: (command the parser passes, cases that must yield records through it)
    "cisco_ios_show_flash.textfsm": (
        "show flash",
        [f"{FLASH}/c2900_book_example_show_flash.raw", LISTINGS[2][0]],
    ),
    "cisco_ios_dir.textfsm": (
        "dir",
        ["corpus:web/cisco_xe/dir/forensic_guide_asr1002x_17.03.05_dir_bootflash.raw"],
    ),
    "cisco_ios_show_boot.textfsm": (
        "show boot",
        [BOOTS[0][0], "fixture:cisco_ios/show_bootvar/c2900_two_entries_vendor_format.raw"],
    ),
    "cisco_ios_show_file_systems.textfsm": (
        "show file systems",
        [f"corpus:{NTC}/show_file_systems/show_file_systems.raw"],
    ),
    "cisco_ios_show_install_summary.textfsm": (
        "show install summary",
        ["fixture:cisco_xe/show_install_summary/c9300_uncommitted_timer_vendor_format.raw"],
    ),
}


def _index_rows(platform: str) -> list[tuple[str, str]]:
    rows = []
    lines = (own_template_dir() / "index").read_text(encoding="utf-8").splitlines()
    for line in lines:
        if not line.strip() or line.startswith("#") or line.startswith("Template,"):
            continue
        template, _, row_platform, command = (c.strip() for c in line.split(",", 3))
        if row_platform == platform:
            rows.append((template, command))
    return rows


def test_every_template_has_a_fixture() -> None:
    rows = _index_rows(ios.TEMPLATE_PLATFORM)
    assert {template for template, _ in rows} == set(TEMPLATE_FIXTURES)
    index = clitable.CliTable("index", str(own_template_dir())).index
    for template, (command, cases) in TEMPLATE_FIXTURES.items():
        row = index.GetRowMatch({"Platform": ios.TEMPLATE_PLATFORM, "Command": command})
        assert index.index[row]["Template"] == template
        for case in cases:
            body = "\n".join(ios._body(read(case))) + "\n"
            # The template file itself, and the index route the parser relies on.
            with (own_template_dir() / template).open(encoding="utf-8") as handle:
                assert textfsm.TextFSM(handle).ParseText(body), (template, case)
            assert ios._own(command, ios._body(read(case))), (template, case)


# --- output of other platforms -------------------------------------------------------------

# Arista's empty "dir" is the same layout as IOS's and reads as an empty listing.
# NX-OS prints show software authenticity in IOS's layout (one parser: parse/integrity.py).
_NXOS_AUTH = (
    "forensic_guide_nxosv_10.5_show_software_authenticity_file.raw",
    "forensic_guide_nxosv_10.5_show_software_authenticity_running.raw",
)
SAME_LAYOUT = {("listing", "arista_eos_dir_extension_no_files.raw")} | {
    (step, name) for step in ("authenticity", "authenticity_file") for name in _NXOS_AUTH
}


def test_other_platforms_output_is_refused() -> None:
    """Nothing is guessed from output of another platform: every step refuses it with a
    ParseError (and never fails with any other exception)."""
    accepted = set()
    for raw in sorted(CORPUS.rglob("*.raw")):
        if "/cisco_ios/" in raw.as_posix() or "/cisco_xe/" in raw.as_posix():
            continue
        text = raw.read_text(encoding="utf-8", errors="replace")
        for step, parser in ios.STEPS.items():
            try:
                parser(text, "flash:")
            except ParseError:
                continue
            accepted.add((step, raw.name))
    assert accepted == SAME_LAYOUT
