"""Junos persona: an SRX345 branch firewall with primary and backup root slices.

The prompt is ``user@host> `` (operational mode, a space after ``>``). Netmiko's
``juniper_junos`` driver sends ``set cli screen-width 511`` (``Screen width set to 511``),
``set cli complete-on-space off`` (``Disabling complete-on-space``) and
``set cli screen-length 0`` (``Screen length set to 0``). Output ends with an empty line
before the prompt, as on the device. Formats: ``show version`` (``Junos:`` and the
``JUNOS Software Release [...]`` package line of SRX branch releases), ``show system snapshot
media internal`` (one block per root slice, ``junos  : <release>-domestic``), ``file list
/var/tmp detail`` (FreeBSD ``ls -l`` columns, ``total files:``), ``file checksum md5|sha-256
<path>`` (``MD5 (<path>) = <hex>``).
"""

from __future__ import annotations

from datetime import datetime

from imagesweep.lab.commands import Ctx, IncompleteCommand, InvalidInput, Node, Reply, Token
from imagesweep.lab.fleet import Device
from imagesweep.lab.personas.common import decoy_node, exit_node, ls_date, sha256_of
from imagesweep.lab.storage import Entry, Storage

_NOW = datetime(2024, 3, 1, 12, 0, 0)  # listing dates are relative to this, for stable output


