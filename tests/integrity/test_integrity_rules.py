"""The signed-evidence rules on real device output: one real ``_nonce`` pair verified end
to end against the real Cisco roots (nonce, signature, chain, PCR replay, KGV), and each
damaged copy rejected for its own reason."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from imagesweep.analyze.rules import RULE_IDS, analyze
from imagesweep.analyze.rules.integrity_evidence import (
    boot_integrity,
    rommon_unexpected,
    software_authenticity,
)
from imagesweep.baseline.context import Context, Policy
from imagesweep.baseline.kgv import cisco_trust, load_kgv, load_trust
from imagesweep.errors import ConfigError
from imagesweep.parse import integrity as P
from imagesweep.records import Authenticity, DeviceState, Finding, Rommon, VersionInfo

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "bootintegrity"
OUT = CORPUS / "device-output"
KGV = CORPUS / "examples" / "example_kgv.json"
TRUST = cisco_trust()
SIGNED_KGV = load_kgv(KGV, TRUST)


def state(measure: str, sudi: str, nonce: int, sudi_nonce: int | None = None) -> DeviceState:
    m = P.measurement((OUT / measure).read_text(encoding="utf-8"), str(nonce))
    chain = P.sudi((OUT / sudi).read_text(encoding="utf-8"), str(sudi_nonce or nonce))
    return DeviceState(host="r1", platform="cisco_xe", measurements=m, sudi=chain)


def rules(findings: list[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


def text(findings: list[Finding]) -> str:
    return "\n".join(e for f in findings for e in (f.summary, *f.evidence))


GENUINE = ("isr4k_show_plat_int_sign_nonce.txt", "isr4k_show_plat_sudi_sign_nonce.txt", 1)


def test_a_real_device_verifies_end_to_end_against_the_cisco_roots() -> None:
    ctx = Context(trust=TRUST, kgv=SIGNED_KGV)
    assert SIGNED_KGV.signed and "KnownGoodValuesPROD" in SIGNED_KGV.signer
    assert boot_integrity(state(*GENUINE), ctx) == []
    # the ISR1K pair: its own nonces for each command, the Root CA 2099 chain
    isr1k = state(
        "isr1k_show_plat_int_sign_nonce.txt", "isr1k_show_plat_sudi_sign_nonce.txt", 1325, 79213556
    )
    found = boot_integrity(isr1k, ctx)
    # signature and chain verify; the example KGV simply has no ISR1K release
    assert rules(found) == ["BOOT_INTEGRITY_UNVERIFIED"]
    assert "no Known Good Value for release" in text(found)
    assert "Cisco Root CA 2099" in text(found)


def test_a_replayed_answer_fails_on_this_sweeps_nonce() -> None:
    found = boot_integrity(state(*GENUINE[:2], 2), Context(trust=TRUST, kgv=SIGNED_KGV))
    assert rules(found) == ["BOOT_INTEGRITY_SIGNATURE_INVALID"]
    assert "over nonce 2" in text(found)
    assert "names nonce 1 (a replayed answer)" in text(found)


def test_a_changed_register_does_not_replay() -> None:
    s = state("isr4k_show_plat_int_sign_nonce_invalid_pcr0.txt", GENUINE[1], 1)
    found = boot_integrity(s, Context(trust=TRUST, kgv=SIGNED_KGV))
    assert "BOOT_INTEGRITY_MISMATCH" in rules(found)
    assert "PCR0 signed" in text(found) and "replay to" in text(found)
    assert "BOOT_INTEGRITY_SIGNATURE_INVALID" not in rules(found)  # it was signed as printed


def test_a_device_certificate_not_issued_by_cisco_is_refused() -> None:
    s = state(GENUINE[0], "isr4k_show_plat_sudi_sign_invalid_dev_cert.txt", 1)
    found = boot_integrity(s, Context(trust=TRUST, kgv=SIGNED_KGV))
    assert rules(found) == ["BOOT_INTEGRITY_SIGNATURE_INVALID"]
    assert "SUDI chain: the chain ends at" in text(found)


def test_another_root_is_not_cisco(tmp_path: Path) -> None:
    custom = load_trust(OUT / "bad_custom_cert.pem")
    only_custom = replace(custom, roots=custom.roots[2:])
    found = boot_integrity(state(*GENUINE), Context(trust=only_custom, kgv=SIGNED_KGV))
    assert rules(found) == ["BOOT_INTEGRITY_SIGNATURE_INVALID"]
    assert "not a trusted root" in text(found) or "no trusted issuer" in text(found)


def test_hashes_not_in_the_kgv_are_a_mismatch() -> None:
    ctx = Context(trust=TRUST, kgv=SIGNED_KGV)
    m = P.platform_integrity((OUT / "isr4k_show_plat_int_sign_nonce.txt").read_text(), "1")
    changed = replace(m, os_hashes=(("", "AB" * 64),))  # not signed: checked as data only
    found = boot_integrity(replace(state(*GENUINE), measurements=(changed,)), ctx)
    assert "BOOT_INTEGRITY_MISMATCH" in rules(found)
    assert "measured ABAB" in text(found)
    assert "Known Good Values for 16.03.01" in text(found)


def test_without_kgv_measurements_are_unverified_never_a_pass() -> None:
    found = boot_integrity(state(*GENUINE), Context(trust=TRUST))
    assert rules(found) == ["BOOT_INTEGRITY_UNVERIFIED"]
    assert "no --kgv file" in text(found)


def test_error_retrieving_integrity_data_is_unverified() -> None:
    s = DeviceState(
        host="s1",
        platform="cisco_xe",
        measurements=P.measurement((OUT / "38_show_plat_int_no_hash.txt").read_text(), "1"),
    )
    found = boot_integrity(s, Context(trust=TRUST, kgv=SIGNED_KGV))
    assert rules(found) == ["BOOT_INTEGRITY_UNVERIFIED"]
    assert "% Error retrieving integrity data" in text(found)


def test_no_measurement_is_no_finding() -> None:
    assert boot_integrity(DeviceState(host="r", platform="cisco_xe"), Context(trust=TRUST)) == []


def test_v2_cli_with_its_own_nonces() -> None:
    v2 = OUT / "v2"
    ms = P.system_measurement((v2 / "cli_valid_multiple_measure.txt").read_text(), "34567")
    chain = P.system_trust_chain((v2 / "cli_valid_trust_chain.txt").read_text(), "12345")
    comp = P.system_compliance((v2 / "cli_valid_compliance.txt").read_text(), "23456")
    kgv = load_kgv(v2 / "sandbox.kgv.json", TRUST)
    assert not kgv.signed
    s = DeviceState(host="r1", platform="cisco_xe", measurements=ms, sudi=chain, compliance=comp)
    assert boot_integrity(s, Context(trust=TRUST, kgv=kgv)) == []
    off = replace(comp[0], attributes=(("secure_boot", "false"), *comp[0].attributes[1:]))
    found = boot_integrity(replace(s, compliance=(off,)), Context(trust=TRUST, kgv=kgv))
    assert "SECURE_BOOT_DISABLED" in rules(found)
    assert "BOOT_INTEGRITY_SIGNATURE_INVALID" in rules(found)  # the signature no longer fits


def test_kgv_signatures(tmp_path: Path) -> None:
    assert load_kgv(OUT / "old_kgv_signed.json", TRUST).signed
    bad = tmp_path / "example_kgv.json"
    shutil.copy(KGV, bad)
    shutil.copy(
        KGV.with_name("example_kgv.json.bad_signature"), bad.with_name(bad.name + ".signature")
    )
    with pytest.raises(ConfigError, match="does not verify"):
        load_kgv(bad, TRUST)
    altered = tmp_path / "x.json"
    shutil.copy(CORPUS / "examples" / "example_kgv_updated_unsigned.json", altered)
    shutil.copy(KGV.with_name("example_kgv.json.signature"), altered.with_name("x.json.signature"))
    with pytest.raises(ConfigError, match="altered"):
        load_kgv(altered, TRUST)
    assert not load_kgv(CORPUS / "examples" / "example_kgv_updated_unsigned.json", TRUST).signed
    (tmp_path / "n.json").write_text('{"header": {}, "x": 1}')
    with pytest.raises(ConfigError, match="not a Known Good Values file"):
        load_kgv(tmp_path / "n.json", TRUST)


def auth(
    subject: str, kind: str, serial: str, *, file: bool = False, signer: str = "CiscoSystems"
) -> Authenticity:
    return Authenticity(
        subject, kind, signer, serial, "A", file=file, target=subject if file else ""
    )


def test_software_authenticity() -> None:
    v = VersionInfo("17.9.4a", running_image="bootflash:x.bin")
    good = DeviceState(
        host="r",
        platform="cisco_xe",
        version=v,
        authenticity=(
            auth("SYSTEM IMAGE", "Production", "5A94807E"),
            auth("bootflash:x.bin", "Production", "5A94807E", file=True),
        ),
    )
    assert software_authenticity(good, Context()) == []
    special = replace(good, authenticity=(auth("SYSTEM IMAGE", "Special", "5A94807E"),))
    assert rules(software_authenticity(special, Context())) == ["SIGNATURE_INVALID"]
    differ = replace(
        good,
        authenticity=(
            good.authenticity[0],
            auth("bootflash:x.bin", "Production", "11111111", file=True),
        ),
    )
    (f,) = software_authenticity(differ, Context())
    assert f.rule == "SIGNATURE_INVALID" and f.severity == "critical"
    stranger = replace(good, authenticity=(auth("SYSTEM IMAGE", "Production", "1", signer="Evil"),))
    assert "signer Evil" in text(software_authenticity(stranger, Context()))


def test_genieparser_special_images_are_signature_invalid() -> None:
    raw = Path(
        CORPUS.parent / "genieparser/cisco_xe/show_software_authenticity_running/golden_output.raw"
    )
    s = DeviceState(
        host="c9k", platform="cisco_xe", authenticity=P.authenticity_running(raw.read_text())
    )
    found = software_authenticity(s, Context())
    assert found and all(f.rule == "SIGNATURE_INVALID" for f in found)


def test_rommon() -> None:
    rom = P.rom_monitor(
        (
            CORPUS.parent / "genieparser/cisco_xe/show_rom-monitor_switch_R0/golden_output.raw"
        ).read_text()
    )
    dev = DeviceState(host="s", platform="cisco_xe", rommon=rom)
    assert "development ROMMON" in text(rommon_unexpected(dev, Context()))
    v = VersionInfo(
        "15.4", rommon="System Bootstrap, Version 15.4(1r)T1, RELEASE SOFTWARE (fc1)", model="C2951"
    )
    plain = DeviceState(host="r", platform="cisco_ios", version=v)
    assert rommon_unexpected(plain, Context()) == []
    policy = Policy(approved_rommon={"cisco_ios": ("15.0(1r)M16",)}, rommon_region="ReadOnly")
    assert "not approved" in text(rommon_unexpected(plain, Context(policy=policy)))
    upgrade = replace(plain, rommon=Rommon(region="Upgrade", variables=(("DEBUG_CONF", "1"),)))
    found = text(rommon_unexpected(upgrade, Context(policy=policy)))
    assert "Upgrade region" in found and "DEBUG_CONF = 1" in found


def test_rules_are_registered() -> None:
    for rule in (
        "BOOT_INTEGRITY_MISMATCH",
        "BOOT_INTEGRITY_SIGNATURE_INVALID",
        "BOOT_INTEGRITY_UNVERIFIED",
        "SECURE_BOOT_DISABLED",
        "SIGNATURE_INVALID",
        "ROMMON_UNEXPECTED",
    ):
        assert rule in RULE_IDS
    assert analyze(state(*GENUINE), Context(trust=TRUST, kgv=SIGNED_KGV)) == ()


def test_policy_rommon_keys(tmp_path: Path) -> None:
    from imagesweep.baseline.policy import load as load_policy

    path = tmp_path / "policy.yaml"
    path.write_text(
        'approved_rommon:\n  xe: ["17.9.1r"]\n  C9300-48P: ["17.6.1r"]\nrommon_region: ReadOnly\n'
    )
    policy = load_policy(path, rule_ids=RULE_IDS)
    assert policy.approved_rommon == {"cisco_xe": ("17.9.1r",), "C9300-48P": ("17.6.1r",)}
    assert policy.rommon_region == "ReadOnly"
    path.write_text("rommon_region: Sideways\n")
    with pytest.raises(ConfigError, match="rommon_region"):
        load_policy(path, rule_ids=RULE_IDS)
    v = VersionInfo(
        "17.9.4a",
        model="C9300-48P",
        rommon="System Bootstrap, Version 17.9.1r, RELEASE SOFTWARE (P)",
    )
    dev = DeviceState(host="s", platform="cisco_xe", version=v)
    policy = Policy(approved_rommon={"cisco_xe": ("17.9.1r",), "C9300-48P": ("17.6.1r",)})
    # the model's list wins over the platform's
    assert "not approved" in text(rommon_unexpected(dev, Context(policy=policy)))


@pytest.mark.parametrize("form", ["netconf", "restconf"])
def test_yang_forms_verify_end_to_end(form: str) -> None:
    ext = "xml" if form == "netconf" else "json"
    v2 = OUT / "v2"
    records = [
        r
        for kind in ("measurement", "trust_chain", "compliance")
        for r in P.yang((v2 / f"{form}_valid_{kind}.{ext}").read_text())
    ]
    s = DeviceState(
        host="r1",
        platform="cisco_xe",
        measurements=tuple(r for r in records if isinstance(r, P.Measurement)),
        sudi=tuple(r for r in records if isinstance(r, P.SudiChain)),
        compliance=tuple(r for r in records if isinstance(r, P.Compliance)),
    )
    kgv = load_kgv(v2 / "sandbox.kgv.json", TRUST)
    assert boot_integrity(s, Context(trust=TRUST, kgv=kgv)) == []
    # the same answer taken as a reply to another nonce is a replay
    sent = replace(s, measurements=tuple(replace(m, nonce=999) for m in s.measurements))
    found = boot_integrity(sent, Context(trust=TRUST, kgv=kgv))
    assert rules(found) == ["BOOT_INTEGRITY_SIGNATURE_INVALID"]
    assert "names nonce 12345 (a replayed answer)" in text(found)


SUDI_NONCES = [
    ("38_show_sudi_sign_nonce.txt", 10),
    ("isr1k_show_plat_sudi_sign_nonce.txt", 79213556),
    ("isr4k_show_plat_sudi_sign_nonce.txt", 1),
    ("show_plat_sudi_crlf_eol.txt", 123),
]


@pytest.mark.parametrize(("name", "nonce"), SUDI_NONCES)
def test_every_real_signed_sudi_chain_verifies_with_its_nonce(name: str, nonce: int) -> None:
    from imagesweep.signed import verify_chain

    chain = P.platform_sudi((OUT / name).read_text(), str(nonce))
    verdict = verify_chain(chain, TRUST.roots)
    assert verdict.ok, verdict.reasons
    assert not verify_chain(replace(chain, nonce=nonce + 1), TRUST.roots).ok


def test_a_name_of_the_wrong_asn1_type_is_a_broken_chain_not_a_crash() -> None:
    # Found by the fuzz test: organizationName re-tagged from PrintableString (0x13) to BIT
    # STRING (0x03) in the root's subject; the library raises TypeError when it reads it.
    text = (OUT / "isr4k_show_plat_sudi_sign_nonce.txt").read_text()
    assert "MRYwFAYDVQQKEw1DaXNjbyBTe" in text
    chain = P.platform_sudi(
        text.replace("MRYwFAYDVQQKEw1DaXNjbyBTe", "MRYwFAYDVQQKAw1DaXNjbyBTe", 1), "1"
    )
    from imagesweep.signed import verify_chain

    verdict = verify_chain(chain, TRUST.roots)
    assert not verdict.ok
    assert verdict.reasons


def test_bad_integrity_roots_are_one_line_errors(tmp_path: Path) -> None:
    junk = tmp_path / "roots.pem"
    junk.write_text("not a certificate\n")
    with pytest.raises(ConfigError, match="not a PEM certificate bundle"):
        load_trust(junk)
    with pytest.raises(ConfigError, match="cannot read the integrity roots"):
        load_trust(tmp_path / "missing.pem")
    assert len(load_trust(OUT / "bad_custom_cert.pem").roots) == 3
