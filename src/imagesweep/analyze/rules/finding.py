"""Building findings: one place for rule metadata (default severity, ATT&CK technique)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from imagesweep.records import Finding, Severity


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    technique: str
    recommendation: str
    condition: str = ""  # when it fires, in one sentence (docs/checks.md is built from it)

    def finding(
        self,
        summary: str,
        evidence: Iterable[str] = (),
        *,
        severity: Severity | None = None,
        recommendation: str | None = None,
    ) -> Finding:
        return Finding(
            rule=self.id,
            severity=severity or self.severity,
            summary=summary,
            evidence=tuple(e for e in evidence if e),
            recommendation=self.recommendation if recommendation is None else recommendation,
            technique=self.technique,
        )


PATCH = "T1601.001"
ROMMONKIT = "T1542.004"
TFTP_BOOT = "T1542.005"
