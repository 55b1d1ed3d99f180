"""What changed between two sweeps: devices, images, boot, release, findings.

The same comparison feeds ``imagesweep diff`` and the run directory's ``changes.csv``. Only
facts both sweeps obtained are compared (``None`` is "not obtained", never a change), and
volatile values (uptime, timestamps, free space) are not compared at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from imagesweep.analyze.rules.drift import reload_evidence
from imagesweep.history.store import DeviceSnapshot, ImageRecord, to_prior


@dataclass(frozen=True)
class Change:
    host: str
    change: str  # device-new, device-gone, image-added, image-removed, image-changed, boot,
    # config-register, rommon, version, status, finding-added, finding-resolved
    item: str = ""
    before: str = ""
    after: str = ""

    def row(self) -> dict[str, object]:
        return {
            "host": self.host,
            "change": self.change,
            "item": self.item,
            "before": self.before,
            "after": self.after,
        }


def _digest(image: ImageRecord) -> str:
    return image.sha512 or image.md5


def _digests_differ(a: ImageRecord, b: ImageRecord) -> bool:
    pairs = [(x, y) for x, y in ((a.sha512, b.sha512), (a.md5, b.md5)) if x and y]
    return bool(pairs) and pairs[0][0] != pairs[0][1]


def device_changes(host: str, a: DeviceSnapshot, b: DeviceSnapshot) -> list[Change]:
    out: list[Change] = []
    before = {i.path: i for i in a.images}
    after = {i.path: i for i in b.images}
    for path in sorted(set(before) & set(after)):
        if _digests_differ(before[path], after[path]):
            out.append(
                Change(host, "image-changed", path, _digest(before[path]), _digest(after[path]))
            )
    if a.storage_complete and b.storage_complete:
        for p in sorted(set(after) - set(before)):
            out.append(Change(host, "image-added", p, "", _digest(after[p])))
        for p in sorted(set(before) - set(after)):
            out.append(Change(host, "image-removed", p, _digest(before[p]), ""))

    def field(change: str, was: object, got: object, item: str = "") -> None:
        if was is not None and got is not None and was != got:
            out.append(Change(host, change, item, str(was), str(got)))

    if a.boot_entries is not None and b.boot_entries is not None:
        field("boot", ";".join(a.boot_entries), ";".join(b.boot_entries), "next boot")
    field("config-register", a.config_register, b.config_register, "current")
    field("config-register", a.config_register_next, b.config_register_next, "next reload")
    field("rommon", a.rommon, b.rommon)
    field("version", a.version, b.version)
    if b.uptime_seconds is not None and reload_evidence(
        to_prior(a, ""), b.audited_at, b.uptime_seconds
    ):
        out.append(Change(host, "reload", "uptime", a.uptime or "", b.uptime or ""))
    field("status", a.status, b.status)
    was = {(f.rule, f.summary) for f in a.findings}
    got = {(f.rule, f.summary) for f in b.findings}
    out += [Change(host, "finding-added", r, "", s) for r, s in sorted(got - was)]
    out += [Change(host, "finding-resolved", r, s, "") for r, s in sorted(was - got)]
    return out


def diff(
    a: Mapping[str, DeviceSnapshot], b: Mapping[str, DeviceSnapshot], *, gone: bool = True
) -> list[Change]:
    """Changes from ``a`` to ``b``; ``gone``: report devices of ``a`` missing from ``b``."""
    out: list[Change] = []
    for host in sorted(set(a) | set(b)):
        if host not in a:
            out.append(Change(host, "device-new", after=b[host].platform))
        elif host not in b:
            if gone:
                out.append(Change(host, "device-gone", before=a[host].platform))
        else:
            out += device_changes(host, a[host], b[host])
    return out
