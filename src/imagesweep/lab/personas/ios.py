"""Classic IOS personas: ISR G2 router (``show flash:``, ``show bootvar``; ``show boot`` is
ambiguous there) and Catalyst 2960-X switch (``show boot`` with stack members; no bootvar)."""

from __future__ import annotations

import hashlib
import re

from imagesweep.lab.commands import Ctx, Node, Reply, Token
from imagesweep.lab.fleet import Device
from imagesweep.lab.personas.banners import CRYPTO
from imagesweep.lab.personas.common import (
    DirStyle,
    PseudoFs,
    cisco_grammar,
    confreg_text,
    dir_node,
    file_systems_node,
)
from imagesweep.lab.storage import Storage

ROUTER_DIR = DirStyle(file_perm="-rw-", dir_perm="drw-", size_width=10, dir_size=0)
SWITCH_DIR = DirStyle(file_perm="-rwx", dir_perm="drwx", size_width=10, dir_size=512)

_IMAGE_ID = re.compile(r"^([a-z0-9]+)-([a-z0-9]+)-mz", re.IGNORECASE)


def image_id(device: Device, default_family: str, default_features: str) -> tuple[str, str]:
    """("C2900", "C2900-UNIVERSALK9-M") from the running image's name, as IOS prints them."""
    base = re.split(r"[:/]", device.running_image)[-1]
    match = _IMAGE_ID.match(base)
    family, features = (
        (match.group(1), match.group(2)) if match else (default_family, default_features)
    )
    return family.upper(), f"{family}-{features}-M".upper()


def mac(device: Device, member: int = 1) -> str:
    raw = hashlib.md5(f"mac:{device.name}:{member}".encode()).hexdigest()
    return ":".join(["70", "1f", "53", raw[0:2], raw[2:4], "80"]).upper()


def _reload_lines(device: Device, *, router: bool) -> str:
    lines = [
        f"{device.hostname} uptime is {device.uptime}",
        "System returned to ROM by power-on",
        "System restarted at 09:12:01 UTC Mon Jan 8 2024",
        f'System image file is "{device.running_image}"',
    ]
    if router:
        lines.append("Last reload type: Normal Reload")
    lines.append("Last reload reason: power-on")
    return "\n".join(lines) + "\n"


# --- router ----------------------------------------------------------------------------------


