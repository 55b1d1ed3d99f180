"""Triage order and counts (report/triage.py) on results built from records."""

from __future__ import annotations

from imagesweep.records import DeviceResult, Finding
from imagesweep.report import triage


def _result(host: str, *severities: str, status: str = "findings") -> DeviceResult:
    findings = tuple(Finding(f"R_{s.upper()}", s, "x") for s in severities)  # type: ignore[arg-type]
    return DeviceResult(
        host,
        "",
        "cisco_ios",
        status,
        "match",
        findings,  # type: ignore[arg-type]
    )


def test_worst_first_then_natural_host_order() -> None:
    results = [
        _result("r10", status="clean"),
        _result("r2", status="clean"),
        _result("r1", "medium"),
        _result("r11", status="incomplete"),
        _result("r20", "high", "critical"),
        _result("r3", "critical"),
        _result("R4", "medium"),
    ]
    assert [r.host for r in triage.devices(results)] == [
        "r3", "r20", "r1", "R4", "r11", "r2", "r10",
    ]  # fmt: skip
    pairs = [(r.host, f.severity) for r, f in triage.findings(results)]
    assert pairs == [
        ("r3", "critical"), ("r20", "critical"), ("r20", "high"),
        ("r1", "medium"), ("R4", "medium"),
    ]  # fmt: skip


def test_severity_counts_and_top_rules_rank_severity_before_count() -> None:
    results = [_result(f"r{i}", "high") for i in range(5)] + [_result("x", "critical", "high")]
    counts = triage.severity_counts([*results, _result("c", status="clean")])
    assert counts["devices"] == {
        "critical": 1, "high": 5, "medium": 0, "low": 0, "info": 0, "none": 1,
    }  # fmt: skip
    assert counts["findings"]["high"] == 6 and counts["findings"]["critical"] == 1
    assert triage.top_rules(results) == [("R_CRITICAL", "critical", 1), ("R_HIGH", "high", 6)]
