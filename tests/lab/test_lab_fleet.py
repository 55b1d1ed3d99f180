"""Fleet files: the demo fleet, validation with file:line, digests, the generator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from imagesweep.errors import ConfigError
from imagesweep.lab.faults import KNOWN_FAULTS
from imagesweep.lab.fleet import (
    demo_fleet_path,
    file_digests,
    generate_fleet,
    image_digests,
    load_fleet,
)

CLEAN_IMAGE = "c2900-universalk9-mz.SPA.157-3.M8.bin"

MINIMAL = """\
images:
  x.bin: {size: 100, version: "15.7(3)M8", platform: cisco_ios, known_good: true}
devices:
  - name: r1
    persona: ios_router
    version: "15.7(3)M8"
    running_image: flash:x.bin
    files:
      - {path: flash:x.bin, image: x.bin}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fleet.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_fleet_covers_every_scenario_of_the_issue() -> None:
    fleet = load_fleet(demo_fleet_path())
    names = {device.name for device in fleet.devices}
    assert {"r1-clean", "sw1-clean", "xe1-clean", "xe2-clean"} <= names
    personas = {device.persona for device in fleet.devices}
    assert personas == {
        "ios_router", "ios_switch", "iosxe_switch", "iosxe_router", "nxos", "iosxr", "junos",
        "panos",
    }  # fmt: skip
    clean = [d for d in fleet.devices if d.name.endswith("-clean")]
    assert all(d.expect == _clean_expect(d.persona) for d in clean)
    expected = {rule for device in fleet.devices for rule in device.expect}
    assert {
        "HASH_MISMATCH", "HASH_UNKNOWN", "HASH_OTHER_RELEASE", "DUAL_IMAGE", "BOOT_NETWORK",
        "BOOT_TARGET_MISSING", "BOOT_MISMATCH", "CONFREG_ANOMALY", "AUDIT_INCOMPLETE",
        "MANUAL_BOOT", "BOOT_UNSET_MULTIPLE", "RUNNING_IMAGE_MISSING", "VERSION_FILENAME_MISMATCH",
    } <= expected  # fmt: skip
    faults = {name for device in fleet.devices for name in device.faults.names}
    assert faults == {"unreachable", "auth_fail", "digest_error"}


def test_patched_image_keeps_name_and_size_but_not_digest() -> None:
    fleet = load_fleet(demo_fleet_path())
    clean = fleet.device("r1-clean").files[0]
    patched = fleet.device("r2-patched").files[0]
    assert (
        (patched.path, patched.size)
        == (clean.path, clean.size)
        == (
            f"flash:{CLEAN_IMAGE}",
            112452876,
        )
    )
    assert patched.md5 != clean.md5 and patched.sha512 != clean.sha512
    assert (clean.md5, clean.sha512) == image_digests(CLEAN_IMAGE)
    assert (patched.md5, patched.sha512) == file_digests(
        "r2-patched", patched.path, variant="patched"
    )


def test_digests_are_deterministic_hex() -> None:
    md5, sha512 = image_digests(CLEAN_IMAGE)
    assert re.fullmatch(r"[0-9a-f]{32}", md5) and re.fullmatch(r"[0-9a-f]{128}", sha512)
    assert image_digests(CLEAN_IMAGE) == (md5, sha512)
    assert image_digests("other.bin")[0] != md5


def test_renamed_image_holds_the_older_known_good_bytes() -> None:
    fleet = load_fleet(demo_fleet_path())
    renamed = fleet.device("r4-renamed").files[0]
    older = fleet.image("c2900-universalk9-mz.SPA.155-3.M10.bin")
    assert renamed.path == "flash:c2900-universalk9-mz.SPA.157-3.M9.bin"
    assert (renamed.md5, renamed.size) == (older.md5, older.size)
    assert older.known_good


def test_minimal_fleet_gets_persona_defaults(tmp_path: Path) -> None:
    fleet = load_fleet(write(tmp_path, MINIMAL))
    device = fleet.device("r1")
    assert device.hostname == "r1"
    assert device.model == "CISCO2911/K9"
    assert device.config_register == "0x2102"
    assert device.credentials.username == "admin" and device.credentials.secret == "cisco"
    assert device.platform == "cisco_ios"
    assert re.fullmatch(r"FTX\d{4}[0-9A-F]{4}", device.serial)
    # housekeeping files of the family come after the fleet's own
    assert [f.path for f in device.files] == [
        "flash:x.bin",
        "flash:pnp-tech-time",
        "flash:pnp-tech-discovery-summary",
    ]


