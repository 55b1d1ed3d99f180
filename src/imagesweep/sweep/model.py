"""A model of a sweep's makespan, for planning fleets too large to try (docs/scale.md).

The sweep is modelled the way the collector runs it: each collector holds ``workers`` SSH
sessions at once; a device occupies one session for its login, its plan's command round
trips and its digests; logins pass a gate (at most ``logins_per_second`` and
``max_logins`` in progress, per site for the site's AAA server and globally); devices are
taken longest expected first. A site's devices go only to the collectors that serve it.
Pure and deterministic: list scheduling over a heap of free sessions, no clock, no I/O.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Site:
    name: str
    devices: int
    rtt: float = 0.0  # seconds per command round trip
    digest_seconds: float = 0.0  # per device, all its images
    commands: int = 8  # round trips of the plan besides the digests
    login_seconds: float = 0.5  # SSH handshake + authentication + session preparation
    aaa_logins_per_second: float = 0.0  # the site's AAA server; 0 = no limit of its own


@dataclass(frozen=True)
class Collector:
    name: str
    workers: int  # sessions at once
    sites: frozenset[str] = field(default_factory=frozenset)  # empty: serves every site


@dataclass(frozen=True)
class Estimate:
    makespan: float  # seconds from the first login to the last device done
    ideal: float  # the lower bound: the larger of the work bound and the longest device
    devices: int
    per_collector: dict[str, int]  # devices each collector audits


def device_seconds(site: Site) -> float:
    """One device's session, login to logout."""
    return site.login_seconds + site.commands * 2 * site.rtt + site.digest_seconds


class _Gate:
    """Logins at ``rate`` per second: slot k is time k / rate, and a login takes the first
    free slot at or after it is ready (first come, first served, in any order of asking)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.taken: set[int] = set()

    def take(self, ready: float) -> float:
        if self.rate <= 0:
            return ready
        slot = math.ceil(ready * self.rate - 1e-9)
        while slot in self.taken:
            slot += 1
        self.taken.add(slot)
        return slot / self.rate


def estimate(
    sites: Sequence[Site],
    collectors: Sequence[Collector],
    *,
    logins_per_second: float = 25.0,
) -> Estimate:
    """The sweep's makespan for ``sites`` audited by ``collectors``."""
    if not collectors or any(c.workers < 1 for c in collectors):
        raise ValueError("every collector needs at least one worker")
    # One heap of free sessions per collector; a device takes the earliest session among
    # the collectors that serve its site.
    free = [[0.0] * c.workers for c in collectors]
    serving: dict[str, list[int]] = {}
    for site in sites:
        serving[site.name] = [
            i for i, c in enumerate(collectors) if not c.sites or site.name in c.sites
        ]
        if not serving[site.name]:
            raise ValueError(f"no collector serves site {site.name!r}")
    gate = _Gate(logins_per_second)
    site_gates = {s.name: _Gate(s.aaa_logins_per_second) for s in sites}
    counts = {c.name: 0 for c in collectors}
    done = work = longest = 0.0
    # Longest expected first, as the collector schedules them.
    for site in sorted(sites, key=device_seconds, reverse=True):
        length = device_seconds(site)
        longest = max(longest, length)
        work += length * site.devices
        for _ in range(site.devices):
            ci = min(serving[site.name], key=lambda i: free[i][0])
            at = heapq.heappop(free[ci])
            start = gate.take(site_gates[site.name].take(at))
            end = start + length
            done = max(done, end)
            counts[collectors[ci].name] += 1
            heapq.heappush(free[ci], end)
    sessions = sum(c.workers for c in collectors)
    total = sum(s.devices for s in sites)
    login_bound = total / logins_per_second if logins_per_second > 0 else 0.0
    ideal = max(work / sessions, longest, login_bound)
    return Estimate(makespan=done, ideal=ideal, devices=total, per_collector=counts)
