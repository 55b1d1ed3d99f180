"""Stopping a sweep cooperatively (Ctrl-C, SIGTERM).

Nornir's threaded runner cannot be cancelled, so each host's task checks a shared
:class:`Stop` before it logs in and between commands; sessions still running when the grace
ends are cut (their transport closed), which makes the command in flight fail at once.
"""

from __future__ import annotations

import threading
from typing import Any

from imagesweep.collect.login import hard_close

# The gap step of a host the sweep stopped before or during its audit.
INTERRUPTED_STEP = "interrupted"
NOT_STARTED = "interrupted before audit: the sweep was stopped before this host was contacted"


class Stop:
    """A stop request shared by the sweep's threads; thread-safe."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._live: set[int] = set()
        self._conns: dict[int, Any] = {}
        self._cut = False
        self.reason = ""  # "SIGINT", "SIGTERM", ...

    def request(self, reason: str) -> None:
        with self._lock:
            if not self.reason:
                self.reason = reason
        self._event.set()

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, less when a stop comes; whether one was requested."""
        return self._event.wait(seconds)

    def track(self, conn: Any) -> None:
        """A session that :meth:`cut` ends; one opened after the cut is ended at once."""
        with self._lock:
            self._conns[id(conn)] = conn
            cut = self._cut
        if cut:
            hard_close(conn)

    def untrack(self, conn: Any) -> None:
        with self._lock:
            self._conns.pop(id(conn), None)

    def live(self) -> int:
        with self._lock:
            return len(self._conns)

    def cut(self) -> int:
        """Close every tracked session's transport; the number closed."""
        with self._lock:
            self._cut = True
            conns = list(self._conns.values())
        for conn in conns:
            hard_close(conn)
        return len(conns)

    def during(self, where: str) -> str:
        """The reason a host stopped mid-audit gets."""
        return (
            f"interrupted during audit ({self.reason or 'stop requested'}) at {where}: "
            "the rest of the plan was not run"
        )
