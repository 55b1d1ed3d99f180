"""Analyze stage: pure rule functions ``(DeviceState, Context) -> list[Finding]``.

No I/O, no clock, no logging. The rule IDs are a contract (CHECKS.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from imagesweep.analyze.rules import boot, completeness, digests, drift, storage, version
from imagesweep.analyze.rules.finding import Rule
from imagesweep.baseline.context import Context, Policy
from imagesweep.records import DeviceState, Finding, severity_rank

RuleFunction = Callable[[DeviceState, Context], list[Finding]]

RULES: tuple[RuleFunction, ...] = (
    *completeness.RULES,
    *digests.RULES,
    *storage.RULES,
    *boot.RULES,
    *version.RULES,
    *drift.RULES,
)


# Every rule ID a finding can carry (the contract of findings.csv's rule column).
RULE_IDS: frozenset[str] = frozenset(
    value.id
    for module in (completeness, digests, storage, boot, version, drift)
    for value in vars(module).values()
    if isinstance(value, Rule)
)


def analyze(state: DeviceState, ctx: Context) -> tuple[Finding, ...]:
    """Every finding for one device, policy severities applied, most severe first."""
    findings: list[Finding] = []
    for rule in RULES:
        findings.extend(rule(state, ctx))
    findings = drift.first_seen(state, ctx, tuple(findings))
    overrides = ctx.policy.severity
    findings = [
        replace(f, severity=overrides[f.rule]) if f.rule in overrides else f for f in findings
    ]
    return tuple(sorted(findings, key=lambda f: (severity_rank(f.severity), f.rule)))


__all__ = ["RULES", "RULE_IDS", "Context", "Policy", "analyze"]
