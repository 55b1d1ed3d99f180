"""IOS XR persona: NCS 5501 on 64-bit IOS XR 7 (eXR), prompt ``RP/0/RP0/CPU0:host#``.

Netmiko's ``cisco_xr`` driver sends ``terminal width 511`` and ``terminal length 0``. Show and
dir commands print the time stamp line XR prints first. Formats follow the corpus and the
eXR layouts: ``show version`` (no image file line on 64-bit XR), ``show install active|
committed [summary]`` (``Label :``, then the packages, the boot image first with
``version=<v> [Boot image]``), ``dir harddisk:`` (Linux ``ls -l`` columns with the inode
first, ``kbytes total (... kbytes free)``), ``show md5 file /harddisk:/<f>`` (time stamp, then
the bare digest). The box has harddisk: and no disk0:, which ``dir disk0:`` makes plain.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from imagesweep.lab.commands import (
    Ctx,
    Handler,
    IncompleteCommand,
    InvalidInput,
    Node,
    Reply,
    Token,
)
from imagesweep.lab.fleet import Device
from imagesweep.lab.personas.common import (
    decoy_node,
    exit_node,
    ls_date,
    terminal_node,
    uptime_minutes,
)
from imagesweep.lab.storage import Entry, Storage

_RELEASE = re.compile(r"-(\d{1,2}\.\d{1,2}\.\d{1,2}\w{0,4})$")
_NOW = datetime(2024, 3, 1, 12, 0, 0)  # listing dates are relative to this, for stable output


def stamp() -> str:
    """The line XR prints before show output: ``Thu Mar  1 12:07:44.101 UTC``."""
    now = datetime.now(UTC)
    return f"{now:%a %b} {now.day:>2} {now:%H:%M:%S}.{now.microsecond // 1000:03d} UTC"


def _uptime(d: Device) -> str:
    minutes = uptime_minutes(d.uptime)
    weeks, rest = divmod(minutes, 7 * 1440)
    days, rest = divmod(rest, 1440)
    return f"{weeks} weeks, {days} days, {rest // 60} hours, {rest % 60} minutes"


def _version(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    text = f"""\
{stamp()}
Cisco IOS XR Software, Version {d.version}
Copyright (c) 2013-2023 by Cisco Systems, Inc.

Build Information:
 Built By     : ingunawa
 Built On     : Tue Mar 21 20:12:23 PDT 2023
 Build Host   : iox-ucs-025
 Workspace    : /auto/srcarchive17/prod/{d.version}/ncs5500/ws
 Version      : {d.version}
 Location     : /opt/cisco/XR/packages/
 Label        : {d.version}

cisco NCS-5500 () processor
System uptime is {_uptime(d)}

"""
    return Reply.of(text)


def _boot_release(package: str) -> str:
    match = _RELEASE.search(package)
    return match.group(1) if match else ""


def _package_lines(packages: tuple[str, ...], version: str) -> list[str]:
    lines = []
    for index, package in enumerate(packages):
        if index == 0:
            release = version or _boot_release(package)
            lines.append(f"        {package} version={release} [Boot image]")
        else:
            lines.append(f"        {package}")
    return lines


def _install(kind: str, summary: bool) -> Handler:
    def handler(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
        d = ctx.device
        if kind == "Active":
            packages, release = d.packages, d.version
        else:
            packages = d.committed_packages
            release = _boot_release(packages[0]) if packages else ""
        label = release or d.version
        body = "\n".join(_package_lines(packages, release))
        if summary:
            text = f"{stamp()}\nLabel : {label}\n\n    {kind} Packages: {len(packages)}\n{body}\n\n"
        else:
            text = (
                f"{stamp()}\nLabel : {label}\n\nNode 0/RP0/CPU0 [RP]\n  Boot Partition: xr_lv0\n"
                f"  {kind} Packages: {len(packages)}\n{body}\n\n"
            )
        return Reply.of(text)

    return handler


def _dir_line(inode: int, entry: Entry) -> str:
    perms = "drwxr-xr-x" if entry.is_dir else "-rw-r--r--"
    links = 2 if entry.is_dir else 1
    size = 4096 if entry.is_dir else entry.size
    return f"{inode:>7} {perms} {links} {size:>10} {ls_date(entry.modified, _NOW)} {entry.name}"


def _dir(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    if len(args) > 1:
        raise InvalidInput(args[1].start)
    typed = args[0].text if args else ctx.storage.default_fs
    resolved = ctx.storage.resolve(typed.lstrip("/") if re.match(r"^/\w+:", typed) else typed)
    if resolved is None:
        raise InvalidInput(args[0].start if args else 0)
    volume = resolved.volume
    entry = ctx.storage.lookup(resolved)
    where = resolved.canonical if resolved.rel else volume.spec.name
    if entry is None:
        return Reply.of(f"{stamp()}\n\nls: cannot access '{where}': No such file or directory\n")
    children = volume.children.get(resolved.rel, []) if entry.is_dir else [entry.rel]
    order = list(volume.entries)
    lines = "".join(
        _dir_line(order.index(rel) + 11, volume.entries[rel]) + "\n" for rel in children
    )
    footer = f"{volume.spec.size // 1024} kbytes total ({volume.free // 1024} kbytes free)\n"
    return Reply.of(f"{stamp()}\n\nDirectory of {where}\n\n{lines}\n{footer}\n")


def _md5(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    if not args:
        raise IncompleteCommand
    if len(args) > 1:
        raise InvalidInput(args[1].start)
    typed = args[0].text
    # "/harddisk:/x.iso" (the form the install guides use) or "harddisk:/x.iso"
    resolved = ctx.storage.resolve(typed[1:] if re.match(r"^/\w+:", typed) else typed)
    if resolved is None:
        raise InvalidInput(args[0].start)
    entry = ctx.storage.lookup(resolved)
    if entry is None or entry.is_dir or entry.file is None:
        reason = "Is a directory" if entry is not None else "No such file or directory"
        return Reply.of(f"{stamp()}\nmd5: {typed}: {reason}\n")
    failure = ctx.device.faults.digest_error_for(resolved.canonical, typed)
    if failure:
        return Reply((f"{stamp()}\n", ctx.device.digest_seconds * 0.3, f"{failure}\n"))
    return Reply((f"{stamp()}\n", ctx.device.digest_seconds, f"{entry.file.md5}\n"))


def _install_node(kind: str) -> Node:
    summary = Node(handler=_install(kind, summary=True))
    return Node(handler=_install(kind, summary=False), children={"summary": summary})


def grammar(device: Device, storage: Storage) -> Node:
    decoy = decoy_node()
    show = {
        "version": Node(handler=_version),
        "install": Node(
            children={
                "active": _install_node("Active"),
                "committed": _install_node("Committed"),
                "inactive": decoy,
                "log": decoy,
                "request": decoy,
                "repository": decoy,
            }
        ),
        "md5": Node(children={"file": Node(handler=_md5, args=True)}),
        "inventory": decoy,
        "interfaces": decoy,
        "ipv4": decoy,
        "platform": decoy,
        "running-config": decoy,
        "filesystem": decoy,
    }
    return Node(
        children={
            "show": Node(children=show),
            "dir": Node(handler=_dir, args=True),
            "terminal": terminal_node(),
            "exit": exit_node(),
            "admin": decoy,
            "configure": decoy,
            "copy": decoy,
            "delete": decoy,
            "install": decoy,
            "ping": decoy,
            "reload": decoy,
            "ssh": decoy,
            "telnet": decoy,
            "traceroute": decoy,
        }
    )
