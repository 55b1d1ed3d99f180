"""Issue 10 end to end over SSH: the real CLI against the lab's integrity fleet, whose IOS-XE
devices sign their boot measurements with the lab PKI.

With --kgv and --integrity-roots pointing at the files the lab writes beside its inventory,
each persona gets exactly the rules its ``expect:`` names and the genuine ones none. Without
--kgv the signed measurements are BOOT_INTEGRITY_UNVERIFIED, never a silent pass; without the
lab's roots, the lab's SUDI chains lead to no trusted root.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_support import Sweep, audit, run_cli

from imagesweep.baseline.catalogue import load
from imagesweep.lab.fleet import Fleet, load_fleet
from imagesweep.report.schema import read_raw

FLEET = Path(__file__).parents[2] / "src/imagesweep/lab/fleets/integrity.yaml"
SIGNING = {"bi-genuine", "bi-genuine-stack", "bi-busy", "bi-not-in-kgv", "bi-lies",
           "bi-bad-signature", "bi-replay", "bi-secure-boot-off"}  # fmt: skip


@pytest.fixture(scope="module")
def fleet() -> Fleet:
    return load_fleet(FLEET)


@pytest.fixture(scope="module")
def inventory(
    fleet: Fleet,
    lab_of: Callable[[Fleet, Path], Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    return lab_of(fleet, tmp_path_factory.mktemp("integrity"))


@pytest.fixture(scope="module")
def judged(inventory: Path) -> Sweep:
    return audit(
        inventory,
        inventory.parent / "judged",
        "--kgv",
        str(inventory / "kgv.json"),
        "--integrity-roots",
        str(inventory / "integrity-roots.pem"),
    )


def test_each_persona_gets_exactly_its_rules(judged: Sweep, fleet: Fleet) -> None:
    rules = judged.rules()
    assert {d.name: set(d.expect) for d in fleet.devices} == rules
    assert rules["bi-genuine"] == set() and rules["bi-genuine-stack"] == set()
    assert judged.exit_code == 1


def test_evidence_names_measured_and_expected_values(judged: Sweep) -> None:
    (lies,) = judged.findings("bi-lies", "BOOT_INTEGRITY_MISMATCH")
    assert "PCR8 signed" in lies["evidence"] and "replay to" in lies["evidence"]
    (missing,) = judged.findings("bi-not-in-kgv", "BOOT_INTEGRITY_MISMATCH")
    assert (
        "measured" in missing["evidence"]
        and "Known Good Values for 17.09.04a" in missing["evidence"]
    )
    assert "KGV kgv.json" in missing["evidence"] and "signed by" in missing["evidence"]
    replay = judged.findings("bi-replay", "BOOT_INTEGRITY_SIGNATURE_INVALID")
    assert replay and all("nonce" in f["evidence"] for f in replay)
    (serials,) = judged.findings("bi-serials", "SIGNATURE_INVALID")
    assert serials["severity"] == "critical"
    assert judged.devices()["bi-dev-rommon"]["rommon"] == "17.11.1r[FC1]"
    assert judged.devices()["bi-genuine"]["rommon"] == "16.12(2r)"
    integrity = {h: row["integrity"] for h, row in judged.devices().items()}
    for host in ("bi-lies", "bi-not-in-kgv", "bi-bad-signature", "bi-replay"):
        assert integrity[host] == "tampered", host
    assert integrity["bi-genuine"] == "verified"


def test_sweep_json_says_whether_the_kgv_was_signed(judged: Sweep) -> None:
    import json

    options = json.loads((judged.run_dir / "sweep.json").read_text(encoding="utf-8"))["options"]
    assert options["kgv_signed"] is True
    assert "signed by" in options["kgv_file"] and options["trusted_roots"] == 4


def test_a_busy_trust_anchor_is_asked_again(judged: Sweep) -> None:
    import json

    document = json.loads((judged.run_dir / "sweep.json").read_text(encoding="utf-8"))
    (busy,) = [d for d in document["devices"] if d["host"] == "bi-busy"]
    sent = [c for c in busy["commands"] if c["step"] == "integrity"]
    assert len(sent) == 2 and sent[0]["command"] == sent[1]["command"]
    assert "resent" in sent[0]["error"] and sent[1]["error"] == ""
    assert busy["rules"] == "" and busy["status"] == "clean"


def test_the_stack_is_verified_per_member(judged: Sweep) -> None:
    (text,) = [
        o.text
        for o in read_raw(judged.run_dir, "bi-genuine-stack")
        if o.command.startswith("show system integrity all measurement nonce ")
    ]
    assert text.count("LOCATION ") == 2


def test_without_kgv_signed_measurements_are_unverified(inventory: Path) -> None:
    sweep = audit(
        inventory,
        inventory.parent / "no-kgv",
        "--integrity-roots",
        str(inventory / "integrity-roots.pem"),
    )
    rules = sweep.rules()
    for host in ("bi-genuine", "bi-genuine-stack", "bi-not-in-kgv"):
        assert rules[host] == {"BOOT_INTEGRITY_UNVERIFIED"}, host
    (finding, *_) = sweep.findings("bi-genuine", "BOOT_INTEGRITY_UNVERIFIED")
    assert "no --kgv file" in finding["evidence"]


def test_without_the_lab_roots_no_chain_is_trusted(inventory: Path) -> None:
    sweep = audit(inventory, inventory.parent / "cisco-roots")
    rules = sweep.rules()
    for host in SIGNING - {"bi-secure-boot-off"}:
        assert "BOOT_INTEGRITY_SIGNATURE_INVALID" in rules[host], host
    (finding, *_) = sweep.findings("bi-genuine", "BOOT_INTEGRITY_SIGNATURE_INVALID")
    assert "not a trusted root" in finding["evidence"]


def test_a_kgv_whose_signer_is_not_trusted_is_refused(inventory: Path) -> None:
    out = inventory.parent / "untrusted-kgv"
    proc = run_cli(
        "audit", "--inventory", str(inventory), "--out", str(out), "--no-history",
        "--kgv", str(inventory / "kgv.json"),
    )  # fmt: skip
    assert proc.returncode == 2
    assert "kgv.json.signature does not verify" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_the_lab_kgv_imports_into_a_catalogue(inventory: Path, tmp_path: Path) -> None:
    catalogue = tmp_path / "kg.csv"
    proc = run_cli(
        "known-good",
        "import-kgv",
        str(inventory / "kgv.json"),
        "--catalogue",
        str(catalogue),
        "--integrity-roots",
        str(inventory / "integrity-roots.pem"),
    )
    assert proc.returncode == 0, proc.stderr
    assert "signed by" in proc.stdout
    lab = load(inventory / "known-good.csv")
    imported = load(catalogue)
    for entry in imported.entries:
        assert lab.get(entry.filename) is not None
        assert lab.get(entry.filename).md5 == entry.md5  # type: ignore[union-attr]
