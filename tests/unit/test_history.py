"""The history store on real SQLite files, and its commands through the real CLI."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from imagesweep.analyze.rules import Context, analyze
from imagesweep.analyze.rules.images import hash_status, verdicts
from imagesweep.baseline import catalogue
from imagesweep.errors import ConfigError
from imagesweep.history.snapshot import default_path, from_results
from imagesweep.history.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    DeviceSnapshot,
    ImageRecord,
    SQLiteHistory,
    SweepSnapshot,
)
from imagesweep.records import (
    BootInfo,
    DeviceResult,
    DeviceState,
    DigestResult,
    StorageFile,
    StorageListing,
    VersionInfo,
)
from imagesweep.report.writers import write_reports

IMAGE = "flash:c2900-universalk9-mz.SPA.157-3.M8.bin"
T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def result(host: str, md5: str, version: str = "15.7(3)M8", when: datetime = T0) -> DeviceResult:
    state = DeviceState(
        host=host,
        platform="cisco_ios",
        version=VersionInfo(
            version=version, running_image=IMAGE, uptime="1 week", config_register="0x2102"
        ),
        boot=BootInfo(next_boot=(IMAGE,)),
        listings=(StorageListing("flash:", (StorageFile(IMAGE, 100),)),),
        digests=(DigestResult(IMAGE, "md5", md5),),
    )
    ctx = Context()
    images = verdicts(state, ctx.catalogue)
    findings = analyze(state, ctx)
    return DeviceResult(
        host=host,
        address="127.0.0.1",
        platform="cisco_ios",
        status="findings" if findings else "clean",
        hash_status=hash_status(state, images),
        findings=findings,
        images=images,
        state=state,
        audited_at=when.isoformat(),
    )


def run_dir(tmp_path: Path, name: str, when: datetime, *results: DeviceResult) -> Path:
    out = tmp_path / name
    out.mkdir()
    write_reports(
        out,
        results,
        options={},
        timings={},
        started_at=when.isoformat(),
        finished_at=(when + timedelta(minutes=5)).isoformat(),
    )
    return out


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imagesweep", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=dict(os.environ),
    )


def test_default_location_honours_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_path() == tmp_path / "imagesweep" / "history.sqlite"
    monkeypatch.setenv("IMAGESWEEP_HISTORY", str(tmp_path / "h.db"))
    assert default_path() == tmp_path / "h.db"


def test_migration_from_version_1_on_a_real_file(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO sweeps VALUES ('s1', ?, NULL, '/runs/1', 1, 1)", (T0.isoformat(),))
    db.execute(
        "INSERT INTO devices (sweep_id, host, platform, status, audited_at, version, "
        "running_image, boot_entries, config_register, storage_complete) "
        "VALUES ('s1', 'r1', 'cisco_ios', 'clean', ?, '15.7(3)M8', ?, ?, '0x2102', 1)",
        (T0.isoformat(), IMAGE, f'["{IMAGE}"]'),
    )
    db.execute(
        "INSERT INTO images (sweep_id, host, path, size, md5) VALUES ('s1', 'r1', ?, 100, ?)",
        (IMAGE, "a" * 32),
    )
    db.commit()
    db.close()

    store = SQLiteHistory(path)
    assert store.version == SCHEMA_VERSION == 3
    (snap,) = store.latest().values()
    assert snap.version == "15.7(3)M8" and snap.boot_entries == (IMAGE,)
    assert snap.memory_text is None and snap.images[0].first_seen is None
    assert snap.images[0].modified == "" and snap.images[0].digested_at is None
    prior = store.previous()["r1"]
    assert prior.images is not None and prior.images[0].md5 == "a" * 32
    store.close()
    columns = {r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(images)")}
    assert {"first_seen", "sweeps", "modified", "digested_at"} <= columns
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite"
    sqlite3.connect(path).execute("PRAGMA user_version = 99").connection.commit()
    with pytest.raises(ConfigError, match="newer"):
        SQLiteHistory(path)


def test_first_seen_carries_over_while_the_digest_is_unchanged(tmp_path: Path) -> None:
    store = SQLiteHistory(tmp_path / "h.sqlite")
    for n, md5 in enumerate(("a" * 32, "a" * 32, "f" * 32)):
        when = T0 + timedelta(days=n)
        sweep = from_results(
            (result("r1", md5, when=when),),
            started_at=when,
            finished_at=when,
            source=f"/runs/{n}",
        )
        assert store.record(sweep)
        assert not store.record(sweep)  # one id, stored once
        image = store.latest()["r1"].images[0]
        if n == 1:
            assert (image.first_seen, image.sweeps) == (T0, 2)
    assert (image.first_seen, image.sweeps) == (T0 + timedelta(days=2), 1)
    (finding,) = [f for f in store.latest()["r1"].findings if f.rule == "HASH_UNKNOWN"]
    # The same finding (same rule and summary) on every sweep: first seen at the first.
    assert (finding.first_seen, finding.last_seen) == (T0, T0 + timedelta(days=2))
    store.close()


def test_sweeps_in_the_same_second_follow_each_other(tmp_path: Path) -> None:
    """Times are stored to the second; back-to-back sweeps (a scheduled job, a test) share
    one. The later one is the newer, whatever its id's random part says (a flaky e2e test:
    the first sweep was taken for the previous one, and its digests offered for reuse)."""
    store = SQLiteHistory(tmp_path / "h.sqlite")
    for sweep_id, md5 in (
        ("20261101T020000Z-ffffffff", "a" * 32),
        ("20261101T020000Z-00000000", "b" * 32),
    ):
        sweep = from_results(
            (result("r1", md5),), started_at=T0, finished_at=T0, source=f"/runs/{sweep_id}"
        )
        assert store.record(replace(sweep, id=sweep_id))
    assert store.latest()["r1"].images[0].md5 == "b" * 32
    prior = store.previous()["r1"]
    assert prior.images is not None and prior.images[0].md5 == "b" * 32
    assert [s.id[-8:] for s in store.sweeps()] == ["ffffffff", "00000000"]
    # The second counted the first as its predecessor: a changed digest starts anew.
    again = from_results((result("r1", "b" * 32),), started_at=T0, finished_at=T0, source="/3")
    assert store.record(replace(again, id="20261101T020000Z-11111111"))
    assert store.latest()["r1"].images[0].sweeps == 2
    store.close()


def test_a_sweep_lands_whole_or_not_at_all(tmp_path: Path) -> None:
    store = SQLiteHistory(tmp_path / "h.sqlite")
    good = DeviceSnapshot(host="r1", platform="cisco_ios", audited_at=T0, status="clean")
    broken = SweepSnapshot("s1", T0, T0, "/runs/1", (good, good))  # the second violates the key
    with pytest.raises(sqlite3.IntegrityError):
        store.record(broken)
    assert store.sweeps() == [] and store.latest() == {}
    assert store.record(replace(broken, devices=(good,)))
    assert [s.id for s in store.sweeps()] == ["s1"]
    store.close()


def test_prune_keeps_recent_sweeps(tmp_path: Path) -> None:
    store = SQLiteHistory(tmp_path / "h.sqlite")
    now = datetime.now(UTC)
    for n, age in enumerate((40, 10, 1)):
        when = now - timedelta(days=age)
        image = ImageRecord(IMAGE, 100, "a" * 32)
        device = DeviceSnapshot("r1", "cisco_ios", when, "clean", images=(image,))
        store.record(SweepSnapshot(f"s{n}", when, when, "", (device,)))
    assert store.prune(30) == 1
    assert [s.id for s in store.sweeps()] == ["s1", "s2"]
    assert store.db.execute("SELECT COUNT(*) FROM images").fetchone()[0] == 2  # cascaded
    store.close()


def test_import_history_diff_prune_and_promote_through_the_cli(tmp_path: Path) -> None:
    history = str(tmp_path / "history.sqlite")
    one = run_dir(tmp_path, "run1", T0, result("r1", "a" * 32), result("r2", "b" * 32))
    later = T0 + timedelta(days=1)
    two = run_dir(
        tmp_path,
        "run2",
        later,
        result("r1", "c" * 32, when=later),
        result("r2", "b" * 32, version="15.5(3)M10", when=later),
    )
    imported = cli("history", "import", str(two), str(one), "--history", history)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.count("imported as") == 2
    again = cli("history", "import", str(one), "--history", history)
    assert "already held" in again.stdout

    listed = cli("history", "--history", history)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.index(str(one)) < listed.stdout.index(str(two))  # in time order

    timeline = cli("history", "--host", "r2", "--history", history)
    assert "15.7(3)M8" in timeline.stdout and "15.5(3)M10" in timeline.stdout
    since = cli("history", "--host", "r2", "--since", later.isoformat(), "--history", history)
    assert "15.7(3)M8" not in since.stdout

    diffed = cli("diff", "--history", history)  # the last two sweeps
    assert diffed.returncode == 0, diffed.stderr
    assert f"r1  image-changed  {IMAGE}  {'a' * 32} -> {'c' * 32}" in diffed.stdout
    assert "r2  version    15.7(3)M8 -> 15.5(3)M10" in diffed.stdout
    assert "r2  image" not in diffed.stdout
    by_dir = cli("diff", str(one), str(two), "--history", history)
    assert by_dir.stdout == diffed.stdout
    missing = cli("diff", "nope", str(two), "--history", history)
    assert missing.returncode == 2 and "no such sweep" in missing.stderr

    pruned = cli("history", "prune", "--keep-days", "0", "--history", history)
    assert pruned.returncode == 0 and "pruned 2 sweep(s)" in pruned.stdout

    cat = tmp_path / "known-good.csv"
    # One name, two digests on two devices: no baseline to promote.
    conflict = cli("known-good", "add", "--from-run", str(two), "--catalogue", str(cat))
    assert conflict.returncode == 2 and "different digests" in conflict.stderr
    three = run_dir(tmp_path, "run3", T0, result("r1", "a" * 32), result("r2", "a" * 32))
    promoted = cli("known-good", "add", "--from-run", str(three), "--catalogue", str(cat))
    assert promoted.returncode == 0, promoted.stderr
    (entry,) = catalogue.load(cat).entries
    assert (entry.filename, entry.md5) == (IMAGE.split(":")[1], "a" * 32)
    assert (entry.source, entry.version, entry.platform) == (
        "run run3 (2026-11-01)",
        "15.7(3)M8",
        "cisco_ios",
    )
    twice = cli("known-good", "add", "--from-run", str(three), "--catalogue", str(cat))
    assert twice.returncode == 0 and len(catalogue.load(cat).entries) == 1


def test_no_history_file_is_a_clear_error(tmp_path: Path) -> None:
    proc = cli("history", "--history", str(tmp_path / "none.sqlite"))
    assert proc.returncode == 2 and "no history yet" in proc.stderr
