"""Drift between sweeps (CHECKS.md G): this device now against its previous complete sweep.

Pure: the previous state arrives as data in ``ctx.history`` (built from the history store
before analysis). A device with no previous sweep gets no drift; a field either sweep did not
obtain is skipped, never reported as changed; volatile values (uptime as such, timestamps,
free space) are never compared. A declared maintenance window or approved change that
matches turns the drift into ``info`` with the window named.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from imagesweep.analyze.rules.digests import HASH_UNKNOWN
from imagesweep.analyze.rules.finding import PATCH, ROMMONKIT, Rule
from imagesweep.analyze.rules.images import same_file, verdicts
from imagesweep.baseline.context import Context
from imagesweep.baseline.prior import PriorImage, PriorState, Window
from imagesweep.parse.text import uptime_seconds
from imagesweep.records import DeviceState, Finding, ImageVerdict

IMAGE_CHANGED = Rule(
    "IMAGE_CHANGED",
    "high",
    PATCH,
    "The file's content changed under the same name: find out who replaced it, compare both "
    "digests with the vendor's, and reimage from a trusted copy if it is not an approved change.",
    condition=(
        "An image file with the same path has another digest than at the previous complete sweep."
    ),
)
IMAGE_ADDED = Rule(
    "IMAGE_ADDED",
    "medium",
    PATCH,
    "Confirm the new image belongs to an approved change and verify its digest.",
    condition=(
        "An OS image appeared on storage since the previous sweep (both sweeps listed every "
        "filesystem)."
    ),
)
IMAGE_REMOVED = Rule(
    "IMAGE_REMOVED",
    "low",
    PATCH,
    "Confirm the image was removed on purpose (housekeeping or an approved change).",
    condition=(
        "An OS image disappeared from storage since the previous sweep (both sweeps listed "
        "every filesystem)."
    ),
)
BOOT_CHANGED = Rule(
    "BOOT_CHANGED",
    "medium",
    PATCH,
    "Confirm who changed the boot variables and why; the next reload will boot what they name.",
    condition=("The boot variables or the next-boot image changed since the previous sweep."),
)
CONFREG_CHANGED = Rule(
    "CONFREG_CHANGED",
    "medium",
    PATCH,
    "Confirm who changed the configuration register; 0x2142 ignores the startup "
    "configuration, 0x0/0x2100 boot to ROMMON.",
    condition=("The config register (current or next reload) changed since the previous sweep."),
)
ROMMON_CHANGED = Rule(
    "ROMMON_CHANGED",
    "high",
    ROMMONKIT,
    "A boot loader upgrade is rare and should be planned: verify the ROMMON image and who "
    "installed it (ROMMONkit).",
    condition=("The ROMMON or boot loader version changed since the previous sweep."),
)
VERSION_CHANGED = Rule(
    "VERSION_CHANGED",
    "medium",
    PATCH,
    "Confirm the upgrade or downgrade was an approved change.",
    condition=("The running release changed since the previous sweep (an upgrade or a downgrade)."),
)
UNEXPECTED_RELOAD = Rule(
    "UNEXPECTED_RELOAD",
    "medium",
    PATCH,
    "Find out why the device reloaded (show version's reload reason, logs); a reload is how a "
    "modified image is brought into service.",
    condition=(
        "The device reloaded since the previous sweep (its boot time, sweep time minus "
        "uptime, moved) outside a declared maintenance window."
    ),
)
MEMORY_TEXT_CHANGED = Rule(
    "MEMORY_TEXT_CHANGED",
    "high",
    PATCH,
    "The running code in memory changed without a reload: treat as an in-memory implant and "
    "follow Cisco's forensic procedure (core dump, offline analysis).",
    condition=(
        "The opt-in system:memory/text digest changed since the previous sweep without a reload."
    ),
)

DRIFT_RULES = (
    IMAGE_CHANGED,
    IMAGE_ADDED,
    IMAGE_REMOVED,
    BOOT_CHANGED,
    CONFREG_CHANGED,
    ROMMON_CHANGED,
    VERSION_CHANGED,
    UNEXPECTED_RELOAD,
    MEMORY_TEXT_CHANGED,
)
DRIFT_IDS = frozenset(r.id for r in DRIFT_RULES)
# What a window covers unless it lists rules: a content change under the same name or in
# memory is never what a maintenance looks like.
WINDOW_DEFAULT = DRIFT_IDS - {IMAGE_CHANGED.id, MEMORY_TEXT_CHANGED.id}
# Uptime is printed to the minute; a reload is claimed only past this slack.
RELOAD_SLACK_SECONDS = 180


# --- this sweep's facts, None when not obtained ---------------------------------------------


@dataclass(frozen=True)
class Facts:
    """The comparable facts of one device in one sweep (``None``: not obtained)."""

    version: str | None
    running_image: str | None
    boot_entries: tuple[str, ...] | None
    config_register: str | None
    config_register_next: str | None
    rommon: str | None
    uptime_seconds: int | None
    images: tuple[ImageVerdict, ...] | None  # None: storage was not fully listed


def storage_complete(state: DeviceState) -> bool:
    """Every filesystem listed: only then can an image's absence mean anything."""
    return bool(state.listings) and all(g.step.startswith("digest ") for g in state.gaps)


