"""Rules on the platforms of issue 3 where their shape differs from IOS: NX-OS kickstart and
system images that run together, and Junos, which boots an installed release, not a file."""

from __future__ import annotations

from dataclasses import replace

from imagesweep.analyze.rules import Context, Policy, analyze
from imagesweep.baseline.catalogue import Catalogue
from imagesweep.records import (
    BootInfo,
    DeviceState,
    DigestResult,
    KnownGood,
    StorageFile,
    StorageListing,
    VersionInfo,
)

KICK = "n5000-uk9-kickstart.7.3.8.N1.1.bin"
SYSTEM = "n5000-uk9.7.3.8.N1.1.bin"
OLD_KICK = "n5000-uk9-kickstart.7.3.7.N1.1.bin"
OLD_SYSTEM = "n5000-uk9.7.3.7.N1.1.bin"
STAGED = "junos-srxsme-15.1X49-D170.4-domestic.tgz"
OLD_STAGED = "junos-srxsme-15.1X49-D160.2-domestic.tgz"
MD5 = {name: f"{i:x}" * 32 for i, name in enumerate((KICK, SYSTEM, OLD_KICK, OLD_SYSTEM), 1)}
MD5 |= {STAGED: "5" * 32, OLD_STAGED: "6" * 32}
CTX = Context(
    catalogue=Catalogue.of(
        [
            KnownGood(name, md5, "", "", "15.1X49-D170.4" if name == STAGED else "", "cisco.com")
            for name, md5 in MD5.items()
        ]
    )
)


def nexus(*names: str, boot: tuple[str, ...] = (SYSTEM, KICK)) -> DeviceState:
    paths = [f"bootflash:{name}" for name in names]
    return DeviceState(
        host="n5k",
        platform="cisco_nxos",
        version=VersionInfo(
            version="7.3(8)N1(1)",
            running_image=f"bootflash:{SYSTEM}",
            other_images=(f"bootflash:{KICK}",),
        ),
        boot=BootInfo(next_boot=tuple(f"bootflash:{b}" for b in boot), variable_set=bool(boot)),
        listings=(StorageListing("bootflash:", tuple(StorageFile(p, 1000) for p in paths)),),
        digests=tuple(DigestResult(p, "md5", MD5[n]) for p, n in zip(paths, names, strict=True)),
    )


def rules(state: DeviceState) -> set[str]:
    return {f.rule for f in analyze(state, CTX)}


def test_kickstart_and_system_images_of_the_running_release_are_one_image() -> None:
    assert rules(nexus(KICK, SYSTEM)) == set()


def test_another_release_beside_a_kickstart_pair_is_dual() -> None:
    assert rules(nexus(KICK, SYSTEM, OLD_KICK, OLD_SYSTEM)) == {"DUAL_IMAGE"}


def test_nexus_with_no_boot_variable_and_two_releases_is_unset_multiple() -> None:
    state = nexus(KICK, SYSTEM, OLD_KICK, OLD_SYSTEM, boot=())
    assert rules(state) == {"DUAL_IMAGE", "BOOT_UNSET_MULTIPLE"}


def srx(*names: str) -> DeviceState:
    paths = [f"/var/tmp/{name}" for name in names]
    return DeviceState(
        host="srx",
        platform="juniper_junos",
        version=VersionInfo(version="15.1X49-D170.4"),
        boot=BootInfo(next_version="15.1X49-D170.4"),
        listings=(StorageListing("/var/tmp", tuple(StorageFile(p, 1000) for p in paths)),),
        digests=tuple(DigestResult(p, "md5", MD5[n]) for p, n in zip(paths, names, strict=True)),
    )


def test_junos_boots_its_primary_slice_not_the_first_staged_package() -> None:
    # Two staged packages are two images, but the loader does not pick among them
    assert rules(srx(STAGED, OLD_STAGED)) == {"DUAL_IMAGE"}
    assert rules(srx(STAGED)) == set()


def test_junos_with_nothing_of_its_release_staged_is_never_clean() -> None:
    # Issue 14: Junos runs an installed release; without its install package digested (a
    # match vouches, a mismatch accuses) nothing vouches for what runs.
    for state in (srx(), srx(OLD_STAGED)):
        (finding,) = [f for f in analyze(state, CTX) if f.rule == "AUDIT_INCOMPLETE"]
        assert "nothing vouched for release 15.1X49-D170.4" in finding.evidence[0]
        assert "--accept-unverifiable junos" in finding.evidence[0]
    accepted = Context(CTX.catalogue, Policy(accept_unverifiable=frozenset({"juniper_junos"})))
    assert {f.rule for f in analyze(srx(), accepted)} == set()
    patched = replace(srx(STAGED), digests=(DigestResult(f"/var/tmp/{STAGED}", "md5", "7" * 32),))
    assert rules(patched) == {"HASH_MISMATCH"}  # accused, not "incomplete"


