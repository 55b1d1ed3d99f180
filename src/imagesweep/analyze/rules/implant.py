"""F. Implant indicators: a published indicator string in anything the device printed."""

from __future__ import annotations

from imagesweep.analyze.rules.finding import PATCH, Rule
from imagesweep.baseline.context import Context
from imagesweep.records import DeviceState, Finding

IMPLANT_MARKERS = Rule(
    "IMPLANT_MARKERS",
    "critical",
    PATCH,
    "Treat the device as compromised: preserve evidence (show tech, an off-box copy of the "
    "image with --offbox --keep-images), isolate it, reimage from a known-good source and "
    "rotate every credential it held.",
    condition=(
        "A collected output contains a published implant indicator (SYNful Knock's HTTP "
        "strings; more with --implant-markers)."
    ),
)
_SHOWN = 160  # characters of the matching line in the evidence


def implant_markers(state: DeviceState, ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for indicator in ctx.indicators:
        hits = []
        for command, output in state.outputs:
            at = output.find(indicator.text)
            if at < 0:
                continue
            start = output.rfind("\n", 0, at) + 1
            end = output.find("\n", at)
            line = output[start : end if end >= 0 else len(output)].strip()
            hits.append(f"{command!r}: {line[:_SHOWN]}")
        if hits:
            findings.append(
                IMPLANT_MARKERS.finding(
                    f"published implant indicator {indicator.id} in the device's output",
                    [*hits, f"indicator {indicator.text!r}, source: {indicator.source}"],
                )
            )
    return findings


RULES = (implant_markers,)
