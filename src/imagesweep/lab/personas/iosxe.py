"""IOS-XE 17 personas: Catalyst 9300 switch (``flash:``, stack members on ``flash-N:``, the
17.x ``show boot``) and ISR 4331 router (``bootflash:``, ``show bootvar`` and ``show boot``
print the same), each in bundle mode (a ``.bin`` booted) or install mode (``packages.conf``
booted: show version says INSTALL, ``more flash:packages.conf`` lists the ``.pkg`` files, and
``show install summary`` shows the release committed, or activated and not committed while
the auto-abort timer runs)."""

from __future__ import annotations

import hashlib
import re

from imagesweep.lab.commands import Ctx, Handler, Node, Reply, Token
from imagesweep.lab.fleet import Device
from imagesweep.lab.personas.banners import CRYPTO, GPL
from imagesweep.lab.personas.common import (
    DirStyle,
    PseudoFs,
    cisco_grammar,
    confreg_text,
    file_systems_node,
)
from imagesweep.lab.personas.ios import mac
from imagesweep.lab.storage import Storage

XE_DIR = DirStyle(file_perm="-rw-", dir_perm="drwx", size_width=15, dir_size=4096)

_TRAINS = ((16, 9, "Fuji"), (16, 12, "Gibraltar"), (17, 1, "Amsterdam"), (17, 4, "Bengaluru"),
           (17, 7, "Cupertino"), (17, 10, "Dublin"), (17, 13, "IOSXE"))  # fmt: skip


def versions(version: str) -> tuple[str, str]:
    """("17.9.4a", "17.09.04a"): show version prints both forms."""
    parts = version.split(".")
    short = ".".join([parts[0], *(re.sub(r"^0(?=\d)", "", p) for p in parts[1:])])
    long = ".".join(
        [parts[0], *(p if not p[:1].isdigit() or p[1:2].isdigit() else "0" + p for p in parts[1:])]
    )
    return short, long


def train(version: str) -> str:
    numbers = re.findall(r"\d+", version)
    key = (int(numbers[0]), int(numbers[1])) if len(numbers) > 1 else (0, 0)
    name = "Everest"
    for major, minor, train_name in _TRAINS:
        if key >= (major, minor):
            name = train_name
    return name


def _header(d: Device, software: str) -> str:
    short, long = versions(d.version)
    return f"""\
Cisco IOS XE Software, Version {long}
Cisco IOS Software [{train(short)}], {software}, Version {short}, {d.release}
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2023 by Cisco Systems, Inc.
Compiled Fri 20-Oct-23 10:44 by mcpre


{GPL}

"""


def _reload_lines(d: Device) -> str:
    return f"""\
{d.hostname} uptime is {d.uptime}
Uptime for this control processor is {d.uptime}
System returned to ROM by Reload Command at 02:14:09 UTC Wed Jan 10 2024
System restarted at 02:19:56 UTC Wed Jan 10 2024
System image file is "{d.running_image}"
Last reload reason: Reload Command



{CRYPTO}

"""


def _mode(d: Device) -> str:
    return "INSTALL" if d.install_mode else "BUNDLE"


def _build(version: str) -> str:
    """``17.09.04a.0.6``: show install summary's release, with a build number."""
    number = int(hashlib.md5(f"imagesweep-lab/1:build:{version}".encode()).hexdigest()[:4], 16)
    return f"{versions(version)[1]}.0.{number % 6000}"


_INSTALL_HEADER = """\
State (St): I - Inactive, U - Activated & Uncommitted,
            C - Activated & Committed, D - Deactivated & Uncommitted
--------------------------------------------------------------------------------
Type  St   Filename/Version
--------------------------------------------------------------------------------
"""
_RULE = "-" * 80


