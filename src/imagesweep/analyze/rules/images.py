"""Which files are OS images, and what the catalogue says of each one's digests."""

from __future__ import annotations

import re

from imagesweep.baseline.catalogue import Catalogue
from imagesweep.parse.interpret import digest_scope
from imagesweep.paths import basename, filesystem, is_network
from imagesweep.platforms import profile
from imagesweep.records import DeviceState, HashStatus, ImageVerdict, KnownGood, StorageFile
from imagesweep.releases import image_versions, same_version

_STACK_FLASH = re.compile(r"^flash\d*:$")


def same_file(a: str, b: str) -> bool:
    """Equal canonical paths, where ``flash:`` also stands for a stack member's ``flashN:``."""
    if a == b:
        return True
    fa, fb = filesystem(a), filesystem(b)
    if fa != fb and _STACK_FLASH.match(fa) and _STACK_FLASH.match(fb):
        return a[len(fa) :] == b[len(fb) :] and "flash:" in (fa, fb)
    return False


def find(state: DeviceState, path: str) -> StorageFile | None:
    return next((f for f in state.files if same_file(f.path, path)), None)


def listed(state: DeviceState, path: str) -> bool:
    """Whether the filesystem ``path`` lies on was listed (so absence means something)."""
    fs = filesystem(path)
    names = {listing.filesystem for listing in state.listings}
    if not fs:
        return any(path.startswith(n.rstrip("/") + "/") for n in names)
    return fs in names or (
        bool(_STACK_FLASH.match(fs)) and any(_STACK_FLASH.match(n) for n in names)
    )


def running_paths(state: DeviceState) -> tuple[str, ...]:
    """The files that make up the running software: the install-mode set, or the image."""
    if state.running_set:
        return state.running_set
    if state.version and state.version.running_image:
        return (state.version.running_image,)
    return ()


def os_images(state: DeviceState) -> tuple[StorageFile, ...]:
    """OS image files on local storage (pattern match, or named by version/boot/running set)."""
    prof = profile(state.platform)
    scope = set(
        digest_scope(
            prof,
            version=state.version,
            boot=state.boot,
            listings=state.listings,
            running_set=state.running_set,
        )
    )
    return tuple(f for f in state.files if f.path in scope)


def _digest(state: DeviceState, path: str, algorithm: str) -> str:
    return next(
        (
            d.digest
            for d in state.digests
            if d.path == path and d.algorithm == algorithm and d.digest
        ),
        "",
    )


def classify(
    catalogue: Catalogue, name: str, md5: str, sha512: str
) -> tuple[str, KnownGood | None]:
    """(verdict, catalogue entry it refers to) for one file's digests.

    Verdicts: match, mismatch, other-release (the digest is known-good for another file),
    unknown (name not catalogued, digest unknown), not-comparable (no common algorithm),
    not-hashed.
    """
    if not md5 and not sha512:
        return "not-hashed", None
    entry = catalogue.get(name)
    others = [
        e
        for d in (md5, sha512)
        if d
        for e in catalogue.by_digest(d)
        if e.filename.lower() != name.lower()
    ]
    if entry is None:
        return ("other-release", others[0]) if others else ("unknown", None)
    pairs = [(entry.md5, md5), (entry.sha512, sha512)]
    shared = [(want, got) for want, got in pairs if want and got]
    if not shared:
        return "not-comparable", entry
    if all(want == got for want, got in shared):
        return "match", entry
    return ("other-release", others[0]) if others else ("mismatch", entry)


def verdicts(state: DeviceState, catalogue: Catalogue) -> tuple[ImageVerdict, ...]:
    reused = {r.path: r.digested_at for r in state.reused}
    running = running_paths(state)
    boot = state.boot.next_boot if state.boot else ()
    rows = []
    for image in os_images(state):
        md5 = _digest(state, image.path, "md5")
        sha512 = _digest(state, image.path, "sha512")
        verdict, _ = classify(catalogue, basename(image.path), md5, sha512)
        known = {
            "match": "yes",
            "unknown": "no",
            "mismatch": "mismatch",
            "other-release": "other-release",
        }.get(verdict, "")
        rows.append(
            ImageVerdict(
                path=image.path,
                size=image.size,
                running=any(same_file(image.path, p) for p in running),
                boot_target=any(same_file(image.path, p) for p in boot),
                md5=md5,
                sha512=sha512,
                known_good=known,
                verdict=verdict,
                reused_from=reused.get(image.path, ""),
            )
        )
    return tuple(rows)


def hash_status(state: DeviceState, images: tuple[ImageVerdict, ...]) -> HashStatus:
    """The running software's digest verdict: mismatch beats unknown beats unverified."""
    running = running_paths(state)
    if state.digest_unavailable or not running or any(is_network(p) for p in running):
        return "unverified"
    found = [next((i for i in images if same_file(i.path, p)), None) for p in running]
    if any(i is None or i.verdict in ("not-hashed", "not-comparable") for i in found):
        return "unverified"
    kinds = {i.verdict for i in found if i is not None}
    if kinds & {"mismatch", "other-release"}:
        return "mismatch"
    if "unknown" in kinds:
        return "unknown"
    return "match"


def staged_release(
    state: DeviceState, images: tuple[ImageVerdict, ...], catalogue: Catalogue
) -> ImageVerdict | None:
    """The digested install ISO or package of the release the device runs, if any: on
    platforms that run an installed release rather than a file (IOS XR, Junos) it is the
    on-box evidence there is for the running software (a match vouches, a mismatch accuses)."""
    claimed = state.version.version if state.version else ""
    if not claimed:
        return None
    for image in images:
        name = basename(image.path)
        entry = catalogue.get(name)
        if entry is None or image.verdict not in ("match", "mismatch", "other-release"):
            continue
        releases = (entry.version,) if entry.version else _releases(name)
        if any(same_version(r, claimed) for r in releases):
            return image
    return None


# An XR install file's release: ncs5500-mini-x-7.5.2.iso, ncs5500-golden-x-7.3.2-v1.iso.
_XR_RELEASE = re.compile(r"-(\d+\.\d+\.\d+)(?=[.-]|$)")


def _releases(name: str) -> tuple[str, ...]:
    """The release a catalogue entry without a version names in its file name."""
    return image_versions(name) or tuple(m[1] for m in _XR_RELEASE.finditer(name))


def unvouched(state: DeviceState, images: tuple[ImageVerdict, ...], catalogue: Catalogue) -> str:
    """Why nothing vouched for the running software of a platform that runs an installed
    release, not an image file (IOS XR, Junos); "" when something did or the platform's
    running image is a file (its own digest decides) or it has no digest at all (PAN-OS)."""
    prof = profile(state.platform)
    if prof.running_image_required or prof.digest_unavailable or not state.version:
        return ""
    if hash_status(state, images) != "unverified" or staged_release(state, images, catalogue):
        return ""
    release = state.version.version or "?"
    return (
        f"running software: nothing vouched for release {release}: {prof.name} runs installed "
        "software, not an image file, and no install ISO or package of that release was "
        "found on storage and digested against the catalogue"
    )
