"""Join hunt hits to an audit run's devices: which devices have both log indicators and audit
findings.

Devices come from the run's ``devices.csv`` (host, address, hostname, platform, status,
max_severity, rules) and findings from its ``findings.csv``; a hit belongs to a device when
its Computer or HostName names the device's host, hostname or address (ignoring case, or as
the first DNS label). ``info`` findings do not count as audit findings for ``both``;
suppressed hits do not count as log indicators (they are counted apart).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from imagesweep.errors import ConfigError
from imagesweep.hunt import identity
from imagesweep.hunt.hits import Hit
from imagesweep.hunt.indicators import Indicators
from imagesweep.hunt.timestamps import format_utc
from imagesweep.report.schema import DEVICES_CSV, FINDINGS_CSV, read_rows

COLUMNS = (
    "host",
    "address",
    "hostname",
    "platform",
    "audit_status",
    "max_severity",
    "audit_findings",
    "audit_rules",
    "log_hits",
    "log_hits_suppressed",
    "log_classes",
    "first_hit",
    "last_hit",
    "both",
)


@dataclass(frozen=True)
class AuditDevice:
    host: str
    address: str = ""
    hostname: str = ""
    platform: str = ""
    status: str = ""
    max_severity: str = ""
    findings: int = 0  # findings above info
    rules: tuple[str, ...] = ()

    @property
    def keys(self) -> frozenset[str]:
        return identity.keys([self.host, self.address, self.hostname])


@dataclass(frozen=True)
class Correlation:
    device: AuditDevice | None  # None: seen in the logs only
    log_name: str  # the name the logs use (first seen)
    hits: int
    suppressed: int
    classes: tuple[str, ...]
    first: str
    last: str

    @property
    def both(self) -> bool:
        return self.device is not None and self.device.findings > 0 and self.hits > 0

    def row(self) -> list[str]:
        d = self.device or AuditDevice(host="", hostname=self.log_name)
        return [
            d.host,
            d.address,
            d.hostname,
            d.platform,
            d.status if self.device else "not audited",
            d.max_severity,
            str(d.findings),
            ";".join(d.rules),
            str(self.hits),
            str(self.suppressed),
            ";".join(self.classes),
            self.first,
            self.last,
            "true" if self.both else "false",
        ]


def load_audit(run: Path) -> list[AuditDevice]:
    """The devices of an audit run directory, with their findings."""
    rows = read_rows(run, DEVICES_CSV)
    if rows and "host" not in rows[0]:
        raise ConfigError(f"{run / DEVICES_CSV}: no 'host' column")
    counted: dict[str, int] = defaultdict(int)
    rules: dict[str, list[str]] = defaultdict(list)
    have_findings = (run / FINDINGS_CSV).is_file()
    if have_findings:
        for f in read_rows(run, FINDINGS_CSV):
            host = f.get("host", "")
            if f.get("severity", "").lower() != "info":
                counted[host] += 1
            rule = f.get("rule", "")
            if rule and rule not in rules[host]:
                rules[host].append(rule)
    out = []
    for r in rows:
        host = r.get("host", "")
        listed = tuple(x for x in r.get("rules", "").split(";") if x)
        findings = counted[host] if have_findings else _fallback_count(r)
        out.append(
            AuditDevice(
                host=host,
                address=r.get("address", ""),
                hostname=r.get("hostname", ""),
                platform=r.get("platform", ""),
                status=r.get("status", ""),
                max_severity=r.get("max_severity", ""),
                findings=findings,
                rules=tuple(rules[host]) if have_findings else listed,
            )
        )
    return out


def _fallback_count(row: dict[str, str]) -> int:
    # Without findings.csv: devices.csv's findings count, unless everything found was info.
    if row.get("max_severity", "").lower() in ("", "info"):
        return 0
    try:
        return int(row.get("findings", "0") or 0)
    except ValueError:
        return len([x for x in row.get("rules", "").split(";") if x])


def correlate(
    hits: Sequence[Hit], devices: Sequence[AuditDevice], indicators: Indicators
) -> list[Correlation]:
    """One row per audited device, in the audit's order, then one per device seen only in
    the logs."""
    index: dict[str, int] = {}
    for i, dev in enumerate(devices):
        for key in dev.keys:
            index.setdefault(key, i)
    per: dict[object, list[Hit]] = defaultdict(list)
    names: dict[object, str] = {}
    for hit in hits:
        ev = hit.event
        keys = identity.keys([ev.computer, ev.hostname])
        slot: object = next((index[k] for k in sorted(keys) if k in index), None)
        if slot is None:
            slot = ev.device.lower()
        per[slot].append(hit)
        names.setdefault(slot, ev.device)
    labels = [c.label for c in indicators.classes]
    out = [_row(devices[i], per.get(i, []), names.get(i, ""), labels) for i in range(len(devices))]
    for slot in sorted((s for s in per if isinstance(s, str)), key=str):
        out.append(_row(None, per[slot], names[slot], labels))
    return out


def _row(
    device: AuditDevice | None, hits: Sequence[Hit], name: str, labels: Sequence[str]
) -> Correlation:
    live = [h for h in hits if not h.is_suppressed]
    seen = [lab for i, lab in enumerate(labels) if any(h.classes[i] for h in live)]
    times = sorted(h.event.time for h in live if h.event.time is not None)
    return Correlation(
        device=device,
        log_name=name,
        hits=len(live),
        suppressed=len(hits) - len(live),
        classes=tuple(seen),
        first=format_utc(times[0]) if times else "",
        last=format_utc(times[-1]) if times else "",
    )
