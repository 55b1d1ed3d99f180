"""F. Off-box digests: the image's bytes hashed on the collector, against the device's own
claim and the known-good catalogue. A patched OS can print any digest for ``verify``; it
cannot change what its storage hands to a copy (short of a far deeper implant), so this is
the evidence the device cannot fake without the signed measurements some platforms lack."""

from __future__ import annotations

from imagesweep.analyze.rules.finding import PATCH, Rule
from imagesweep.analyze.rules.images import same_file
from imagesweep.baseline.context import Context
from imagesweep.paths import basename
from imagesweep.records import DeviceState, Finding, OffboxCopy

OFFBOX_HASH_MISMATCH = Rule(
    "OFFBOX_HASH_MISMATCH",
    "critical",
    PATCH,
    "Treat the device as compromised: its storage holds other bytes than it claims or than "
    "the vendor shipped. Keep the copied image (--keep-images) as evidence, isolate the "
    "device, reimage it from a known-good source over a trusted path and rotate credentials.",
    condition=(
        "With --offbox: the image copied off the device and hashed on the collector differs "
        "from the known-good digest, or from the digest the device's own verify printed (the "
        "device lied)."
    ),
)

_ALGORITHMS = ("md5", "sha512")


def _claims(state: DeviceState, copy: OffboxCopy) -> dict[str, str]:
    """What the device's own digest commands printed for the copied file, per algorithm."""
    found: dict[str, str] = {}
    for d in state.digests:
        if d.digest and d.algorithm in _ALGORITHMS and same_file(d.path, copy.path):
            found.setdefault(d.algorithm, d.digest.lower())
    return found


def offbox_mismatch(state: DeviceState, ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for copy in state.offbox:
        if copy.error or not (copy.md5 or copy.sha512):
            continue  # a failed copy is a gap (completeness), never a pass
        got = {"md5": copy.md5, "sha512": copy.sha512}
        source = (
            f"{copy.path}: {copy.size} bytes copied off the device over {copy.protocol} "
            f"({copy.remote}) hash to md5 {copy.md5}, sha512 {copy.sha512}"
        )
        lied = [
            f"the device's own {alg} digest of {copy.path}: {claim}"
            for alg, claim in _claims(state, copy).items()
            if claim != got[alg]
        ]
        entry = ctx.catalogue.get(basename(copy.path))
        wrong = []
        if entry is not None:
            for alg, want in (("md5", entry.md5), ("sha512", entry.sha512)):
                if want and want.lower() != got[alg]:
                    wrong.append(
                        f"known-good {entry.filename} {alg}: {want.lower()}"
                        f" (source {entry.source or 'catalogue'})"
                    )
        if not lied and not wrong:
            continue
        if lied:
            summary = f"{copy.path}: the device's digest is not the digest of its bytes (it lied)"
        else:
            summary = f"{copy.path}: the bytes on the device differ from the known-good digest"
        findings.append(
            OFFBOX_HASH_MISMATCH.finding(
                summary,
                [source, *lied, *wrong, f"kept at {copy.kept}" if copy.kept else ""],
            )
        )
    return findings


RULES = (offbox_mismatch,)
