"""Drift rules (CHECKS.md G) as pure functions of (state now, state at the previous sweep)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from imagesweep.analyze.rules import RULE_IDS, Context, analyze
from imagesweep.analyze.rules.drift import DRIFT_IDS, drift
from imagesweep.baseline.catalogue import Catalogue
from imagesweep.baseline.prior import HistoryContext, PriorImage, PriorState, Window
from imagesweep.baseline.windows import load as load_windows
from imagesweep.errors import ConfigError
from imagesweep.parse.text import uptime_seconds
from imagesweep.records import (
    AuditGap,
    BootInfo,
    DeviceState,
    DigestResult,
    StorageFile,
    StorageListing,
    VersionInfo,
)

A = "flash:c2900-universalk9-mz.SPA.157-3.M8.bin"
B = "flash:c2900-universalk9-mz.SPA.155-3.M10.bin"
THEN = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
UPTIME = "12 weeks, 3 days, 4 hours, 10 minutes"
UPTIME_SECONDS = ((12 * 7 + 3) * 24 + 4) * 3600 + 600


def state(
    *,
    files: dict[str, str] | None = None,
    version: str = "15.7(3)M8",
    boot: tuple[str, ...] = (A,),
    confreg: str = "0x2102",
    confreg_next: str = "",
    rommon: str = "System Bootstrap, Version 15.0(1r)M16",
    uptime: str = UPTIME,
    gaps: tuple[AuditGap, ...] = (),
    listed: bool = True,
) -> DeviceState:
    files = {A: "a" * 32} if files is None else files
    return DeviceState(
        host="r1",
        platform="cisco_ios",
        version=VersionInfo(
            version=version,
            running_image=A,
            uptime=uptime,
            config_register=confreg,
            config_register_next=confreg_next,
            rommon=rommon,
        ),
        boot=BootInfo(next_boot=boot),
        listings=(StorageListing("flash:", tuple(StorageFile(p, 100) for p in files)),)
        if listed
        else (),
        digests=tuple(DigestResult(p, "md5", d) for p, d in files.items() if d),
        gaps=gaps,
    )


def prior(**kw: object) -> PriorState:
    base = PriorState(
        host="r1",
        sweep="s1",
        swept_at=THEN,
        version="15.7(3)M8",
        running_image=A,
        boot_entries=(A,),
        config_register="0x2102",
        config_register_next="0x2102",
        rommon="System Bootstrap, Version 15.0(1r)M16",
        uptime_seconds=UPTIME_SECONDS - 86400,  # a day before NOW: the same boot time
        images=(PriorImage(A, 100, "a" * 32, "", THEN - timedelta(days=30), 4),),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def ctx(previous: PriorState | None = None, windows: tuple[Window, ...] = ()) -> Context:
    return Context(
        history=HistoryContext(
            previous={"r1": previous or prior()},
            windows=windows,
            groups={"r1": ("branch",)},
            now=NOW,
        )
    )


def rules(s: DeviceState, c: Context) -> set[str]:
    return {f.rule for f in drift(s, c)}


def test_drift_rules_are_registered() -> None:
    assert len(DRIFT_IDS) == 9
    assert DRIFT_IDS <= RULE_IDS


def test_unchanged_device_has_no_drift() -> None:
    # A day later, uptime a day longer: the same boot time, no reload.
    assert uptime_seconds(UPTIME) == UPTIME_SECONDS
    assert rules(state(), ctx()) == set()


def test_device_never_seen_has_no_drift() -> None:
    c = Context(history=HistoryContext(now=NOW))
    assert rules(state(version="99.9", boot=(B,), confreg="0x2142"), c) == set()


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (state(files={A: "f" * 32}), {"IMAGE_CHANGED"}),
        (state(files={A: "a" * 32, B: "b" * 32}), {"IMAGE_ADDED"}),
        (state(files={}), {"IMAGE_REMOVED"}),
        (state(boot=(B, A)), {"BOOT_CHANGED"}),
        (state(confreg="0x2142"), {"CONFREG_CHANGED"}),
        (state(confreg_next="0x2142"), {"CONFREG_CHANGED"}),
        (state(rommon="System Bootstrap, Version 15.0(1r)M17"), {"ROMMON_CHANGED"}),
        (state(version="15.5(3)M10"), {"VERSION_CHANGED"}),
        (state(uptime="5 minutes"), {"UNEXPECTED_RELOAD"}),
    ],
)
def test_each_change_fires_its_rule(now: DeviceState, expected: set[str]) -> None:
    assert rules(now, ctx()) == expected


def test_image_removed_needs_a_full_listing_now() -> None:
    gap = AuditGap("listing flash:", "timed out")
    assert rules(state(files={}, gaps=(gap,)), ctx()) == set()


def test_fields_the_previous_sweep_did_not_obtain_are_skipped() -> None:
    unknown = prior(
        version=None,
        boot_entries=None,
        config_register=None,
        config_register_next=None,
        rommon=None,
        uptime_seconds=None,
        images=None,
    )
    changed = state(
        version="15.5(3)M10", boot=(B,), confreg="0x2142", rommon="x", files={A: "a" * 32, B: "b"}
    )
    assert rules(changed, ctx(unknown)) == set()


def test_fields_this_sweep_did_not_obtain_are_skipped() -> None:
    bare = DeviceState(host="r1", platform="cisco_ios", gaps=(AuditGap("connect", "refused"),))
    assert rules(bare, ctx()) == set()


def test_free_space_and_timestamps_never_count() -> None:
    s = state()
    listing = replace(s.listings[0], free_bytes=1, total_bytes=2)
    files = tuple(replace(f, modified="2026-12-01 01:00:00") for f in listing.files)
    assert rules(replace(s, listings=(replace(listing, files=files),)), ctx()) == set()


def test_memory_text_change_without_reload() -> None:
    c = ctx(prior(memory_text="1" * 32))
    now = replace(state(), memory_text="2" * 32)
    assert rules(now, c) == {"MEMORY_TEXT_CHANGED"}
    reloaded = replace(state(uptime="5 minutes"), memory_text="2" * 32)
    assert rules(reloaded, c) == {"UNEXPECTED_RELOAD"}  # a reload explains it
    assert rules(replace(state(), memory_text="1" * 32), c) == set()
    assert rules(state(), c) == set()  # not taken this sweep: no change claimed
    assert rules(now, ctx()) == set()  # not taken last sweep


WINDOW = Window(
    "CHG-1", NOW - timedelta(hours=6), NOW - timedelta(hours=5), groups=frozenset({"branch"})
)


def test_window_turns_matching_drift_into_info_naming_it() -> None:
    (finding,) = drift(state(version="15.5(3)M10"), ctx(windows=(WINDOW,)))
    assert finding.severity == "info"
    assert "approved: window CHG-1" in finding.summary


def test_window_does_not_cover_a_content_change() -> None:
    (finding,) = drift(state(files={A: "f" * 32}), ctx(windows=(WINDOW,)))
    assert finding.severity == "high"


def test_window_with_another_expected_version_does_not_approve() -> None:
    w = replace(WINDOW, expect_version="17.1.1")
    (finding,) = drift(state(version="15.5(3)M10"), ctx(windows=(w,)))
    assert finding.severity == "medium"
    assert "expected version 17.1.1" in finding.summary


def test_window_outside_the_interval_does_not_approve() -> None:
    w = replace(WINDOW, start=THEN - timedelta(days=3), end=THEN - timedelta(days=2))
    (finding,) = drift(state(version="15.5(3)M10"), ctx(windows=(w,)))
    assert finding.severity == "medium"


def test_baseline_first_seen_is_distinct_from_a_catalogue_match() -> None:
    findings = analyze(state(), replace(ctx(), catalogue=Catalogue()))
    (unknown,) = [f for f in findings if f.rule == "HASH_UNKNOWN"]
    assert "history baseline (not a catalogue match): first seen 2026-10-31" in unknown.summary
    assert "(5 sweeps)" in unknown.summary
    # A different digest has no baseline to vouch for it.
    other = analyze(state(files={A: "f" * 32}), replace(ctx(), catalogue=Catalogue()))
    assert all("baseline" not in f.summary for f in other)


def test_uptime_forms() -> None:
    assert (
        uptime_seconds("1 week, 2 days, 3 hours, 4 minutes")
        == 7 * 86400 + 2 * 86400 + 3 * 3600 + 240
    )
    assert (
        uptime_seconds("4 day(s), 3 hour(s), 2 minute(s), 1 second(s)")
        == 4 * 86400 + 3 * 3600 + 121
    )
    assert uptime_seconds("3 days, 04:10:22") == 3 * 86400 + 4 * 3600 + 622
    assert uptime_seconds("") is None
    assert uptime_seconds("unknown") is None


def test_windows_file(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        "windows:\n  - name: CHG-1\n    groups: [branch]\n    start: 2026-12-01T00:00:00Z\n"
        "    end: 2026-12-01T04:00:00Z\n    expect_version: '17.9.4a'\n"
        "    rules: [VERSION_CHANGED]\n",
        encoding="utf-8",
    )
    (w,) = load_windows(path, rule_ids=DRIFT_IDS)
    assert w.name == "CHG-1" and w.groups == {"branch"} and w.end.tzinfo is not None
    assert w.rules == {"VERSION_CHANGED"}
    path.write_text(
        "windows:\n  - {name: x, hosts: [a], start: 2026-12-01, end: 2026-12-02, owner: me}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"unknown key.*owner"):
        load_windows(path, rule_ids=DRIFT_IDS)
    path.write_text(
        "windows:\n  - {name: x, hosts: [a], start: 2026-12-01, end: 2026-12-02,"
        " rules: [HASH_UNKNOWN]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="not a drift rule"):
        load_windows(path, rule_ids=DRIFT_IDS)
