"""Per-group session caps: ``max_sessions`` on an inventory group (a site behind a thin WAN
link, a small AAA server) bounds how many of its hosts are in session at once, beside the
global login gate. A host in several capped groups holds a slot of each for its whole
session, taken in group-name order so two hosts never wait on each other.

This is the one-process form; on Dask the same caps are cluster-wide semaphores
(``sweep/distributed.py``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Mapping

from imagesweep.errors import ConfigError

KEY = "max_sessions"


class SessionCaps:
    def __init__(self, limits: Mapping[str, int]) -> None:
        self.limits = dict(limits)
        self._slots = {name: threading.BoundedSemaphore(n) for name, n in self.limits.items()}

    @classmethod
    def from_groups(cls, groups: Iterable[tuple[str, object]]) -> SessionCaps:
        """From (group name, its ``max_sessions`` data or None); :class:`ConfigError` for a
        value that is not a positive whole number."""
        limits: dict[str, int] = {}
        for name, value in groups:
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(
                    f"inventory: group {name!r}: {KEY} must be a whole number of at least 1, "
                    f"not {value!r}"
                )
            limits[name] = value
        return cls(limits)

    @contextlib.contextmanager
    def hold(self, groups: Iterable[str]) -> Iterator[None]:
        """A slot of every capped group among ``groups`` for the duration of the block."""
        with contextlib.ExitStack() as stack:
            for name in sorted(set(groups) & self._slots.keys()):
                self._slots[name].acquire()
                stack.callback(self._slots[name].release)
            yield
