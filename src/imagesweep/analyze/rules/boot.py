"""D. Boot path (T1542.004 ROMMONkit, T1542.005 TFTP boot)."""

from __future__ import annotations

from imagesweep.analyze.rules.finding import PATCH, ROMMONKIT, TFTP_BOOT, Rule
from imagesweep.analyze.rules.images import find, listed, same_file
from imagesweep.analyze.rules.storage import distinct_images
from imagesweep.baseline.context import Context
from imagesweep.paths import is_network
from imagesweep.platforms import profile
from imagesweep.records import DeviceState, Finding

BOOT_NETWORK = Rule(
    "BOOT_NETWORK",
    "critical",
    TFTP_BOOT,
    "Boot only from local, verified images: remove network boot entries "
    "('no boot system tftp ...') and find out who set them.",
    condition=(
        "The running image or a boot entry comes from `tftp:`, `ftp:`, `rcp:`, `http:`, "
        "`https:` or `scp:` (info for hosts marked `emulator: true`)."
    ),
)
BOOT_MISMATCH = Rule(
    "BOOT_MISMATCH",
    "high",
    PATCH,
    "Confirm the pending change is an approved upgrade; digest the next-boot image before "
    "any reload.",
    condition=(
        "The next-boot image differs from the running image (a pending change or a staged swap)."
    ),
)
BOOT_TARGET_MISSING = Rule(
    "BOOT_TARGET_MISSING",
    "high",
    ROMMONKIT,
    "Correct the boot variable to an image that exists and is verified; a missing target "
    "makes the boot loader fall back to another file or ROMMON.",
    condition=("A boot entry names a file that is not on storage."),
)
BOOT_UNSET_MULTIPLE = Rule(
    "BOOT_UNSET_MULTIPLE",
    "medium",
    ROMMONKIT,
    "Set an explicit boot variable to the approved image ('boot system flash:<image>').",
    condition=(
        "No boot variable and more than one image: the boot loader picks the first valid file."
    ),
)
MANUAL_BOOT = Rule(
    "MANUAL_BOOT",
    "medium",
    ROMMONKIT,
    "Set 'no boot manual' unless a maintenance is under way; the device will stop in ROMMON.",
    condition=("Manual boot is set: the device stops in ROMMON at the next boot."),
)
CONFREG_ANOMALY = Rule(
    "CONFREG_ANOMALY",
    "high",
    ROMMONKIT,
    "Restore the platform's usual configuration register (e.g. 'config-register 0x2102') and "
    "find out who changed it.",
    condition=(
        "The config register ignores NVRAM (0x0040), has boot field 0 or 1, or has a pending "
        "change; medium when it only differs from the platform's usual value."
    ),
)
EMULATOR_URL = "tftp://255.255.255.255/unknown"


def _bare(entry: str) -> bool:
    """``flash:`` alone: boot the first valid image on that filesystem."""
    return entry.endswith(":") and not is_network(entry)


def _boot_lines(state: DeviceState) -> tuple[str, ...]:
    return state.boot.evidence if state.boot else ()


def boot_network(state: DeviceState, ctx: Context) -> list[Finding]:
    sources = []
    if state.version and is_network(state.version.running_image):
        sources.append(f"running image: {state.version.running_image}")
    if state.boot:
        sources += [f"boot entry: {e}" for e in state.boot.next_boot if is_network(e)]
    if not sources:
        return []
    emulator = state.host in ctx.policy.emulators and all(EMULATOR_URL in s for s in sources)
    return [
        BOOT_NETWORK.finding(
            "image loaded or to be loaded from the network",
            [*sources, *_boot_lines(state)],
            severity="info" if emulator else None,
        )
    ]


