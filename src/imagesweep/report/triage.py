"""Ordering and counting for triage: worst first, then hosts in natural order.

An engineer reads a report top down; the devices that need them first must be at the top,
whatever their names. Hosts compare in natural order (``r1, r2, r10``), as people number
them, not as text sorts them (``r1, r10, r2``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from imagesweep.records import SEVERITIES, DeviceResult, Finding, severity_rank

_DIGITS = re.compile(r"(\d+)")
NO_FINDINGS = "none"  # sweep.json's key for devices without a finding


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """``r10`` after ``r2``: runs of digits compare as numbers, the rest case-insensitively."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.lower())
        for part in _DIGITS.split(text)
        if part
    )


def worst(findings: Iterable[Finding]) -> str:
    """The highest severity among ``findings``; "" when there are none."""
    return min((f.severity for f in findings), key=severity_rank, default="")


def device_key(result: DeviceResult) -> tuple[int, int, tuple[tuple[int, int | str], ...]]:
    # Without findings, an incomplete device (not audited) still comes before a clean one.
    top = worst(result.findings)
    rank = severity_rank(top) if top else len(SEVERITIES) + 1
    return rank, 0 if result.status == "incomplete" else 1, natural_key(result.host)


def devices(results: Iterable[DeviceResult]) -> list[DeviceResult]:
    """Devices by their worst finding (critical first), then incomplete, then natural host."""
    return sorted(results, key=device_key)


def findings(results: Iterable[DeviceResult]) -> list[tuple[DeviceResult, Finding]]:
    """Every (device, finding), by severity, then natural host, then the rules' own order."""
    pairs = [(r, f) for r in results for f in r.findings]
    return sorted(pairs, key=lambda p: (severity_rank(p[1].severity), natural_key(p[0].host)))


def severity_counts(results: Sequence[DeviceResult]) -> dict[str, dict[str, int]]:
    """``devices``: devices by their worst finding (``none`` without one); ``findings``:
    findings by severity. Every severity is present, zero or not, so a reader can rely on it."""
    by_device = Counter(worst(r.findings) or NO_FINDINGS for r in results)
    by_finding = Counter(f.severity for r in results for f in r.findings)
    return {
        "devices": {s: by_device[s] for s in (*SEVERITIES, NO_FINDINGS)},
        "findings": {s: by_finding[s] for s in SEVERITIES},
    }


def top_rules(results: Sequence[DeviceResult], limit: int = 8) -> list[tuple[str, str, int]]:
    """(rule, its worst severity, devices it fired on), by severity first, then count."""
    count: Counter[str] = Counter()
    severity: dict[str, str] = {}
    for r in results:
        for f in r.findings:
            prior = severity.get(f.rule)
            if prior is None or severity_rank(f.severity) < severity_rank(prior):
                severity[f.rule] = f.severity
        count.update({f.rule for f in r.findings})  # devices, not findings
    ranked = sorted(count, key=lambda rule: (severity_rank(severity[rule]), -count[rule], rule))
    return [(rule, severity[rule], count[rule]) for rule in ranked[:limit]]
