"""Signed-evidence parsers against every real case of ``corpus/bootintegrity`` (CLI forms)
and ``corpus/genieparser`` / ``corpus/web`` (software authenticity, ROMMON). Damaged copies
are refused, never guessed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from imagesweep.errors import ParseError
from imagesweep.parse import integrity as P
from imagesweep.signed import replay_pcrs

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
BIV = CORPUS / "bootintegrity" / "device-output"
GENIE = CORPUS / "genieparser" / "cisco_xe"


def text(name: str) -> str:
    return (BIV / name).read_text(encoding="utf-8")


# (file, platform, number of OS hashes, printed hashes replay to the printed PCRs)
MEASURED = [
    ("isr4k_show_plat_int.txt", "ISR4321/K9", 1, True),
    ("isr4k_show_plat_int_sign.txt", "ISR4321/K9", 1, True),
    ("isr4k_show_plat_int_sign_bad.txt", "ISR4321/K9", 1, True),
    ("isr4k_show_plat_int_sign_nonce.txt", "ISR4321/K9", 1, True),
    ("isr1k_show_plat_int_sign_nonce.txt", "C1111-8P", 1, True),
    ("show_plat_int_crlf_eol.txt", "WS-C3650-8X24UQ", 1, True),
    ("isr4k_show_plat_int_multi_hashes.txt", "ISR4451-X/K9", 19, True),
    ("isr4k_show_plat_int_bad_platform.txt", "ISR9999/K9", 1, True),
    ("isr4k_show_plat_int_missing_boot_0_version.txt", "ISR4321/K9", 1, True),
    ("isr4k_show_plat_int_missing_boot_loader_version.txt", "ISR4321/K9", 1, True),
    ("isr4k_show_plat_int_missing_os_version.txt", "ISR4321/K9", 1, True),
    # damaged hashes: they parse, and no longer replay to the printed registers
    ("isr4k_show_plat_int_bad_boot_0_version.txt", "ISR4321/K9", 1, False),
    ("isr4k_show_plat_int_bad_boot_loader_version.txt", "ISR4321/K9", 1, False),
    ("isr4k_show_plat_int_bad_os_version.txt", "ISR4321/K9", 1, False),
    ("isr4k_show_plat_int_multi_bad_hashes.txt", "ISR4451-X/K9", 19, False),
    ("isr4k_show_plat_int_unsigned_multi_bad_hashes.txt", "ISR4451-X/K9", 19, False),
    ("isr4k_show_plat_int_sign_nonce_invalid_pcr0.txt", "ISR4321/K9", 1, False),
]

REFUSED = {
    "isr4k_show_plat_int_line_wrap.txt": "wrapped",
    "isr4k_show_plat_int_not_present_boot_loader_hash.txt": "Boot Loader Hash",
    "isr4k_show_plat_int_not_present_os_hash.txt": "OS Hash",
    "isr4k_show_plat_int_not_present_os_version.txt": "OS Version",
}

NOT_MEASURED = {  # the platform answers, but has nothing to sign: data, not a failure
    "38_show_plat_int_no_hash.txt": "WS-C3850-24XU",
    "cbr8_show_plat_int_sign_not_present.txt": "CBR-8-CCAP-CHASS",
}


@pytest.mark.parametrize(("name", "platform", "count", "replays"), MEASURED)
def test_show_platform_integrity(name: str, platform: str, count: int, replays: bool) -> None:
    m = P.platform_integrity(text(name), "1")
    assert m.platform == platform
    assert len(m.boot) == 2 and all(len(h) in (64, 128) for _, h in m.boot)
    assert len(m.os_hashes) == count
    assert (replay_pcrs(m) == (m.pcr0, m.pcr8)) is replays
    assert m.nonce == 1
    signed = "sign" in text(name).splitlines()[0] or "sign" in name
    assert bool(m.signature) is (signed and "unsigned" not in name)


def test_v1_fields_of_one_case() -> None:
    m = P.platform_integrity(text("isr4k_show_plat_int_sign_nonce.txt"), "1")
    assert m.boot[0] == (
        "F01023R12.1817bb4af2014-05-23",
        "B29EE97FA16911AE4058434EA7EC4464BD1341A57B17FB84550B2DDE2ABFDFD7",
    )
    assert m.boot[1][0] == "16.2(2r)"
    assert m.os_version == "16.03.01"
    assert m.os_hashes[0][0] == ""
    assert m.pcr0 == "2D42A273E4C475B8D53A42A667599549ABE6028EC062EF15DEB15A12B41B0EA9"
    assert m.sig_version == 1 and len(m.signature) == 512
    assert m.echoed_nonce == 1
    multi = P.platform_integrity(text("isr4k_show_plat_int_multi_hashes.txt"), "12345")
    assert multi.os_hashes[0][0] == "isr4400-universalk9.17.04.01a.SPA.bin"
    assert multi.os_version == "17.04.01a"


@pytest.mark.parametrize(("name", "why"), sorted(REFUSED.items()))
def test_damaged_integrity_output_is_refused(name: str, why: str) -> None:
    with pytest.raises(ParseError, match=why):
        P.platform_integrity(text(name), "1")


@pytest.mark.parametrize(("name", "platform"), sorted(NOT_MEASURED.items()))
def test_error_retrieving_integrity_data_is_data(name: str, platform: str) -> None:
    m = P.platform_integrity(text(name), "1")
    assert m.platform == platform
    assert m.error == "% Error retrieving integrity data"
    assert not m.os_hashes and not m.pcr0


SUDI = [
    "38_show_sudi_sign.txt",
    "38_show_sudi_sign_bad.txt",
    "38_show_sudi_sign_nonce.txt",
    "isr1k_show_plat_sudi_sign_nonce.txt",
    "isr4k_show_plat_sudi_cert.txt",
    "isr4k_show_plat_sudi_sign_invalid_dev_cert.txt",
    "isr4k_show_plat_sudi_sign_nonce.txt",
    "show_plat_sudi_crlf_eol.txt",
]


@pytest.mark.parametrize("name", SUDI)
def test_show_platform_sudi(name: str) -> None:
    chain = P.platform_sudi(text(name), "1")
    assert len(chain.certificates) == 3
    assert chain.sig_version == 1 and len(chain.signature) == 512


def test_sudi_not_present_is_data_and_a_lone_certificate_is_refused() -> None:
    chain = P.platform_sudi(text("cbr8_show_plat_sudi_not_present.txt"), "1")
    assert chain.error == "% Error retrieving SUDI certificate" and not chain.certificates
    with pytest.raises(ParseError, match="expected root, sub-CA and device"):
        P.platform_sudi(text("isr4k_device_cert.txt"), "1")


def test_show_system_integrity_cli_forms() -> None:
    (m,) = P.system_measurement(text("v2/cli_valid_multiple_measure.txt"), "34567")
    assert m.location == "FRU=fru-rp SLOT=0 BAY=0 CHASSIS=-1 NODE=0"
    assert m.platform == "ISR4321/K9"
    assert [v for v, _ in m.boot] == ["MA0007R06.0714", "16.12(2r)"]
    assert len(m.os_hashes) == 19 and m.os_version.startswith("BLD_POLARIS")
    assert replay_pcrs(m) == (m.pcr0, m.pcr8)
    (chain,) = P.system_trust_chain(text("v2/cli_valid_trust_chain.txt"), "12345")
    assert len(chain.certificates) == 3 and chain.sig_version == 1
    (comp,) = P.system_compliance(text("v2/cli_valid_compliance.txt"), "23456")
    assert comp.get("secure_boot") == "true" and comp.get("tam_service") == "hardware"
    assert len(comp.attributes) == 7


def test_yang_forms_are_not_cli_output() -> None:
    """NETCONF/RESTCONF forms are the same data through YANG; the CLI parser refuses them."""
    for name in ("v2/netconf_valid_measurement.xml", "v2/restconf_valid_measurement.json"):
        with pytest.raises(ParseError):
            P.system_measurement(text(name), "1")


def test_another_commands_output_is_refused() -> None:
    with pytest.raises(ParseError):
        P.platform_integrity(text("isr4k_show_plat_sudi_sign_nonce.txt"), "1")
    with pytest.raises(ParseError):
        P.platform_sudi(text("isr4k_show_plat_int_sign_nonce.txt"), "1")
    with pytest.raises(ParseError):
        P.system_measurement(text("isr4k_show_plat_int_sign_nonce.txt"), "1")


def expected(path: Path) -> dict[str, object]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assign = tree.body[0]
    assert isinstance(assign, ast.Assign)
    value = ast.literal_eval(assign.value)
    assert isinstance(value, dict)
    return value


def test_genieparser_software_authenticity_running() -> None:
    case = GENIE / "show_software_authenticity_running"
    got = P.authenticity_running((case / "golden_output.raw").read_text(encoding="utf-8"))
    want = expected(case / "golden_output.expected.py")
    packages = want["package"]
    assert isinstance(packages, dict)
    named = {a.subject: a for a in got}
    for name, record in packages.items():
        a = named[name]
        assert a.image_type == record["image_type"]
        assert a.signer == record["signer_information"]["common_name"]
        assert a.serial == record["certificate_serial_number"]
        assert a.key_version == record.get("key_version", "")


@pytest.mark.parametrize(
    "case", ["show_rom-monitor/golden_output1", "show_rom-monitor_switch_R0/golden_output"]
)
def test_genieparser_rom_monitor(case: str) -> None:
    got = P.rom_monitor((GENIE / f"{case}.raw").read_text(encoding="utf-8"))
    want = expected(GENIE / f"{case}.expected.py")
    record = want.get("system_bootstrap", want)
    assert isinstance(record, dict)
    assert got.version == record["version"]
    assert got.release_type == record.get("release_type", record.get("build_type"))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_genieparser_romvar(n: int) -> None:
    got = P.romvar((GENIE / f"show_romvar/golden_output{n}.raw").read_text(encoding="utf-8"))
    want = expected(GENIE / f"show_romvar/golden_output{n}.expected.py")["rommon_variables"]
    assert isinstance(want, dict)
    values = {k.lower(): v for k, v in got.variables}
    # genieparser renames some variables (STACK_1_1 -> stack); the plain ones must agree
    for key in ("ps1", "mcp_startup_traceflags", "bsi", "random_num", "device_managed_mode"):
        if key in want:
            assert values[key] == str(want[key])
    if "boot" in want:
        assert values["boot"].rstrip(";").split(";") == want["boot"]


WEB = {
    "cisco_ios/show_software_authenticity_running": [("SYSTEM IMAGE", "Production", "68CD837A")],
    "cisco_ios/show_software_authenticity_file": [
        ("flash:c800-universalk9-mz.SPA.159-3.M12.bin", "Production", "68CD837A")
    ],
    "cisco_xe/show_software_authenticity_running": [
        ("SYSTEM IMAGE", "Production", "5A94807E"),
        ("Microloader", "Release", "4143616e6e65642d5348413235362d48"),
    ],
    "cisco_xe/show_software_authenticity_file": [
        (
            "bootflash:asr1000rp2-advipservicesk9.03.13.09.S.154-3.S9-ext.bin",
            "Production",
            "5A94807E",
        )
    ],
    "cisco_nxos/show_software_authenticity_running": [("NXOS IMAGE", "Release", "66A30516")],
    "cisco_nxos/show_software_authenticity_file": [
        ("/bootflash/nxos64-cs.10.5.1.F.bin", "Release", "66A30516")
    ],
}


@pytest.mark.parametrize(("case", "want"), sorted(WEB.items()))
def test_web_software_authenticity(case: str, want: list[tuple[str, str, str]]) -> None:
    (raw,) = sorted((CORPUS / "web" / case).glob("*.raw"))
    parse = P.authenticity_file if case.endswith("_file") else P.authenticity_running
    got = parse(raw.read_text(encoding="utf-8"), "flash:x.bin")
    assert [(a.subject, a.image_type, a.serial) for a in got] == want
    assert all(a.signer == "CiscoSystems" for a in got)


def test_authenticity_refuses_other_output() -> None:
    with pytest.raises(ParseError):
        P.authenticity_running(text("isr4k_show_plat_int.txt"))
    with pytest.raises(ParseError):
        P.authenticity_running("% Invalid input detected at '^' marker.")


def test_rommon_from_show_version_lines() -> None:
    r = P.rommon_line("System Bootstrap, Version 15.4(1r)T1, RELEASE SOFTWARE (fc1)")
    assert r is not None and r.version == "15.4(1r)T1" and r.release_type == "RELEASE SOFTWARE"
    assert P.rommon_line("IOS-XE ROMMON") is None
    bare = P.rommon_line("12.2(44r)SG9")
    assert bare is not None and bare.version == "12.2(44r)SG9"


def test_every_bootintegrity_cli_case_is_pinned() -> None:
    pinned = {n for n, *_ in MEASURED} | set(REFUSED) | set(NOT_MEASURED) | set(SUDI)
    pinned |= {"isr4k_device_cert.txt", "cbr8_show_plat_sudi_not_present.txt"}
    cases = {p.name for p in BIV.glob("*.txt")}
    assert cases <= pinned, sorted(cases - pinned)


YANG_VALID = [
    ("netconf_valid_measurement.xml", "Measurement", 1),
    ("netconf_valid_multiple_locations.xml", "Measurement", 2),
    ("netconf_valid_trust_chain.xml", "SudiChain", 1),
    ("netconf_valid_compliance.xml", "Compliance", 1),
    ("restconf_valid_measurement.json", "Measurement", 1),
    ("restconf_valid_trust_chain.json", "SudiChain", 1),
    ("restconf_valid_compliance.json", "Compliance", 1),
]


@pytest.mark.parametrize(("name", "kind", "count"), YANG_VALID)
def test_yang_forms(name: str, kind: str, count: int) -> None:
    got = P.yang(text(f"v2/{name}"))
    assert [type(r).__name__ for r in got] == [kind] * count
    assert all(r.nonce == 12345 for r in got)
    if kind == "Measurement":
        for m in got:
            assert isinstance(m, P.Measurement)
            assert replay_pcrs(m) == (m.pcr0, m.pcr8)
    if name == "netconf_valid_multiple_locations.xml":
        assert [r.location for r in got] == [
            "FRU=fru-rp SLOT=0 BAY=0 CHASSIS=-1 NODE=0",
            "FRU=fru-rp SLOT=1 BAY=0 CHASSIS=-1 NODE=0",
        ]


@pytest.mark.parametrize(
    "name",
    [
        "netconf_invalid_measurement_no_list_key.xml",
        "restconf_invalid_measurement_no_list_key.json",
    ],
)
def test_yang_without_list_keys_is_refused(name: str) -> None:
    with pytest.raises(ParseError, match="without its list key"):
        P.yang(text(f"v2/{name}"))


def test_yang_refuses_entities_and_other_text() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(ParseError, match="DOCTYPE"):
        P.yang(bomb)
    with pytest.raises(ParseError):
        P.yang(text("isr4k_show_plat_int_sign_nonce.txt"))
    with pytest.raises(ParseError):
        P.yang('{"x": 1}')


def test_every_v2_case_is_pinned() -> None:
    pinned = {n for n, *_ in YANG_VALID} | {
        "netconf_invalid_measurement_no_list_key.xml",
        "restconf_invalid_measurement_no_list_key.json",
        "cli_valid_multiple_measure.txt",
        "cli_valid_trust_chain.txt",
        "cli_valid_compliance.txt",
        "sandbox.kgv.json",
    }
    assert {p.name for p in (BIV / "v2").iterdir()} <= pinned


def test_rom_monitor_regions_vendor_format() -> None:
    """Written from Cisco's documented ISR G2 layout (no real capture in the corpus)."""
    fixture = (
        Path(__file__).resolve().parents[1]
        / "fixtures/cisco_ios/show_rom-monitor/isr_g2_upgrade_region_vendor_format.raw"
    )
    raw = fixture.read_text(encoding="utf-8")
    rom = P.rom_monitor(raw)
    assert (rom.version, rom.region) == ("15.0(1r)M16", "Upgrade")
    readonly = raw.replace("running ROMMON from Upgrade", "running ROMMON from ReadOnly")
    assert P.rom_monitor(readonly).version == "15.0(1r)M1"
    with pytest.raises(ParseError, match="which one runs"):
        P.rom_monitor(raw.split("Currently running")[0])
