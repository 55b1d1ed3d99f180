"""The sweep's use of the history: lock, previous states before analysis, record after.

``sweep/run.py`` calls :func:`open_for_sweep` before the rules run and
:meth:`SweepHistory.finish` after the reports are written; nothing else of the sweep knows
the history exists.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from imagesweep.analyze.rules.drift import DRIFT_IDS
from imagesweep.baseline import windows as windows_mod
from imagesweep.baseline.prior import HistoryContext
from imagesweep.files import write_atomic
from imagesweep.history.diff import Change, diff
from imagesweep.history.lock import SweepLock
from imagesweep.history.snapshot import from_results
from imagesweep.history.store import DeviceSnapshot, SQLiteHistory, to_prior
from imagesweep.records import DeviceResult
from imagesweep.report.schema import CHANGE_COLUMNS, CHANGES_CSV
from imagesweep.sanitize import csv_cell


@dataclass
class SweepHistory:
    store: SQLiteHistory
    lock: SweepLock
    context: HistoryContext
    before: dict[str, DeviceSnapshot]

    def finish(
        self,
        run_dir: Path,
        results: tuple[DeviceResult, ...],
        *,
        started_at: datetime,
        finished_at: datetime,
    ) -> list[Change]:
        """Record the sweep (one transaction) and write ``changes.csv``; the changes."""
        sweep = from_results(
            results,
            started_at=started_at,
            finished_at=finished_at,
            source=str(run_dir.resolve()),
        )
        self.store.record(sweep)
        changes = diff(self.before, {d.host: d for d in sweep.devices}, gone=False)
        write_changes(run_dir, changes)
        return changes

    def close(self) -> None:
        self.store.close()
        self.lock.release()


def write_changes(run_dir: Path, changes: list[Change]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CHANGE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for change in changes:
        writer.writerow({k: csv_cell(v) for k, v in change.row().items()})
    write_atomic(run_dir / CHANGES_CSV, buffer.getvalue())


def open_for_sweep(
    path: Path,
    *,
    windows: Path | None,
    groups: Mapping[str, tuple[str, ...]],
    now: datetime,
) -> SweepHistory:
    """Take the lock (:class:`SweepLocked` if another sweep has it), open the store and read
    each host's previous state."""
    spans = windows_mod.load(windows, rule_ids=DRIFT_IDS) if windows else ()
    lock = SweepLock(path).acquire()
    try:
        store = SQLiteHistory(path)
        before = store.latest(groups.keys())
    except BaseException:
        lock.release()
        raise
    context = HistoryContext(
        previous={h: to_prior(s, "") for h, s in before.items()},
        windows=spans,
        groups=dict(groups),
        now=now,
    )
    return SweepHistory(store, lock, context, before)
