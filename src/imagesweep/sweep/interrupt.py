"""Ctrl-C and SIGTERM during a sweep: stop starting sessions at once, give the sessions in
flight ``grace`` seconds to finish, then cut them; a second signal cuts them at once.

The sweep then writes its reports for what finished and exits 130 (SIGINT) or 143
(SIGTERM), the shell's 128 + signal number.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

from imagesweep.collect.stop import Stop

GRACE_SECONDS = 10.0
SIGNALS = (signal.SIGINT, signal.SIGTERM)


def exit_status(reason: str) -> int:
    """128 + the signal's number, as a shell reports a process a signal ended."""
    try:
        return 128 + int(signal.Signals[reason])
    except KeyError:
        return 128 + int(signal.SIGINT)


def _say(text: str) -> None:
    # os.write: safe inside a signal handler, unlike logging or print.
    with contextlib.suppress(OSError):
        os.write(2, f"imagesweep: {text}\n".encode())


@contextlib.contextmanager
def handling(stop: Stop, grace: float) -> Iterator[None]:
    """Turn SIGINT/SIGTERM into ``stop`` while the block runs (main thread only: a library
    caller on another thread keeps its own handling)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    timers: list[threading.Timer] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if stop.requested:
            _say(f"{name} again: cutting the sessions in flight now")
            stop.cut()
            return
        stop.request(name)
        _say(
            f"{name}: no new sessions; the {stop.live()} in flight get {grace:g} s "
            "(--grace) to finish, then are cut; a second Ctrl-C cuts them now"
        )
        timer = threading.Timer(grace, stop.cut)
        timer.daemon = True
        timer.start()
        timers.append(timer)

    previous: dict[int, Any] = {s: signal.signal(s, on_signal) for s in SIGNALS}
    try:
        yield
    finally:
        for timer in timers:
            timer.cancel()
        for s, handler in previous.items():
            signal.signal(s, handler)
