"""`imagesweep hunt` and `imagesweep syslog-sample` through click's CliRunner."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from imagesweep.cli import main
from imagesweep.hunt import generate

DATA = Path(__file__).parent / "data"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A generated fleet log ending now, and a maintenance file for its upgrade."""
    where = tmp_path_factory.mktemp("sample")
    result = CliRunner().invoke(main, ["syslog-sample",
            str(where / "fleet.log.gz"),
            "--lines", "4000",
            "--malformed", "2",
            "--maintenance-out", str(where / "maint.yaml"),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "atomic-transfer on rtr-002" in result.output
    return where / "fleet.log.gz", where / "maint.yaml"


def test_hunt_with_tuning(sample: tuple[Path, Path], tmp_path: Path) -> None:
    log, maint = sample
    out = tmp_path / "out"
    args = [str(log), "--out", str(out), "--maintenance", str(maint), "--audit-user", "imagesweep"]
    result = CliRunner().invoke(main, ["hunt", *args])
    assert result.exit_code == 1, result.output  # standing hits: the atomic tests and more
    assert "4,000 lines in 1 file" in result.output
    assert "2 unparseable lines" in result.output
    rows = _rows(out / "hunt.csv")
    reasons = {r["SuppressionReason"].split(" (")[0] for r in rows if r["Suppressed"] == "true"}
    assert reasons == {
        "maintenance window CHG0042 IOS-XE upgrade",
        "automation user svc-ansible",
        "imagesweep audit user imagesweep",
    }
    standing = [r for r in rows if r["Suppressed"] == "false"]
    commands = {r["ExtractedCommand"] for r in standing}
    assert generate.ATOMIC_TRANSFER.split("command:")[1] in commands
    assert generate.ATOMIC_BOOT.split("command:")[1] in commands
    summary = json.loads((out / "hunt.json").read_text(encoding="utf-8"))
    assert summary["hits"] == len(rows)
    assert summary["unparsed"] == 2
    assert len(_rows(out / "unparsed.csv")) == 2


def test_hunt_since_and_clean_exit(sample: tuple[Path, Path], tmp_path: Path) -> None:
    log, _ = sample
    # The sample's last injected event is about 4.7 hours before its end (now).
    result = CliRunner().invoke(main, ["hunt", str(log), "--out", str(tmp_path), "--since", "1h"])
    assert result.exit_code == 0, result.output
    assert "0 hits" in result.output
    assert _rows(tmp_path / "hunt.csv") == []


def test_hunt_with_audit_run_correlates(tmp_path: Path) -> None:
    run = tmp_path / "run"
    (run / "raw" / "branch1").mkdir(parents=True)
    # A run directory always has its sweep.json (report.schema.read_sweep reads it).
    (run / "sweep.json").write_text(
        '{"tool": "imagesweep", "schema": 1, "devices": '
        '[{"host": "branch1", "address": "10.0.0.1", "hostname": "rtr-br-01"}]}',
        encoding="utf-8",
    )
    (run / "devices.csv").write_text(
        "host,address,platform,hostname,status,max_severity,findings,rules\n"
        "branch1,10.0.0.1,cisco_ios,rtr-br-01,findings,high,1,BOOT_MISMATCH\n",
        encoding="utf-8",
    )
    (run / "findings.csv").write_text(
        "host,platform,rule,severity,technique,summary,evidence,recommendation\n"
        "branch1,cisco_ios,BOOT_MISMATCH,high,T1542.004,s,e,r\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["hunt", str(DATA / "rsyslog-3164.log"), "--audit-run", str(run), "--out", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert "devices with both log indicators and audit findings: branch1" in result.output
    rows = _rows(out / "correlated.csv")
    assert rows[0]["host"] == "branch1" and rows[0]["both"] == "true"


def test_export(tmp_path: Path) -> None:
    runner = CliRunner()
    kql = runner.invoke(main, ["hunt", "--export", "kql", "--since", "7d"])
    assert kql.exit_code == 0
    assert kql.output.startswith("// ")
    assert "| where TimeGenerated > ago(7d)" in kql.output
    sigma = runner.invoke(main, ["hunt", "--export", "sigma"])
    assert sigma.exit_code == 0
    assert sigma.output.startswith("title: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give at least one FILE"),
        (["--since", "soon", "X"], "--since"),
        (["--tz", "Mars/Olympus", "X"], "unknown time zone"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    args = [str(DATA / "rsyslog-3164.log") if a == "X" else a for a in args]
    result = CliRunner().invoke(main, ["hunt", *args, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.output


def test_bad_export_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Computer,SyslogMessage\nr1,x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["hunt", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "error: " in result.output and "TimeGenerated" in result.output


def test_formats_on_the_command_line(tmp_path: Path) -> None:
    files = [DATA / n for n in ("rfc5424.log", "sentinel-syslog.json", "panos-system.csv")]
    result = CliRunner().invoke(
        main, ["hunt", *map(str, files), "--out", str(tmp_path), "--year", "2024"]
    )
    assert result.exit_code == 1, result.output
    rows = _rows(tmp_path / "hunt.csv")
    assert {r["HostName"] for r in rows} == {"rtr-br-01", "cat9k-01", "pa-fw-01"}
