"""History store: record a fleet's sweep and compute drift for the whole fleet.

    python benchmarks/history_store.py [--devices N] [--check]

Builds N devices' results (default 10,000; two images each, one finding), then, in a
temporary directory and in the same run, times:

- the baseline: serialising the same snapshots to JSON (``json.dumps`` of their dicts), the
  floor any "write the sweep somewhere" pays;
- recording sweep 1 and sweep 2 into a fresh SQLite history (one transaction each; sweep 2
  also looks up every device's previous images and findings for first-seen);
- loading every device's previous state (``previous()``) and running the drift rules over the
  whole fleet.

Prints seconds, per-1,000-device figures and ratios to the JSON baseline. Target: under a
second per 1,000 devices for record and for drift; ``--check`` exits 1 above it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from imagesweep.analyze.rules.drift import drift
from imagesweep.baseline.context import Context
from imagesweep.baseline.prior import HistoryContext
from imagesweep.history.snapshot import from_results
from imagesweep.history.store import SQLiteHistory
from imagesweep.records import (
    BootInfo,
    DeviceResult,
    DeviceState,
    DigestResult,
    Finding,
    ImageVerdict,
    StorageFile,
    StorageListing,
    VersionInfo,
)

TARGET_PER_1000 = 1.0
A = "flash:c2900-universalk9-mz.SPA.157-3.M8.bin"
B = "flash:c2900-universalk9-mz.SPA.155-3.M10.bin"


def fleet(n: int, when: datetime, day: int, changed: int = 0) -> tuple[DeviceResult, ...]:
    """Sweep of ``day`` (uptime grows with it: no reload); ``changed``: every changed-th
    device has another digest for image B (0: none)."""
    out = []
    for i in range(n):
        md5_b = "c" * 32 if changed and i % changed == 0 else "b" * 32
        state = DeviceState(
            host=f"r{i:05d}",
            platform="cisco_ios",
            version=VersionInfo(
                version="15.7(3)M8",
                running_image=A,
                uptime=f"12 weeks, {day} days, 4 hours, 10 minutes",
                config_register="0x2102",
                rommon="System Bootstrap, Version 15.0(1r)M16",
            ),
            boot=BootInfo(next_boot=(A,)),
            listings=(StorageListing("flash:", (StorageFile(A, 100), StorageFile(B, 90))),),
            digests=(DigestResult(A, "md5", "a" * 32), DigestResult(B, "md5", md5_b)),
        )
        images = (
            ImageVerdict(A, 100, True, True, md5="a" * 32, known_good="yes", verdict="match"),
            ImageVerdict(B, 90, False, False, md5=md5_b, known_good="no", verdict="unknown"),
        )
        out.append(
            DeviceResult(
                host=state.host,
                address="10.0.0.1",
                platform="cisco_ios",
                status="findings",
                hash_status="match",
                findings=(Finding("HASH_UNKNOWN", "medium", f"{B} is not in the catalogue"),),
                images=images,
                state=state,
                audited_at=when.isoformat(),
            )
        )
    return tuple(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    n = args.devices
    t1 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    t2 = t1 + timedelta(days=1)
    first = fleet(n, t1, 0)
    second = fleet(n, t2, 1, changed=100)
    third = fleet(n, t2 + timedelta(days=1), 2)
    snap1 = from_results(first, started_at=t1, finished_at=t1, source="/runs/1")
    snap2 = from_results(second, started_at=t2, finished_at=t2, source="/runs/2")

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        (Path(tmp) / "sweep.json").write_text(
            json.dumps([asdict(d) for d in snap2.devices], default=str), encoding="utf-8"
        )
        baseline = time.perf_counter() - start

        store = SQLiteHistory(Path(tmp) / "history.sqlite")
        start = time.perf_counter()
        store.record(snap1)
        record1 = time.perf_counter() - start
        start = time.perf_counter()
        store.record(snap2)
        record2 = time.perf_counter() - start

        start = time.perf_counter()
        previous = store.previous()
        load = time.perf_counter() - start
        # Drift of a third sweep (the first fleet again) against sweep 2.
        ctx = Context(history=HistoryContext(previous=previous, now=t2 + timedelta(days=1)))
        start = time.perf_counter()
        changed = sum(1 for r in third if r.state and drift(r.state, ctx))
        rules = time.perf_counter() - start
        size = (Path(tmp) / "history.sqlite").stat().st_size
        store.close()

    per = 1000 / n
    print(f"devices: {n:,}  history file: {size / 1e6:.1f} MB after two sweeps")
    print(f"baseline, JSON of the same snapshots:  {baseline:7.3f} s")
    print(
        f"record sweep 1 (empty history):        {record1:7.3f} s  "
        f"{record1 * per:.3f} s/1000  x{record1 / baseline:.1f} baseline"
    )
    print(
        f"record sweep 2 (first-seen lookups):   {record2:7.3f} s  "
        f"{record2 * per:.3f} s/1000  x{record2 / baseline:.1f} baseline"
    )
    print(f"load previous states (whole fleet):    {load:7.3f} s  {load * per:.3f} s/1000")
    print(f"drift rules (whole fleet):             {rules:7.3f} s  {rules * per:.3f} s/1000")
    drift_total = load + rules
    print(
        f"drift total (load + rules):            {drift_total:7.3f} s  "
        f"{drift_total * per:.3f} s/1000  x{drift_total / baseline:.1f} baseline  "
        f"({changed:,} devices drifted; expected {n // 100:,})"
    )
    worst = max(record1, record2, drift_total) * per
    if args.check and worst > TARGET_PER_1000:
        print(f"FAIL: {worst:.3f} s per 1000 devices > {TARGET_PER_1000}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
