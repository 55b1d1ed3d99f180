"""The rule's extracted fields, from real message formats."""

from __future__ import annotations

import pytest

from imagesweep.hunt.extract import Extracted, Extractor
from imagesweep.hunt.indicators import Indicators


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "%PARSER-5-CFGLOG_LOGGEDCMD: User:admin logged command:copy "
            "tftp://192.168.1.50/test-image-nonexistent.bin flash:test-image-nonexistent.bin",
            Extracted(
                user="admin",
                command="copy tftp://192.168.1.50/test-image-nonexistent.bin "
                "flash:test-image-nonexistent.bin",
                transfer_host="192.168.1.50",
                facility="PARSER",
            ),
        ),
        (
            "%PARSER-5-CFGLOG_LOGGEDCMD: User:admin  logged command:boot system flash:x.bin",
            Extracted(user="admin", command="boot system flash:x.bin", facility="PARSER"),
        ),
        (
            # Junos quotes the user and the command (with a trailing space inside the quotes).
            "UI_CMDLINE_READ_LINE: User 'netops', command 'request system software add "
            "/var/tmp/junos-install-mx-x86-64-21.4R3-S5.tgz no-validate '",
            Extracted(
                user="netops",
                command="request system software add "
                "/var/tmp/junos-install-mx-x86-64-21.4R3-S5.tgz no-validate",
            ),
        ),
        (
            # IOS-XE nests the install message: the inner facility is the one that counts.
            "%IOSXE-5-PLATFORM: Switch 1 R0/0: Jul 23 14:19:10 install_engine.sh: "
            "%INSTALL-5-INSTALL_START_INFO: Started install add flash:cat9k_iosxe.16.09.03.SPA.bin",
            Extracted(facility="INSTALL"),
        ),
        (
            "%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: jsmith] [Source: 10.1.1.5] "
            "[localport: 22] at 14:02:11 UTC Sun Mar 3 2024",
            Extracted(user="jsmith", facility="SEC_LOGIN"),
        ),
        (
            "instdir[257]: %INSTALL-INSTMGR-6-INSTALL_OPERATION_STARTED : Install operation 9 "
            "started by user 'admin'",
            Extracted(user="admin", facility="INSTALL-INSTMGR"),
        ),
        (
            "%PARSER-5-CFGLOG_LOGGEDCMD: User:DOMAIN\\op.one logged command:copy "
            "scp://backup@10.9.9.9/c2900.bin flash:",
            Extracted(
                user="DOMAIN\\op.one",
                command="copy scp://backup@10.9.9.9/c2900.bin flash:",
                transfer_host="10.9.9.9",
                facility="PARSER",
            ),
        ),
        (
            "copy ftp://images.example.net:2121/x.bin flash:",
            Extracted(transfer_host="images.example.net"),
        ),
        ("copy HTTPS://[2001:db8::5]/x.bin flash:", Extracted(transfer_host="[2001:db8::5]")),
        ("%SYS-5-CONFIG_I: Configured from console by admin on vty0", Extracted(facility="SYS")),
    ],
)
def test_fields(ind: Indicators, message: str, expected: Extracted) -> None:
    assert Extractor(ind)(message) == expected


def test_hostile_command_is_capped(ind: Indicators) -> None:
    message = "%PARSER-5-CFGLOG_LOGGEDCMD: User:a logged command:" + "x" * 100_000
    assert len(Extractor(ind)(message).command) == 512


def test_hostile_lines_stay_fast(ind: Indicators) -> None:
    import time

    extract = Extractor(ind)
    start = time.perf_counter()
    extract("%IOSXE-5-PLATFORM:" * 60_000)
    extract("User:" + " " * 200_000 + "'")
    extract("logged command:" * 60_000)
    extract("tftp://" + "a@" * 100_000)
    assert time.perf_counter() - start < 2.0