def test_xr_staged_iso_of_the_running_release_vouches_by_its_name() -> None:
    iso = "ncs5500-mini-x-7.5.2.iso"
    ctx = Context(Catalogue.of([KnownGood(iso, "8" * 32)]))  # no version column: the name's
    state = DeviceState(
        host="xr",
        platform="cisco_xr",
        version=VersionInfo(version="7.5.2"),
        boot=BootInfo(next_version="7.5.2"),
        running_set=("ncs5500-xr-7.5.2",),
        listings=(StorageListing("harddisk:", (StorageFile(f"harddisk:{iso}", 1000),)),),
        digests=(DigestResult(f"harddisk:{iso}", "md5", "8" * 32),),
    )
    assert {f.rule for f in analyze(state, ctx)} == set()
    older = replace(state, version=VersionInfo(version="7.3.2"))
    assert "AUDIT_INCOMPLETE" in {f.rule for f in analyze(older, ctx)}


def catalyst_install(*on_flash: str) -> DeviceState:
    packages = ("flash:cat9k-rpbase.17.09.04a.SPA.pkg", "flash:cat9k-rpboot.17.09.04a.SPA.pkg")
    files = ("flash:packages.conf", *on_flash)
    return DeviceState(
        host="c9300",
        platform="cisco_xe",
        version=VersionInfo(version="17.9.4a", running_image="flash:packages.conf"),
        boot=BootInfo(next_boot=("flash:packages.conf",)),
        listings=(StorageListing("flash:", tuple(StorageFile(p, 1000) for p in files)),),
        running_set=packages,
    )


def test_a_package_of_the_running_set_missing_from_flash() -> None:
    (finding,) = [
        f
        for f in analyze(catalyst_install("flash:cat9k-rpboot.17.09.04a.SPA.pkg"), CTX)
        if f.rule == "RUNNING_IMAGE_MISSING"
    ]
    assert "flash:cat9k-rpbase.17.09.04a.SPA.pkg" in finding.summary
    assert "missing: flash:cat9k-rpbase.17.09.04a.SPA.pkg" in finding.evidence
    everything = catalyst_install(
        "flash:cat9k-rpbase.17.09.04a.SPA.pkg", "flash:cat9k-rpboot.17.09.04a.SPA.pkg"
    )
    assert "RUNNING_IMAGE_MISSING" not in {f.rule for f in analyze(everything, CTX)}


def test_xr_packages_are_names_or_directories_not_missing_files() -> None:
    mbi = "disk0:asr9k-os-mbi-5.3.3/0x100305/mbiasr9k-rsp3.vm"
    listing = StorageListing(
        "disk0:",
        (
            StorageFile("disk0:asr9k-mini-px-5.3.3", 4096, is_dir=True),
            StorageFile("disk0:asr9k-os-mbi-5.3.3", 4096, is_dir=True),
            StorageFile(mbi, 1000),
        ),
    )
    xr32 = DeviceState(
        host="asr9k",
        platform="cisco_xr",
        version=VersionInfo(version="5.3.3", running_image=mbi),
        listings=(listing,),
        running_set=("disk0:asr9k-mini-px-5.3.3",),
    )
    assert "RUNNING_IMAGE_MISSING" not in {f.rule for f in analyze(xr32, CTX)}
    gone = DeviceState(
        host="asr9k",
        platform="cisco_xr",
        version=VersionInfo(version="5.3.3", running_image=mbi),
        listings=(StorageListing("disk0:", (StorageFile(mbi, 1000),)),),
        running_set=("disk0:asr9k-mini-px-5.3.3", "ncs5500-xr-7.5.2"),  # a name is no file
    )
    (finding,) = [f for f in analyze(gone, CTX) if f.rule == "RUNNING_IMAGE_MISSING"]
    assert finding.evidence[0] == "missing: disk0:asr9k-mini-px-5.3.3"
    assert not any("ncs5500-xr-7.5.2" in line for line in finding.evidence)
