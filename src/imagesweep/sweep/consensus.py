"""The sweep-wide pass after every device is judged: fleet consensus (HASH_FLEET_OUTLIER).

Per-device rules see one device; this one sees them all, so it runs once the results are in
(resumed devices included) and adds its findings to the devices it names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from imagesweep.analyze.rules.fleet import Observation, fleet_outliers
from imagesweep.baseline.context import Policy
from imagesweep.records import DeviceResult, severity_rank


def apply_fleet(
    results: tuple[DeviceResult, ...], policy: Policy, history: Iterable[Observation] = ()
) -> tuple[DeviceResult, ...]:
    states = [r.state for r in results if r.state is not None]
    extra = fleet_outliers(states, history)
    if not extra:
        return results
    updated = []
    for result in results:
        added = [
            replace(f, severity=policy.severity.get(f.rule, f.severity))
            for f in extra.get(result.host, ())
        ]
        if not added:
            updated.append(result)
            continue
        findings = tuple(
            sorted((*result.findings, *added), key=lambda f: (severity_rank(f.severity), f.rule))
        )
        status = "findings" if result.status == "clean" else result.status
        updated.append(replace(result, findings=findings, status=status))
    return tuple(updated)
