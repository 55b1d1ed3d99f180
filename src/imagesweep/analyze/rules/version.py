"""E. Version and build."""

from __future__ import annotations

import re

from imagesweep.analyze.rules.finding import PATCH, Rule
from imagesweep.analyze.rules.images import running_paths
from imagesweep.baseline.context import Context
from imagesweep.paths import basename
from imagesweep.records import DeviceState, Finding
from imagesweep.releases import image_version, same_version

VERSION_FILENAME_MISMATCH = Rule(
    "VERSION_FILENAME_MISMATCH",
    "high",
    PATCH,
    "show version and the image file name disagree: verify the image's digest and signature; "
    "a patched image can fake its banner.",
    condition=(
        "The release in `show version` differs from the release encoded in the running "
        "image's file name."
    ),
)
NON_RELEASE_BUILD = Rule(
    "NON_RELEASE_BUILD",
    "medium",
    PATCH,
    "Replace the non-release build with a supported release unless Cisco TAC supplied it.",
    condition=(
        "Non-release markers: development, engineering or weekly builds, `BLD_...` image "
        "names, image type Special or Development."
    ),
)
VERSION_NOT_APPROVED = Rule(
    "VERSION_NOT_APPROVED",
    "medium",
    PATCH,
    "Upgrade to a release on the approved list, or add this release to the policy.",
    condition=("The release is not in the policy's approved list for the platform."),
)


def version_filename_mismatch(state: DeviceState, ctx: Context) -> list[Finding]:
    if not state.version or not state.version.version:
        return []
    claimed = state.version.version
    bad = []
    for path in running_paths(state):
        encoded = image_version(basename(path))
        if encoded and not same_version(claimed, encoded):
            bad.append(f"{path} encodes {encoded}")
    if not bad:
        return []
    return [
        VERSION_FILENAME_MISMATCH.finding(
            f"show version says {claimed}, the running image's name says otherwise",
            [*bad, *state.version.evidence],
        )
    ]


def non_release_build(state: DeviceState, ctx: Context) -> list[Finding]:
    if not state.version:
        return []
    markers = list(state.version.release_markers)
    for path in running_paths(state):
        name = basename(path)
        if "BLD_" in name.upper() or ".SSA." in name.upper():
            markers.append(f"build file name {name}")
    if not markers:
        return []
    return [
        NON_RELEASE_BUILD.finding(
            f"non-release software: {markers[0]}", [*markers, *state.version.evidence]
        )
    ]


def version_not_approved(state: DeviceState, ctx: Context) -> list[Finding]:
    approved = ctx.policy.approved_versions.get(state.platform)
    if not approved or not state.version or not state.version.version:
        return []
    if any(same_version(state.version.version, a) for a in approved):
        return []
    return [
        VERSION_NOT_APPROVED.finding(
            f"version {state.version.version} is not approved for {state.platform}",
            [f"approved: {', '.join(approved)}", *state.version.evidence],
        )
    ]


PACKAGE_RELEASE_MISMATCH = Rule(
    "PACKAGE_RELEASE_MISMATCH",
    "high",
    PATCH,
    "A core OS package is of another release than the device runs: a swapped package or an "
    "upgrade that did not finish. Reinstall the approved release from a verified image.",
    condition=(
        "A core Junos package (base OS, kernel, routing, PFE) is on another release than the "
        "device runs."
    ),
)
# Core Junos packages, which ship with the release itself. Left out on purpose: "Host
# Software" (the QFX/EX host OS has its own release), JET packages such as "jsd"
# ("i386-21.4R3-S3.4-jet-1"), documentation and third-party packages.
_CORE_PACKAGE = re.compile(
    r"^JUNOS (?:Base OS|Kernel|Software Release|Routing Software|Packet Forwarding|Crypto "
    r"Software|Runtime Software|Enterprise Software|Platform Software)",
    re.IGNORECASE,
)


def package_release_mismatch(state: DeviceState, ctx: Context) -> list[Finding]:
    """Issue 3: on Junos every core package must be of the release the device runs. Each
    member or routing engine (``fpc1: ...``, ``node0: ...``) is checked as printed."""
    if not state.version or not state.version.package_versions:
        return []
    claimed = state.version.version
    odd = [
        f"{name} [{version}]"
        for name, version in state.version.package_versions
        if _CORE_PACKAGE.match(name.rsplit(": ", 1)[-1])
        and version
        and not same_version(version, claimed)
    ]
    if not odd:
        return []
    return [
        PACKAGE_RELEASE_MISMATCH.finding(
            f"{len(odd)} core package(s) of another release than {claimed}",
            [*odd, *state.version.evidence],
        )
    ]


RULES = (
    version_filename_mismatch,
    non_release_build,
    version_not_approved,
    package_release_mismatch,
)