def boot_mismatch(state: DeviceState, ctx: Context) -> list[Finding]:
    boot, version = state.boot, state.version
    reasons: list[str] = []
    if boot and version:
        first = boot.next_boot[0] if boot.next_boot else ""
        if (
            first
            and version.running_image
            and not same_file(first, version.running_image)
            and not (_bare(first) and version.running_image.startswith(first))
        ):
            reasons.append(f"running {version.running_image}, next boot {first}")
        if boot.next_version and version.version and boot.next_version != version.version:
            reasons.append(f"running version {version.version}, next boot {boot.next_version}")
    if (
        boot
        and boot.next_boot
        and state.running_set
        and not any(e.endswith(".conf") for e in boot.next_boot)
        and set(boot.next_boot) != set(state.running_set)
    ):
        reasons.append(
            f"running set {', '.join(state.running_set)}; next boot {', '.join(boot.next_boot)}"
        )
    reasons += [p.description for p in state.pending]
    if not reasons:
        return []
    evidence = [*reasons, *_boot_lines(state), *(e for p in state.pending for e in p.evidence)]
    return [BOOT_MISMATCH.finding("next boot differs from what runs now", evidence)]


def boot_target_missing(state: DeviceState, ctx: Context) -> list[Finding]:
    if not state.boot:
        return []
    missing = [
        e
        for e in state.boot.next_boot
        if not is_network(e) and not _bare(e) and listed(state, e) and not find(state, e)
    ]
    if not missing:
        return []
    return [
        BOOT_TARGET_MISSING.finding(
            f"boot entry names a file that is not on storage: {', '.join(missing)}",
            [*(f"missing: {m}" for m in missing), *_boot_lines(state)],
        )
    ]


def boot_unset_multiple(state: DeviceState, ctx: Context) -> list[Finding]:
    entries = state.boot.next_boot if state.boot else ()
    if not state.boot or (state.boot.variable_set and entries and not _bare(entries[0])):
        return []
    if not entries and state.boot.variable_set:
        # Boot state that names no file and is not "unset": the platform boots an installed
        # release (Junos root slices), not the first image file the loader finds.
        return []
    groups = distinct_images(state)
    if len(groups) <= 1:
        return []
    return [
        BOOT_UNSET_MULTIPLE.finding(
            f"no boot variable and {len(groups)} images: the boot loader takes the first valid one",
            [*_boot_lines(state), *(f"image: {', '.join(p)}" for p in groups.values())],
        )
    ]


def manual_boot(state: DeviceState, ctx: Context) -> list[Finding]:
    if not state.boot or state.boot.manual_boot is not True:
        return []
    return [
        MANUAL_BOOT.finding(
            "manual boot is on: the device stops in ROMMON at next boot",
            ["manual boot: yes", *_boot_lines(state)],
        )
    ]


def confreg_anomaly(state: DeviceState, ctx: Context) -> list[Finding]:
    now = (state.version.config_register if state.version else "") or (
        state.boot.config_register if state.boot else ""
    )
    nxt = (state.version.config_register_next if state.version else "") or (
        state.boot.config_register_next if state.boot else ""
    )
    if not now:
        return []
    try:
        value = int(now, 16)
    except ValueError:
        return []
    evidence = [
        f"config register {now}" + (f" (will be {nxt} at next reload)" if nxt else ""),
        *(
            line
            for line in (*(state.version.evidence if state.version else ()), *_boot_lines(state))
            if "regist" in line.lower()
        ),
    ]
    problems = []
    for label, reg in (("now", now), ("next reload", nxt)):
        if not reg:
            continue
        try:
            v = int(reg, 16)
        except ValueError:
            continue
        if v & 0x0040:
            problems.append(f"{reg} ({label}) ignores the startup configuration (bit 0x0040)")
        if v & 0x000F in (0, 1):
            problems.append(
                f"{reg} ({label}) boots into ROMMON or the boot ROM image (boot field {v & 0xF})"
            )
    if nxt and nxt.lower() != now.lower():
        problems.append(f"pending change {now} -> {nxt}")
    if problems:
        return [CONFREG_ANOMALY.finding("; ".join(problems), evidence)]
    usual = profile(state.platform).usual_config_registers
    if usual and f"0x{value:x}" not in {u.lower() for u in usual}:
        return [
            CONFREG_ANOMALY.finding(
                f"config register {now} differs from the platform's usual {' / '.join(usual)}",
                evidence,
                severity="medium",
            )
        ]
    return []


RULES = (
    boot_network,
    boot_mismatch,
    boot_target_missing,
    boot_unset_multiple,
    manual_boot,
    confreg_anomaly,
)
