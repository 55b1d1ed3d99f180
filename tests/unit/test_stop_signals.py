"""The cooperative stop (collect/stop.py) and the signal handling around a sweep
(sweep/interrupt.py), without a lab: real signals to this process, real threads."""

from __future__ import annotations

import os
import signal
import threading
import time

from imagesweep.collect.stop import Stop
from imagesweep.sweep.interrupt import exit_status, handling


class _Transport:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


class _Channel:
    def __init__(self, transport: _Transport) -> None:
        self._transport = transport

    def get_transport(self) -> _Transport:
        return self._transport


class _Conn:
    """The one attribute hard_close reaches: remote_conn.get_transport().close()."""

    def __init__(self) -> None:
        self.transport = _Transport()
        self.remote_conn = _Channel(self.transport)


def test_exit_status_is_128_plus_the_signal() -> None:
    assert exit_status("SIGINT") == 130
    assert exit_status("SIGTERM") == 143


def test_cut_closes_tracked_sessions_and_any_opened_later() -> None:
    stop = Stop()
    first, gone, late = _Conn(), _Conn(), _Conn()
    stop.track(first)
    stop.track(gone)
    stop.untrack(gone)
    assert stop.cut() == 1
    assert first.transport.closed and not gone.transport.closed
    stop.track(late)  # a login that finished after the cut is ended at once
    assert late.transport.closed


def test_signal_requests_the_stop_and_the_grace_cuts() -> None:
    stop = Stop()
    conn = _Conn()
    stop.track(conn)
    before = signal.getsignal(signal.SIGINT)
    with handling(stop, grace=0.3):
        os.kill(os.getpid(), signal.SIGTERM)
        deadline = time.monotonic() + 5
        while not conn.transport.closed and time.monotonic() < deadline:
            time.sleep(0.02)
        assert stop.requested and stop.reason == "SIGTERM"
        assert conn.transport.closed  # cut after the grace
        os.kill(os.getpid(), signal.SIGINT)  # a second signal: no KeyboardInterrupt
        time.sleep(0.05)
    assert stop.reason == "SIGTERM"  # the first signal names the stop
    assert signal.getsignal(signal.SIGINT) is before  # handlers restored


def test_second_signal_cuts_at_once() -> None:
    stop = Stop()
    conn = _Conn()
    stop.track(conn)
    with handling(stop, grace=60):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        assert stop.requested and not conn.transport.closed  # in its grace
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        assert conn.transport.closed


def test_off_the_main_thread_signals_are_left_alone() -> None:
    stop = Stop()
    seen: list[object] = []

    def worker() -> None:
        with handling(stop, grace=1):
            seen.append(signal.getsignal(signal.SIGINT))

    before = signal.getsignal(signal.SIGINT)
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [before]


def test_a_signal_another_thread_received_stops_the_sweep_at_once() -> None:
    """The kernel may give a process's signal to any thread that does not block it; the
    handler still runs at once, not when the sweep's long join ends (seen in CI)."""
    stop = Stop()
    bystander_done = threading.Event()
    bystander = threading.Thread(target=bystander_done.wait, args=(10,))  # signals unblocked
    bystander.start()
    seen: list[float] = []

    def session() -> None:
        signal.pthread_kill(bystander.ident or 0, signal.SIGINT)
        sent = time.monotonic()
        stop.wait(3)
        seen.append(time.monotonic() - sent if stop.requested else float("inf"))

    def sweep() -> None:  # as Nornir's runner: the caller blocks in a join
        assert set(signal.pthread_sigmask(signal.SIG_BLOCK, [])) >= {
            signal.SIGINT,
            signal.SIGTERM,
        }
        worker = threading.Thread(target=session)
        worker.start()
        worker.join()

    try:
        with handling(stop, grace=60) as run:
            run(sweep)
    finally:
        bystander_done.set()
        bystander.join()
    assert stop.reason == "SIGINT"
    assert seen and seen[0] < 1.0


def test_the_work_s_exception_reaches_the_caller() -> None:
    def broken() -> None:
        raise LookupError("from the sweep")

    with handling(Stop(), grace=1) as run:
        try:
            run(broken)
        except LookupError as exc:
            assert str(exc) == "from the sweep"
        else:
            raise AssertionError("the exception was lost")
