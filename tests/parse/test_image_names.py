"""The release encoded in OS image file names, and version comparison."""

from __future__ import annotations

import pytest

from imagesweep.releases import image_version, image_versions, same_version


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        # Cisco IOS: <platform>-<features>-<format>.<MMm>-<rebuild>.<train>.bin
        ("c2800nm-advipservicesk9-mz.124-24.T4.bin", "12.4(24)T4"),
        ("c3750e-ipbasek9-mz.150-2.SE11.bin", "15.0(2)SE11"),
        ("cat4500e-entservicesk9-mz.122-54.SG1.bin", "12.2(54)SG1"),
        ("c800-universalk9-mz.SPA.159-3.M12.bin", "15.9(3)M12"),
        ("c900-universalk9-mz.SPA.158-3.M3b.bin", "15.8(3)M3b"),
        ("c2800nm-advipservicesk9-mz.124-10a.bin", "12.4(10a)"),
        ("c2500-js-l.121-17.bin", "12.1(17)"),
        ("c2800nm-advipservicesk9-mz.124-24.6.T", "12.4(24.6)T"),  # interim build
        ("flash:c2960l-universalk9-mz.152-7.E2/c2960l-universalk9-mz.152-7.E2.bin", "15.2(7)E2"),
        # Cisco IOS-XE: zero-padded dotted release; 3.x names carry the IOS release too
        ("cat9k_iosxe.17.09.04a.SPA.bin", "17.9.4a"),
        ("cat9k-rpbase.17.09.04a.SPA.pkg", "17.9.4a"),
        ("isr4300-universalk9.16.12.04.SPA.bin", "16.12.4"),
        ("csr1000v-rpboot.16.06.04.SPA.pkg", "16.6.4"),
        ("asr1002x-universal.03.16.02b.S.155-3.S2b-ext.SPA.bin", "3.16.2bS"),
        ("asr1001-universalk9.03.09.01.S.153-2.S1.bin", "3.9.1S"),
        ("cat3k_caa-universalk9.SPA.03.06.05E.152-2.E5.bin", "3.6.5E"),
        ("cat4500e-universalk9.SPA.03.11.03a.E.152-7.E3a.bin", "3.11.3aE"),
        # NX-OS
        ("nxos.9.3.8.bin", "9.3(8)"),
        ("nxos64-cs.10.3.4a.M.bin", "10.3(4a)"),
        ("n7000-s2-dk9.8.4.7.bin", "8.4(7)"),
        ("n9000-dk9.7.0.3.I7.9.bin", "7.0(3)I7(9)"),
        ("n3000-uk9-kickstart.6.0.2.U6.10.bin", "6.0(2)U6(10)"),
        # Junos
        ("junos-install-mx-x86-64-21.4R3-S5.tgz", "21.4R3-S5"),
        ("jinstall-ex-4200-12.3R12.4-domestic-signed.tgz", "12.3R12.4"),
        ("junos-srxsme-15.1X49-D170.4-domestic.tgz", "15.1X49-D170.4"),
    ],
)
def test_image_version(filename: str, expected: str) -> None:
    assert image_version(filename) == expected


@pytest.mark.parametrize(
    "filename",
    [
        "c7200-js-mz",
        "c6msfc2-jsv-mz",
        "packages.conf",
        "vios-adventerprisek9-m",
        "cat9k_iosxe.BLD_V173_THROTTLE_LATEST_20200421_032634.SSA.bin",
        "C9800-L-rpboot.V1712_4_ESW13.SPA.pkg",
        "isr4400_rommon_167_5r_SPA.pkg",  # a ROMMON package: not an OS release
        "igs-kf.100",
        "sboot9951.111909R1-9-0-3.sebn",
        "",
    ],
)
def test_no_readable_version(filename: str) -> None:
    assert image_version(filename) is None


def test_iosxe_3x_names_carry_both_releases() -> None:
    assert image_versions("asr1001-universalk9.03.08.02.S.153-1.S2.bin") == (
        "3.8.2S",
        "15.3(1)S2",
    )
    assert image_versions("c2800nm-advipservicesk9-mz.124-24.T4.bin") == ("12.4(24)T4",)
    assert image_versions("c7200-js-mz") == ()


@pytest.mark.parametrize(
    ("printed", "encoded"),
    [
        ("17.09.04a", "17.9.4a"),
        ("17.9.4a", "17.9.4a"),
        ("16.9.3", "16.9.3"),
        ("16.09.03", "16.9.3"),
        ("03.09.01.S", "3.9.1S"),
        ("03.06.05E", "3.6.5E"),
        ("15.2(4)M7", "15.2(4)m7"),
        ("12.2(54)SG1", "12.2(54)SG1"),
        ("9.3(8)", "9.3(8)"),
        ("21.4R3-S5", "21.4R3-S5"),
    ],
)
def test_same_version(printed: str, encoded: str) -> None:
    assert same_version(printed, encoded)


@pytest.mark.parametrize(
    ("printed", "encoded"),
    [
        ("17.09.04", "17.9.4a"),  # the rebuild letter matters
        ("15.2(4)M7", "15.2(4)M6"),
        ("12.4(24)T4", "12.4(24)T"),
        ("1.52", "15.2"),  # separators are not free: digits never merge across them
        ("15.0(2)SE11", "15.0(2)SE1"),
        ("21.4R3-S5.4", "21.4R3-S5"),
        ("", ""),
        ("16.9.3", ""),
    ],
)
def test_different_versions(printed: str, encoded: str) -> None:
    assert not same_version(printed, encoded)
