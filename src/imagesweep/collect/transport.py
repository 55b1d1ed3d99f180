"""The SSH transport every audit session uses."""

from __future__ import annotations

import paramiko


class AuditTransport(paramiko.Transport):  # type: ignore[misc]
    """paramiko's transport thread wakes every ``_active_check_timeout`` seconds (0.1) to
    see whether it was closed; with thousands of sessions waiting minutes for their digests,
    those wake-ups cost more CPU than the audit's own work. Closing is not slowed:
    ``close()`` marks the packetizer closed and closes the socket, and does not wait for the
    thread; data wakes it at once."""

    _active_check_timeout = 5.0
