"""NX-OS parsers against every cisco_nxos case of the corpus and the vendor-format fixtures.

Expected values are read off the raw outputs.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from imagesweep.errors import ParseError
from imagesweep.parse import command_step, parse_step
from imagesweep.parse.cisco_nxos import nxos_path
from imagesweep.records import BootInfo, DigestResult, Pending, StorageListing, VersionInfo

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = ROOT / "tests" / "fixtures" / "cisco_nxos"
P = "cisco_nxos"


def raw(relative: str) -> str:
    base = FIXTURES if relative.startswith("fixtures/") else CORPUS
    return (base / relative.removeprefix("fixtures/")).read_text(encoding="utf-8")


# --- show version ---------------------------------------------------------------------------

NTC_VERSION = "ntc-templates/cisco_nxos/show_version/"
VERSIONS = {
    NTC_VERSION + "cisco_nxos_show_version.raw": VersionInfo(
        version="6.1(2)I3(1)",
        running_image="bootflash:n9000-dk9.6.1.2.I3.1.bin",
        hostname="N9K1",
        model="Nexus9000 C9396PX",
        serial="SAL1819S6LU",
        uptime="123 day(s), 5 hour(s), 15 minute(s), 19 second(s)",
        rommon="07.15",
    ),
    # ACI leaf: kickstart + system; the system image is the extracted "auto-s".
    NTC_VERSION + "cisco_nxos_show_version1.raw": VersionInfo(
        version="14.0(1h)",
        running_image="bootflash:auto-s",
        hostname="Leaf-101",
        model="N9K-C9396PX",
        serial="SAL1909A8CT",
        uptime="11 day(s), 01 hour(s), 57 minute(s), 02 second(s)",
        rommon="07.64",
        other_images=("bootflash:aci-n9000-dk9.14.0.1h.bin",),
        package_versions=(("kickstart", "14.0(1h)"), ("system", "14.0(1h)")),
    ),
    NTC_VERSION + "cisco_nxos_show_version2.raw": VersionInfo(
        version="7.1(4)N1(1)",
        running_image="bootflash:n5000-uk9.7.1.4.N1.1.bin",
        hostname="IEDP02-N5K-SW01",
        model="Nexus 5596",
        serial="FOC17153X08",
        uptime="749 day(s), 15 hour(s), 17 minute(s), 48 second(s)",
        rommon="3.6.0",
        other_images=("bootflash:n5000-uk9-kickstart.7.1.4.N1.1.bin",),
        package_versions=(("kickstart", "7.1(4)N1(1)"), ("system", "7.1(4)N1(1)")),
    ),
    NTC_VERSION + "cisco_nxos_show_version3.raw": VersionInfo(
        version="5.2(1)N1(4)",
        running_image="bootflash:n5000-uk9.5.2.1.N1.4.bin",
        hostname="DC2TESTSW01-55",
        model="Nexus5548",
        serial="FOC171737PL",
        uptime="311 day(s), 0 hour(s), 27 minute(s), 35 second(s)",
        rommon="3.6.0",
        other_images=("bootflash:n5000-uk9-kickstart.5.2.1.N1.4.bin",),
        package_versions=(("kickstart", "5.2(1)N1(4)"), ("system", "5.2(1)N1(4)")),
    ),
    NTC_VERSION + "cisco_nxos_show_version4.raw": VersionInfo(
        version="7.0(3)I4(3)",
        running_image="bootflash:nxos.7.0.3.I4.3.bin",
        hostname="obttestw02",
        model="Nexus9000 C9372PX",
        serial="SAL2211QQWS",
        uptime="670 day(s), 6 hour(s), 34 minute(s), 1 second(s)",
        rommon="07.51",
    ),
    NTC_VERSION + "cisco_nxos_show_version5.raw": VersionInfo(
        version="10.4(5)",
        running_image="bootflash:nxos64-cs.10.4.5.M.bin",
        hostname="N9K-LAB-15",
        model="Nexus9000 C93180YC-FX3",
        serial="FLM27400B3D",
        uptime="60 day(s), 17 hour(s), 26 minute(s), 51 second(s)",
        rommon="01.11",
    ),
    NTC_VERSION + "cisco_nxos_show_version6.raw": VersionInfo(
        version="10.3(6)",
        running_image="bootflash:nxos64-cs.10.3.6.M.bin",
        hostname="N9K-LAB-07",
        model="Nexus9000 C93108TC-EX",
        serial="FDO23490570",
        uptime="60 day(s), 17 hour(s), 29 minute(s), 10 second(s)",
        rommon="07.71",
    ),
    NTC_VERSION + "cisco_nxos_show_version7.raw": VersionInfo(
        version="9.3(15)",
        running_image="bootflash:nxos.9.3.15.bin",
        hostname="N3K-LAB-19",
        model="Nexus3000 C3232C",
        serial="FOC21261DQD",
        uptime="60 day(s), 17 hour(s), 8 minute(s), 18 second(s)",
        rommon="08.40",
    ),
    NTC_VERSION + "cisco_nxos_show_version_aci.raw": VersionInfo(
        version="16.0(9e)",
        running_image="bootflash:auto-s",
        hostname="leaf1",
        model="N9K-C93180LC-EX",
        serial="XYZ12345678",
        uptime="79 day(s), 19 hour(s), 33 minute(s), 28 second(s)",
        rommon="05.53",
        other_images=("bootflash:aci-n9000-dk9.16.0.9e.bin",),
        package_versions=(("kickstart", "16.0(9e)"), ("system", "16.0(9e)")),
    ),
    # Filtered output with the pasted prompt and echo around it.
    "web/cisco_nxos/show_version/nxos_show_version_inc_nxos_10.5.3.raw": VersionInfo(
        version="10.5(3)",
        running_image="bootflash:nxos64-cs.10.5.3.F.bin",
    ),
}


@pytest.mark.parametrize("case", sorted(VERSIONS))
def test_show_version(case: str) -> None:
    got = parse_step(P, "version", raw(case))
    assert isinstance(got, VersionInfo)
    assert got.evidence, "the lines the fields came from"
    assert any("image file is" in line for line in got.evidence)
    assert got == replace(VERSIONS[case], evidence=got.evidence)


def test_show_version_without_image_line_is_refused() -> None:
    with pytest.raises(ParseError, match="image file"):
        parse_step(P, "version", "Software\n  NXOS: version 9.3(8)\n")


def test_show_version_of_another_platform_is_refused() -> None:
    with pytest.raises(ParseError):
        parse_step(P, "version", "hostname: pa1\nsw-version: 10.2.9\n")


# --- show boot ------------------------------------------------------------------------------


def test_show_boot_single_image_both_sections() -> None:
    got = parse_step(
        P, "boot", raw("web/cisco_nxos/show_boot/forensic_guide_nxosv_10.5.3_show_boot.raw")
    )
    assert isinstance(got, tuple) and len(got) == 1
    boot = got[0]
    assert isinstance(boot, BootInfo)
    assert boot.next_boot == ("bootflash:nxos64-cs.10.5.3.F.bin",)
    assert boot.current_boot == ("bootflash:nxos64-cs.10.5.3.F.bin",)
    assert boot.variable_set is True
    assert "NXOS variable = bootflash:/nxos64-cs.10.5.3.F.bin" in boot.evidence


def test_show_boot_truncated_by_its_source_is_refused() -> None:
    # The guide cut the output after the current variables: the next reload is unknown.
    text = raw("web/cisco_nxos/show_boot/forensic_guide_n7000_show_boot_truncated.raw")
    with pytest.raises(ParseError, match="next reload"):
        parse_step(P, "boot", text)


def test_show_boot_kickstart_system_dual_sup_pending() -> None:
    got = parse_step(P, "boot", raw("fixtures/show_boot/n7k_dual_sup_vendor_format.raw"))
    assert isinstance(got, tuple)
    boot, pending = got
    assert isinstance(boot, BootInfo) and isinstance(pending, Pending)
    # System image first, then kickstart; sup-1 then sup-2.
    assert boot.next_boot == (
        "bootflash:n7000-s2-dk9.8.2.2.bin",
        "bootflash:n7000-s2-kickstart.8.2.2.bin",
        "bootflash:n7000-s2-dk9.8.1.1.bin",
        "bootflash:n7000-s2-kickstart.8.1.1.bin",
    )
    assert boot.current_boot == (
        "bootflash:n7000-s2-dk9.8.1.1.bin",
        "bootflash:n7000-s2-kickstart.8.1.1.bin",
    )
    assert "sup-1" in pending.description and "sup-2" in pending.description


def test_show_boot_unset_next_reload_variable() -> None:
    got = parse_step(P, "boot", raw("fixtures/show_boot/n9k_unset_next_vendor_format.raw"))
    assert isinstance(got, tuple) and len(got) == 1
    boot = got[0]
    assert isinstance(boot, BootInfo)
    assert boot.next_boot == ()
    assert boot.variable_set is False
    assert boot.current_boot == ("bootflash:nxos.9.3.8.bin",)


def test_show_boot_nothing_set_in_either_section() -> None:
    # A switch after "write erase" (or booted by hand from the loader): both sections, no
    # variable. That is a known state (unset), not output the parser failed to read.
    got = parse_step(P, "boot", raw("fixtures/show_boot/n9k_unset_both_vendor_format.raw"))
    assert isinstance(got, tuple) and len(got) == 1
    boot = got[0]
    assert isinstance(boot, BootInfo)
    assert boot.next_boot == () and boot.current_boot == ()
    assert boot.variable_set is False
    assert "Boot Variables on next reload:" in boot.evidence


# --- dir ------------------------------------------------------------------------------------


def test_dir_bootflash_with_usage_footer() -> None:
    got = parse_step(
        P, "listing", raw("ntc-templates/cisco_nxos/dir/cisco_nxos_dir_02.raw"), "bootflash:"
    )
    assert isinstance(got, StorageListing)
    assert got.filesystem == "bootflash:"
    assert got.total_bytes == 3697471488 and got.free_bytes == 2166267904
    assert len(got.files) == 17
    by_path = {f.path: f for f in got.files}
    kick = by_path["bootflash:n7700-s2-kickstart.8.4.3.bin"]
    assert (kick.size, kick.is_dir, kick.modified) == (64396288, False, "Jan 31 17:26:12 2021")
    assert by_path["bootflash:n7700-s2-dk9.8.4.3.bin"].size == 538255348
    assert by_path["bootflash:sup-2"].is_dir
    # A file literally named "flash:" stays a file on bootflash:.
    assert by_path["bootflash:flash:"].size == 70076928
    assert sum(1 for f in got.files if f.is_dir) == 8


def test_dir_filesystem_from_footer_when_no_target() -> None:
    got = parse_step(P, "listing", raw("ntc-templates/cisco_nxos/dir/cisco_nxos_dir_02.raw"))
    assert isinstance(got, StorageListing) and got.filesystem == "bootflash:"


def test_dir_with_io_error_is_refused() -> None:
    # The device could not read all of bootflash: the listing may be incomplete.
    text = raw("ntc-templates/cisco_nxos/dir/cisco_nxos_dir_01.raw")
    with pytest.raises(ParseError, match="Input/output error"):
        parse_step(P, "listing", text, "bootflash:")


# --- show file ... md5sum / sha256sum -------------------------------------------------------

DIGESTS = {
    "web/cisco_nxos/show_file_md5sum/mds9148_6.2.29_show_file_kickstart_md5sum.raw": (
        "m9100-s3ek9-kickstart-mz.6.2.29.bin",
        "bootflash:m9100-s3ek9-kickstart-mz.6.2.29.bin",
        "md5",
        "227276a329ffca6cbabd5264df40762d",
    ),
    "web/cisco_nxos/show_file_md5sum/mds9148_6.2.29_show_file_system_md5sum.raw": (
        "m9100-s3ek9-mz.6.2.29.bin",
        "bootflash:m9100-s3ek9-mz.6.2.29.bin",
        "md5",
        "60891b50b773222ecfef778f263f0af3",
    ),
    "web/cisco_nxos/show_file_md5sum/n3k_6.0.2_show_file_kickstart_md5.raw": (
        "n3000-uk9-kickstart.6.0.2.U6.3a.bin",
        "bootflash:n3000-uk9-kickstart.6.0.2.U6.3a.bin",
        "md5",
        "f0b67d113c1d9adafc16349e7ae36cd4",
    ),
    "web/cisco_nxos/show_file_md5sum/n3k_6.0.2_show_file_system_md5.raw": (
        "n3000-uk9.6.0.2.U6.3a.bin",
        "bootflash:n3000-uk9.6.0.2.U6.3a.bin",
        "md5",
        "cde4522663172733c15a15855d90d303",
    ),
    "web/cisco_nxos/show_file_md5sum/n3k_nxos.7.0.3.I7.7_show_file_md5sum.raw": (
        "bootflash:nxos.7.0.3.I7.7.bin",
        "bootflash:nxos.7.0.3.I7.7.bin",
        "md5",
        "a9d40fbfaf43c214c3d97cb290788d06",
    ),
    "web/cisco_nxos/show_file_md5sum/n5k_7.3.6_show_file_kickstart_md5sum.raw": (
        "bootflash:///n5000-uk9-kickstart.7.3.6.N1.1.bin",
        "bootflash:n5000-uk9-kickstart.7.3.6.N1.1.bin",
        "md5",
        "fb2f0bb05c0ddb035d4335a446f429af",
    ),
    "web/cisco_nxos/show_file_md5sum/n5k_7.3.6_show_file_system_md5sum.raw": (
        "bootflash:///n5000-uk9.7.3.6.N1.1.bin",
        "bootflash:n5000-uk9.7.3.6.N1.1.bin",
        "md5",
        "bef58f988bcf4daef7896ac84c96c10d",
    ),
    "web/cisco_nxos/show_file_sha256sum/n9k_doc_show_file_sha256sum.raw": (
        "bootflash://sup-1/nxos.7.0.3.I2.1.bin",
        "bootflash:sup-1/nxos.7.0.3.I2.1.bin",
        "sha256",
        "5214d563b7985ddad67d52658af573d6c64e5a9792b35c458f5296f954bc53be",
    ),
}


@pytest.mark.parametrize("case", sorted(DIGESTS))
def test_show_file_digest(case: str) -> None:
    target, path, algorithm, digest = DIGESTS[case]
    got = parse_step(P, "digest", raw(case), target)
    assert isinstance(got, DigestResult)
    assert (got.path, got.algorithm, got.digest) == (path, algorithm, digest)


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


# --- paths and commands ---------------------------------------------------------------------


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


def test_every_corpus_case_is_pinned() -> None:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    cases = {c["raw"] for c in manifest if c["platform"] == P}
    pinned = (
        set(VERSIONS)
        | set(DIGESTS)
        | {
            "web/cisco_nxos/show_boot/forensic_guide_nxosv_10.5.3_show_boot.raw",
            "web/cisco_nxos/show_boot/forensic_guide_n7000_show_boot_truncated.raw",
            "ntc-templates/cisco_nxos/dir/cisco_nxos_dir_01.raw",
            "ntc-templates/cisco_nxos/dir/cisco_nxos_dir_02.raw",
        }
    )
    # show software authenticity is not a step of this platform's plan (yet).
    unplanned = {c for c in cases if "show_software_authenticity" in c}
    assert cases - unplanned == pinned
