"""Junos parsers against every juniper_junos case of the corpus and the vendor-format fixtures.

Expected values are read off the raw outputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imagesweep.errors import ParseError
from imagesweep.parse import command_step, parse_step
from imagesweep.parse.juniper_junos import release
from imagesweep.records import BootInfo, DigestResult, Pending, StorageListing, VersionInfo

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = ROOT / "tests" / "fixtures" / "juniper_junos"
P = "juniper_junos"
NTC = "ntc-templates/juniper_junos/show_version/"


def raw(relative: str) -> str:
    base = FIXTURES if relative.startswith("fixtures/") else CORPUS
    return (base / relative.removeprefix("fixtures/")).read_text(encoding="utf-8")


def version(case: str) -> VersionInfo:
    got = parse_step(P, "version", raw(case))
    assert isinstance(got, VersionInfo)
    return got


# --- show version ---------------------------------------------------------------------------


def test_show_version_mx_with_junos_line() -> None:
    got = version(NTC + "juniper_junos_show_version.raw")
    assert (got.version, got.hostname, got.model, got.running_image) == (
        "13.3R1.4",
        "lab",
        "mx240",
        "",
    )
    # One section (fpc0) only: names carry no section prefix.
    assert got.package_versions[0] == ("JUNOS Base OS boot", "13.3R1.4")
    assert ("JUNOS Online Documentation", "113.3R1.4") in got.package_versions
    assert ("labpkg", "7.0") in got.package_versions
    assert got.package_versions[-1] == ("labpkg", "7.0")
    assert len(got.package_versions) == 31
    assert "Junos: 13.3R1.4" in got.evidence


def test_show_version_ex_virtual_chassis_before_junos_line() -> None:
    # 13.2X51 prints no "Junos:" line: the release comes from "JUNOS EX  Software Suite".
    got = version(NTC + "juniper_junos_show_version_ex.raw")
    assert (got.version, got.hostname, got.model) == ("13.2X51-D35.3", "lab", "ex4550-32f")
    assert got.package_versions == tuple(
        (f"{member}: {name}", "13.2X51-D35.3")
        for member in ("fpc0", "fpc1")
        for name in (
            "JUNOS EX Software Suite",
            "JUNOS FIPS mode utilities",
            "JUNOS Online Documentation",
            "JUNOS EX 4500 Software Suite",
            "JUNOS Web Management",
        )
    )


def test_show_version_qfx_host_software_release_kept_as_printed() -> None:
    got = version(NTC + "juniper_junos_show_version_qfx5100.raw")
    assert (got.version, got.hostname, got.model) == (
        "21.4R3-S3.4",
        "asxx.xx.xx",
        "qfx5100-48t-6q",
    )
    assert ("JUNOS Host Software", "20.4R3-S4.8") in got.package_versions
    assert ("JUNOS jsd", "i386-21.4R3-S3.4-jet-1") in got.package_versions
    assert ("CHEF client bundle", "11.10.4_2.0_i386") in got.package_versions
    # "JUNOS Crypto Software Suite" is printed twice; both lines are kept.
    assert got.package_versions.count(("JUNOS Crypto Software Suite", "21.4R3-S3.4")) == 2
    assert len(got.package_versions) == 18


def test_show_version_srx_cluster_both_nodes() -> None:
    got = version(NTC + "juniper_junos_show_version_srx_cluster.raw")
    assert (got.version, got.hostname, got.model) == ("19.4R3-S1.3", "lab", "srx1500")
    names = [name for name, _ in got.package_versions]
    assert names[0] == "node0: JUNOS OS Kernel 64-bit"
    assert ("node1: Junos", "19.4R3-S1.3") in got.package_versions
    assert ("node0: JUNOS na telemetry", "19.4R3-S1.3") in got.package_versions
    assert (
        "node1: JUNOS Juniper Malware Removal Tool (JMRT)",
        "1.0.0+20201202.202156_builder_junos_194_r3_s1",
    ) in got.package_versions
    # 43 package lines per node, plus node1's Junos line.
    assert len(got.package_versions) == 2 * 43 + 1


def test_show_version_without_any_release_is_refused() -> None:
    # The vmhost fixture prints no "Junos:" line and only build stamps on its packages
    # ("[20220825.064945_builder_junos_211_x3]"): there is no release to read, so no guess.
    with pytest.raises(ParseError, match="Junos:"):
        parse_step(P, "version", raw(NTC + "juniper_junos_show_version_vmhost.raw"))


# --- show system snapshot -------------------------------------------------------------------


def boot(case: str) -> tuple[BootInfo, list[Pending]]:
    got = parse_step(P, "boot", raw(case))
    assert isinstance(got, tuple)
    info, *pendings = got
    assert isinstance(info, BootInfo)
    assert all(isinstance(p, Pending) for p in pendings)
    return info, pendings  # type: ignore[return-value]


def test_snapshot_backup_slice_differs() -> None:
    info, pendings = boot("fixtures/show_system_snapshot/ex_backup_differs_vendor_format.raw")
    assert info.next_version == "21.4R3-S5.4"
    assert info.next_boot == ()
    assert len(pendings) == 1
    assert "21.4R2" in pendings[0].description and "21.4R3-S5.4" in pendings[0].description
    assert "junos  : 21.4R2-domestic" in pendings[0].evidence
    assert "junos  : 21.4R3-S5.4-domestic" in pendings[0].evidence


def test_snapshot_same_release_on_both_slices() -> None:
    info, pendings = boot("fixtures/show_system_snapshot/srx_same_release_vendor_format.raw")
    assert info.next_version == "15.1X49-D70.3"
    assert pendings == []


def test_snapshot_virtual_chassis_all_members() -> None:
    info, pendings = boot("fixtures/show_system_snapshot/ex3300_vc_all_members_vendor_format.raw")
    assert info.next_version == "12.3R12-S15"
    assert pendings == []


def test_snapshot_recovery_differs_from_snapshot() -> None:
    info, pendings = boot("fixtures/show_system_snapshot/qfx_recovery_vendor_format.raw")
    # The newer layout names no primary slice: the next boot's release is not stated.
    assert info.next_version == ""
    assert len(pendings) == 1
    assert "15.1X53-D66.8" in pendings[0].description
    assert "18.2R1.9" in pendings[0].description


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


# --- file list ------------------------------------------------------------------------------


def test_file_list_var_tmp_detail() -> None:
    text = raw("fixtures/file_list/ex_var_tmp_vendor_format.raw")
    got = parse_step(P, "listing", text, "/var/tmp")
    assert isinstance(got, StorageListing)
    assert got.filesystem == "/var/tmp"
    by_path = {f.path: f for f in got.files}
    assert set(by_path) == {
        "/var/tmp/.pccardd",
        "/var/tmp/gres-tp",
        "/var/tmp/jinstall-ex-4200-12.3R12.4-domestic-signed.tgz",
        "/var/tmp/junos-install-ex-x86-64-21.4R3-S5.4.tgz",
        "/var/tmp/latest.tgz",
    }
    staged = by_path["/var/tmp/junos-install-ex-x86-64-21.4R3-S5.4.tgz"]
    assert (staged.size, staged.is_dir, staged.modified) == (451342214, False, "Aug 21 11:02")
    assert by_path["/var/tmp/gres-tp"].is_dir
    assert by_path["/var/tmp/latest.tgz"].attrs == ("symlink",)


def test_file_list_error_is_refused() -> None:
    with pytest.raises(ParseError):
        parse_step(P, "listing", "/var/tmpx: No such file or directory\n", "/var/tmpx")


# --- file checksum --------------------------------------------------------------------------

STAGED = "/var/tmp/junos-install-ex-x86-64-21.4R3-S5.4.tgz"
DIGESTS = {
    "fixtures/file_checksum/md5_cli_vendor_format.raw": (
        STAGED,
        STAGED,
        "md5",
        "3f1c0a2e9b7d4c5a6e8f90123456abcd",
    ),
    "fixtures/file_checksum/sha256_cli_vendor_format.raw": (
        STAGED,
        STAGED,
        "sha256",
        "9a0c1e3f5b7d2a4c6e8f0a1b3c5d7e9f1a2b3c4d5e6f708192a3b4c5d6e7f809",
    ),
    # The FreeBSD shell's md5 prints the same line (relative path as typed).
    "web/juniper_junos/file_checksum_md5/ex2200_shell_md5_jinstall.raw": (
        "",
        "jinstall-ex-2200-12.3R12.4-domestic-signed.tgz",
        "md5",
        "73759d24a949181dcfe6111c0df20d1d",
    ),
}


@pytest.mark.parametrize("case", sorted(DIGESTS))
def test_file_checksum(case: str) -> None:
    target, path, algorithm, digest = DIGESTS[case]
    got = parse_step(P, "digest", raw(case), target)
    assert isinstance(got, DigestResult)
    assert (got.path, got.algorithm, got.digest) == (path, algorithm, digest)


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


# --- commands -------------------------------------------------------------------------------


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


def test_every_corpus_case_is_pinned() -> None:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    cases = {c["raw"] for c in manifest if c["platform"] == P}
    pinned = {c for c in DIGESTS if not c.startswith("fixtures/")} | {
        NTC + name
        for name in (
            "juniper_junos_show_version.raw",
            "juniper_junos_show_version_ex.raw",
            "juniper_junos_show_version_qfx5100.raw",
            "juniper_junos_show_version_srx_cluster.raw",
            "juniper_junos_show_version_vmhost.raw",
        )
    }
    assert cases == pinned