def test_stack_alias_is_stored_under_the_primary_name(tmp_path: Path) -> None:
    text = MINIMAL.replace("persona: ios_router", "persona: ios_switch\n    members: 2").replace(
        "{path: flash:x.bin, image: x.bin}",
        "{path: flash1:x.bin, image: x.bin}\n      - {path: flash2:/sub//y.bin, size: 5}",
    )
    device = load_fleet(write(tmp_path, text)).device("r1")
    assert [f.path for f in device.files][:2] == ["flash:x.bin", "flash2:sub/y.bin"]


def test_explicit_md5_also_changes_sha512(tmp_path: Path) -> None:
    text = MINIMAL.replace("image: x.bin}", "image: x.bin, md5: " + "a" * 32 + "}")
    lab_file = load_fleet(write(tmp_path, text)).device("r1").files[0]
    assert lab_file.md5 == "a" * 32
    assert lab_file.sha512 != image_digests("x.bin")[1]


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("persona: ios_router", "persona: ios_rooter"), 5, "unknown persona 'ios_rooter'"),
        (('    version: "15.7(3)M8"\n', ""), 4, "missing required key 'version'"),
        (("flash:x.bin, image", "slot0:x.bin, image"), 9, "no filesystem slot0:"),
        (("image: x.bin}", "image: y.bin}"), 9, "image 'y.bin' is not in images:"),
        (("running_image", "runing_image"), 7, "unknown key(s) in a device: runing_image"),
        (("platform: cisco_ios", "platform: ios"), 2, "platform must be one of"),
        (("    files:", "    config_register: '2102'\n    files:"), 8, "not like 0x2102"),
        (("    files:", "    faults: {melt: true}\n    files:"), 8, "unknown fault 'melt'"),
        (("    files:", "    faults: {auth_fail: 1}\n    files:"), 8, "fault auth_fail"),
        (("size: 100", "size: -1"), 2, "size must be an integer >= 1"),
    ],
)
def test_malformed_fleet_names_file_and_line(
    tmp_path: Path, change: tuple[str, str], line: int, message: str
) -> None:
    path = write(tmp_path, MINIMAL.replace(*change))
    with pytest.raises(ConfigError) as caught:
        load_fleet(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in str(caught.value)


def test_duplicate_device_and_bad_yaml(tmp_path: Path) -> None:
    device = MINIMAL.split("devices:\n", 1)[1]
    with pytest.raises(ConfigError, match=r"fleet.yaml:10: duplicate device name 'r1'"):
        load_fleet(write(tmp_path, MINIMAL + device))
    with pytest.raises(ConfigError, match=r"fleet.yaml:3: not valid YAML"):
        load_fleet(write(tmp_path, "devices:\n  - name: [\n  - x: }\n"))
    with pytest.raises(ConfigError, match="cannot read fleet file"):
        load_fleet(tmp_path / "missing.yaml")


def test_known_faults_are_documented() -> None:
    import imagesweep.lab.faults as faults_module

    assert faults_module.__doc__ is not None
    for name in KNOWN_FAULTS:
        assert f"``{name}:" in faults_module.__doc__


def _clean_expect(persona: str) -> tuple[str, ...]:
    return ("AUDIT_INCOMPLETE",) if persona == "panos" else ()


def test_generated_fleet_is_deterministic_and_mixed() -> None:
    fleet = generate_fleet(40, seed=7, faulty_ratio=0.25)
    again = generate_fleet(40, seed=7, faulty_ratio=0.25)
    assert fleet == again
    assert len(fleet.devices) == 40 and len({d.name for d in fleet.devices}) == 40
    assert {d.persona for d in fleet.devices} == {
        "ios_router",
        "ios_switch",
        "iosxe_switch",
        "iosxe_router",
        "nxos",
        "iosxr",
        "junos",
        "panos",
    }
    # 10 devices carry a scenario; clean PAN-OS devices expect AUDIT_INCOMPLETE (no digest)
    faulty = [d for d in fleet.devices if d.expect != _clean_expect(d.persona)]
    assert len(faulty) == 10
    assert generate_fleet(40, seed=8, faulty_ratio=0.25) != fleet
    assert all(d.expect == _clean_expect(d.persona) for d in generate_fleet(9).devices)
    with pytest.raises(ConfigError):
        generate_fleet(0)