def boot_entries(state: DeviceState) -> tuple[str, ...] | None:
    if state.boot is None:
        return None
    entries = state.boot.next_boot
    return entries + ((f"version:{state.boot.next_version}",) if state.boot.next_version else ())


def facts(
    state: DeviceState, ctx: Context, images: tuple[ImageVerdict, ...] | None = None
) -> Facts:
    """``images``: the verdicts already made for this state (saves making them again)."""
    v, b = state.version, state.boot
    register = (b.config_register if b else "") or (v.config_register if v else "")
    register_next = (v.config_register_next if v else "") or (b.config_register_next if b else "")
    return Facts(
        version=(v.version or None) if v else None,
        running_image=(v.running_image or None) if v else None,
        boot_entries=boot_entries(state),
        config_register=register or None,
        # What the next reload will use: the pending value, else the current one.
        config_register_next=(register_next or register) or None,
        rommon=(v.rommon.strip() or None) if v else None,
        uptime_seconds=uptime_seconds(v.uptime) if v else None,
        images=(images if images is not None else verdicts(state, ctx.catalogue))
        if storage_complete(state)
        else None,
    )


# --- windows --------------------------------------------------------------------------------


def _window(
    rule: str, state: DeviceState, prior: PriorState, now: Facts, ctx: Context
) -> tuple[Window | None, str]:
    """(window approving this drift, note when a window applied but its expectation failed)."""
    hist = ctx.history
    if hist.now is None:
        return None, ""
    groups = set(hist.groups.get(state.host, ()))
    note = ""
    for w in hist.windows:
        if state.host not in w.hosts and not (groups & w.groups):
            continue
        if rule not in (w.rules or WINDOW_DEFAULT):
            continue
        if w.end < prior.swept_at or w.start > hist.now:  # no overlap with the interval
            continue
        if w.expect_version and now.version != w.expect_version:
            note = f"window {w.name} expected version {w.expect_version}"
            continue
        named = (now.running_image or "",) + (now.boot_entries or ())
        if w.expect_image and not any(
            p and (same_file(p, w.expect_image) or p.endswith(w.expect_image)) for p in named
        ):
            note = f"window {w.name} expected image {w.expect_image}"
            continue
        return w, ""
    return None, note


def _judged(
    findings: list[Finding], state: DeviceState, prior: PriorState, now: Facts, ctx: Context
) -> list[Finding]:
    out = []
    for f in findings:
        window, note = _window(f.rule, state, prior, now, ctx)
        if window is not None:
            f = replace(f, severity="info", summary=f"{f.summary} (approved: window {window.name})")
        elif note:
            f = replace(f, summary=f"{f.summary} ({note}: not approved)")
        out.append(f)
    return out


def reload_evidence(prior: PriorState, now: datetime, uptime: int) -> str:
    """Why the device reloaded between ``prior`` and ``now`` ("" if it did not): its boot
    time (now - uptime) moved past the one the previous sweep derived, or its uptime is
    shorter than the time since that sweep."""
    booted = now - timedelta(seconds=uptime)
    if prior.uptime_seconds is not None:
        booted_before = prior.swept_at - timedelta(seconds=prior.uptime_seconds)
        if (booted - booted_before).total_seconds() > RELOAD_SLACK_SECONDS:
            return (
                f"booted {booted.isoformat(timespec='minutes')}, "
                f"previously {booted_before.isoformat(timespec='minutes')}"
            )
        return ""
    elapsed = (now - prior.swept_at).total_seconds()
    if uptime + RELOAD_SLACK_SECONDS < elapsed:
        return f"uptime {uptime}s < {int(elapsed)}s since the last sweep"
    return ""


# --- the rules ------------------------------------------------------------------------------


def _since(prior: PriorState) -> str:
    return f"since the sweep of {prior.swept_at.isoformat(timespec='minutes')}"