def _install_summary(where: str) -> Handler:
    def handler(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
        d = ctx.device
        rows = []
        if d.committed_version and d.committed_version != d.version:
            # activated after "install activate", reloaded into it, not committed yet
            rows.append(f"IMG   C    {_build(d.committed_version)}")
            rows.append(f"IMG   U    {_build(d.version)}")
            timer = "active , time before rollback - 05:40:12"
        else:
            rows.append(f"IMG   C    {_build(d.version)}")
            timer = "inactive"
        members = " ".join(str(n) for n in range(1, d.members + 1))
        location = where.format(members=members)
        text = (
            f"[ {location} ] Installed Package(s) Information:\n{_INSTALL_HEADER}"
            + "\n".join(rows)
            + f"\n\n{_RULE}\nAuto abort timer: {timer}\n{_RULE}\n\n"
        )
        return Reply.of(text)

    return handler


# --- Catalyst 9300 ---------------------------------------------------------------------------


def _switch_version(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    long = versions(d.version)[1]
    table = "\n".join(
        f"{'*' if n == 1 else ' '}{n:>5} {65:<5} {d.model:<18} {long:<17} {'CAT9K_IOSXE':<21} "
        + _mode(d)
        for n in range(1, d.members + 1)
    )
    members = "".join(
        f"""

Switch {n:02d}
---------
Switch uptime                      : {d.uptime}

Base Ethernet MAC Address          : {mac(d, n).lower()}
Motherboard Assembly Number        : 73-18271-03
Motherboard Serial Number          : FOC{d.serial[3:-2]}{n:02d}
Model Revision Number              : A0
Motherboard Revision Number        : A0
Model Number                       : {d.model}
System Serial Number               : {d.serial[:-2]}{n:02d}"""
        for n in range(2, d.members + 1)
    )
    storage = "".join(
        f"1638400K bytes of Crash Files at crashinfo{'' if n == 1 else f'-{n}'}:.\n"
        f"11264000K bytes of Flash at flash{'' if n == 1 else f'-{n}'}:.\n"
        for n in range(1, d.members + 1)
    )
    text = (
        _header(d, "Catalyst L3 Switch Software (CAT9K_IOSXE)")
        + "ROM: IOS-XE ROMMON\nBOOTLDR: "
        + (d.rommon or "System Bootstrap, Version 17.9.1r, RELEASE SOFTWARE (P)")
        + "\n\n"
        + _reload_lines(d)
        + f"""\
Technology Package License Information:

------------------------------------------------------------------------------
Technology-package                                     Technology-package
Current                        Type                       Next reboot
------------------------------------------------------------------------------
network-advantage       Smart License                    network-advantage
dna-advantage           Subscription Smart License       dna-advantage
AIR License Level: AIR DNA Advantage
Next reload AIR license Level: AIR DNA Advantage


Smart Licensing Status: Smart Licensing Using Policy

cisco {d.model} (X86) processor with 1331521K/6147K bytes of memory.
Processor board ID {d.serial}
1 Virtual Ethernet interface
{52 * d.members} Gigabit Ethernet interfaces
{8 * d.members} Ten Gigabit Ethernet interfaces
2048K bytes of non-volatile configuration memory.
8388608K bytes of physical memory.
{storage}
Base Ethernet MAC Address          : {mac(d).lower()}
Motherboard Assembly Number        : 73-18271-03
Motherboard Serial Number          : FOC{d.serial[3:]}
Model Revision Number              : A0
Motherboard Revision Number        : A0
Model Number                       : {d.model}
System Serial Number               : {d.serial}
CLEI Code Number                   : INM1V00ARA


Switch Ports Model              SW Version        SW Image              Mode
------ ----- -----              ----------        ----------            ----
{table}{members}


Configuration register is {confreg_text(d.config_register, d.config_register_next)}

"""
    )
    return Reply.of(text)


def _switch_boot(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    boot = (
        f"BOOT variable = {''.join(e + ';' for e in d.boot)}"
        if d.boot
        else "BOOT variable does not exist"
    )
    manual = "yes" if d.manual_boot else "no"
    lines = [
        boot,
        f"Configuration Register is {confreg_text(d.config_register, d.config_register_next)}",
        f"MANUAL_BOOT variable = {manual}",
        "BAUD variable = 9600",
        "ENABLE_BREAK variable does not exist",
        "BOOTMODE variable does not exist",
        "IPXE_TIMEOUT variable does not exist",
        "CONFIG_FILE variable = ",
        "",
    ]
    if d.members > 1:
        lines += [
            f"Standby {boot}",
            f"Standby MANUAL_BOOT variable = {manual}",
            "Standby BAUD variable = 9600",
            "Standby ENABLE_BREAK variable does not exist",
            "Standby BOOTMODE variable does not exist",
            "Standby IPXE_TIMEOUT variable does not exist",
            "Standby CONFIG_FILE variable = ",
            "",
        ]
    return Reply.of("\n".join(lines) + "\n")


_SWITCH_FS_BEFORE: tuple[PseudoFs, ...] = (
    ("system:", "opaque", "rw", None, None),
    ("tmpsys:", "opaque", "rw", None, None),
)
_SWITCH_FS_AFTER: tuple[PseudoFs, ...] = (
    ("null:", "opaque", "rw", None, None),
    ("tar:", "opaque", "ro", None, None),
    ("tftp:", "network", "rw", None, None),
    ("nvram:", "nvram", "rw", 2_097_152, 2_062_202),
    ("rcp:", "network", "rw", None, None),
    ("http:", "network", "rw", None, None),
    ("ftp:", "network", "rw", None, None),
    ("scp:", "network", "rw", None, None),
    ("sftp:", "network", "rw", None, None),
    ("https:", "network", "rw", None, None),
    ("cns:", "opaque", "ro", None, None),
)


# --- ISR 4331 --------------------------------------------------------------------------------


def _router_version(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    text = (
        _header(d, "ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M)")
        + f"ROM: {d.rommon or '16.12(2r)'}\n\n"
        + _reload_lines(d)
        + f"""\
Technology Package License Information:

-----------------------------------------------------------------
Technology    Type              Technology-package   Technology-package
                                Current              Next reboot
-----------------------------------------------------------------
appxk9        Smart License     appxk9               appxk9
uck9          Smart License     None                 None
securityk9    Smart License     securityk9           securityk9
ipbase        Smart License     ipbasek9             ipbasek9

The current throughput level is 100000 kbps


Smart Licensing Status: Smart Licensing Using Policy

cisco {d.model} (1RU) processor with 1795979K/6147K bytes of memory.
Processor board ID {d.serial}
Router operating mode: Autonomous
3 Gigabit Ethernet interfaces
32768K bytes of non-volatile configuration memory.
4194304K bytes of physical memory.
7026095K bytes of flash memory at bootflash:.

Configuration register is {confreg_text(d.config_register, d.config_register_next)}

"""
    )
    return Reply.of(text)


def _router_bootvar(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    boot = (
        f"BOOT variable = {''.join(e + ',12;' for e in d.boot)}"
        if d.boot
        else "BOOT variable does not exist"
    )
    text = (
        f"{boot}\n"
        "CONFIG_FILE variable does not exist\n"
        "BOOTLDR variable does not exist\n"
        f"Configuration register is {confreg_text(d.config_register, d.config_register_next)}\n"
        "\nStandby not ready to show bootvar\n\n"
    )
    return Reply.of(text)


def _xe_show_fs(name: str) -> Node:
    """``show bootflash:``: every entry as an absolute path under /<filesystem>/."""

    def handler(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
        volume = ctx.storage.volume(name)
        assert volume is not None
        root = f"/{volume.spec.name.rstrip(':')}/"
        lines = ["-#- --length-- ---------date/time--------- path"]
        lines.append(f"{1:>3} {4096:>10} Jan 02 2023 08:00:00 +00:00 {root}")
        for number, entry in enumerate(volume.all_entries(), start=2):
            size = 4096 if entry.is_dir else entry.size
            when = f"{entry.modified:%b %d %Y %H:%M:%S} +00:00"
            lines.append(f"{number:>3} {size:>10} {when} {root}{entry.rel}")
        lines += ["", f"{volume.free} bytes available ({volume.used} bytes used)"]
        return Reply.of("\n".join(lines) + "\n\n")

    return Node(handler=handler)


_ROUTER_FS_BEFORE: tuple[PseudoFs, ...] = (
    ("system:", "opaque", "rw", None, None),
    ("tmpsys:", "opaque", "rw", None, None),
)
_ROUTER_FS_AFTER: tuple[PseudoFs, ...] = (
    ("null:", "opaque", "rw", None, None),
    ("tar:", "opaque", "ro", None, None),
    ("tftp:", "network", "rw", None, None),
    ("nvram:", "nvram", "rw", 33_554_432, 33_536_398),
    ("syslog:", "opaque", "wo", None, None),
    ("rcp:", "network", "rw", None, None),
    ("http:", "network", "rw", None, None),
    ("ftp:", "network", "rw", None, None),
    ("scp:", "network", "rw", None, None),
    ("sftp:", "network", "rw", None, None),
    ("https:", "network", "rw", None, None),
    ("cns:", "opaque", "ro", None, None),
)


def _grammar(storage: Storage, show: dict[str, Node], device: Device) -> Node:
    from imagesweep.lab.personas.signed import show_nodes

    return cisco_grammar(
        {**show, **show_nodes(device), **{n: _xe_show_fs(n) for n in storage.names()}}, XE_DIR
    )


def _install_node(where: str) -> Node:
    return Node(children={"summary": Node(handler=_install_summary(where))})


def switch_grammar(device: Device, storage: Storage) -> Node:
    boot = Node(handler=_switch_boot)
    return _grammar(
        storage,
        {
            "version": Node(handler=_switch_version),
            "install": _install_node("Switch {members}"),
            "boot": boot,
            "bootvar": boot,
            "file": Node(
                children={"systems": file_systems_node(_SWITCH_FS_BEFORE, _SWITCH_FS_AFTER)}
            ),
        },
        device,
    )


def router_grammar(device: Device, storage: Storage) -> Node:
    boot = Node(handler=_router_bootvar)
    return _grammar(
        storage,
        {
            "version": Node(handler=_router_version),
            "install": _install_node("R0"),
            "boot": boot,
            "bootvar": boot,
            "file": Node(
                children={"systems": file_systems_node(_ROUTER_FS_BEFORE, _ROUTER_FS_AFTER)}
            ),
        },
        device,
    )
