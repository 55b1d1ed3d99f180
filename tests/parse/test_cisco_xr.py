"""cisco_xr parsers: behaviour that is not a case of real output.

What the parsers make of real output is data: ``cases/cisco_xr/``, run by
``test_parse_cases.py``. Here: output that must be refused (hand-written hostile or cut output),
and commands as engineers type them.
Also: an interim build is marked (no real capture of one).
"""

from __future__ import annotations

import pytest

from imagesweep.errors import ParseError
from imagesweep.parse import command_step, parse_step
from imagesweep.records import VersionInfo

P = "cisco_xr"


def test_interim_build_is_marked() -> None:
    got = parse_step(P, "version", "Cisco IOS XR Software, Version 7.3.1.34I\n")
    assert isinstance(got, VersionInfo)
    assert (got.version, got.release_markers) == ("7.3.1.34I", ("interim build 7.3.1.34I",))


def test_show_version_without_banner_is_refused() -> None:
    with pytest.raises(ParseError, match="Version"):
        parse_step(P, "version", "System uptime is 1 minute\n")


@pytest.mark.parametrize(
    "text",
    [
        "Mon Jul  1 11:24:11.903 UTC\n",
        "    Active Packages: 4\n        ncs5500-xr-6.3.2 some unexpected words\n",
        "    Inactive Packages: 1\n        ncs5500-mpls-2.1.0.0-r632\n",
    ],
)
def test_install_output_not_understood_is_refused(text: str) -> None:
    with pytest.raises(ParseError):
        parse_step(P, "running", text)


def test_dir_error_is_refused() -> None:
    with pytest.raises(ParseError):
        parse_step(
            P, "listing", "%Error opening harddisk:/ (No such file or directory)\n", "harddisk:"
        )


def test_show_md5_file_error_is_refused() -> None:
    text = "Mon Jul  1 11:21:05.352 UTC\nNo such file or directory\n"
    with pytest.raises(ParseError):
        parse_step(P, "digest", text, "harddisk:x.iso")


@pytest.mark.parametrize(
    ("typed", "step"),
    [
        ("show version", "version"),
        ("show version brief", "version"),
        ("sh ver", "version"),
        ("show install active", "running"),
        ("show install active summary", "running"),
        ("admin show install active", "running"),
        ("sh inst act summ", "running"),
        ("show install committed summary", "boot"),
        ("dir", "listing"),
        ("dir harddisk:", "listing"),
        ("show md5 file /harddisk:/ncs5500-golden-x86_64-6.3.2.iso", "digest"),
    ],
)
def test_commands(typed: str, step: str) -> None:
    assert command_step(P, typed) == step
