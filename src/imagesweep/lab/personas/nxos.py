"""NX-OS persona: Nexus 9300 on NX-OS 9/10 (one ``nxos*.bin``), or, with ``kickstart_image``
set, a kickstart/system release such as a Nexus 5548 on 7.x (two images).

Login lands at ``host#`` (network-admin); Netmiko's ``cisco_nxos`` driver sends
``terminal width 511`` and ``terminal length 0``. Formats follow the corpus: ``show version``
(``NXOS image file is:``, or ``kickstart image file is:`` + ``system image file is:``),
``show boot`` (current and next-reload sections per supervisor), ``dir bootflash:`` (sizes
right-aligned, ``Usage for bootflash://sup-local``) and ``show file <path> md5sum`` (a bare
digest on its own line).
"""

from __future__ import annotations

from imagesweep.lab.commands import Ctx, IncompleteCommand, InvalidInput, Node, Reply, Token
from imagesweep.lab.fleet import Device
from imagesweep.lab.personas.common import (
    decoy_node,
    exit_node,
    sha256_of,
    terminal_node,
    uptime_minutes,
)
from imagesweep.lab.storage import Entry, Storage, Volume

_LICENCE = """\
Cisco Nexus Operating System (NX-OS) Software
TAC support: http://www.cisco.com/tac
Copyright (C) 2002-2023, Cisco and/or its affiliates.
All rights reserved.
The copyrights to certain works contained in this software are
owned by other third parties and used and distributed under their own
licenses, such as open source.  This software is provided "as is," and unless
otherwise stated, there is no warranty, express or implied, including but not
limited to warranties of merchantability and fitness for a particular purpose.
Certain components of this software are licensed under
the GNU General Public License (GPL) version 2.0 or
GNU General Public License (GPL) version 3.0  or the GNU
Lesser General Public License (LGPL) Version 2.1 or
Lesser General Public License (LGPL) Version 2.0.
A copy of each such license is available at
http://www.opensource.org/licenses/gpl-2.0.php and
http://opensource.org/licenses/gpl-3.0.html and
http://www.opensource.org/licenses/lgpl-2.1.php and
http://www.gnu.org/licenses/old-licenses/library.txt.
"""

# Model number -> the chassis line of show version
_CHASSIS = {
    "N5K-C5548UP": 'cisco Nexus5548 Chassis ("O2 32X10GE/Modular Universal Platform Supervisor")',
    "N5K-C5596UP": 'cisco Nexus5596 Chassis ("O2 48X10GE/Modular Supervisor")',
    "N9K-C93180YC-FX": "cisco Nexus9000 C93180YC-FX Chassis",
    "N9K-C9336C-FX2": "cisco Nexus9000 C9336C-FX2 Chassis",
    "N3K-C3232C": "cisco Nexus3000 C3232C Chassis (Nexus 9000 Series)",
}


def _shown(path: str) -> str:
    """``bootflash:x.bin`` as show version prints it: ``bootflash:///x.bin``."""
    fs, _, rest = path.partition(":")
    return f"{fs}:///{rest.lstrip('/')}"


def _uptime(d: Device) -> str:
    minutes = uptime_minutes(d.uptime)
    days, rest = divmod(minutes, 1440)
    return f"{days} day(s), {rest // 60} hour(s), {rest % 60} minute(s), 18 second(s)"


