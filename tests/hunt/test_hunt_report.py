"""hunt.csv (columns, order, safety, atomic writes), correlated.csv, the terminal summary."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from imagesweep.errors import ConfigError
from imagesweep.hunt import report
from imagesweep.hunt.correlate import COLUMNS, correlate, load_audit
from imagesweep.hunt.hits import find_hits
from imagesweep.hunt.indicators import Indicators
from imagesweep.hunt.timestamps import TimeContext

DATA = Path(__file__).parent / "data"
# As the issue writes them.
RULE = [
    "TimeGenerated", "Computer", "HostName", "Facility", "SeverityLevel", "SyslogMessage",
    "ExtractedUser", "ExtractedCommand", "SourceTransferIP", "SyslogFacility",
    "IsImageTransfer", "IsBootManipulation", "IsIntegrityAlert", "IsFlashWrite",
]  # fmt: skip


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "x"),  # the carriage return itself is removed, as in the audit CSVs
        ("\x1b]0;pwned\x07=1+1", "'=1+1"),  # an escape sequence never reaches a CSV
        ("%SYS-5-CONFIG_I: =1", "%SYS-5-CONFIG_I: =1"),
        ("", ""),
    ],
)
def test_formula_injection_is_defused(value: str, safe: str) -> None:
    assert report.safe_cell(value) == safe


def test_hunt_csv(tmp_path: Path, ind: Indicators, ctx: TimeContext) -> None:
    hostile = tmp_path / "hostile.log"
    hostile.write_text(
        "Mar  3 14:09:00 rtr-9 1: =cmd|' /C calc'!A0 logged command:boot system flash:x.bin\n",
        encoding="utf-8",
    )
    result = find_hits([DATA / "rsyslog-3164.log", hostile], indicators=ind, ctx=ctx)
    path = report.write_hunt(result, tmp_path / "out")
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header[:14] == RULE
    assert header[14:] == ["Suppressed", "SuppressionReason"]
    rows = _read(path)
    times = [r["TimeGenerated"] for r in rows]
    assert times == sorted(times, reverse=True)
    assert rows[0]["SyslogMessage"].startswith("'=cmd|")
    assert not list((tmp_path / "out").glob(".*tmp"))  # no temp file left behind


def test_write_is_atomic_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    target.write_text("old\n", encoding="utf-8")

    def rows() -> object:
        yield ["a"]
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        report.write_csv(target, ["h"], rows())  # type: ignore[arg-type]
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_terminal_summary_and_unparsed(tmp_path: Path, ind: Indicators, ctx: TimeContext) -> None:
    result = find_hits([DATA / "rsyslog-3164.log"], indicators=ind, ctx=ctx)
    text = report.terminal(result)
    assert text.startswith("12 lines in 1 file: 5 hits on 4 devices (5 standing, 0 suppressed)")
    assert "transfer" in text and "flash-write" in text
    assert "1 unparseable lines (first: line 11" in text
    path = report.write_unparsed(result, tmp_path)
    assert path is not None
    assert _read(path)[0]["line"] == "11"
    summary = report.summary(result)
    assert summary["hits"] == 5
    assert summary["files"][0]["unparsed"] == 1  # type: ignore[index]


def _audit_run(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    run.mkdir()
    (run / "devices.csv").write_text(
        "host,address,platform,hostname,model,serial,version,running_image,boot_images,"
        "config_register,images_on_storage,hash_status,status,max_severity,findings,rules,"
        "audited_at,error\n"
        "branch1,10.0.0.1,cisco_ios,rtr-br-01,ISR4331,FDO1,16.9.4,flash:a.bin,flash:b.bin,"
        "0x2102,2,match,findings,high,2,BOOT_MISMATCH;DUAL_IMAGE,2024-03-03T14:30:00Z,\n"
        "branch2,10.0.0.2,cisco_ios,rtr-br-02,ISR4331,FDO2,16.9.4,flash:a.bin,flash:a.bin,"
        "0x2102,1,match,clean,,0,,2024-03-03T14:30:00Z,\n"
        "edge1,10.0.0.7,juniper_junos,mx-edge-01,MX204,X,21.4R3,,,,1,match,findings,info,1,"
        "BOOT_NETWORK,2024-03-03T14:30:00Z,\n",
        encoding="utf-8",
    )
    (run / "findings.csv").write_text(
        "host,platform,rule,severity,technique,summary,evidence,recommendation\n"
        "branch1,cisco_ios,BOOT_MISMATCH,high,T1542.004,s,e,r\n"
        "branch1,cisco_ios,DUAL_IMAGE,high,T1601.001,s,e,r\n"
        "edge1,juniper_junos,BOOT_NETWORK,info,T1542.005,s,e,r\n",
        encoding="utf-8",
    )
    return run


def test_correlation(tmp_path: Path, ind: Indicators, ctx: TimeContext) -> None:
    result = find_hits([DATA / "rsyslog-3164.log"], indicators=ind, ctx=ctx)
    rows = correlate(result.hits, load_audit(_audit_run(tmp_path)), ind)
    path = report.write_correlated(rows, tmp_path / "out")
    table = _read(path)
    assert tuple(table[0]) == COLUMNS
    by = {(r["host"], r["hostname"]): r for r in table}
    # rtr-br-01.example.net in the log is the audit's hostname rtr-br-01: both
    b1 = by[("branch1", "rtr-br-01")]
    assert (b1["log_hits"], b1["log_classes"], b1["audit_findings"], b1["both"]) == (
        "2", "transfer;boot;flash-write", "2", "true",
    )  # fmt: skip
    assert b1["audit_rules"] == "BOOT_MISMATCH;DUAL_IMAGE"
    assert (b1["first_hit"], b1["last_hit"]) == (
        "2024-03-03T14:02:11.000Z",
        "2024-03-03T14:02:40.000Z",
    )
    # rtr-br-02: IOS_RESILIENCE in the log, a clean audit
    b2 = by[("branch2", "rtr-br-02")]
    assert (b2["log_hits"], b2["both"]) == ("1", "false")
    # mx-edge-01: a log hit, but only an info finding
    e1 = by[("edge1", "mx-edge-01")]
    assert (e1["log_hits"], e1["audit_findings"], e1["both"]) == ("1", "0", "false")
    # cat9k-01 is in the logs only
    c9 = by[("", "cat9k-01")]
    assert (c9["audit_status"], c9["log_hits"], c9["both"]) == ("not audited", "1", "false")


def test_not_an_audit_run(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"devices\.csv"):
        load_audit(tmp_path)
