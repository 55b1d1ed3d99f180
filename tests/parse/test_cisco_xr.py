"""IOS XR parsers against every cisco_xr case of the corpus and the vendor-format fixtures.

Expected values are read off the raw outputs.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from imagesweep.errors import ParseError
from imagesweep.parse import command_step, parse_step
from imagesweep.records import BootInfo, DigestResult, RunningSet, StorageListing, VersionInfo

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = ROOT / "tests" / "fixtures" / "cisco_xr"
P = "cisco_xr"


def raw(relative: str) -> str:
    base = FIXTURES if relative.startswith("fixtures/") else CORPUS
    return (base / relative.removeprefix("fixtures/")).read_text(encoding="utf-8")


# --- show version ---------------------------------------------------------------------------

NTC = "ntc-templates/cisco_xr/"
VERSIONS = {
    NTC + "show_version/cisco_xr_show_version.raw": VersionInfo(
        version="6.1.4",
        model="NCS-5500",
        uptime="4 weeks, 6 days, 1 hour, 42 minutes",
    ),
    NTC + "show_version/cisco_xr_show_version2.raw": VersionInfo(
        version="6.5.1", model="IOS-XRv 9000", uptime="1 minute"
    ),
    # XR7 on a Cisco 8000: "Version 7.9.2 LNT".
    NTC + "show_version/cisco_xr_show_version_01.raw": VersionInfo(
        version="7.9.2",
        hostname="gemini",
        model="8202-32FH-M",
        uptime="1 week, 1 day, 17 hours, 47 minutes",
    ),
    # 32-bit CRS: the running image is printed.
    NTC + "show_version/cisco_xr_show_version_crs.raw": VersionInfo(
        version="4.1.0",
        running_image="bootflash:disk0/hfr-os-mbi-4.1.0/mbihfr-rp.vm",
        hostname="router",
        model="CRS-8/S",
        uptime="1 week, 6 days, 4 hours, 22 minutes",
        rommon="System Bootstrap, Version 2.100(20100129:213223) [CRS-1 ROMMON],",
    ),
    NTC + "show_version/cisco_xr_show_version_label.raw": VersionInfo(
        version="6.6.3", model="NCS-5500", uptime="23 hours 3 minutes"
    ),
    NTC + "show_version_brief/cisco_xr_show_version_brief.raw": VersionInfo(
        version="5.3.2",
        running_image="disk0:asr9k-os-mbi-5.3.2.sp1-1.0.0/0x100305/mbiasr9k-rsp3.vm",
        hostname="rtr-01",
        model="ASR9K Series",
        uptime="2 years, 51 weeks, 5 days, 11 hours, 1 minute",
        rommon="System Bootstrap, Version 5.15(c) 1994-2012 by Cisco Systems,  Inc.",
    ),
}


@pytest.mark.parametrize("case", sorted(VERSIONS))
def test_show_version(case: str) -> None:
    got = parse_step(P, "version", raw(case))
    assert isinstance(got, VersionInfo)
    assert any(line.startswith("Cisco IOS XR Software") for line in got.evidence)
    assert got == replace(VERSIONS[case], evidence=got.evidence)


def test_interim_build_is_marked() -> None:
    got = parse_step(P, "version", "Cisco IOS XR Software, Version 7.3.1.34I\n")
    assert isinstance(got, VersionInfo)
    assert (got.version, got.release_markers) == ("7.3.1.34I", ("interim build 7.3.1.34I",))


def test_show_version_without_banner_is_refused() -> None:
    with pytest.raises(ParseError, match="Version"):
        parse_step(P, "version", "System uptime is 1 minute\n")


# --- show install active / committed --------------------------------------------------------

NCS5500_732 = (
    "ncs5500-xr-7.3.2",
    "ncs5500-mcast-3.0.0.0-r732",
    "ncs5500-dpa-3.0.0.1-r732.CSCwa07903",
    "ncs5500-mpls-2.1.0.0-r732",
    "ncs5500-os-6.0.0.1-r732.CSCvq20498",
    "ncs5500-k9sec-3.2.0.0-r732",
    "ncs5500-os-support-4.0.0.2-r732.CSCvz72160",
    "ncs5500-eigrp-1.0.0.0-r732",
    "ncs5500-iosxr-fwding-4.1.0.1-r732.CSCwa34439",
    "ncs5500-li-1.0.0.0-r732",
    "ncs5500-parser-3.0.0.1-r732.CSCwa44780",
    "ncs5500-dpa-fwding-4.1.0.3-r732.CSCwa01375",
    "ncs5500-mgbl-3.0.0.0-r732",
    "ncs5500-isis-2.1.0.0-r732",
    "ncs5500-bgp-2.0.0.1-r732.CSCvz94897",
    "ncs5500-mpls-te-rsvp-3.1.0.0-r732",
    "ncs5500-infra-5.0.0.5-r732.CSCvu13993",
    "ncs5500-ospf-3.0.0.0-r732",
    # Other nodes run other SMU levels of dpa, os-support and dpa-fwding: the union.
    "ncs5500-dpa-3.0.0.3-r732.CSCvz54050",
    "ncs5500-os-support-4.0.0.5-r732.CSCwa01498",
    "ncs5500-dpa-3.0.0.5-r732.CSCwa05129",
    "ncs5500-dpa-fwding-4.1.0.1-r732.CSCwa03269",
)
XR7_HASH = "software-hash:0a617ec67042adfba74f04f893e7fa0c30b1f355de4837f5cd52439d15100605"
XR7_OPTIONAL = (
    "xr-8000-l2mcast-7.10.1v1.0.0-1",
    "xr-bgp-7.10.1v1.0.0-1",
    "xr-is-is-7.10.1v1.0.0-1",
)
ACTIVE = {
    NTC + "show_install_active/cisco_xr_show_install_active.raw": NCS5500_732,
    NTC + "show_install_active/cisco_xr_show_install_active_32bit.raw": (
        "disk0:asr9k-services-infra-5.1.3",
        "disk0:asr9k-optic-px-5.1.3",
        "disk0:asr9k-doc-px-5.1.3",
        "disk0:asr9k-9000v-nV-px-5.1.3",
        "disk0:asr9k-fpd-px-5.1.3",
        "disk0:asr9k-mpls-px-5.1.3",
        "disk0:asr9k-mcast-px-5.1.3",
        "disk0:asr9k-mgbl-px-5.1.3",
        "disk0:asr9k-asr903-nV-px-5.1.3",
        "disk0:asr9k-services-px-5.1.3",
        "disk0:asr9k-mini-px-5.1.3",
        "disk0:asr9k-li-px-5.1.3",
        "disk0:asr9k-asr901-nV-px-5.1.3",
        "disk0:asr9k-k9sec-px-5.1.3",
        "disk0:asr9k-px-5.1.3.CSCut30136-1.0.0",
    ),
    NTC + "admin_show_install_active/cisco_xr_admin_show_install_active.raw": (
        "ncs5500-sysadmin-6.1.4",
        "ncs5500-sysadmin-shared-6.1.4.1-r614.CSCvf27987",
        "ncs5500-sysadmin-hostos-6.1.4.1-r614.CSCvf62206.admin",
        "ncs5500-sysadmin-hostos-6.1.4.1-r614.CSCvf62206.host",
        "ncs5500-sysadmin-fabric-6.1.4.1-r614.CSCvg05355",
    ),
    "fixtures/show_install_active_summary/exr_ncs5500_vendor_format.raw": (
        "ncs5500-xr-6.3.2",
        "ncs5500-mpls-2.1.0.0-r632",
        "ncs5500-k9sec-3.1.0.0-r632",
        "ncs5500-mgbl-3.0.0.0-r632",
    ),
    "fixtures/show_install_active_summary/xr32_asr9k_vendor_format.raw": (
        "disk0:asr9k-mini-px-5.3.3",
        "disk0:asr9k-mpls-px-5.3.3",
        "disk0:asr9k-mgbl-px-5.3.3",
        "disk0:asr9k-px-5.3.3.CSCuz78561-1.0.0",
    ),
    "fixtures/show_install_active_summary/xr7_8000_vendor_format.raw": (XR7_HASH, *XR7_OPTIONAL),
}


@pytest.mark.parametrize("case", sorted(ACTIVE))
def test_show_install_active(case: str) -> None:
    got = parse_step(P, "running", raw(case))
    assert isinstance(got, RunningSet)
    assert got.paths == ACTIVE[case]
    assert got.evidence


COMMITTED = {
    "fixtures/show_install_committed_summary/exr_ncs5500_vendor_format.raw": (
        ("ncs5500-xr-6.3.2", "ncs5500-mpls-2.1.0.0-r632", "ncs5500-k9sec-3.1.0.0-r632"),
        "6.3.2",
    ),
    "fixtures/show_install_committed_summary/xr32_asr9k_vendor_format.raw": (
        ("disk0:asr9k-mini-px-5.3.3", "disk0:asr9k-mpls-px-5.3.3", "disk0:asr9k-mgbl-px-5.3.3"),
        "",
    ),
    "fixtures/show_install_committed_summary/xr7_8000_vendor_format.raw": (
        (XR7_HASH, *XR7_OPTIONAL),
        "",
    ),
}


@pytest.mark.parametrize("case", sorted(COMMITTED))
def test_show_install_committed(case: str) -> None:
    got = parse_step(P, "boot", raw(case))
    assert isinstance(got, BootInfo)
    assert (got.next_boot, got.next_version) == COMMITTED[case]


def test_active_differs_from_committed_on_the_same_device() -> None:
    # eXR fixtures: mgbl is active but not committed; a reload drops it.
    active = parse_step(
        P, "running", raw("fixtures/show_install_active_summary/exr_ncs5500_vendor_format.raw")
    )
    committed = parse_step(
        P, "boot", raw("fixtures/show_install_committed_summary/exr_ncs5500_vendor_format.raw")
    )
    assert isinstance(active, RunningSet) and isinstance(committed, BootInfo)
    assert set(active.paths) - set(committed.next_boot) == {"ncs5500-mgbl-3.0.0.0-r632"}


def test_committed_output_is_not_an_active_set() -> None:
    text = raw("fixtures/show_install_committed_summary/exr_ncs5500_vendor_format.raw")
    with pytest.raises(ParseError, match="Active"):
        parse_step(P, "running", text)


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


# --- dir ------------------------------------------------------------------------------------


def test_dir_linux_style_of_a_directory() -> None:
    got = parse_step(P, "listing", raw(NTC + "dir/cisco_xr_dir_01.raw"))
    assert isinstance(got, StorageListing)
    assert got.filesystem == "/var/xr/scratch"
    assert (got.total_bytes, got.free_bytes) == (3365348 * 1024, 3163632 * 1024)
    assert len(got.files) == 16
    by_path = {f.path: f for f in got.files}
    status = by_path["/var/xr/scratch/status_file"]
    assert (status.size, status.is_dir, status.modified) == (2464, False, "Jan 7 19:34")
    assert by_path["/var/xr/scratch/config"].attrs == ("symlink",)
    assert by_path["/var/xr/scratch/.bash_history"].modified == "Nov 15 2023"
    assert by_path["/var/xr/scratch/ztp"].is_dir


def test_dir_harddisk_exr() -> None:
    got = parse_step(P, "listing", raw("fixtures/dir/exr_harddisk_vendor_format.raw"), "harddisk:")
    assert isinstance(got, StorageListing)
    assert got.filesystem == "harddisk:"
    assert (got.total_bytes, got.free_bytes) == (3962216 * 1024, 3471168 * 1024)
    files = {f.path: f.size for f in got.files if not f.is_dir}
    assert files == {
        "harddisk:ncs5500-golden-x86_64-6.3.2.iso": 1119221760,
        "harddisk:ncs5500-mini-x-6.5.3.iso": 891289600,
        "harddisk:backup-pre.conf": 1429,
    }


def test_dir_disk0_32bit() -> None:
    got = parse_step(P, "listing", raw("fixtures/dir/xr32_disk0_vendor_format.raw"))
    assert isinstance(got, StorageListing)
    assert got.filesystem == "disk0:"
    assert (got.total_bytes, got.free_bytes) == (2102657024, 1026232320)
    pie = next(f for f in got.files if f.path == "disk0:asr9k-mini-px.pie-5.3.3")
    assert (pie.size, pie.is_dir, pie.modified) == (402196480, False, "Fri Mar 21 13:20:02 2014")
    # The installed package is a directory, named like the active package entry.
    assert next(f for f in got.files if f.path == "disk0:asr9k-mini-px-5.3.3").is_dir


def test_dir_error_is_refused() -> None:
    with pytest.raises(ParseError):
        parse_step(
            P, "listing", "%Error opening harddisk:/ (No such file or directory)\n", "harddisk:"
        )


# --- show md5 file --------------------------------------------------------------------------


def test_show_md5_file() -> None:
    text = raw("fixtures/show_md5_file/xr7_8000_giso_vendor_format.raw")
    got = parse_step(P, "digest", text, "harddisk:8000-golden-x86_64-24.1.2-1337.iso")
    assert isinstance(got, DigestResult)
    assert (got.path, got.algorithm, got.digest) == (
        "harddisk:8000-golden-x86_64-24.1.2-1337.iso",
        "md5",
        "ad8cc593ab4cba2f854b4dcf732d0547",
    )


def test_show_md5_file_error_is_refused() -> None:
    text = "Mon Jul  1 11:21:05.352 UTC\nNo such file or directory\n"
    with pytest.raises(ParseError):
        parse_step(P, "digest", text, "harddisk:x.iso")


# --- commands -------------------------------------------------------------------------------


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


def test_every_corpus_case_is_pinned() -> None:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    cases = {c["raw"] for c in manifest if c["platform"] == P}
    pinned = set(VERSIONS) | {c for c in ACTIVE if not c.startswith("fixtures/")}
    pinned.add(NTC + "dir/cisco_xr_dir_01.raw")
    assert cases == pinned
