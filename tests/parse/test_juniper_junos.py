"""juniper_junos parsers: behaviour that is not a case of real output.

What the parsers make of real output is data: ``cases/juniper_junos/``, run by
``test_parse_cases.py``. Here: output that must be refused (hand-written hostile or cut output),
and commands as engineers type them.
Also: the release read from a package version.
"""

from __future__ import annotations

import pytest

from imagesweep.errors import ParseError
from imagesweep.parse import command_step, parse_step
from imagesweep.parse.juniper_junos import release

P = "juniper_junos"


@pytest.mark.parametrize(
    "text",
    [
        "Information for snapshot on       internal (/dev/da0s1a) (backup)\nSlice unreadable\n",
        "Information for snapshot on       internal (/dev/da0s1a) (backup)\n"
        "Creation date: Jun 14 09:41:22 2023\nJUNOS version on snapshot:\n",
        "\n",
    ],
)
def test_snapshot_not_understood_is_refused(text: str) -> None:
    with pytest.raises(ParseError):
        parse_step(P, "boot", text)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("ex-12.3R12-S15", "12.3R12-S15"),
        ("21.4R3-S5.4-domestic", "21.4R3-S5.4"),
        ("12.3X48-D105.4-domestic", "12.3X48-D105.4"),
        ("ppc-15.1R6.7", "15.1R6.7"),
        ("MX80-15.1R6.7", "15.1R6.7"),
        ("20201202.202156_builder_junos_194_r3_s1", ""),
    ],
)
def test_release_in_a_package_version(printed: str, expected: str) -> None:
    assert release(printed) == expected


def test_file_list_error_is_refused() -> None:
    with pytest.raises(ParseError):
        parse_step(P, "listing", "/var/tmpx: No such file or directory\n", "/var/tmpx")


@pytest.mark.parametrize(
    "text",
    [
        "error: could not resolve file: /var/tmp/x.tgz\n",
        "MD5 (/var/tmp/x.tgz) = 3f1c0a2e\n",  # too short for md5
        "",
    ],
)
def test_file_checksum_not_understood_is_refused(text: str) -> None:
    with pytest.raises(ParseError):
        parse_step(P, "digest", text, "/var/tmp/x.tgz")


@pytest.mark.parametrize(
    ("typed", "step"),
    [
        ("show version", "version"),
        ("show version all-members", "version"),
        ("show system snapshot media internal", "boot"),
        ("show system snapshot", "boot"),
        ("show system snapshot media internal all-members", "boot"),
        ("file list /var/tmp detail", "listing"),
        ("file checksum md5 /var/tmp/x.tgz", "digest"),
        ("file checksum sha-256 /var/tmp/x.tgz", "digest"),
        ("md5 jinstall-ex-2200-12.3R12.4-domestic-signed.tgz", "digest"),
    ],
)
def test_commands(typed: str, step: str) -> None:
    assert command_step(P, typed) == step
