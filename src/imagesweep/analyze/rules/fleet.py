"""F. Fleet consensus: the rest of the fleet as the known-good reference.

A pure function of every device's state after the sweep (and, later, of earlier sweeps'
observations): no catalogue needed. For each image file, keyed by (file name, size,
algorithm), the fleet's digests are counted, one vote per device per distinct digest. A
device is an outlier when its digest differs from one that a strict majority of all votes
holds, and that majority is at least two devices. So:

- a file name seen on one device only never fires (nothing to compare with);
- two devices that disagree (1 against 1) fire neither: there is no majority, and calling
  either one the outlier would be a coin toss; the same for any tie (2 against 2);
- 2 against 1 fires on the one; 299 against 1 fires on the one;
- files of the same name and another size are other keys (not compared): a size difference
  is already visible in images.csv, and is not what this rule claims.

The digest used is the one hashed off the device when there is one (``--offbox``), else the
device's own: a liar repeats the fleet's digest on-box, so only the bytes catch it here.

History: :func:`fleet_outliers` takes extra :data:`Observation` tuples (name, size,
"algorithm:digest", devices), e.g. counts from earlier sweeps, which vote like devices of
this sweep. They should count other devices (or other sweeps of them), never the device
being judged in this sweep, or a device's own past would outvote its present; drift of one
device between sweeps is another rule's business.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from imagesweep.analyze.rules.finding import PATCH, Rule
from imagesweep.analyze.rules.images import os_images, same_file
from imagesweep.paths import basename
from imagesweep.records import DeviceState, Finding

HASH_FLEET_OUTLIER = Rule(
    "HASH_FLEET_OUTLIER",
    "high",
    PATCH,
    "Compare this device's image with one from a device of the majority (off-box copy, "
    "--offbox), and obtain the vendor's digest for the file: until then treat the device as "
    "possibly running a modified image.",
    condition=(
        "An image with the same file name and size as on other devices of the sweep has "
        "another digest than a strict majority of at least two devices agree on; works "
        "without a catalogue, never for a name seen on one device only."
    ),
)

# (file name, size or None, "algorithm:digest", how many devices hold it)
Observation = tuple[str, int | None, str, int]
_ALGORITHMS = ("md5", "sha512")


def _digests(state: DeviceState, path: str) -> dict[str, str]:
    """Algorithm -> digest of one file: off-box bytes first, then the device's word."""
    found: dict[str, str] = {}
    for copy in state.offbox:
        if not copy.error and same_file(copy.path, path):
            for alg in _ALGORITHMS:
                value = getattr(copy, alg)
                if value:
                    found.setdefault(alg, value.lower())
    for d in state.digests:
        if d.digest and d.algorithm in _ALGORITHMS and d.path == path:
            found.setdefault(d.algorithm, d.digest.lower())
    return found


def observations(state: DeviceState) -> list[tuple[str, int | None, str, str]]:
    """(name, size, "algorithm:digest", path) of every hashed OS image on one device."""
    seen = []
    for image in os_images(state):
        for alg, digest in _digests(state, image.path).items():
            seen.append((basename(image.path), image.size, f"{alg}:{digest}", image.path))
    return seen


def fleet_outliers(
    states: Sequence[DeviceState], history: Iterable[Observation] = ()
) -> dict[str, tuple[Finding, ...]]:
    """Host -> HASH_FLEET_OUTLIER findings, over a whole sweep (plus earlier observations)."""
    votes: dict[tuple[str, int | None, str], Counter[str]] = defaultdict(Counter)
    held: dict[tuple[str, int | None, str], dict[str, list[tuple[str, str]]]] = defaultdict(dict)
    for state in states:
        mine: set[tuple[tuple[str, int | None, str], str]] = set()
        for name, size, digest, path in observations(state):
            alg = digest.split(":", 1)[0]
            key = (name.lower(), size, alg)
            if (key, digest) not in mine:  # one vote per device per digest
                mine.add((key, digest))
                votes[key][digest] += 1
            held[key].setdefault(state.host, []).append((digest, path))
    for name, size, digest, count in history:
        alg = digest.split(":", 1)[0]
        if count > 0:
            votes[(name.lower(), size, alg.lower())][digest.lower()] += count

    found: dict[str, dict[str, list[str]]] = defaultdict(dict)  # host -> path -> evidence
    for key, counter in votes.items():
        total = sum(counter.values())
        top, top_count = counter.most_common(1)[0]
        if top_count < 2 or top_count * 2 <= total:
            continue  # no strict majority of at least two devices: nobody is the outlier
        name, size, alg = key
        for host, pairs in held.get(key, {}).items():
            for digest, path in pairs:
                if digest == top:
                    continue
                tally = "; ".join(f"{d}: {n}" for d, n in counter.most_common())
                found[host].setdefault(path, []).extend(
                    [
                        f"{path} (size {size if size is not None else '?'}): {digest}",
                        f"{top_count} of {total} devices with {name} of that size hold {top}",
                        f"devices per digest: {tally}",
                    ]
                )
    return {
        host: tuple(
            HASH_FLEET_OUTLIER.finding(
                f"{path}: another digest than the rest of the fleet for this file", lines
            )
            for path, lines in paths.items()
        )
        for host, paths in found.items()
    }
