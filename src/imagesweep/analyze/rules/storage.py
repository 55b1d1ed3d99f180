"""C. Storage: more than one OS image, or the running image gone from storage."""

from __future__ import annotations

from imagesweep.analyze.rules.digests import HASH_UNKNOWN
from imagesweep.analyze.rules.finding import PATCH, Rule
from imagesweep.analyze.rules.images import find, listed, os_images
from imagesweep.baseline.context import Context
from imagesweep.paths import basename, is_network
from imagesweep.records import DeviceState, Finding
from imagesweep.releases import image_version

DUAL_IMAGE = Rule(
    "DUAL_IMAGE",
    "high",
    PATCH,
    "Escalate: confirm which image is approved, digest every image against the vendor's "
    "published digests, and remove the others so the boot loader cannot fall back to them.",
    condition=(
        "More than one distinct OS image on the device's storage (all filesystems, stack "
        "members included); copies of one file and one install set count once."
    ),
)
RUNNING_IMAGE_MISSING = Rule(
    "RUNNING_IMAGE_MISSING",
    "high",
    PATCH,
    "Find out why the running image is not on storage (deleted after boot, network boot, "
    "or a secured bootset: check 'show secure bootset'); reload only from a verified image.",
    condition=(
        "The running image is not on any local storage: deleted after boot, loaded from the "
        "network, or hidden."
    ),
)


def distinct_images(state: DeviceState) -> dict[str, list[str]]:
    """Image identity -> paths. Copies of one file name on several filesystems (stack members)
    are one image; install-mode packages of one release are one image; so are the images
    that run together (NX-OS kickstart and system images)."""
    groups: dict[str, list[str]] = {}
    running = set(state.running_set)
    companions = (
        {basename(p).lower() for p in state.version.other_images} if state.version else set()
    )
    running_name = basename(state.version.running_image).lower() if state.version else ""
    for image in os_images(state):
        name = basename(image.path).lower()
        if name in companions and running_name:
            name = running_name  # runs together with the running image: the same software
        if image.path in running:
            key = "running install set"
        elif name.endswith(".pkg"):
            key = f"packages {image_version(name) or name}"
        else:
            key = name
        groups.setdefault(key, []).append(image.path)
    return groups


def dual_image(state: DeviceState, ctx: Context) -> list[Finding]:
    groups = distinct_images(state)
    if len(groups) <= 1:
        return []
    evidence = [", ".join(paths) for paths in groups.values()]
    return [DUAL_IMAGE.finding(f"{len(groups)} OS images on storage", evidence)]


def running_image_missing(state: DeviceState, ctx: Context) -> list[Finding]:
    """The running image, or a file of the running set (IOS-XE packages.conf entries), is
    absent from a filesystem that was listed."""
    if not state.version or not state.version.running_image:
        return []
    running = [state.version.running_image, *state.running_set]
    # 32-bit IOS XR installs each active package as a directory ("disk0:asr9k-mini-px-5.3.3")
    entries = {e.path for listing in state.listings for e in listing.files}
    missing = [
        p
        for p in running
        if not is_network(p) and listed(state, p) and not find(state, p) and p not in entries
    ]
    if not missing:
        return []
    evidence = [
        *(f"missing: {p}" for p in missing),
        *state.version.evidence,
        f"not found in the listing of: {', '.join(x.filesystem for x in state.listings)}",
    ]
    what = "running image" if missing[0] == running[0] else "running package"
    more = f" (+{len(missing) - 1} more)" if len(missing) > 1 else ""
    summary = f"{what} {missing[0]} is not on storage{more}"
    return [RUNNING_IMAGE_MISSING.finding(summary, evidence)]


def uploaded_image(state: DeviceState, ctx: Context) -> list[Finding]:
    """PAN-OS marks images an administrator uploaded by hand rather than downloaded from the
    vendor: nothing vouches for those, and the platform offers no digest to check them."""
    uploaded = [f.path for f in state.files if "uploaded" in f.attrs]
    if not uploaded:
        return []
    return [
        HASH_UNKNOWN.finding(
            f"manually uploaded image: {', '.join(uploaded)}",
            [f"{path}: uploaded, not downloaded from the vendor" for path in uploaded],
            recommendation="Confirm where the uploaded image came from and compare its digest "
            "off the device with the vendor's published one before installing it.",
        )
    ]


RULES = (dual_image, running_image_missing, uploaded_image)
