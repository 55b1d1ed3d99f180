"""A. Completeness: a device that was not fully looked at is never clean."""

from __future__ import annotations

from imagesweep.analyze.rules.finding import PATCH, Rule
from imagesweep.analyze.rules.images import unvouched, verdicts
from imagesweep.baseline.context import Context
from imagesweep.records import HOST_KEY_CHANGED_STEP, LEGACY_SSH_NOTE, DeviceState, Finding

AUDIT_INCOMPLETE = Rule(
    "AUDIT_INCOMPLETE",
    "high",
    PATCH,
    "Fix the cause named in the evidence (reachability, credentials, privilege, timeouts) and "
    "audit the device again; until then treat its image integrity as unknown.",
    condition=(
        "Part of the plan produced no usable data (unreachable, login or enable failed, "
        "timeout, command rejected, output not understood, an image without a digest, a "
        "platform with no on-box digest not accepted); the evidence names the step and why. "
        "On IOS XR and Junos also: no install file of the running release found and digested "
        "(unless the platform is accepted as unverifiable); a host an interrupted sweep did "
        "not finish. The device is `incomplete`, never `clean`."
    ),
)


def audit_incomplete(state: DeviceState, ctx: Context) -> list[Finding]:
    evidence = [f"{gap.step}: {gap.reason}" for gap in state.gaps]
    images = verdicts(state, ctx.catalogue)
    evidence += [
        f"digest {image.path}: the catalogue and the device share no digest algorithm, so "
        "nothing was compared"
        for image in images
        if image.verdict == "not-comparable"
    ]
    unproven = unvouched(state, images, ctx.catalogue)
    if unproven and not evidence and state.platform not in ctx.policy.accept_unverifiable:
        evidence.append(
            f"{unproven} (put the release's install file on storage and its digest in the "
            f"catalogue, or accept this explicitly with --accept-unverifiable "
            f"{state.platform.split('_')[-1]})"
        )
        first = "running software"
        return [AUDIT_INCOMPLETE.finding(f"audit incomplete: {first}", evidence)]
    if state.digest_unavailable and state.platform not in ctx.policy.accept_unverifiable:
        evidence.append(
            f"digest: {state.digest_unavailable} (accept this explicitly with "
            f"--accept-unverifiable {state.platform})"
        )
    if not evidence:
        return []
    first = state.gaps[0].step if state.gaps else "digest"
    more = f" (+{len(evidence) - 1} more)" if len(evidence) > 1 else ""
    return [AUDIT_INCOMPLETE.finding(f"audit incomplete: {first}{more}", evidence)]


HOST_KEY_CHANGED = Rule(
    "HOST_KEY_CHANGED",
    "critical",
    "T1557",
    "Verify the new key out of band (console, change records) before trusting it: a changed "
    "host key is what a man-in-the-middle or a replaced device looks like. Then remove the old "
    "line from imagesweep's known_hosts and audit again.",
    condition=(
        "The device's SSH host key differs from the one in imagesweep's known_hosts; the "
        "session is refused before authentication."
    ),
)


def host_key_changed(state: DeviceState, ctx: Context) -> list[Finding]:
    gaps = [g for g in state.gaps if g.step == HOST_KEY_CHANGED_STEP]
    if not gaps:
        return []
    return [
        HOST_KEY_CHANGED.finding(
            f"SSH host key of {state.address or state.host} changed", [g.reason for g in gaps]
        )
    ]


LEGACY_SSH = Rule(
    "LEGACY_SSH",
    "low",
    "T1040",
    "Upgrade the device to a release with modern SSH (curve25519/ECDH key exchange, "
    "rsa-sha2 host keys); SHA-1 key exchange and 1024-bit groups are within reach of a "
    "well-funded attacker.",
    condition=(
        "The session needed SHA-1 key exchange or `ssh-rsa` host keys (opt-in `legacy_ssh: "
        "true`); the algorithms used are named."
    ),
)


def legacy_ssh(state: DeviceState, ctx: Context) -> list[Finding]:
    used = [n[len(LEGACY_SSH_NOTE) :] for n in state.notes if n.startswith(LEGACY_SSH_NOTE)]
    weak = [u for u in used if "sha1" in u or "ssh-rsa" in u]
    if not weak:
        return []
    return [LEGACY_SSH.finding("audited over weak legacy SSH algorithms (opted in)", weak)]


RULES = (audit_incomplete, host_key_changed, legacy_ssh)
