"""Analyze stage: pure rule functions ``(DeviceState, Context) -> list[Finding]``.

No I/O, no clock, no logging. The rule IDs are a contract (CHECKS.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from types import ModuleType

from imagesweep.analyze.rules import (
    boot,
    completeness,
    digests,
    drift,
    fleet,
    implant,
    integrity_evidence,
    offbox,
    storage,
    version,
)
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
    *offbox.RULES,
    *integrity_evidence.RULES,
    *implant.RULES,
    *drift.RULES,
)


# The modules that define rules, in the order of CHECKS.md's sections; each module's
# docstring's first line is its section's title in the generated docs.
# The fleet module's rule runs over the whole sweep (imagesweep.sweep.consensus), not per
# device.
MODULES: tuple[ModuleType, ...] = (
    completeness,
    digests,
    storage,
    boot,
    version,
    offbox,
    integrity_evidence,
    fleet,
    implant,
    drift,
)


def _registry() -> tuple[tuple[ModuleType, Rule], ...]:
    seen: dict[str, tuple[ModuleType, Rule]] = {}
    for module in MODULES:
        for value in vars(module).values():
            # A rule imported into another module (storage uses HASH_UNKNOWN) stays with the
            # module that defines it, the first in MODULES order.
            if isinstance(value, Rule) and value.id not in seen:
                seen[value.id] = (module, value)
    return tuple(seen.values())


# Every implemented rule, with the module that holds it.
REGISTRY: tuple[tuple[ModuleType, Rule], ...] = _registry()
# Every rule ID a finding can carry (the contract of findings.csv's rule column).
RULE_IDS: frozenset[str] = frozenset(rule.id for _, rule in REGISTRY)


def _section(module: ModuleType) -> str:
    return (module.__doc__ or module.__name__).strip().splitlines()[0].rstrip(".")


def markdown_rules() -> str:
    """docs/checks.md's rule tables, one per section (generated; a test keeps it current)."""
    out: list[str] = []
    for module in MODULES:
        rules = [rule for owner, rule in REGISTRY if owner is module]
        out += [f"### {_section(module)}", "", "| Rule | Severity | ATT&CK | Fires when |"]
        out.append("|---|---|---|---|")
        out += [f"| `{r.id}` | {r.severity} | {r.technique} | {r.condition} |" for r in rules]
        out.append("")
    return "\n".join(out)


def markdown_rule_list() -> str:
    """The README's short list of rule IDs by section (generated; a test keeps it current)."""
    lines = []
    for module in MODULES:
        ids = ", ".join(f"`{rule.id}`" for owner, rule in REGISTRY if owner is module)
        lines.append(f"- {_section(module)}: {ids}.")
    return "\n".join(lines) + "\n"


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


__all__ = [
    "REGISTRY",
    "RULES",
    "RULE_IDS",
    "Context",
    "Policy",
    "analyze",
    "markdown_rule_list",
    "markdown_rules",
]
