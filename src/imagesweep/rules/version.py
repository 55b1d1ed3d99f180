"""E. Version and build."""

from __future__ import annotations

from imagesweep.parse.image_names import image_version, same_version
from imagesweep.parse.paths import basename
from imagesweep.records import DeviceState, Finding
from imagesweep.rules.context import Context
from imagesweep.rules.finding import PATCH, Rule
from imagesweep.rules.images import running_paths

VERSION_FILENAME_MISMATCH = Rule(
    "VERSION_FILENAME_MISMATCH",
    "high",
    PATCH,
    "show version and the image file name disagree: verify the image's digest and signature; "
    "a patched image can fake its banner.",
)
NON_RELEASE_BUILD = Rule(
    "NON_RELEASE_BUILD",
    "medium",
    PATCH,
    "Replace the non-release build with a supported release unless Cisco TAC supplied it.",
)
VERSION_NOT_APPROVED = Rule(
    "VERSION_NOT_APPROVED",
    "medium",
    PATCH,
    "Upgrade to a release on the approved list, or add this release to the policy.",
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


RULES = (version_filename_mismatch, non_release_build, version_not_approved)
