"""cisco_nxos parsers: behaviour that is not a case of real output.

What the parsers make of real output is data: ``cases/cisco_nxos/``, run by
``test_parse_cases.py``. Here: output that must be refused (hand-written hostile or cut output),
and commands as engineers type them.
Also: NX-OS path forms.
"""

from __future__ import annotations

import pytest

from imagesweep.errors import ParseError
from imagesweep.parse import command_step, parse_step
from imagesweep.parse.cisco_nxos import nxos_path

P = "cisco_nxos"


def test_show_version_without_image_line_is_refused() -> None:
    with pytest.raises(ParseError, match="image file"):
        parse_step(P, "version", "Software\n  NXOS: version 9.3(8)\n")


def test_show_version_of_another_platform_is_refused() -> None:
    with pytest.raises(ParseError):
        parse_step(P, "version", "hostname: pa1\nsw-version: 10.2.9\n")


@pytest.mark.parametrize(
    "text",
    [
        "No such file or directory\n",
        "% Invalid command at '^' marker.\n",
        "a9d40fbfaf43c214c3d97cb290788d0\n",  # 31 hex digits: not any algorithm
        "a9d40fbfaf43c214c3d97cb290788d06\na9d40fbfaf43c214c3d97cb290788d06\n",
        "",
    ],
)
def test_show_file_without_one_digest_is_refused(text: str) -> None:
    with pytest.raises(ParseError):
        parse_step(P, "digest", text, "bootflash:nxos.9.3.8.bin")


@pytest.mark.parametrize(
    "echo", ["", "show file bootflash:nxos.9.3.8.bin md5sum\n", "\n\nsw1# sh file x md5sum\n"]
)
def test_saved_digest_with_or_without_its_echo(echo: str) -> None:
    """A saved capture may start with the bare command (no prompt) or prompt and command."""
    digest = "a9d40fbfaf43c214c3d97cb290788d06"
    got = parse_step(P, "digest", f"{echo}{digest}\nsw1#\n", "bootflash:nxos.9.3.8.bin")
    assert getattr(got, "digest", None) == digest


def test_dir_of_another_supervisors_storage_is_refused() -> None:
    text = "       1398    Feb 02 00:48:18 2017  a.log\n\nUsage for bootflash://sup-remote\n"
    with pytest.raises(ParseError, match="another supervisor"):
        parse_step(P, "listing", text, "bootflash://sup-remote/")
    with pytest.raises(ParseError, match="not of logflash:"):
        parse_step(P, "listing", text.replace("sup-remote", "sup-local"), "logflash:")


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("bootflash:///nxos.9.3.8.bin", "bootflash:nxos.9.3.8.bin"),
        ("bootflash:/nxos.9.3.8.bin", "bootflash:nxos.9.3.8.bin"),
        ("/bootflash/aci-n9000-dk9.14.0.1h.bin", "bootflash:aci-n9000-dk9.14.0.1h.bin"),
        ("bootflash://sup-local/images/nxos.9.3.8.bin", "bootflash:images/nxos.9.3.8.bin"),
        ("nxos.9.3.8.bin", "bootflash:nxos.9.3.8.bin"),
        ("tftp://10.0.0.1/nxos.9.3.8.bin", "tftp://10.0.0.1/nxos.9.3.8.bin"),
    ],
)
def test_nxos_path(printed: str, expected: str) -> None:
    assert nxos_path(printed) == expected


@pytest.mark.parametrize(
    ("typed", "step"),
    [
        ("show version", "version"),
        ("sh ver", "version"),
        ("show version | inc NXOS", "version"),
        ("show boot", "boot"),
        ("sh boot", "boot"),
        ("dir", "listing"),
        ("dir bootflash:", "listing"),
        ("show file bootflash:///n5000-uk9.7.3.6.N1.1.bin md5sum", "digest"),
        ("show file n3000-uk9.6.0.2.U6.3a.bin md5", "digest"),
        ("show file bootflash://sup-1/nxos.7.0.3.I2.1.bin sha256sum", "digest"),
    ],
)
def test_commands(typed: str, step: str) -> None:
    assert command_step(P, typed) == step
