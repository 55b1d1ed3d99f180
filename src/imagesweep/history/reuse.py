"""Digest reuse (``--rehash-after DAYS``, opt-in): which earlier digests a sweep may offer
the collector instead of asking the device again.

An image's digest is offered when the device's previous complete sweep found nothing on it,
the device itself computed that digest less than DAYS ago (a reused digest is never the
start of another reuse's clock), and the file's size and listed timestamp are known. The
collector (and the analyze stage again, from the capture) then keeps only those whose file
the new listing shows with the same size and timestamp, on a device whose uptime reaches
back past the digest: no reload since. Everything else is digested as always.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from imagesweep.baseline.prior import PriorState
from imagesweep.records import ReusedDigest


def offers(prior: PriorState, now: datetime, days: float) -> tuple[ReusedDigest, ...]:
    if prior.status != "clean" or not prior.images:
        return ()
    oldest = now - timedelta(days=days)
    return tuple(
        ReusedDigest(
            path=image.path,
            size=image.size,
            modified=image.modified,
            md5=image.md5,
            sha512=image.sha512,
            digested_at=image.digested_at.isoformat(timespec="seconds"),
            sweep=prior.sweep,
        )
        for image in prior.images
        if image.size is not None
        and image.modified
        and (image.md5 or image.sha512)
        and image.digested_at is not None
        and image.digested_at >= oldest
    )
