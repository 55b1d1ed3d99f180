"""Ctrl-C and SIGTERM during a sweep: stop starting sessions at once, give the sessions in
flight ``grace`` seconds to finish, then cut them; a second signal cuts them at once.

The sweep then writes its reports for what finished and exits 130 (SIGINT) or 143
(SIGTERM), the shell's 128 + signal number.

Python runs signal handlers on the main thread only, and the kernel may hand a signal sent
to the process to any thread that does not block it. A main thread blocked in the join of a
Nornir run would then run the handler only when the join ends, after the whole sweep (seen
in CI: every remaining host logged in after the Ctrl-C). So the sweep's work runs on a
helper thread that blocks the signals (as does every thread it starts), while the main
thread waits in short slices.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

from imagesweep.collect.stop import Stop

GRACE_SECONDS = 10.0
SIGNALS = (signal.SIGINT, signal.SIGTERM)
# How long a signal that reached another thread can wait for the main thread's handler.
SLICE_SECONDS = 0.1
Work = Callable[[], None]


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


def _directly(work: Work) -> None:
    work()


def _beside_the_handler(work: Work) -> None:
    """``work()`` on a helper thread that blocks :data:`SIGNALS`; the main thread, free to
    run the handler, waits for it in slices of :data:`SLICE_SECONDS`."""
    failed: list[BaseException] = []

    def body() -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
        try:
            work()
        except BaseException as exc:  # re-raised on the main thread, as if raised there
            failed.append(exc)

    helper = threading.Thread(target=body, name="imagesweep-sweep", daemon=True)
    helper.start()
    while helper.is_alive():
        helper.join(SLICE_SECONDS)
    if failed:
        raise failed[0]


@contextlib.contextmanager
def handling(stop: Stop, grace: float) -> Iterator[Callable[[Work], None]]:
    """Turn SIGINT/SIGTERM into ``stop`` while the block runs; yields how to run the
    block's long work so that a signal is seen at once (main thread only: a library caller
    on another thread keeps its own handling and runs the work directly)."""
    if threading.current_thread() is not threading.main_thread():
        yield _directly
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
        yield _beside_the_handler
    finally:
        for timer in timers:
            timer.cancel()
        for s, handler in previous.items():
            signal.signal(s, handler)
