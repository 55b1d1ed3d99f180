"""The SSH transport every audit session uses."""

from __future__ import annotations

import paramiko


class AuditTransport(paramiko.Transport):  # type: ignore[misc]
    """paramiko's transport thread wakes every ``_active_check_timeout`` seconds (0.1) to
    see whether it was closed; with a thousand sessions waiting minutes for their digests,
    those ten wake-ups a second each cost more CPU than the audit's own work. Closing is not
    slowed: ``close()`` closes the socket and does not wait for the thread."""

    _active_check_timeout = 1.0