def _set_cli(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    """``set cli screen-width|screen-length N``, ``set cli complete-on-space on|off``."""
    if not args:
        raise IncompleteCommand
    word = args[0].text.lower()
    options = ("screen-width", "screen-length", "complete-on-space", "timestamp", "idle-timeout")
    matches = [o for o in options if o.startswith(word)]
    if len(matches) != 1:
        raise InvalidInput(args[0].start)
    option = matches[0]
    if option in ("timestamp", "idle-timeout"):
        return Reply.of("\n")
    if len(args) < 2:
        raise IncompleteCommand
    if len(args) > 2:
        raise InvalidInput(args[2].start)
    value = args[1].text.lower()
    if option == "complete-on-space":
        if value not in ("on", "off"):
            raise InvalidInput(args[1].start)
        return Reply.of(f"{'Enabling' if value == 'on' else 'Disabling'} complete-on-space\n\n")
    if not value.isdigit() or int(value) > 1024:
        raise InvalidInput(args[1].start)
    if option == "screen-width":
        ctx.term_width = int(value)
        return Reply.of(f"Screen width set to {value}\n\n")
    ctx.term_length = int(value)
    return Reply.of(f"Screen length set to {value}\n\n")


def _version(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    return Reply.of(
        f"Hostname: {d.hostname}\nModel: {d.model}\nJunos: {d.version}\n"
        f"JUNOS Software Release [{d.version}]\n\n"
    )


def _slice(number: int, role: str, release: str, created: str) -> str:
    return (
        f"Information for snapshot on       internal (/dev/ad0s{number}a) ({role})\n"
        f"Creation date: {created}\n"
        "JUNOS version on snapshot:\n"
        f"  junos  : {release}-domestic\n"
    )


def _snapshot(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    # "show system snapshot [media internal]": this box has internal media only
    if args:
        if not "media".startswith(args[0].text.lower()):
            raise InvalidInput(args[0].start)
        if len(args) < 2:
            raise IncompleteCommand
        if not "internal".startswith(args[1].text.lower()):
            raise InvalidInput(args[1].start)
        if len(args) > 2:
            raise InvalidInput(args[2].start)
    d = ctx.device
    text = _slice(1, "primary", d.version, "Jan 10 02:31:07 2024") + _slice(
        2, "backup", d.backup_version, "Jun 14 09:41:22 2023"
    )
    return Reply.of(text + "\n")


def _ls_line(entry: Entry, user: str) -> str:
    if entry.is_dir:
        perms, links, owner, group, size = "drwxrwxrwt", 2, "root", "wheel", 512
    elif entry.file is not None and entry.file.image:
        perms, links, owner, group, size = "-rw-r--r--", 1, user, "staff", entry.size
    else:
        perms, links, owner, group, size = "-rw-r--r--", 1, "root", "wheel", entry.size
    name = entry.name + ("/" if entry.is_dir else "")
    return (
        f"{perms}  {links} {owner:<5} {group:<5} {size:>10} {ls_date(entry.modified, _NOW)} {name}"
    )


def _file_list(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    words = list(args)
    detail = False
    if words and "detail".startswith(words[-1].text.lower()) and len(words[-1].text) >= 3:
        detail = True
        words.pop()
    if len(words) > 1:
        raise InvalidInput(words[1].start)
    typed = words[0].text if words else "/var/home/" + ctx.device.credentials.username
    resolved = ctx.storage.resolve(typed)
    entry = ctx.storage.lookup(resolved) if resolved else None
    if resolved is None or entry is None:
        return Reply.of(f"{typed}: No such file or directory\n\n")
    volume = resolved.volume
    where = resolved.canonical
    children = volume.children.get(resolved.rel, []) if entry.is_dir else [entry.rel]
    entries = sorted((volume.entries[c] for c in children), key=lambda e: e.name)
    if not detail:
        names = "".join(e.name + ("/" if e.is_dir else "") + "\n" for e in entries)
        return Reply.of(f"\n{where}:\n{names}\n")
    user = ctx.device.credentials.username
    blocks = sum(-(-e.size // 512) for e in entries)
    lines = "".join(_ls_line(e, user) + "\n" for e in entries)
    files = sum(1 for e in entries if not e.is_dir)
    return Reply.of(f"\n{where}:\ntotal blocks: {blocks}\n{lines}total files: {files}\n\n")


_CHECKSUMS = {"md5": "MD5", "sha-256": "SHA256", "sha1": "SHA1"}


def _checksum(algorithm: str) -> Node:
    def handler(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
        if not args:
            raise IncompleteCommand
        if len(args) > 1:
            raise InvalidInput(args[1].start)
        typed = args[0].text
        resolved = ctx.storage.resolve(typed)
        entry = ctx.storage.lookup(resolved) if resolved else None
        if resolved is None or entry is None:
            return Reply.of(f"{algorithm}: {typed}: No such file or directory\n\n")
        if entry.is_dir or entry.file is None:
            return Reply.of(f"{algorithm}: {typed}: Is a directory\n\n")
        failure = ctx.device.faults.digest_error_for(resolved.canonical, typed)
        if failure:
            return Reply((ctx.device.digest_seconds * 0.3, f"{failure}\n\n"))
        lab_file = entry.file
        digest = {"md5": lab_file.md5, "sha-256": sha256_of(lab_file.md5)}.get(algorithm)
        if digest is None:  # sha1: derived like the others, deterministic
            digest = sha256_of(lab_file.sha512)[:40]
        line = f"{_CHECKSUMS[algorithm]} ({typed}) = {digest}\n\n"
        return Reply((ctx.device.digest_seconds, line))

    return Node(handler=handler, args=True)


def grammar(device: Device, storage: Storage) -> Node:
    decoy = decoy_node()
    show = {
        "version": Node(handler=_version),
        "system": Node(
            children={
                "snapshot": Node(handler=_snapshot, args=True),
                "software": decoy,
                "storage": decoy,
                "uptime": decoy,
                "users": decoy,
            }
        ),
        "chassis": decoy,
        "configuration": decoy,
        "interfaces": decoy,
        "log": decoy,
        "route": decoy,
        "security": decoy,
    }
    file_node = Node(
        children={
            "list": Node(handler=_file_list, args=True),
            "checksum": Node(children={name: _checksum(name) for name in _CHECKSUMS}),
            "copy": decoy,
            "delete": decoy,
            "show": decoy,
        }
    )
    return Node(
        children={
            "show": Node(children=show),
            "file": file_node,
            "set": Node(children={"cli": Node(handler=_set_cli, args=True), "date": decoy}),
            "exit": exit_node(),
            "quit": exit_node(),
            "clear": decoy,
            "configure": decoy,
            "help": decoy,
            "monitor": decoy,
            "ping": decoy,
            "request": decoy,
            "restart": decoy,
            "save": decoy,
            "ssh": decoy,
            "start": decoy,
            "telnet": decoy,
            "test": decoy,
            "traceroute": decoy,
        }
    )
