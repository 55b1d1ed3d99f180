"""The order a sweep contacts its hosts: longest expected session first.

A sweep's makespan is the time its last session ends; started last, the device with the
slowest digests sets it alone. Expected time comes from the history (the bytes of the images
the device had at its previous sweep, at its platform's digest rate); without a history every
host weighs the same and the inventory's order stands (the sort is stable).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from imagesweep.baseline.prior import PriorState
from imagesweep.platforms import profile

_PER_COMMAND = 0.5  # seconds a session spends on each non-digest command, about


def expected_seconds(platform: str, prior: PriorState | None) -> float:
    """About how long a session of this host takes, from its previous sweep; 0 unknown."""
    if prior is None or not prior.images:
        return 0.0
    prof = profile(platform)
    rate = prof.digest_mb_per_second * 1_000_000
    images = [i for i in prior.images if prof.is_image(i.path)]
    hashing = sum(i.size or 0 for i in images) / rate if rate > 0 else 0.0
    return hashing + _PER_COMMAND * (len(prof.steps) + len(images))


def longest_first(
    hosts: Iterable[tuple[str, str]], previous: Mapping[str, PriorState]
) -> list[str]:
    """Host names (of (name, platform) pairs) in the order to contact them."""
    pairs = list(hosts)
    weight = {name: expected_seconds(platform, previous.get(name)) for name, platform in pairs}
    return sorted((name for name, _ in pairs), key=lambda name: -weight[name])
