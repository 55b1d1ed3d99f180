"""Report files with hostile device text: no formula, no escape, no path outside raw/."""

from __future__ import annotations

import csv
from pathlib import Path

from imagesweep.records import (
    CommandRun,
    DeviceCapture,
    DeviceResult,
    DeviceState,
    Finding,
    ImageVerdict,
    VersionInfo,
)
from imagesweep.report.writers import write_raw, write_reports

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\x1b]0;pwned\x07=1",
]


def hostile_result(value: str) -> DeviceResult:
    version = VersionInfo(
        version=value,
        running_image=value,
        hostname=value,
        model=value,
        serial=value,
        config_register=value,
    )
    state = DeviceState(host=value, platform="cisco_ios", version=version)
    return DeviceResult(
        host=value,
        address=value,
        platform="cisco_ios",
        status="findings",
        hash_status="unknown",
        findings=(Finding("HASH_UNKNOWN", "medium", value, (value,), value, "T1601.001"),),
        images=(ImageVerdict(value, None, True, False, value, value, value, value),),
        state=state,
        error=value,
        audited_at=value,
    )


def test_every_cell_is_neutralised(tmp_path: Path) -> None:
    results = [hostile_result(v) for v in HOSTILE]
    stamp = "2026-01-01T00:00:00+00:00"
    write_reports(tmp_path, results, options={}, timings={}, started_at=stamp, finished_at=stamp)
    for name in ("devices.csv", "findings.csv", "images.csv"):
        with (tmp_path / name).open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert rows, name
        for row in rows:
            for column, cell in row.items():
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, column)
                assert "\x1b" not in cell and "\x07" not in cell


def test_raw_files_stay_inside_raw(tmp_path: Path) -> None:
    capture = DeviceCapture(
        host="../../etc",
        address="a",
        platform="cisco_ios",
        runs=(
            CommandRun("digest", "verify /md5 flash:../../../x.bin", "out"),
            CommandRun("digest", "verify /md5 flash:../../../x.bin", "again"),
        ),
    )
    write_raw(tmp_path, capture)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) == 2
    assert all(p.resolve().is_relative_to((tmp_path / "raw").resolve()) for p in written)