def _router_version(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    family, features = image_id(d, "c2900", "universalk9")
    text = f"""\
Cisco IOS Software, {family} Software ({features}), Version {d.version}, {d.release}
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2021 by Cisco Systems, Inc.
Compiled Thu 04-Feb-21 10:17 by prod_rel_team

ROM: {d.rommon or "System Bootstrap, Version 15.0(1r)M16, RELEASE SOFTWARE (fc1)"}

{_reload_lines(d, router=True)}


{CRYPTO}
Cisco {d.model} (revision 1.0) with 483328K/40960K bytes of memory.
Processor board ID {d.serial}
3 Gigabit Ethernet interfaces
1 terminal line
DRAM configuration is 64 bits wide with parity enabled.
255K bytes of non-volatile configuration memory.
250880K bytes of ATA System CompactFlash 0 (Read/Write)


License Info:

License UDI:

-------------------------------------------------
Device#\t  PID\t\t\tSN
-------------------------------------------------
*0  \t  {d.model:<22}{d.serial}



Technology Package License Information for Module:'{family.lower()}'

-----------------------------------------------------------------
Technology    Technology-package           Technology-package
              Current       Type           Next reboot
------------------------------------------------------------------
ipbase        ipbasek9      Permanent      ipbasek9
security      securityk9    Permanent      securityk9
uc            None          None           None
data          None          None           None

Configuration register is {confreg_text(d.config_register, d.config_register_next)}

"""
    return Reply.of(text)


def _bootvar(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    entries = "".join(f"{entry},1;" for entry in d.boot)
    text = (
        f"BOOT variable = {entries}\n"
        "CONFIG_FILE variable does not exist\n"
        "BOOTLDR variable does not exist\n"
        f"Configuration register is {confreg_text(d.config_register, d.config_register_next)}\n\n"
    )
    return Reply.of(text)


def _router_show_flash(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    """The ISR G2 layout: every file with its path, directories as zero-length entries."""
    volume = ctx.storage.volumes[ctx.storage.default_fs]
    lines = ["-#- --length-- -----date/time------ path"]
    for number, entry in enumerate(volume.all_entries(), start=1):
        when = f"{entry.modified:%b %d %Y %H:%M:%S} +00:00"
        lines.append(f"{number:<3}{0 if entry.is_dir else entry.size:>11} {when} {entry.rel}")
    if len(lines) == 1:
        lines = ["No files on device"]
    lines += ["", f"{volume.free} bytes available ({volume.used} bytes used)"]
    return Reply.of("\n".join(lines) + "\n\n")


def _no_device(name: str) -> Node:
    return Node(handler=lambda ctx, args: Reply.of(f"%Error opening {name}/ (No such device)\n"))


_ROUTER_FS_BEFORE: tuple[PseudoFs, ...] = (
    ("archive:", "opaque", "rw", None, None),
    ("system:", "opaque", "rw", None, None),
    ("tmpsys:", "opaque", "rw", None, None),
    ("null:", "opaque", "rw", None, None),
    ("tftp:", "network", "rw", None, None),
)
_ROUTER_FS_AFTER: tuple[PseudoFs, ...] = (
    ("nvram:", "nvram", "rw", 262_136, 253_425),
    ("syslog:", "opaque", "wo", None, None),
    ("xmodem:", "opaque", "rw", None, None),
    ("ymodem:", "opaque", "rw", None, None),
    ("rcp:", "network", "rw", None, None),
    ("http:", "network", "rw", None, None),
    ("ftp:", "network", "rw", None, None),
    ("scp:", "network", "rw", None, None),
    ("tar:", "opaque", "ro", None, None),
    ("https:", "network", "rw", None, None),
    ("cns:", "opaque", "ro", None, None),
)


def router_grammar(device: Device, storage: Storage) -> Node:
    flash = Node(handler=_router_show_flash)
    show = {
        "version": Node(handler=_router_version),
        "bootvar": Node(handler=_bootvar),
        "bootflash:": _no_device("bootflash:"),  # why "show boot" is ambiguous on ISR G2
        "file": Node(children={"systems": file_systems_node(_ROUTER_FS_BEFORE, _ROUTER_FS_AFTER)}),
        **{name: flash for name in storage.names()},
    }
    return cisco_grammar(show, ROUTER_DIR)


# --- switch ----------------------------------------------------------------------------------


def _member_details(d: Device, member: int) -> str:
    serial = d.serial if member == 1 else f"{d.serial[:-2]}{member:02d}"
    return f"""\
Base ethernet MAC Address       : {mac(d, member)}
Motherboard assembly number     : 73-15273-06
Power supply part number        : 341-0528-02
Motherboard serial number       : {serial[:-1]}A
Power supply serial number      : DCA{serial[3:]}
Model revision number           : B0
Motherboard revision number     : A0
Model number                    : {d.model}
System serial number            : {serial}
Top Assembly Part Number        : 68-4931-05
Top Assembly Revision Number    : A0
Version ID                      : V05
CLEI Code Number                : CMM1W00ARA
"""


def _switch_version(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    family, features = image_id(d, "c2960x", "universalk9")
    table = "\n".join(
        f"{'*' if n == 1 else ' '}{n:>5} {52:<5} {d.model:<25} {d.version:<21} {features}"
        for n in range(1, d.members + 1)
    )
    members = "".join(
        f"\n\nSwitch {n:02d}\n---------\nSwitch Uptime                   : {d.uptime}\n"
        + _member_details(d, n)
        for n in range(2, d.members + 1)
    )
    text = f"""\
Cisco IOS Software, {family} Software ({features}), Version {d.version}, {d.release}
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2023 by Cisco Systems, Inc.
Compiled Tue 28-Feb-23 04:07 by mcpre

ROM: Bootstrap program is {family} boot loader
BOOTLDR: {family} Boot Loader ({family}-HBOOT-M) Version 15.2(7r)E1, RELEASE SOFTWARE (fc1)

{_reload_lines(d, router=False)}


{CRYPTO}
cisco {d.model} (APM86XXX) processor (revision B0) with 524288K bytes of memory.
Processor board ID {d.serial}
Last reset from power-on
1 Virtual Ethernet interface
{52 * d.members} Gigabit Ethernet interfaces
{2 * d.members} Ten Gigabit Ethernet interfaces
The password-recovery mechanism is enabled.

512K bytes of flash-simulated non-volatile configuration memory.
{_member_details(d, 1)}Hardware Board Revision Number  : 0x01


Switch Ports Model                     SW Version            SW Image
------ ----- -----                     ----------            ----------
{table}{members}


Configuration register is {confreg_text(d.config_register, d.config_register_next)}

"""
    return Reply.of(text)


def _switch_boot(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    path_list = ";".join(d.boot)
    manual = "yes" if d.manual_boot else "no"
    first = f"""\
BOOT path-list      : {path_list}
Config file         : flash:/config.text
Private Config file : flash:/private-config.text
Enable Break        : yes
Manual Boot         : {manual}
Allow Dev Key         : yes
HELPER path-list    : 
Auto upgrade        : yes
Auto upgrade path   : 
Boot optimization   : disabled
NVRAM/Config file
      buffer size:   524288
Timeout for Config
          Download:    0 seconds
Config Download 
       via DHCP:       disabled (next boot: disabled)
"""  # noqa: W291 - the device prints these trailing spaces
    members = "".join(
        f"""\
-------------------
Switch {n}
-------------------
BOOT path-list      : {path_list}
Config file         : flash:/config.text
Private Config file : flash:/private-config.text
Enable Break        : yes
Manual Boot         : {manual}
Allow Dev Key         : yes
HELPER path-list    : 
Auto upgrade        : no
Auto upgrade path   : 
"""  # noqa: W291
        for n in range(2, d.members + 1)
    )
    return Reply.of(first + members + "\n")


_SWITCH_FS_AFTER: tuple[PseudoFs, ...] = (
    ("bs:", "opaque", "rw", None, None),
    ("vb:", "opaque", "rw", None, None),
    ("nvram:", "nvram", "rw", 524_288, 506_985),
    ("null:", "opaque", "rw", None, None),
    ("system:", "opaque", "rw", None, None),
    ("tar:", "opaque", "ro", None, None),
    ("tftp:", "network", "rw", None, None),
    ("xmodem:", "opaque", "ro", None, None),
    ("ymodem:", "opaque", "ro", None, None),
    ("rcp:", "network", "rw", None, None),
    ("http:", "network", "rw", None, None),
    ("ftp:", "network", "rw", None, None),
    ("scp:", "network", "rw", None, None),
    ("https:", "network", "rw", None, None),
    ("cns:", "opaque", "ro", None, None),
)


def switch_grammar(device: Device, storage: Storage) -> Node:
    # On Catalyst IOS, "show flash:" prints the dir listing of that filesystem
    def show_fs(name: str) -> Node:
        listing = dir_node(SWITCH_DIR).handler
        assert listing is not None
        return Node(handler=lambda ctx, args: listing(ctx, (Token(name, 0),)))

    show = {
        "version": Node(handler=_switch_version),
        "boot": Node(handler=_switch_boot),
        "file": Node(children={"systems": file_systems_node((), _SWITCH_FS_AFTER)}),
        "vlan": Node(handler=lambda ctx, args: Reply()),
        "vtp": Node(handler=lambda ctx, args: Reply()),
        **{name: show_fs(name) for name in storage.names()},
    }
    return cisco_grammar(show, SWITCH_DIR)
