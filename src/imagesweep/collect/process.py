"""How a collector process is set up to hold thousands of SSH sessions cheaply: the audit
command's own process, and each Dask worker that audits devices (``sweep/distributed.py``)."""

from __future__ import annotations

import gc
import sys

# Every thread that wants the GIL re-polls for it each switch interval (5 ms by default), so
# a thousand waiting session threads cost more than the work itself. The session threads
# give the GIL up on every read anyway.
SWITCH_INTERVAL = 0.05
# A sweep allocates millions of small objects it keeps (records, outputs) and few cycles;
# the default thresholds re-scan the growing heap over and over (5 % of a sweep's CPU).
GC_THRESHOLDS = (20_000, 50, 50)


def prepare_for_sessions() -> None:
    """Tune this process for many mostly idle session threads. What is loaded by now lives
    to the end of the process: frozen, never scanned by the cyclic collector again."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    sys.setswitchinterval(SWITCH_INTERVAL)
