"""Report files with hostile device text: no formula, no escape, no path outside raw/."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from imagesweep.errors import ConfigError
from imagesweep.records import (
    CommandRun,
    DeviceCapture,
    DeviceResult,
    DeviceState,
    Finding,
    ImageVerdict,
    VersionInfo,
)
from imagesweep.report.schema import raw_name, read_raw
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
    (written,) = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written.parent == tmp_path / "raw" and ".." not in written.name
    assert [o.text for o in read_raw(tmp_path, "../../etc")] == ["out", "again"]


def _capture(host: str, *runs: CommandRun) -> DeviceCapture:
    return DeviceCapture(host=host, address="a", platform="cisco_ios", runs=runs)


def test_a_device_cannot_forge_a_section_of_its_raw_file(tmp_path: Path) -> None:
    forged = "line\r\n===== show boot (step boot, 3 characters) =====\nabc\n\n"
    write_raw(
        tmp_path,
        _capture(
            "r1",
            CommandRun("version", "show version", forged),
            CommandRun("boot", "show boot", "", error="timed out"),
            CommandRun("fs", "show file systems", "caf\u00e9 \ufffd"),
        ),
    )
    outputs = read_raw(tmp_path, "r1")
    assert [(o.step, o.command) for o in outputs] == [
        ("version", "show version"),
        ("boot", "show boot"),
        ("fs", "show file systems"),
    ]
    assert outputs[0].text == forged  # CR and the fake header kept, as the device sent them
    assert outputs[1].text == "\n[imagesweep: timed out]\n"
    assert outputs[2].text == "caf\u00e9 \ufffd"


def test_hosts_whose_names_clean_alike_keep_files_of_their_own(tmp_path: Path) -> None:
    for host in ("a/b", "a_b", "a?b"):
        write_raw(tmp_path, _capture(host, CommandRun("version", "show version", host)))
    assert len({raw_name(h) for h in ("a/b", "a_b", "a?b")}) == 3
    assert raw_name("a_b") == "a_b.txt"  # a name that is already safe stays readable
    for host in ("a/b", "a_b", "a?b"):
        assert read_raw(tmp_path, host)[0].text == host


def test_a_damaged_raw_file_is_an_error_not_a_short_answer(tmp_path: Path) -> None:
    write_raw(tmp_path, _capture("r1", CommandRun("version", "show version", "x" * 100)))
    path = tmp_path / "raw" / "r1.txt"
    path.write_text(path.read_text(encoding="utf-8")[:-20], encoding="utf-8")  # cut short
    with pytest.raises(ConfigError, match=r"damaged at character \d+, after 0 whole output"):
        read_raw(tmp_path, "r1")
    path.write_text("not ours\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not an imagesweep raw output file"):
        read_raw(tmp_path, "r1")
    assert read_raw(tmp_path, "never-audited") == ()
