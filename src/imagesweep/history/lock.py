"""One sweep at a time per history: an exclusive ``flock`` on ``<history>.lock``.

The kernel drops the lock when the process ends, however it ends (SIGKILL included), so a
killed sweep never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import weakref
from pathlib import Path
from types import TracebackType

from imagesweep.errors import ImagesweepError
from imagesweep.files import FILE_MODE, make_dir

# EX_TEMPFAIL (sysexits.h): "try again later", which is what a scheduler should do.
LOCKED_EXIT = 75


class SweepLocked(ImagesweepError):
    """Another sweep holds the history's lock. CLI exit status 75."""

    exit_status = LOCKED_EXIT


class SweepLock:
    def __init__(self, history: Path) -> None:
        self.path = history.with_name(history.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> SweepLock:
        make_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip()
            os.close(fd)
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise SweepLocked(
                f"another sweep is running over the history {self.path.with_suffix('')}"
                f"{who}; not starting a second one (exit {LOCKED_EXIT})"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        # A sweep that raises before release() must not keep the history locked in a
        # long-lived process (tests, a library caller).
        self._finalizer = weakref.finalize(self, os.close, fd)
        return self

    def release(self) -> None:
        if self._fd is not None:
            self._finalizer.detach()
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> SweepLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
