"""What each lab persona is made of: platform, default model, filesystems, housekeeping files.

Static data only; the command behaviour lives in :mod:`imagesweep.lab.personas`. Sizes and
names follow real devices of each family (ISR G2 2911, Catalyst 2960-X FlexStack, Catalyst
9300 and ISR 4331 on IOS-XE 17 in bundle or install mode, Nexus 9300 on NX-OS 10 or Nexus
5548 on kickstart/system NX-OS 7, NCS 5501 on 64-bit IOS XR 7, SRX345 on Junos with primary
and backup root slices, PA-VM on PAN-OS 10/11).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FsSpec:
    """One local filesystem of a simulated device."""

    name: str  # primary prefix, "flash:"; Junos: a directory, "/var/tmp"
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
    cli: str = "ios"  # the dialect of imagesweep.lab.commands.DIALECTS
    # 15: the login lands where every command works (NX-OS, XR, Junos, PAN-OS have no enable)
    default_privilege: int = 1
    needs_running_image: bool = True  # show version names the running image file
    node: str = ""  # IOS XR: the route processor in the prompt, "RP/0/RP0/CPU0"

    def filesystems(self, members: int) -> tuple[FsSpec, ...]:
        return _FILESYSTEMS[self.name](members)

    @property
    def unix_paths(self) -> bool:
        """Files are absolute Unix paths (Junos), not ``<fs>:<path>``."""
        return self.default_fs.startswith("/")


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


def _nxos(members: int) -> tuple[FsSpec, ...]:
    return (FsSpec("bootflash:", "disk", 53_298_520 * 1024),)


def _iosxr(members: int) -> tuple[FsSpec, ...]:
    # harddisk: only: a box without disk0: answers "dir disk0:" with an error, as real ones do
    return (FsSpec("harddisk:", "harddisk", 3_962_216 * 1024),)


def _junos(members: int) -> tuple[FsSpec, ...]:
    return (FsSpec("/var/tmp", "disk", 1_446_312 * 1024),)


def _panos(members: int) -> tuple[FsSpec, ...]:
    # Not a filesystem the CLI shows: the versions "request system software info" lists
    return (FsSpec("panos:", "opaque", 0),)


_FILESYSTEMS = {
    "ios_router": _ios_router,
    "ios_switch": _ios_switch,
    "iosxe_switch": _iosxe_switch,
    "iosxe_router": _iosxe_router,
    "nxos": _nxos,
    "iosxr": _iosxr,
    "junos": _junos,
    "panos": _panos,
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
    "nxos": PersonaSpec(
        name="nxos",
        default_fs="bootflash:",
        platform="cisco_nxos",
        model="N9K-C93180YC-FX",
        serial_prefix="FDO",
        config_register="",
        max_members=1,
        housekeeping=(
            (".rpmstore/", 0),
            (".swtam/", 0),
            ("scripts/", 0),
            ("virtual-instance/", 0),
            ("bootflash_sync_list", 0),
            ("disk_log.txt", 53),
            ("platform-sdk.cmd", 4_096),
        ),
        cli="nxos",
        default_privilege=15,
    ),
    "iosxr": PersonaSpec(
        name="iosxr",
        default_fs="harddisk:",
        platform="cisco_xr",
        model="NCS-5501-SE",
        serial_prefix="FOC",
        config_register="",
        max_members=1,
        housekeeping=(
            ("lost+found/", 0),
            ("shutdown/", 0),
            ("nvgen_traces/", 0),
            ("backup-pre.conf", 1_429),
        ),
        cli="xr",
        default_privilege=15,
        needs_running_image=False,
        node="RP/0/RP0/CPU0",
    ),
    "junos": PersonaSpec(
        name="junos",
        default_fs="/var/tmp",
        platform="juniper_junos",
        model="srx345",
        serial_prefix="CX",
        config_register="",
        max_members=1,
        housekeeping=(
            (".pccardd", 133),
            ("gres-tp/", 0),
            ("rtsdb/", 0),
            ("krt_gencfg_filter.txt", 24),
        ),
        cli="junos",
        default_privilege=15,
        needs_running_image=False,
    ),
    "panos": PersonaSpec(
        name="panos",
        default_fs="panos:",
        platform="paloalto_panos",
        model="PA-VM",
        serial_prefix="0079",
        config_register="",
        max_members=1,
        housekeeping=(),
        cli="panos",
        default_privilege=15,
        needs_running_image=False,
    ),
}
