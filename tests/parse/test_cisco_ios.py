"""Cisco IOS / IOS-XE parsers: behaviour that is not a case of real output.

What the parsers make of real output is data: ``cases/cisco_ios/`` and ``cases/cisco_xe/``,
run by ``test_parse_cases.py``. Here: output that must be refused (hand-written hostile or
cut output), commands as engineers type them, the version agreeing with the image name, and
output of other platforms.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from imagesweep.errors import ParseError
from imagesweep.parse import cisco_ios as ios
from imagesweep.parse import command_step
from imagesweep.parse.text import is_command
from imagesweep.paths import basename
from imagesweep.releases import image_version, same_version

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
CASES = Path(__file__).resolve().parent / "cases"


# --- show version --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        "cisco_ios/version/cisco_ios_show_version.raw",
        "cisco_ios/version/cisco_ios_show_version2.raw",
        "cisco_ios/version/cisco_ios_show_version7.raw",
        "cisco_ios/version/cisco_ios_show_version8.raw",
        "cisco_ios/version/cisco_ios_show_version_01.raw",
    ],
)
def test_version_agrees_with_image_name(case: str) -> None:
    """What the parser reports as the version compares with the running image's name."""
    got = ios.parse_version((CASES / case).read_text(encoding="utf-8"), "")
    encoded = image_version(basename(got.running_image))
    assert encoded is not None
    assert same_version(got.version, encoded)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no 'Cisco IOS Software"),
        ('System image file is "flash:x.bin"\n', "no 'Cisco IOS Software"),
    ],
)
def test_version_not_understood(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        ios.parse_version(text, "")


# --- show boot / show bootvar ----------------------------------------------------------------


def test_boot_without_a_boot_line() -> None:
    with pytest.raises(ParseError, match="no 'BOOT variable'"):
        ios.parse_boot("Manual Boot         : no\nEnable Break        : yes\n", "")


@pytest.mark.parametrize(
    "value",
    [
        "flash:a.bin flash:b.bin,1;",  # two paths in one entry
        "tftp:/x.bin 10.0.0.1 extra,12;",  # a network entry with more than a host after it
        "bootflash:x.bin 10.0.0.1,12;",  # a host after a local file
    ],
)
def test_boot_entry_with_a_space_not_understood(value: str) -> None:
    with pytest.raises(ParseError, match="not understood"):
        ios.parse_boot(f"BOOT variable = {value}\nConfiguration register is 0x2102\n", "")


@pytest.mark.parametrize(
    ("line", "echo"),
    [
        ("show boot", True),
        ("  sho   bootvar  ", True),
        ("dir /recursive bootflash:", True),
        ("show boot: cut in the middle", False),
        ("verify /md5 (flash:x.bin) = 0f369ed9e98756f179d4f29d6e7755d3", False),
        ("BOOT variable = flash:a.bin,1;", False),
    ],
)
def test_only_a_whole_command_is_a_bare_echo(line: str, echo: bool) -> None:
    """A first line that is, as a whole, a command is a bare echo; output is never one."""
    assert is_command(line, ios.COMMANDS) is echo


# --- show file systems ---------------------------------------------------------------------


def test_filesystems_not_a_table() -> None:
    with pytest.raises(ParseError):
        ios.parse_filesystems("% Invalid input detected at '^' marker.\n", "")
    with pytest.raises(ParseError):
        ios.parse_filesystems("File Systems:\n\n", "")


# --- dir / show flash: ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "target", "message"),
    [
        ("% Invalid input detected at '^' marker.\n", "flash:", "Invalid input"),
        ("%Error opening flash:/ (No such file or directory)\n", "flash:", "No such file"),
        ("Building configuration...\n", "flash:", "not a directory listing"),
        ("", "flash:", "not a directory listing"),
        ("Directory of flash:/\n\n", "flash:", "no entries and no totals"),
        ("Attributes        Size         Name\n- - - - - - - -\n", "flash:", "no entries"),
        (
            "-#- --length-- ---------date/time--------- path\n"
            "  1       4096 Oct 12 2020 07:23:32 +00:00 /bootflash/\n"
            "  2        100 Oct 12 2020 07:23:32 +00:00 /harddisk/x.bin\n",
            "bootflash:",
            "several filesystems",
        ),
        (
            "-#- --length-- ---------date/time--------- path\n"
            "  1        100 Oct 12 2020 07:23:32 +00:00 /bootflash/a.bin\n"
            "  2        100 Oct 12 2020 07:23:32 +00:00 b.bin\n",
            "bootflash:",
            "absolute and relative",
        ),
        (
            "-#- --length-- ---------date/time--------- path\n"
            "  1        100 Oct 12 2020 07:23:32 +00:00 /../a.bin\n",
            "bootflash:",
            "does not start with a filesystem",
        ),
    ],
)
def test_listing_not_understood(text: str, target: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        ios.parse_listing(text, target)


# --- verify /md5 | /sha512 -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
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


@pytest.mark.parametrize(
    ("text", "target", "message"),
    [
        ("#! /usr/binos/bin/packages_conf.sh\n", "bootflash:packages.conf", "no package"),
        ("boot rp 0 0 rp_boot x.pkg\n", "packages.conf", "own path"),
        ("hostname sw1\ninterface Vlan1\n", "flash:packages.conf", "unrecognised line"),
    ],
)
def test_packages_conf_not_understood(text: str, target: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        ios.parse_packages(text, target)


# --- show install summary ------------------------------------------------------------------


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
        ("verify /md5 system:memory/text", "memory_text"),
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
