"""The rules as pure functions: each has a case that fires and one that must not."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from imagesweep.analyze.rules import Context, Policy, analyze
from imagesweep.analyze.rules.images import hash_status, verdicts
from imagesweep.baseline.catalogue import Catalogue
from imagesweep.records import (
    AuditGap,
    BootInfo,
    DeviceState,
    DigestResult,
    KnownGood,
    Pending,
    StorageFile,
    StorageListing,
    VersionInfo,
)

IMAGE = "c2900-universalk9-mz.SPA.157-3.M8.bin"
OLD = "c2900-universalk9-mz.SPA.156-3.M2.bin"
GOOD_MD5 = "a" * 32
OLD_MD5 = "b" * 32
EVIL_MD5 = "e" * 32
CATALOGUE = Catalogue.of(
    [
        KnownGood(IMAGE, GOOD_MD5, "", "cisco_ios", "15.7(3)M8", "cisco.com"),
        KnownGood(OLD, OLD_MD5, "", "cisco_ios", "15.6(3)M2", "cisco.com"),
    ]
)
CTX = Context(catalogue=CATALOGUE)


def device(
    *,
    files: tuple[tuple[str, str], ...] = ((f"flash:{IMAGE}", GOOD_MD5),),
    running: str = f"flash:{IMAGE}",
    version: str = "15.7(3)M8",
    boot: tuple[str, ...] = (f"flash:{IMAGE}",),
    boot_set: bool = True,
    confreg: str = "0x2102",
    confreg_next: str = "",
    manual: bool | None = False,
    markers: tuple[str, ...] = (),
    gaps: tuple[AuditGap, ...] = (),
    pending: tuple[Pending, ...] = (),
) -> DeviceState:
    """A classic ISR router; by default healthy and matching the catalogue."""
    listing = StorageListing("flash:", tuple(StorageFile(path, 112_000_000) for path, _ in files))
    digests = tuple(DigestResult(path, "md5", md5) for path, md5 in files if md5)
    return DeviceState(
        host="r1",
        platform="cisco_ios",
        version=VersionInfo(
            version=version,
            running_image=running,
            hostname="R1",
            config_register=confreg,
            config_register_next=confreg_next,
            release_markers=markers,
            evidence=(f'System image file is "{running}"',),
        ),
        boot=BootInfo(next_boot=boot, variable_set=boot_set, manual_boot=manual),
        listings=(listing,),
        digests=digests,
        gaps=gaps,
        pending=pending,
    )


def rules_of(state: DeviceState, ctx: Context = CTX) -> set[str]:
    return {f.rule for f in analyze(state, ctx)}


def test_healthy_device_has_no_findings_and_matches() -> None:
    state = device()
    assert analyze(state, CTX) == ()
    assert hash_status(state, verdicts(state, CATALOGUE)) == "match"


def test_audit_incomplete_from_gaps() -> None:
    state = device(gaps=(AuditGap("digest flash:x.bin", "device rejected the command"),))
    findings = [f for f in analyze(state, CTX) if f.rule == "AUDIT_INCOMPLETE"]
    assert len(findings) == 1
    assert findings[0].severity == "high"
    assert findings[0].evidence == ("digest flash:x.bin: device rejected the command",)


def test_unverifiable_platform_is_incomplete_unless_accepted() -> None:
    state = replace(device(), digest_unavailable="PAN-OS has no on-box digest")
    assert "AUDIT_INCOMPLETE" in rules_of(state)
    accepted = Context(CATALOGUE, Policy(accept_unverifiable=frozenset({"cisco_ios"})))
    assert "AUDIT_INCOMPLETE" not in rules_of(state, accepted)


def test_hash_mismatch_same_name_other_digest() -> None:
    state = device(files=((f"flash:{IMAGE}", EVIL_MD5),))
    assert rules_of(state) == {"HASH_MISMATCH"}
    assert hash_status(state, verdicts(state, CATALOGUE)) == "mismatch"
    finding = analyze(state, CTX)[0]
    assert finding.severity == "critical"
    assert any(EVIL_MD5 in e for e in finding.evidence)
    assert any(GOOD_MD5 in e for e in finding.evidence)


def test_hash_unknown_for_uncatalogued_file() -> None:
    name = "c2900-universalk9-mz.SPA.157-3.M9.bin"
    state = device(
        files=((f"flash:{name}", "c" * 32),),
        running=f"flash:{name}",
        boot=(f"flash:{name}",),
        version="15.7(3)M9",
    )
    assert rules_of(state) == {"HASH_UNKNOWN"}
    assert hash_status(state, verdicts(state, CATALOGUE)) == "unknown"


def test_hash_other_release_for_renamed_image() -> None:
    # The older known-good image copied under the current image's name.
    state = device(files=((f"flash:{IMAGE}", OLD_MD5),))
    assert rules_of(state) == {"HASH_OTHER_RELEASE"}


def test_hash_other_release_when_show_version_lies() -> None:
    state = device(version="15.6(3)M2")
    assert "HASH_OTHER_RELEASE" in rules_of(state)


def test_dual_image() -> None:
    state = device(files=((f"flash:{IMAGE}", GOOD_MD5), (f"flash:{OLD}", OLD_MD5)))
    assert rules_of(state) == {"DUAL_IMAGE"}


def test_stack_copies_of_one_image_are_not_dual() -> None:
    base = device()
    listings = (
        StorageListing("flash1:", (StorageFile(f"flash1:{IMAGE}", 1),)),
        StorageListing("flash2:", (StorageFile(f"flash2:{IMAGE}", 1),)),
    )
    digests = tuple(DigestResult(f"flash{n}:{IMAGE}", "md5", GOOD_MD5) for n in (1, 2))
    state = replace(base, listings=listings, digests=digests)
    assert rules_of(state) == set()


def test_running_image_missing() -> None:
    state = device(files=((f"flash:{OLD}", OLD_MD5),), boot=(f"flash:{OLD}",))
    found = rules_of(state)
    assert "RUNNING_IMAGE_MISSING" in found
    assert "BOOT_MISMATCH" in found


def test_boot_network() -> None:
    state = device(boot=("tftp://10.1.1.1/c2900.bin", f"flash:{IMAGE}"))
    assert {"BOOT_NETWORK", "BOOT_MISMATCH"} <= rules_of(state)
    assert "BOOT_NETWORK" not in rules_of(device())


def test_boot_network_on_known_emulator_is_info() -> None:
    state = device(running="tftp://255.255.255.255/unknown", files=())
    ctx = Context(CATALOGUE, Policy(emulators=frozenset({"r1"})))
    boot_network = [f for f in analyze(state, ctx) if f.rule == "BOOT_NETWORK"]
    assert boot_network[0].severity == "info"


def test_boot_mismatch_and_no_mismatch() -> None:
    state = device(
        files=((f"flash:{IMAGE}", GOOD_MD5), (f"flash:{OLD}", OLD_MD5)), boot=(f"flash:{OLD}",)
    )
    assert "BOOT_MISMATCH" in rules_of(state)
    assert "BOOT_MISMATCH" not in rules_of(device(boot=(f"flash:{IMAGE}", f"flash:{OLD}")))


def test_bare_filesystem_boot_entry_means_first_image() -> None:
    # "BOOT variable = flash:" boots the first image on flash: - not a missing file.
    assert rules_of(device(boot=("flash:",))) == set()
    files = ((f"flash:{IMAGE}", GOOD_MD5), (f"flash:{OLD}", OLD_MD5))
    assert rules_of(device(files=files, boot=("flash:",))) == {"DUAL_IMAGE", "BOOT_UNSET_MULTIPLE"}


def test_pending_change_is_boot_mismatch() -> None:
    pending = Pending("17.12.1 activated but not committed", ("IMG U 17.12.1",))
    assert rules_of(device(pending=(pending,))) == {"BOOT_MISMATCH"}


def test_boot_target_missing() -> None:
    state = device(boot=("flash:gone.bin", f"flash:{IMAGE}"))
    assert "BOOT_TARGET_MISSING" in rules_of(state)
    assert "BOOT_TARGET_MISSING" not in rules_of(device())


def test_boot_unset_multiple() -> None:
    files = ((f"flash:{IMAGE}", GOOD_MD5), (f"flash:{OLD}", OLD_MD5))
    assert "BOOT_UNSET_MULTIPLE" in rules_of(device(files=files, boot=(), boot_set=False))
    assert "BOOT_UNSET_MULTIPLE" not in rules_of(device(boot=(), boot_set=False))


def test_manual_boot() -> None:
    assert rules_of(device(manual=True)) == {"MANUAL_BOOT"}
    assert rules_of(device(manual=None)) == set()


@pytest.mark.parametrize(
    ("now", "nxt", "severity"),
    [
        ("0x2142", "", "high"),  # ignores NVRAM: password recovery
        ("0x2100", "", "high"),  # stays in ROMMON
        ("0x2101", "", "high"),  # boots the boot ROM image
        ("0x2102", "0x2142", "high"),  # pending change
        ("0x2902", "", "medium"),  # unusual but not dangerous
    ],
)
def test_confreg_anomaly(now: str, nxt: str, severity: str) -> None:
    findings = [
        f
        for f in analyze(device(confreg=now, confreg_next=nxt), CTX)
        if f.rule == "CONFREG_ANOMALY"
    ]
    assert [f.severity for f in findings] == [severity]


def test_confreg_usual_values_are_quiet() -> None:
    for value in ("0x2102", "0xF", "0x102"):
        assert "CONFREG_ANOMALY" not in rules_of(device(confreg=value))


def test_version_filename_mismatch() -> None:
    # Digest vouches for the name, banner claims another release: both rules speak.
    assert "VERSION_FILENAME_MISMATCH" in rules_of(device(version="15.7(3)M9"))
    assert "VERSION_FILENAME_MISMATCH" not in rules_of(device())


def test_non_release_build() -> None:
    assert "NON_RELEASE_BUILD" in rules_of(device(markers=("DEVELOPMENT SOFTWARE",)))
    assert "NON_RELEASE_BUILD" not in rules_of(device())


def test_version_not_approved() -> None:
    policy = Policy(approved_versions={"cisco_ios": ("15.9(3)M7",)})
    assert "VERSION_NOT_APPROVED" in rules_of(device(), Context(CATALOGUE, policy))
    policy = Policy(approved_versions={"cisco_ios": ("15.7(3)M8",)})
    assert "VERSION_NOT_APPROVED" not in rules_of(device(), Context(CATALOGUE, policy))


def test_policy_overrides_severity() -> None:
    ctx = Context(CATALOGUE, Policy(severity={"MANUAL_BOOT": "low"}))
    assert [f.severity for f in analyze(device(manual=True), ctx)] == ["low"]


def test_every_finding_has_evidence_and_recommendation() -> None:
    state = device(
        files=((f"flash:{IMAGE}", EVIL_MD5), (f"flash:{OLD}", "")),
        manual=True,
        confreg="0x2142",
        boot=("tftp://1.1.1.1/x.bin",),
        gaps=(AuditGap("digest flash:" + OLD, "timed out"),),
    )
    findings = analyze(state, CTX)
    assert len(findings) >= 6
    for f in findings:
        assert f.evidence, f.rule
        assert f.recommendation, f.rule
        assert f.technique.startswith("T1"), f.rule


def test_show_version_without_a_running_image_is_incomplete() -> None:
    from imagesweep.analyze.state import build_state
    from imagesweep.records import CommandRun, DeviceCapture

    version = (
        "Cisco IOS Software, C2900 Software (C2900-UNIVERSALK9-M), Version 15.7(3)M8, "
        "RELEASE SOFTWARE (fc2)\nR1 uptime is 1 week\nConfiguration register is 0x2102\n"
    )
    capture = DeviceCapture(
        "r1", "a", "cisco_ios", runs=(CommandRun("version", "show version", version),)
    )
    state = build_state(capture)
    assert any(g.step == "version" and "no running image" in g.reason for g in state.gaps)
    assert "AUDIT_INCOMPLETE" in rules_of(state)


QFX = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "corpus"
    / "ntc-templates"
    / ("juniper_junos/show_version/juniper_junos_show_version_qfx5100.raw")
)


def test_junos_core_packages_must_agree_on_the_release() -> None:
    from imagesweep.parse.juniper_junos import parse_version

    real = QFX.read_text(encoding="utf-8")
    # Real output: the host OS and a JET package carry other version strings; not a finding.
    state = DeviceState(host="q", platform="juniper_junos", version=parse_version(real))
    assert "PACKAGE_RELEASE_MISMATCH" not in rules_of(state)
    swapped = real.replace(
        "JUNOS Routing Software Suite [21.4R3-S3.4]", "JUNOS Routing Software Suite [20.2R3.9]"
    )
    state = DeviceState(host="q", platform="juniper_junos", version=parse_version(swapped))
    (finding,) = [f for f in analyze(state, CTX) if f.rule == "PACKAGE_RELEASE_MISMATCH"]
    assert finding.evidence[0] == "JUNOS Routing Software Suite [20.2R3.9]"


def test_digests_with_no_common_algorithm_are_incomplete_not_clean() -> None:
    # The catalogue knows the image by sha512 only; the device gave only md5.
    ctx = Context(catalogue=Catalogue.of([KnownGood(IMAGE, "", "f" * 128)]))
    state = device()
    assert rules_of(state, ctx) == {"AUDIT_INCOMPLETE"}
    assert hash_status(state, verdicts(state, ctx.catalogue)) == "unverified"


def test_a_failed_filesystem_enumeration_is_incomplete() -> None:
    from imagesweep.analyze.state import build_state
    from imagesweep.records import CommandRun, DeviceCapture

    rejected = "show file systems\n              ^\n% Invalid input detected at '^' marker.\n"
    capture = DeviceCapture(
        "r1", "a", "cisco_ios", runs=(CommandRun("filesystems", "show file systems", rejected),)
    )
    gaps = build_state(capture).gaps
    assert any(g.step == "filesystems" and "rejected" in g.reason for g in gaps)


def test_memory_text_asked_for_and_not_obtained_is_incomplete() -> None:
    from imagesweep.analyze.state import build_state
    from imagesweep.records import CommandRun, DeviceCapture

    command = "verify /md5 system:memory/text"
    rejected = f"{command}\n%Error opening system:memory/text (Permission denied)\n"
    capture = DeviceCapture(
        "r1", "a", "cisco_ios", runs=(CommandRun("memory_text", command, rejected),)
    )
    state = build_state(capture)
    assert state.memory_text == ""
    assert any(g.step == "memory_text" for g in state.gaps)
    done = f"{command}\n....Done!\nverify /md5 (system:memory/text) = {'ab' * 16}\n"
    capture = DeviceCapture(
        "r1", "a", "cisco_ios", runs=(CommandRun("memory_text", command, done),)
    )
    state = build_state(capture)
    assert state.memory_text == "ab" * 16
    assert not [g for g in state.gaps if g.step == "memory_text"]
    assert not state.digests  # a digest of no file: not an image's
