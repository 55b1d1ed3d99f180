"""paloalto_panos parsers: behaviour that is not a case of real output.

What the parsers make of real output is data: ``cases/paloalto_panos/``, run by
``test_parse_cases.py``. Here: output that must be refused (hostile XML, broken tables),
and commands as engineers type them.
Also: versions held count as images in the profile.
"""

from __future__ import annotations

import pytest

from imagesweep.errors import ParseError
from imagesweep.parse import command_step, parse_step
from imagesweep.platforms import profile

P = "paloalto_panos"


def test_show_system_info_without_sw_version_is_refused() -> None:
    with pytest.raises(ParseError, match="sw-version"):
        parse_step(P, "version", "hostname: pa1\nmodel: PA-VM\n")


@pytest.mark.parametrize(
    "text",
    [
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><response>&a;</response>',
        "<response status='error'><msg>x</msg>",
        "Version    Size    Released on\n------------\n10.2.0  618MB  2022/02/28 09:30:12\n",
        "Version    Size    Released on          Downloaded\n"
        "10.2.0     618MB   2022/02/28 09:30:12  yes yes\n",
        "Server error : software info unavailable\n",
    ],
)
def test_software_not_understood_is_refused(text: str) -> None:
    with pytest.raises(ParseError):
        parse_step(P, "software", text)


def test_versions_held_count_as_images() -> None:
    prof = profile(P)
    assert prof.is_image("panos:11.1.2-h3")
    assert prof.is_image("PanOS_vm-10.1.3")
    assert not prof.is_image("panos:")
    assert prof.digest == {}
    assert prof.digest_unavailable


@pytest.mark.parametrize(
    ("typed", "step"),
    [
        ("show system info", "version"),
        ("sh sys in", "version"),
        ("request system software info", "software"),
        ("request system software check", "software"),
    ],
)
def test_commands(typed: str, step: str) -> None:
    assert command_step(P, typed) == step
