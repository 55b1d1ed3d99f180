"""PAN-OS parsers against every paloalto_panos case of the corpus and vendor-format fixtures.

Expected values are read off the raw outputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imagesweep.errors import ParseError
from imagesweep.parse import command_step, parse_step
from imagesweep.platforms import profile
from imagesweep.records import StorageFile, StorageListing, VersionInfo

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = ROOT / "tests" / "fixtures" / "paloalto_panos"
P = "paloalto_panos"
MB = 1024 * 1024
SYSTEM_INFO = "ntc-templates/paloalto_panos/show_system_info/paloalto_panos_show_system_info.raw"
CHECK = (
    "web/paloalto_panos/request_system_software_check/pa_vm_11.2_request_system_software_check.raw"
)


def raw(relative: str) -> str:
    base = FIXTURES if relative.startswith("fixtures/") else CORPUS
    return (base / relative.removeprefix("fixtures/")).read_text(encoding="utf-8")


def software(case: str) -> StorageListing:
    got = parse_step(P, "software", raw(case))
    assert isinstance(got, StorageListing)
    assert got.filesystem == "panos:"
    return got


def test_show_system_info() -> None:
    got = parse_step(P, "version", raw(SYSTEM_INFO))
    assert isinstance(got, VersionInfo)
    assert (got.version, got.running_image, got.hostname, got.model, got.uptime) == (
        "7.0.1",
        "panos:7.0.1",
        "pa1",
        "PA-VM",
        "2 days, 2:38:49",
    )
    # "serial: unknown" on this VM: the device does not know it, so neither do we.
    assert got.serial == ""
    assert "sw-version: 7.0.1" in got.evidence


def test_show_system_info_without_sw_version_is_refused() -> None:
    with pytest.raises(ParseError, match="sw-version"):
        parse_step(P, "version", "hostname: pa1\nmodel: PA-VM\n")


def test_software_check_lists_nothing_held() -> None:
    # Both versions offered by the update server show Downloaded "no": none is on the device.
    assert software(CHECK).files == ()


def test_software_info_downloaded_column_only() -> None:
    got = software("fixtures/request_system_software_info/pa_vm_10_2_vendor_format.raw")
    assert got.files == (
        StorageFile(path="panos:11.0.0", size=798 * MB, attrs=("downloaded",)),
        StorageFile(path="panos:10.2.9-h1", size=640 * MB, attrs=("downloaded",)),
        StorageFile(path="panos:10.2.0", size=618 * MB, attrs=("downloaded",)),
    )


def test_software_info_with_current_and_uploaded_columns() -> None:
    got = software("fixtures/request_system_software_info/pa_440_flags_vendor_format.raw")
    assert got.files == (
        StorageFile(path="panos:11.1.3", size=866 * MB, attrs=("downloaded", "current")),
        StorageFile(path="panos:11.1.2-h3", size=862 * MB, attrs=("downloaded", "uploaded")),
        StorageFile(path="panos:11.1.0", size=859 * MB, attrs=("downloaded",)),
    )


def test_software_info_as_xml() -> None:
    got = software("fixtures/request_system_software_info/pa_xml_vendor_format.raw")
    assert got.files == (
        StorageFile(path="panos:11.1.3", size=886784 * 1024, attrs=("downloaded", "current")),
        StorageFile(path="panos:11.1.2-h3", size=882688 * 1024, attrs=("uploaded",)),
    )


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


def test_every_corpus_case_is_pinned() -> None:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    cases = {c["raw"] for c in manifest if c["platform"] == P}
    assert cases == {SYSTEM_INFO, CHECK}
