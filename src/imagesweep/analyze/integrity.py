"""The device's integrity verdict (devices.csv ``integrity``): the one column that finds
every tampered device, whatever file the tampering is in.

- ``tampered``: a digest on the device contradicts the catalogue (HASH_MISMATCH or
  HASH_OTHER_RELEASE, or the bytes copied off the device: OFFBOX_HASH_MISMATCH), on any
  file, running or not, or the signed boot measurements contradict Cisco's Known Good Values
  or were not signed by a genuine key over this sweep's nonce (BOOT_INTEGRITY_MISMATCH,
  BOOT_INTEGRITY_SIGNATURE_INVALID);
- ``verified``: the audit is complete and known-good digests vouched for the running software
  (its image file, or on IOS XR / Junos the staged install ISO or package of its release);
- ``unknown``: the running software's digest is not in the catalogue;
- ``unverified``: nothing vouched for it (incomplete audit, a platform accepted as
  unverifiable, network boot, no install file of the running release).
"""

from __future__ import annotations

from collections.abc import Iterable

from imagesweep.analyze.rules.digests import HASH_MISMATCH, HASH_OTHER_RELEASE
from imagesweep.analyze.rules.images import staged_release
from imagesweep.analyze.rules.integrity_evidence import (
    BOOT_INTEGRITY_MISMATCH,
    BOOT_INTEGRITY_SIGNATURE_INVALID,
)
from imagesweep.analyze.rules.offbox import OFFBOX_HASH_MISMATCH
from imagesweep.baseline.catalogue import Catalogue
from imagesweep.records import DeviceState, Finding, HashStatus, ImageVerdict, Integrity

_ACCUSING = frozenset(
    {
        HASH_MISMATCH.id,
        HASH_OTHER_RELEASE.id,
        OFFBOX_HASH_MISMATCH.id,
        BOOT_INTEGRITY_MISMATCH.id,
        BOOT_INTEGRITY_SIGNATURE_INVALID.id,
    }
)


def integrity(
    state: DeviceState,
    images: tuple[ImageVerdict, ...],
    findings: Iterable[Finding],
    *,
    hash_status: HashStatus,
    complete: bool,
    catalogue: Catalogue,
) -> Integrity:
    if any(f.rule in _ACCUSING for f in findings) or any(
        i.verdict in ("mismatch", "other-release") for i in images
    ):
        return "tampered"
    if hash_status == "unknown":
        return "unknown"
    if not complete:
        return "unverified"
    if hash_status == "match":
        return "verified"
    staged = staged_release(state, images, catalogue)
    if hash_status == "unverified" and staged is not None and staged.verdict == "match":
        return "verified"
    return "unverified"
