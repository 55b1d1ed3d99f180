"""What each lab persona is made of: platform, default model, filesystems, housekeeping files.

Static data only; the command behaviour lives in :mod:`imagesweep.lab.personas`. Sizes and
names follow real devices of each family (ISR G2 2911, Catalyst 2960-X FlexStack, Catalyst
9300 and ISR 4331 on IOS-XE 17 in bundle mode).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FsSpec:
    """One local filesystem of a simulated device."""

    name: str  # primary prefix, "flash:"
    kind: str  # "Type" column of ``show file systems``: "disk", "flash"
    size: int  # bytes
    member: int = 1  # stack member that owns it
    shown_aliases: tuple[str, ...] = ()  # printed beside the name in ``show file systems``
    hidden_aliases: tuple[str, ...] = ()  # accepted in commands, never printed


@dataclass(frozen=True)
class PersonaSpec:
    name: str
    platform: str  # Netmiko device_type
    default_fs: str  # where bare file names live and housekeeping files go
    model: str
    serial_prefix: str
    config_register: str
    max_members: int
    # (relative path, size) of files every device of the family carries; "x/" is a directory
    housekeeping: tuple[tuple[str, int], ...]

    def filesystems(self, members: int) -> tuple[FsSpec, ...]:
        return _FILESYSTEMS[self.name](members)


def _ios_router(members: int) -> tuple[FsSpec, ...]:
    return (FsSpec("flash:", "disk", 256_487_424),)


def _ios_switch(members: int) -> tuple[FsSpec, ...]:
    # Catalyst FlexStack/StackWise: the active member's flash is also flash1:, members are flashN:
    first = FsSpec(
        "flash:", "flash", 122_185_728, shown_aliases=("flash1:",) if members > 1 else ()
    )
    rest = tuple(
        FsSpec(f"flash{n}:", "flash", 122_185_728, member=n) for n in range(2, members + 1)
    )
    return (first, *rest)


def _iosxe_switch(members: int) -> tuple[FsSpec, ...]:
    specs = [
        FsSpec("crashinfo:", "disk", 1_651_314_688),
        FsSpec("flash:", "disk", 11_353_194_496, hidden_aliases=("bootflash:",)),
    ]
    for n in range(2, members + 1):
        specs.append(FsSpec(f"crashinfo-{n}:", "disk", 1_651_314_688, member=n))
        specs.append(
            FsSpec(
                f"flash-{n}:", "disk", 11_353_194_496, member=n, hidden_aliases=(f"bootflash-{n}:",)
            )
        )
    return tuple(specs)


def _iosxe_router(members: int) -> tuple[FsSpec, ...]:
    return (FsSpec("bootflash:", "disk", 7_194_652_672, shown_aliases=("flash:",)),)


_FILESYSTEMS = {
    "ios_router": _ios_router,
    "ios_switch": _ios_switch,
    "iosxe_switch": _iosxe_switch,
    "iosxe_router": _iosxe_router,
}

PERSONAS: dict[str, PersonaSpec] = {
    "ios_router": PersonaSpec(
        name="ios_router",
        default_fs="flash:",
        platform="cisco_ios",
        model="CISCO2911/K9",
        serial_prefix="FTX",
        config_register="0x2102",
        max_members=1,
        housekeeping=(("pnp-tech-time", 35), ("pnp-tech-discovery-summary", 21_107)),
    ),
    "ios_switch": PersonaSpec(
        name="ios_switch",
        default_fs="flash:",
        platform="cisco_ios",
        model="WS-C2960X-48FPD-L",
        serial_prefix="FOC",
        config_register="0xF",
        max_members=8,
        housekeeping=(
            ("config.text", 3_096),
            ("private-config.text", 2_072),
            ("vlan.dat", 1_176),
            ("multiple-fs", 676),
        ),
    ),
    "iosxe_switch": PersonaSpec(
        name="iosxe_switch",
        default_fs="flash:",
        platform="cisco_xe",
        model="C9300-48P",
        serial_prefix="FCW",
        config_register="0x102",
        max_members=8,
        housekeeping=(
            (".installer/", 0),
            (".prst_sync/", 0),
            ("tracelogs/", 0),
            ("tracelogs/timestamp", 11),
            ("core/", 0),
            ("nvram_config", 2_097_152),
            ("vlan.dat", 3_436),
            ("pnp-tech-time", 35),
        ),
    ),
    "iosxe_router": PersonaSpec(
        name="iosxe_router",
        default_fs="bootflash:",
        platform="cisco_xe",
        model="ISR4331/K9",
        serial_prefix="FDO",
        config_register="0x2102",
        max_members=1,
        housekeeping=(
            ("lost+found/", 0),
            (".installer/", 0),
            (".prst_sync/", 0),
            ("tracelogs/", 0),
            ("tracelogs/boottime", 1_664_940),
            ("core/", 0),
            ("throughput_monitor_params", 30),
            ("pnp-tech-time", 35),
        ),
    ),
}