def _changed(a: PriorImage, b: ImageVerdict) -> tuple[str, str, str] | None:
    """(algorithm, before, after) of a digest both sweeps read and that differs."""
    for algorithm, before, after in (("sha512", a.sha512, b.sha512), ("md5", a.md5, b.md5)):
        if before and after:
            return (algorithm, before, after) if before != after else None
    return None


def drift(state: DeviceState, ctx: Context) -> list[Finding]:
    prior = ctx.history.previous.get(state.host)
    if prior is None:
        return []  # never seen before: nothing to drift from
    now = facts(state, ctx)
    since = _since(prior)
    found: list[Finding] = []

    before = {i.path: i for i in prior.images or ()}
    if now.images is not None:
        for image in now.images:
            old = before.get(image.path)
            change = _changed(old, image) if old else None
            if change:
                algorithm, was, got = change
                found.append(
                    IMAGE_CHANGED.finding(
                        f"{image.path}: content changed under the same name {since}",
                        [f"{image.path}: {algorithm} was {was}", f"{image.path}: now {got}"],
                    )
                )
        if prior.images is not None:
            current = {i.path for i in now.images}
            for path in sorted(current - set(before)):
                found.append(IMAGE_ADDED.finding(f"{path}: new OS image {since}", [path]))
            for path in sorted(set(before) - current):
                found.append(IMAGE_REMOVED.finding(f"{path}: OS image gone {since}", [path]))

    def compare(rule: Rule, what: str, was: object, got: object, show: str = "") -> None:
        if was is None or got is None or was == got:
            return
        found.append(
            rule.finding(
                f"{what} changed {since}: {show or was} -> {got}",
                [f"{what} was: {was}", f"{what} now: {got}"],
            )
        )

    if prior.boot_entries is not None and now.boot_entries is not None:
        was_b, got_b = "; ".join(prior.boot_entries), "; ".join(now.boot_entries)
        compare(BOOT_CHANGED, "boot entries", was_b or "(none)", got_b or "(none)")
    compare(CONFREG_CHANGED, "config register", prior.config_register, now.config_register)
    if prior.config_register == now.config_register:
        compare(
            CONFREG_CHANGED,
            "next-reload config register",
            prior.config_register_next,
            now.config_register_next,
        )
    compare(ROMMON_CHANGED, "ROMMON/boot loader", prior.rommon, now.rommon)
    compare(VERSION_CHANGED, "running release", prior.version, now.version)

    reloaded = False
    if ctx.history.now is not None and now.uptime_seconds is not None:
        why = reload_evidence(prior, ctx.history.now, now.uptime_seconds)
        if why:
            reloaded = True
            reason = next(
                (e for e in (state.version.evidence if state.version else ()) if "ROM by" in e),
                "",
            )
            found.append(
                UNEXPECTED_RELOAD.finding(
                    f"reloaded {since}: uptime {state.version.uptime if state.version else ''}",
                    [why, reason],
                )
            )
    text = state.memory_text
    if text and prior.memory_text and text != prior.memory_text and not reloaded:
        found.append(
            MEMORY_TEXT_CHANGED.finding(
                f"system:memory/text changed without a reload {since}",
                [f"memory text was {prior.memory_text}", f"memory text now {text}"],
            )
        )
    return _judged(found, state, prior, now, ctx)


def first_seen(state: DeviceState, ctx: Context, findings: tuple[Finding, ...]) -> list[Finding]:
    """HASH_UNKNOWN of an image the history has seen with the same digest: say so, so that
    trust-on-first-sweep is visible and never mistaken for a catalogue match."""
    prior = ctx.history.previous.get(state.host)
    if prior is None or not prior.images:
        return list(findings)
    images = {i.path: i for i in verdicts(state, ctx.catalogue)}
    out = []
    for f in findings:
        if f.rule == HASH_UNKNOWN.id:
            path = f.evidence[0].split(": ", 1)[0] if f.evidence else ""
            old = next((i for i in prior.images if i.path == path), None)
            now_image = images.get(path)
            if old and now_image and old.first_seen and _same_digest(old, now_image):
                f = replace(
                    f,
                    summary=f"{f.summary}; history baseline (not a catalogue match): first seen "
                    f"{old.first_seen.date().isoformat()}, unchanged since "
                    f"({old.sweeps + 1} sweeps)",
                )
        out.append(f)
    return out


def _same_digest(a: PriorImage, b: ImageVerdict) -> bool:
    pairs = [(x, y) for x, y in ((a.sha512, b.sha512), (a.md5, b.md5)) if x and y]
    return bool(pairs) and all(x == y for x, y in pairs)


RULES = (drift,)
