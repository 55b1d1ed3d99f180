"""Which runs of a plan count, and which files must be digested: the judgement the collector
uses while it chooses the next commands and the analyze stage uses afterwards (or offline, from
saved captures). A run counts when it completed, the device did not reject it, and its parser
understood it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from datetime import datetime, timedelta

from imagesweep.errors import ParseError
from imagesweep.parse import parse_step
from imagesweep.parse.text import uptime_seconds
from imagesweep.platforms import Profile
from imagesweep.records import BootInfo, CommandRun, ReusedDigest, StorageListing, VersionInfo


class Rejected(Exception):
    """A run that produced no usable data; ``str()`` says why, in words."""


# What each run yielded, while the run lives: the collector interprets a run to choose the
# next commands and the analyze stage moments later, in the same thread; parsing was a fifth
# of a sweep's CPU, done twice. Keyed weakly on the run itself (the same object both times),
# so nothing is kept that the capture does not keep; the platform is checked on a hit.
_SEEN: weakref.WeakKeyDictionary[CommandRun, tuple[str, tuple[object, ...] | str]] = (
    weakref.WeakKeyDictionary()
)
_SEEN_LOCK = threading.Lock()


def interpret(prof: Profile, run: CommandRun) -> tuple[object, ...]:
    """The records one run yields; :class:`Rejected` when it yields none."""
    with _SEEN_LOCK:
        seen = _SEEN.get(run)
    if seen is None or seen[0] != prof.platform:
        try:
            outcome: tuple[object, ...] | str = _interpret(prof, run)
        except Rejected as exc:
            outcome = str(exc)
        seen = (prof.platform, outcome)
        with _SEEN_LOCK:
            _SEEN[run] = seen
    if isinstance(seen[1], str):
        raise Rejected(seen[1])
    return seen[1]


def _interpret(prof: Profile, run: CommandRun) -> tuple[object, ...]:
    if run.error:
        raise Rejected(run.error)
    if run.truncated:
        raise Rejected(f"output exceeded the size cap and was cut ({len(run.output)} bytes kept)")
    refusal = prof.rejection(run.output)
    if refusal:
        raise Rejected(f"device rejected the command: {refusal}")
    try:
        parsed = parse_step(prof.platform, run.step, run.output, run.target)
    except ParseError as exc:
        raise Rejected(f"output not understood: {exc}") from exc
    return parsed if isinstance(parsed, tuple) else (parsed,)


def flatten(records: Iterable[object]) -> Iterable[object]:
    for record in records:
        if isinstance(record, tuple):
            yield from flatten(record)
        else:
            yield record


def local_files(
    listings: Iterable[StorageListing],
) -> dict[str, int | None]:
    """Canonical path -> size for every file (not directory) on local storage."""
    return {f.path: f.size for listing in listings for f in listing.files if not f.is_dir}


def digest_scope(
    prof: Profile,
    *,
    version: VersionInfo | None,
    boot: BootInfo | None,
    listings: Iterable[StorageListing],
    running_set: Iterable[str] = (),
) -> tuple[str, ...]:
    """Every file to digest: OS images on storage, the running image, boot targets and the
    running set, where they lie on local storage. Ordered, without repeats."""
    on_storage = local_files(listings)
    wanted: list[str] = [path for path in on_storage if prof.is_image(path)]
    named: list[str] = []
    if version and version.running_image:
        named.append(version.running_image)
    if boot:
        named.extend(boot.next_boot)
        named.extend(boot.current_boot)
    named.extend(running_set)
    for path in named:
        if path in on_storage and not path.endswith(".conf"):
            wanted.append(path)
    return tuple(dict.fromkeys(wanted))


def still_valid(
    reuse: tuple[ReusedDigest, ...],
    listings: Iterable[StorageListing],
    version: VersionInfo | None,
    now: datetime,
) -> dict[str, ReusedDigest]:
    """The earlier digests that still hold: same size and timestamp in this listing (never for
    a symbolic link), and an uptime that reaches back past when the device computed them (no
    reload since)."""
    if not reuse or version is None:
        return {}
    up = uptime_seconds(version.uptime) if version.uptime else None
    if up is None:
        return {}
    booted = now - timedelta(seconds=up)
    # A symbolic link's size and time are the link's own (XR "config -> /misc/config", Junos):
    # the file it points to can change under them, so its digest is always computed anew.
    listed = {
        f.path: f
        for listing in listings
        for f in listing.files
        if not f.is_dir and "symlink" not in f.attrs
    }
    keep = {}
    for r in reuse:
        f = listed.get(r.path)
        try:
            when = datetime.fromisoformat(r.digested_at) if r.digested_at else None
        except ValueError:  # not a time imagesweep wrote: not a digest to trust
            continue
        if f is None or not r.modified or f.size != r.size or f.modified != r.modified:
            continue
        if when is None or when.tzinfo is None or when <= booted:
            continue
        keep[r.path] = r
    return keep