def _version(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    chassis = _CHASSIS.get(d.model, f"cisco Nexus {d.model} Chassis")
    if d.kickstart_image:
        software = f"""\
  BIOS:      version 2.0.0
  loader:    version N/A
  kickstart: version {d.version}
  system:    version {d.version}
  power-seq: Module 1: version v4.0
  BIOS compile time:       01/17/2019
  kickstart image file is: {_shown(d.kickstart_image)}
  kickstart compile time:  8/29/2023 5:00:00 [08/29/2023 14:21:37]
  system image file is:    {_shown(d.running_image)}
  system compile time:     8/29/2023 5:00:00 [08/29/2023 15:47:05]
"""
        cpu = "Intel(R) Xeon(R) CPU         with 8253856 kB of memory."
    else:
        software = f"""\
  BIOS: version 05.47
 NXOS: version {d.version} [Maintenance Release]
  BIOS compile time:  04/28/2022
  NXOS image file is: {_shown(d.running_image)}
  NXOS compile time:  9/29/2023 12:00:00 [10/26/2023 19:05:49]
"""
        cpu = "Intel(R) Xeon(R) CPU  D-1528 @ 1.90GHz with 24569284 kB of memory."
    text = f"""\
{_LICENCE}
Software
{software}

Hardware
  {chassis}
  {cpu}
  Processor Board ID {d.serial}

  Device name: {d.hostname}
  bootflash:   53298520 kB
Kernel uptime is {_uptime(d)}

Last reset at 237566 usecs after Wed Jan 10 02:14:09 2024
  Reason: Reset Requested by CLI command reload
  System version: {d.version}
  Service:

plugin
  Core Plugin, Ethernet Plugin

Active Package(s):

"""
    return Reply.of(text)


def _variables(d: Device) -> str:
    if not d.boot:
        return ""
    if not d.kickstart_image:
        return "".join(f"NXOS variable = {_slash(e)}\n" for e in d.boot)
    kick = [e for e in d.boot if "kickstart" in e.lower()]
    system = [e for e in d.boot if "kickstart" not in e.lower()]
    return "".join(f"kickstart variable = {_slash(e)}\n" for e in kick) + "".join(
        f"system variable = {_slash(e)}\n" for e in system
    )


def _slash(path: str) -> str:
    """``bootflash:x.bin`` as show boot prints it: ``bootflash:/x.bin``."""
    fs, sep, rest = path.partition(":")
    return f"{fs}:/{rest.lstrip('/')}" if sep else path


def _boot(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    # The running configuration's boot variables, then the saved ones: the fleet's boot
    # entries are both (a staged upgrade that was saved).
    d = ctx.device
    section = f"sup-1\n{_variables(ctx.device)}Boot POAP Disabled\n"
    if d.kickstart_image:
        section += "No module boot variable set\n"
    return Reply.of(
        f"Current Boot Variables:\n\n{section}\nBoot Variables on next reload:\n\n{section}\n"
    )


def _entry_line(entry: Entry) -> str:
    name = entry.name + ("/" if entry.is_dir else "")
    size = 4096 if entry.is_dir else entry.size
    return f"{size:>11}    {entry.modified:%b %d %H:%M:%S %Y}  {name}"


def _usage(volume: Volume) -> str:
    name = volume.spec.name.rstrip(":")
    return (
        f"Usage for {name}://sup-local\n"
        f" {volume.used} bytes used\n"
        f" {volume.free} bytes free\n"
        f" {volume.spec.size} bytes total\n"
    )


def _dir(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    if len(args) > 1:
        raise InvalidInput(args[1].start)
    typed = args[0].text if args else ctx.storage.default_fs
    resolved = ctx.storage.resolve(typed)
    if resolved is None:
        raise InvalidInput(args[0].start if args else 0)
    entry = ctx.storage.lookup(resolved)
    if entry is None:
        return Reply.of("No such file or directory\n")
    volume = resolved.volume
    if entry.is_dir:
        children = volume.children.get(resolved.rel, [])
        entries = sorted((volume.entries[c] for c in children), key=lambda e: e.name)
    else:
        entries = [entry]
    lines = "".join(_entry_line(e) + "\n" for e in entries)
    return Reply.of(f"{lines}\n{_usage(volume)}")


_ALGORITHMS = ("md5sum", "sha256sum", "sha512sum")


def _show_file(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    if not args:
        raise IncompleteCommand
    if len(args) > 2:
        raise InvalidInput(args[2].start)
    resolved = ctx.storage.resolve(args[0].text)
    if resolved is None:
        raise InvalidInput(args[0].start)
    algorithm = ""
    if len(args) == 2:
        low = args[1].text.lower()
        matches = [a for a in _ALGORITHMS if a.startswith(low)]
        if len(matches) != 1:
            raise InvalidInput(args[1].start)
        algorithm = matches[0]
    entry = ctx.storage.lookup(resolved)
    unix = f"/{resolved.volume.spec.name.rstrip(':')}/{resolved.rel}"
    if entry is None:
        return Reply.of(f"{unix}: No such file or directory\n")
    if entry.is_dir or entry.file is None:
        return Reply.of(f"{unix}: Is a directory\n")
    lab_file = entry.file
    if not algorithm:
        if lab_file.content:
            return Reply.of(lab_file.content)
        return Reply.of(f"{unix}: binary file, use 'show file ... dump'\n")
    failure = ctx.device.faults.digest_error_for(resolved.canonical, resolved.shown)
    if failure:
        return Reply((ctx.device.digest_seconds * 0.3, f"{failure}\n"))
    digest = {
        "md5sum": lab_file.md5,
        "sha256sum": sha256_of(lab_file.md5),
        "sha512sum": lab_file.sha512,
    }[algorithm]
    if ctx.device.digest_seconds > 0:
        return Reply((ctx.device.digest_seconds, f"{digest}\n"))
    return Reply.of(f"{digest}\n")


def _hostname(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    return Reply.of(f"{ctx.device.hostname}\n")


def grammar(device: Device, storage: Storage) -> Node:
    decoy = decoy_node()
    show = {
        "version": Node(handler=_version),
        "boot": Node(handler=_boot),
        "file": Node(handler=_show_file, args=True),
        "hostname": Node(handler=_hostname),
        "module": decoy,
        "banner": decoy,
        "bgp": decoy,
        "interface": decoy,
        "install": decoy,
        "inventory": decoy,
        "system": decoy,
        "vlan": decoy,
        "vrf": decoy,
    }
    return Node(
        children={
            "show": Node(children=show),
            "dir": Node(handler=_dir, args=True),
            "terminal": terminal_node(),
            "exit": exit_node(),
            "end": Node(handler=lambda ctx, args: Reply()),
            "configure": decoy,
            "copy": decoy,
            "delete": decoy,
            "install": decoy,
            "ping": decoy,
            "reload": decoy,
            "run-script": decoy,
            "setup": decoy,
            "ssh": decoy,
            "system": decoy,
            "telnet": decoy,
            "traceroute": decoy,
        }
    )
