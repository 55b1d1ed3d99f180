"""Commands every IOS and IOS-XE persona shares: exec, terminal, dir, verify, more, and the
``show file systems`` table; and the few pieces the NX-OS, IOS XR, Junos and PAN-OS personas
share. Formats follow real devices (see ../shared/corpus)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from imagesweep.lab.commands import Ctx, IncompleteCommand, InvalidInput, Node, Reply, Token
from imagesweep.lab.storage import Entry, Resolved, Volume

DOTS_PER_LINE = 75  # IOS-XE and Catalyst verify print rows of 75 progress dots
BYTES_PER_DOT = 65_536  # tens of thousands of dots for a 1-2 GB image, as on real devices
MAX_DOTS = 40_000
PAUSES = 20  # digest_seconds is spread over this many pauses


@dataclass(frozen=True)
class DirStyle:
    file_perm: str
    dir_perm: str
    size_width: int
    dir_size: int  # what a directory's size column says: 0 (ISR), 512 (Catalyst), 4096 (XE)


# --- exec and terminal -----------------------------------------------------------------------


def _enable(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    if args:
        raise InvalidInput(args[0].start)
    return Reply(action="enable")


def _disable(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    return Reply(action="disable")


def _exit(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    return Reply(action="exit")


def _incomplete(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    raise IncompleteCommand


def _terminal_value(attribute: str) -> Node:
    def handler(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
        if not args:
            raise IncompleteCommand
        value = args[0].text
        if not value.isdigit() or int(value) > 512:
            raise InvalidInput(args[0].start)
        if len(args) > 1:
            raise InvalidInput(args[1].start)
        setattr(ctx, attribute, int(value))
        return Reply()

    return Node(handler=handler, args=True)


def _noop(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    return Reply()


def exec_nodes() -> dict[str, Node]:
    """Top-level commands of every persona, and keywords that make abbreviations ambiguous."""
    decoy = Node(handler=_incomplete, args=True)
    return {
        "enable": Node(handler=_enable, args=True),
        "disable": Node(handler=_disable, privileged=True),
        "exit": Node(handler=_exit),
        "logout": Node(handler=_exit),
        "quit": Node(handler=_exit),
        "terminal": Node(
            children={
                "length": _terminal_value("term_length"),
                "width": _terminal_value("term_width"),
                "monitor": Node(handler=_noop),
            }
        ),
        # real keywords the lab does not simulate: they keep "s", "d", "e", "t"... ambiguous
        "connect": decoy,
        "debug": Node(handler=_incomplete, args=True, privileged=True),
        "delete": Node(handler=_incomplete, args=True, privileged=True),
        "disconnect": decoy,
        "erase": Node(handler=_incomplete, args=True, privileged=True),
        "mkdir": Node(handler=_incomplete, args=True, privileged=True),
        "ping": decoy,
        "send": Node(handler=_incomplete, args=True, privileged=True),
        "setup": Node(handler=_incomplete, args=True, privileged=True),
        "ssh": decoy,
        "telnet": decoy,
        "traceroute": decoy,
    }


# --- formatting ------------------------------------------------------------------------------


def ios_date(when: datetime) -> str:
    """``Mar 7 2023 10:12:40 +00:00`` with the date right-aligned to 11 columns, as dir does."""
    day = f"{when:%b} {when.day} {when.year}"
    return f"{day:>11} {when:%H:%M:%S} +00:00"


def dir_line(inode: int, entry: Entry, style: DirStyle) -> str:
    perm = style.dir_perm if entry.is_dir else style.file_perm
    size = style.dir_size if entry.is_dir else entry.size
    return (
        f"{inode:>5}  {perm}  {size:>{style.size_width}}  {ios_date(entry.modified)}  {entry.name}"
    )


def footer(volume: Volume) -> str:
    return f"{volume.spec.size} bytes total ({volume.free} bytes free)\n"


def _inode(volume: Volume, rel: str) -> int:
    return list(volume.entries).index(rel) + 1


def _listing(volume: Volume, shown_fs: str, rel: str, style: DirStyle) -> str:
    header = f"Directory of {shown_fs}/{rel + '/' if rel else ''}\n\n"
    children = volume.children.get(rel, [])
    if not children:
        return header + "No files in directory\n\n"
    lines = [dir_line(_inode(volume, c), volume.entries[c], style) for c in children]
    return header + "\n".join(lines) + "\n\n"


def _resolve(ctx: Ctx, token: Token) -> Resolved:
    resolved = ctx.storage.resolve(token.text)
    if resolved is None:
        raise InvalidInput(token.start)
    return resolved


def dir_node(style: DirStyle) -> Node:
    def handler(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
        recursive = False
        target: Token | None = None
        for arg in args:
            option = arg.text.lower()
            if option.startswith("/") and target is None:
                if len(option) > 1 and "/recursive".startswith(option):
                    recursive = True
                elif not (len(option) > 1 and "/all".startswith(option)):
                    raise InvalidInput(arg.start)
            elif target is None:
                target = arg
            else:
                raise InvalidInput(arg.start)
        resolved = _resolve(ctx, target or Token(ctx.storage.default_fs, 0))
        volume, shown_fs = resolved.volume, resolved.typed_fs
        entry = ctx.storage.lookup(resolved)
        if entry is None:
            return Reply.of(
                f"%Error opening {shown_fs}/{resolved.rel} (No such file or directory)\n"
            )
        if not entry.is_dir:
            line = dir_line(_inode(volume, entry.rel), entry, style)
            return Reply.of(f"Directory of {shown_fs}/{entry.rel}\n\n{line}\n\n{footer(volume)}")
        directories = volume.walk(resolved.rel) if recursive else [resolved.rel]
        text = "".join(_listing(volume, shown_fs, d, style) for d in directories)
        return Reply.of(text + footer(volume))

    return Node(handler=handler, args=True, privileged=True)


# --- verify ----------------------------------------------------------------------------------


def _progress(ctx: Ctx, size: int, fraction: float = 1.0) -> list[str | float]:
    """Rows of dots, paced over ``digest_seconds``; the last row is left open for Done!."""
    count = max(1, min(size // BYTES_PER_DOT, MAX_DOTS))
    count = max(1, int(count * fraction))
    dots = "".join(
        "." * min(DOTS_PER_LINE, count - i) + ("\n" if count - i > DOTS_PER_LINE else "")
        for i in range(0, count, DOTS_PER_LINE)
    )
    seconds = ctx.device.digest_seconds * fraction
    if seconds <= 0:
        return [dots]
    step = max(1, len(dots) // PAUSES)
    parts: list[str | float] = []
    for i in range(0, len(dots), step):
        parts.extend([dots[i : i + step], seconds / PAUSES])
    return parts


def _verify(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    algorithm = ""
    rest = list(args)
    while rest and rest[0].text.startswith("/"):
        option = rest.pop(0)
        low = option.text.lower()
        if len(low) >= 3 and "/md5".startswith(low):
            algorithm = "md5"
        elif len(low) >= 3 and "/sha512".startswith(low):
            algorithm = "sha512"
        else:
            raise InvalidInput(option.start)
    if not rest or not algorithm:
        raise IncompleteCommand
    if len(rest) > 2:
        raise InvalidInput(rest[2].start)
    if rest[0].text.lower() == MEMORY_TEXT and ctx.device.platform in ("cisco_ios", "cisco_xe"):
        return _memory_text(ctx, algorithm)
    resolved = _resolve(ctx, rest[0])
    entry = ctx.storage.lookup(resolved)
    shown = resolved.shown
    if entry is None:
        return Reply.of(f"%Error opening {shown} (No such file or directory)\n")
    if entry.is_dir or entry.file is None:
        return Reply.of(f"%Error opening {shown} (Is a directory)\n")
    failure = ctx.device.faults.digest_error_for(resolved.canonical, shown)
    if failure:
        return Reply((*_progress(ctx, entry.size, 0.3), f"\n{failure}\n"))
    digest = entry.file.md5 if algorithm == "md5" else entry.file.sha512
    if len(rest) == 2:
        submitted = rest[1].text.lower()
        if submitted == digest:
            result = f"Verified ({shown}) = {digest}\n"
        else:
            result = (
                f"%Error verifying {shown}\nComputed signature = {digest}\n"
                f"Submitted signature = {submitted}\n"
            )
    else:
        result = f"verify /{algorithm} ({shown}) = {digest}\n"
    return Reply((*_progress(ctx, entry.size), "Done!\n", result))


MEMORY_TEXT = "system:memory/text"


def _memory_text(ctx: Ctx, algorithm: str) -> Reply:
    """IOS digests the code segment in memory: a function of what runs, not of a file."""
    loaded = f"{ctx.device.running_image}|{ctx.device.version}|{ctx.device.memory_text}"
    digest = hashlib.new(algorithm, loaded.encode()).hexdigest()
    dots = _progress(ctx, 40 * 1024 * 1024)
    return Reply((*dots, "Done!\n", f"verify /{algorithm} ({MEMORY_TEXT}) = {digest}\n"))


def verify_node() -> Node:
    return Node(handler=_verify, args=True, privileged=True)


# --- more ------------------------------------------------------------------------------------


def _more(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    paths = [a for a in args if not a.text.startswith("/")]
    if not paths:
        raise IncompleteCommand
    resolved = _resolve(ctx, paths[0])
    entry = ctx.storage.lookup(resolved)
    if entry is None:
        return Reply.of(f"%Error opening {resolved.shown} (No such file or directory)\n")
    if entry.is_dir or entry.file is None:
        return Reply.of(f"%Error opening {resolved.shown} (Is a directory)\n")
    content = entry.file.content
    return Reply.of(content if not content or content.endswith("\n") else content + "\n")


def more_node() -> Node:
    return Node(handler=_more, args=True, privileged=True)


# --- show file systems -----------------------------------------------------------------------

PseudoFs = tuple[str, str, str, int | None, int | None]  # prefix, type, flags, size, free


def fs_row(mark: str, size: int | None, free: int | None, kind: str, flags: str, names: str) -> str:
    """One ``show file systems`` row; "-" where a pseudo filesystem has no size."""
    size_text = "-" if size is None else str(size)
    free_text = "-" if free is None else str(free)
    return f"{mark}{size_text:>13} {free_text:>13} {kind:>9} {flags:>6}   {names}"


FS_HEADER = "       Size(b)       Free(b)      Type  Flags  Prefixes"


def file_systems_node(before: tuple[PseudoFs, ...], after: tuple[PseudoFs, ...]) -> Node:
    """``show file systems``: the pseudo filesystems around the device's real ones."""

    def handler(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
        lines = ["File Systems:", "", FS_HEADER]
        lines += [fs_row(" ", s, f, k, fl, p) for p, k, fl, s, f in before]
        for volume in ctx.storage.volumes.values():
            spec = volume.spec
            mark = "*" if spec.name == ctx.storage.default_fs else " "
            names = " ".join((spec.name, *spec.shown_aliases))
            lines.append(fs_row(mark, spec.size, volume.free, spec.kind, "rw", names))
        lines += [fs_row(" ", s, f, k, fl, p) for p, k, fl, s, f in after]
        return Reply.of("\n".join(lines) + "\n\n")

    return Node(handler=handler)


def _privilege(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    return Reply.of(f"Current privilege level is {15 if ctx.privileged else 1}\n")


def show_privilege_node() -> Node:
    return Node(handler=_privilege)


def confreg_text(current: str, pending: str) -> str:
    """``0x2102`` or ``0x2102 (will be 0x2142 at next reload)``."""
    return f"{current} (will be {pending} at next reload)" if pending else current


# --- shared by the non-IOS personas ----------------------------------------------------------


def terminal_node() -> Node:
    """``terminal length|width N`` (NX-OS, IOS XR): the commands Netmiko sends at login."""
    return Node(
        children={
            "length": _terminal_value("term_length"),
            "width": _terminal_value("term_width"),
            "monitor": Node(handler=_noop),
        }
    )


def exit_node() -> Node:
    return Node(handler=_exit)


def decoy_node() -> Node:
    """A real keyword the lab does not simulate: keeps abbreviations as ambiguous as on the
    device, and says the command is incomplete."""
    return Node(handler=_incomplete, args=True)


def sha256_of(md5: str) -> str:
    """A lab file's SHA-256, derived from its MD5 so the digests tell the same story."""
    return hashlib.sha256(f"imagesweep-lab/1:sha256:{md5}".encode()).hexdigest()


def ls_date(when: datetime, now: datetime) -> str:
    """``ls -l`` date column: ``Oct  9 09:48`` within six months of now, else ``Jun 12  2017``."""
    recent = timedelta(0) <= now - when < timedelta(days=182)
    tail = f"{when:%H:%M}" if recent else f" {when.year}"
    return f"{when:%b} {when.day:>2} {tail}"


_UPTIME_UNITS = {"year": 365 * 1440, "week": 7 * 1440, "day": 1440, "hour": 60, "minute": 1}


def uptime_minutes(text: str) -> int:
    """Minutes in an IOS-style uptime ("12 weeks, 3 days, 4 hours, 10 minutes")."""
    total = 0
    for number, unit in re.findall(r"(\d{1,6})\s*(year|week|day|hour|minute)", text):
        total += int(number) * _UPTIME_UNITS[unit]
    return total


def cisco_grammar(show: dict[str, Node], listing: DirStyle) -> Node:
    """The exec command tree IOS and IOS-XE share around their own ``show`` commands."""
    return Node(
        children={
            **exec_nodes(),
            "show": Node(
                children={
                    **show,
                    "privilege": show_privilege_node(),
                    "vrf": Node(handler=_noop),
                }
            ),
            "dir": dir_node(listing),
            "verify": verify_node(),
            "more": more_node(),
        }
    )
