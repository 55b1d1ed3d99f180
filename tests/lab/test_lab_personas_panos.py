"""The PAN-OS persona through Netmiko's own paloalto_panos driver (keyboard-interactive login,
scripting mode, the show system info it runs itself), and its outputs against the corpus."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paramiko
import pytest

from imagesweep.lab.fleet import Fleet
from imagesweep.lab.server import Lab
from imagesweep.parse import parse_step
from imagesweep.platforms import profile
from imagesweep.records import StorageListing, VersionInfo

Connect = Callable[..., Any]
FIXTURES = Path(__file__).resolve().parents[1] / "parse" / "cases" / "paloalto_panos"


@pytest.fixture(scope="module")
def firewall(connect: Connect) -> Any:
    return connect("pa3-dual")


def test_login_and_session_preparation(firewall: Any) -> None:
    assert firewall.find_prompt() == "admin@PA-VM>"
    assert firewall.base_prompt == "admin@PA-VM"


def test_both_keyboard_interactive_and_password_are_offered(demo_lab: Lab) -> None:
    host, port = demo_lab.endpoints["pa1-clean"]
    for attempt in ("none", "keyboard-interactive"):
        transport = paramiko.Transport((host, port))
        try:
            transport.start_client(timeout=5)
            if attempt == "none":
                with pytest.raises(paramiko.BadAuthenticationType) as refused:
                    transport.auth_none("admin")
                assert {"password", "keyboard-interactive"} <= set(refused.value.allowed_types)
            else:
                answer = transport.auth_interactive("admin", lambda t, i, p: ["admin"] * len(p))
                assert answer == [] and transport.is_authenticated()
        finally:
            transport.close()


def test_show_system_info_has_the_corpus_keys(firewall: Any, corpus: Path) -> None:
    output = firewall.send_command("show system info")
    real = (
        corpus / "ntc-templates/paloalto_panos/show_system_info/paloalto_panos_show_system_info.raw"
    )
    real_keys = {line.split(":", 1)[0] for line in real.read_text().splitlines() if ":" in line}
    keys = {line.split(":", 1)[0] for line in output.splitlines() if ":" in line}
    assert real_keys - {"vm-cpuid", "app-release-date"} <= keys
    assert "\noperational-mode: normal\n" in output  # what Netmiko waits for at login
    version = parse_step("paloalto_panos", "version", output)
    assert isinstance(version, VersionInfo)
    assert (version.version, version.running_image) == ("10.2.9-h1", "panos:10.2.9-h1")


def test_software_info_table_follows_the_vendor_layout(firewall: Any) -> None:
    output = firewall.send_command("request system software info")
    reference = FIXTURES / "software/pa_440_flags_vendor_format.raw"
    header, rule = reference.read_text().strip("\n").splitlines()[:2]
    lines = output.strip("\n").splitlines()
    assert lines[:2] == [header, rule]
    assert lines[2].split() == ["10.2.9-h1", "640MB", lines[2].split()[2], lines[2].split()[3],
                                "yes", "yes", "no"]  # fmt: skip
    assert lines[3].split()[0] == "10.1.11-h4" and lines[3].split()[4:] == ["yes", "no", "no"]
    listing = parse_step("paloalto_panos", "software", output)
    assert isinstance(listing, StorageListing)
    assert [(f.path, f.attrs) for f in listing.files] == [
        ("panos:10.2.9-h1", ("downloaded", "current")),
        ("panos:10.1.11-h4", ("downloaded",)),
    ]


def test_uploaded_version_is_flagged(connect: Connect, demo_fleet: Fleet) -> None:
    output = connect("pa2-uploaded").send_command("request system software info")
    row = output.strip("\n").splitlines()[2].split()
    assert row[0] == "10.2.9-h1" and row[4:] == ["yes", "yes", "yes"]


def test_errors_are_rejections(firewall: Any) -> None:
    prof = profile("paloalto_panos")
    assert prof.rejection(firewall.send_command("show bogus")) == "Invalid syntax."
    assert prof.rejection(firewall.send_command("frobnicate")) == "Unknown command: frobnicate"


def test_disconnect_costs_what_the_driver_waits(connect: Connect) -> None:
    session = connect("pa4-staged")
    started = time.monotonic()
    session.disconnect()
    assert time.monotonic() - started < 4  # Netmiko's PAN-OS driver sleeps ~2 s by design
