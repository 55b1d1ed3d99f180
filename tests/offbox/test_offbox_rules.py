"""Issue 11 rules as pure functions: OFFBOX_HASH_MISMATCH, HASH_FLEET_OUTLIER, and the gap a
refused copy leaves. Each has a case that fires and one that must not."""

from __future__ import annotations

from dataclasses import replace

from imagesweep.analyze.rules import RULE_IDS, Context, analyze
from imagesweep.analyze.rules.fleet import fleet_outliers
from imagesweep.analyze.state import build_state
from imagesweep.baseline.catalogue import Catalogue
from imagesweep.records import (
    BootInfo,
    DeviceCapture,
    DeviceState,
    DigestResult,
    KnownGood,
    OffboxCopy,
    StorageFile,
    StorageListing,
    VersionInfo,
)

IMAGE = "c2900-universalk9-mz.SPA.157-3.M8.bin"
PATH = f"flash:{IMAGE}"
GOOD, EVIL, OTHER = "a" * 32, "e" * 32, "c" * 32
CTX = Context(catalogue=Catalogue.of([KnownGood(IMAGE, GOOD, "", "cisco_ios", "15.7(3)M8")]))


def router(
    host: str = "r1",
    *,
    claim: str = GOOD,
    copied: str | None = None,
    size: int = 3_000_000,
    name: str = IMAGE,
) -> DeviceState:
    path = f"flash:{name}"
    offbox = (OffboxCopy(path, path, "scp", size, copied, "f" * 128),) if copied else ()
    return DeviceState(
        host=host,
        platform="cisco_ios",
        version=VersionInfo("15.7(3)M8", running_image=path),
        boot=BootInfo(next_boot=(path,)),
        listings=(StorageListing("flash:", (StorageFile(path, size),)),),
        digests=(DigestResult(path, "md5", claim),),
        offbox=offbox,
    )


def rules(state: DeviceState, ctx: Context = CTX) -> set[str]:
    return {f.rule for f in analyze(state, ctx)}


def test_rule_ids_are_registered() -> None:
    assert {"OFFBOX_HASH_MISMATCH", "HASH_FLEET_OUTLIER"} <= RULE_IDS
    assert "TLB_WRITABLE" not in RULE_IDS  # no real sample of the TLB check's output


def test_liar_fires_and_names_both_digests() -> None:
    (finding,) = [f for f in analyze(router(copied=EVIL), CTX) if f.rule == "OFFBOX_HASH_MISMATCH"]
    assert finding.severity == "critical"
    assert "lied" in finding.summary
    text = "\n".join(finding.evidence)
    assert EVIL in text and GOOD in text and "scp" in text


def test_honest_copy_is_clean_and_without_copy_nothing_is_claimed() -> None:
    assert rules(router(copied=GOOD)) == set()
    assert rules(router()) == set()  # the liar without --offbox: what the option is for


def test_bytes_differ_from_catalogue_even_when_the_device_agrees() -> None:
    found = analyze(router(claim=EVIL, copied=EVIL), CTX)
    offbox = [f for f in found if f.rule == "OFFBOX_HASH_MISMATCH"]
    assert offbox and "known-good" in offbox[0].summary
    assert "HASH_MISMATCH" in {f.rule for f in found}


def test_refused_copy_is_a_gap_with_the_enabling_command() -> None:
    capture = DeviceCapture(
        "r1",
        "127.0.0.1",
        "cisco_ios",
        offbox=(OffboxCopy(PATH, error="SCP: refused", enable="ip scp server enable"),),
    )
    state = build_state(capture)
    (gap,) = [g for g in state.gaps if g.step.startswith("offbox")]
    assert gap.step == f"offbox {PATH}"
    assert "ip scp server enable" in gap.reason and "SCP: refused" in gap.reason
    assert "AUDIT_INCOMPLETE" in rules(replace(router(copied=GOOD), gaps=state.gaps))


def test_fleet_outlier_needs_a_majority_of_two() -> None:
    four = [router(f"r{i}", claim=OTHER) for i in range(4)]
    odd = router("r9", claim=EVIL)
    found = fleet_outliers([*four, odd])
    assert set(found) == {"r9"}
    (finding,) = found["r9"]
    assert finding.rule == "HASH_FLEET_OUTLIER" and finding.severity == "high"
    assert any("4 of 5 devices" in line and OTHER in line for line in finding.evidence)


def test_fleet_outlier_never_on_one_device_or_a_tie() -> None:
    assert fleet_outliers([router("a", claim=EVIL)]) == {}
    assert fleet_outliers([router("a", claim=EVIL), router("b", claim=OTHER)]) == {}
    two_two = [
        router(h, claim=c) for h, c in (("a", EVIL), ("b", EVIL), ("c", OTHER), ("d", OTHER))
    ]
    assert fleet_outliers(two_two) == {}


def test_fleet_outlier_compares_only_same_name_and_size() -> None:
    states = [router(f"r{i}", claim=OTHER) for i in range(3)]
    assert fleet_outliers([*states, router("big", claim=EVIL, size=4_000_000)]) == {}
    assert fleet_outliers([*states, router("x", claim=EVIL, name="other.bin")]) == {}


def test_fleet_prefers_the_bytes_over_the_device_word() -> None:
    honest = [router(f"r{i}", claim=OTHER, copied=OTHER) for i in range(3)]
    liar = router("liar", claim=OTHER, copied=EVIL)  # repeats the fleet's digest on-box
    assert set(fleet_outliers([*honest, liar])) == {"liar"}


def test_history_votes_like_devices() -> None:
    alone = router("new", claim=EVIL)
    assert fleet_outliers([alone]) == {}
    history = [(IMAGE, 3_000_000, f"md5:{OTHER}", 300)]
    found = fleet_outliers([alone], history)
    assert set(found) == {"new"}
    assert any("300 of 301" in line for line in found["new"][0].evidence)


def test_journal_keeps_the_copies_for_resume(tmp_path: object) -> None:
    from pathlib import Path

    from imagesweep.sweep.journal import Journal

    run_dir = Path(str(tmp_path))
    copy = OffboxCopy(PATH, PATH, "scp", 10, GOOD, "f" * 128, 0.5)
    capture = DeviceCapture("r1", "127.0.0.1", "cisco_ios", offbox=(copy,))
    Journal(run_dir).append(capture)
    assert Journal(run_dir).read()["r1"].offbox == (copy,)
