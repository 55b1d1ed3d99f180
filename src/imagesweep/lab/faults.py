"""Fault injection for lab devices: the data (``faults:`` in a fleet file) and every hook.

A fault is one key of a device's ``faults:`` mapping. To add one: a field on :class:`Faults`,
a parser in ``_PARSERS``, and the behaviour in the hook where it acts. The hooks, and where
the lab calls them:

- ``listens``            Lab start: False gives the device a port where nothing listens.
- ``banner_only``        Lab start: True serves a TCP port that sends a banner and hangs up.
- ``own_host_key``       Lab start: True gives the device its own SSH host key.
- ``answered_hostname``  Lab start: the hostname the device really answers.
- ``accepts_login``      SSH authentication (password and keyboard-interactive).
- ``login_delay``        Shell start: seconds before the first prompt.
- ``enable_refusal``     ``enable``: the line printed instead of granting privilege.
- ``hangs``              Each command line: True and the device never answers.
- ``drops_during``       Each command line: True and the connection drops mid-output.
- ``flood_bytes``        Each command line: bytes of filler printed before the real output.
- ``garble``             Each command line: the output with garbage mixed in.
- ``keeps_paging``       The pager: True pages even after ``terminal length 0``.
- ``hostname_after``     Each command line: the hostname the prompt changes to afterwards.
- ``digest_error_for``   ``verify /md5|/sha512``: the error line to print instead of a digest.
- ``serves_files``       Lab start: False and the device has no SCP/SFTP server.
- ``input_delay``        Each read of the client's input: seconds before the device sees it.
- ``late_prompt_delay``  Each command line: seconds between the output and the prompt after it.

Commands (``hang``, ``prompt_change``, ``flood_mb``) are matched the way IOS matches them:
each typed word may abbreviate the fault's word (``sh boot`` hangs when ``show boot`` does),
and further words are arguments (``verify`` matches every ``verify /md5 ...``).

Known faults:

- ``unreachable: true``   nothing listens on the device's port (connection refused).
- ``close_after_banner: true``  the port accepts TCP, sends an SSH banner, then hangs up.
- ``auth_fail: true``     every login is rejected, whatever the credentials.
- ``enable_fail: true``   ``enable`` refuses the right secret with ``% Access denied``; a
  string is the refusal to print instead (``"% Bad secrets"``).
- ``slow_login: 10``      seconds between authentication and the first prompt.
- ``slow_login_times: 1``  only the first N interactive logins are slow (0, the default: all),
  as a collector or AAA server busy at the start of a sweep and idle later.
- ``hang: "show boot"``   the command never returns: no output, no prompt; a list of commands.
- ``drop_during_digest: true``  a digest command (``verify``; ``show file ... md5sum``,
  ``show md5 file``, ``file checksum`` elsewhere) prints part of its progress dots, then the
  connection drops.
- ``pager: true``         the pager stays on: ``terminal length 0`` is accepted and ignored.
- ``garbage: true``       ``show version`` and ``show boot`` carry terminal escapes (CSI colours,
  an OSC window-title set), NULs and bytes that are not valid UTF-8; ``"escapes"`` leaves out
  the invalid bytes (the output stays readable once the escapes are stripped).
- ``flood_mb: 50``        ``show version`` prints this many megabytes of filler before its
  output; ``{"show boot": 50}`` floods another command.
- ``prompt_change: "show boot"``  after this command the device's hostname (and prompt) change.
- ``hostname_mismatch: true``  the device answers as ``ROGUE-<hostname>`` while the inventory
  the lab writes expects the fleet's hostname; a string is the name it answers instead.
- ``legacy_crypto: true``  the device offers only SHA-1 key exchange (diffie-hellman-group1/14-
  sha1) and an ``ssh-rsa`` host key, like IOS 12.4 on an ISR G1; not a failure, a persona
  trait: an audit reaches it only with ``legacy_ssh: true`` for the host.
- ``host_key_changed: true``  the device has its own SSH host key, not the lab's shared one
  (a known_hosts holding the shared key, as a previous sweep left it, sees a changed key).
- ``scp_disabled: true``  the device serves no SCP or SFTP (IOS without ``ip scp server
  enable``): an ``scp`` request ends at once with exit status 1 and nothing sent.
- ``digest_error: PATH``  ``verify`` of PATH fails with an I/O error after a few dots; a list
  of paths, or ``"*"`` for every file.
- ``latency_ms: 50``      a round trip: everything the client sends reaches the shell this many
  milliseconds late (echo, output and prompt come that much later); not a failure, a WAN.
- ``late_prompt: 0.3``    seconds between a line's echo and output and the prompt after it, as a
  loaded device (or a loaded lab) prints it, alone on the wire, with what was typed ahead read
  50 ms later, for the first ``late_prompt_lines`` lines the shell reads, then prompts come
  at once. Netmiko then leaves the last prompt unread: the race behind issue 14's false
  "refused the enable secret".
- ``late_prompt_lines: 4``  how many lines ``late_prompt`` delays (default 4: the lines of
  Netmiko's session preparation).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from imagesweep.paths import canonical

MEGABYTE = 1_000_000
_MAX_FLOOD_MB = 2000.0
_MAX_DELAY = 3600.0
_MAX_LATENCY_MS = 10_000.0


class FaultValueError(ValueError):
    """A fault's value is malformed; the fleet loader adds file and line."""


def command_matches(line: str, command: str) -> bool:
    """Whether a typed ``line`` runs ``command``: every word of the command, abbreviated or
    not, in order; words after them are arguments. Output filters (``| include``) count."""
    typed = line.partition("|")[0].lower().split()
    wanted = command.lower().split()
    if not wanted or len(typed) < len(wanted):
        return False
    return all(word.startswith(t) for t, word in zip(typed, wanted, strict=False))


def is_digest_command(line: str) -> bool:
    """``verify`` (IOS), ``show file PATH md5sum`` (NX-OS), ``show md5 file`` (IOS XR),
    ``file checksum`` (Junos): the commands that digest a file."""
    if any(command_matches(line, c) for c in ("verify", "show md5", "file checksum")):
        return True
    words = line.partition("|")[0].split()
    return command_matches(line, "show file") and words[-1].lower().endswith("sum")


# Escapes and garbage a hostile or broken device mixes into its output: an OSC window title,
# SGR colours, a cursor move, NUL padding and, unless only escapes are asked for, bytes that
# are not UTF-8. The lab's sessions write text with surrogateescape, so "\udcff" goes out as
# the single byte 0xFF.
_TITLE = "\x1b]0;pwned by the device\x07"
_COLOUR = "\x1b[1;31m"
_RESET = "\x1b[0m"
_NULS = "\x00\x00"
_INVALID = "\udcff\udcfe\udcc3("  # 0xFF, 0xFE, and 0xC3 cut short by "("
_ROGUE = "*"


@dataclass(frozen=True)
class Faults:
    unreachable: bool = False
    close_after_banner: bool = False
    auth_fail: bool = False
    enable_fail: str = ""  # the refusal line; "" when enable works
    slow_login: float = 0.0
    slow_login_times: int = 0
    hang: tuple[str, ...] = ()
    drop_during_digest: bool = False
    pager: bool = False
    garbage: str = ""  # "", "all", "escapes"
    flood_mb: tuple[tuple[str, float], ...] = ()  # (command, megabytes)
    prompt_change: tuple[str, ...] = ()
    hostname_mismatch: str = ""  # the hostname the device answers instead; _ROGUE: derived
    host_key_changed: bool = False
    legacy_crypto: bool = False
    digest_error: tuple[str, ...] = ()  # canonical paths; ("*",) for all
    scp_disabled: bool = False
    latency_ms: float = 0.0
    late_prompt: float = 0.0
    late_prompt_lines: int = 4

    # --- hooks -----------------------------------------------------------------------------

    def serves_files(self) -> bool:
        return not self.scp_disabled

    def listens(self) -> bool:
        return not self.unreachable

    def banner_only(self) -> bool:
        return self.close_after_banner

    def own_host_key(self) -> bool:
        return self.host_key_changed

    def ssh_algorithms(self) -> dict[str, list[str]]:
        """asyncssh options restricting the server to what IOS 12.4 on an ISR G1 speaks:
        SHA-1 Diffie-Hellman key exchange and ``ssh-rsa`` (SHA-1) host key signatures."""
        if not self.legacy_crypto:
            return {}
        return {
            "kex_algs": ["diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1"],
            "encryption_algs": ["aes128-ctr", "aes128-cbc", "3des-cbc"],
            "mac_algs": ["hmac-sha1"],
        }

    def answered_hostname(self, hostname: str) -> str:
        if self.hostname_mismatch == _ROGUE:
            return f"ROGUE-{hostname}"
        return self.hostname_mismatch or hostname

    def accepts_login(self) -> bool:
        return not self.auth_fail

    def login_delay(self, login_number: int = 1) -> float:
        if self.slow_login_times and login_number > self.slow_login_times:
            return 0.0
        return self.slow_login

    def enable_refusal(self) -> str:
        return self.enable_fail

    def hangs(self, line: str) -> bool:
        return any(command_matches(line, command) for command in self.hang)

    def drops_during(self, line: str) -> bool:
        return self.drop_during_digest and is_digest_command(line)

    def flood_bytes(self, line: str) -> int:
        return sum(int(mb * MEGABYTE) for cmd, mb in self.flood_mb if command_matches(line, cmd))

    def keeps_paging(self) -> bool:
        return self.pager

    def hostname_after(self, line: str, hostname: str) -> str:
        """The hostname once ``line`` has run: changed when the line is a prompt_change one."""
        if any(command_matches(line, command) for command in self.prompt_change):
            return f"CHANGED-{hostname}"
        return hostname

    def garble(self, line: str, text: str) -> str:
        """``text`` with escapes, NULs and (for ``garbage: true``) invalid bytes mixed into
        its lines, for ``show version`` and ``show boot``."""
        if not self.garbage or not text:
            return text
        if not (command_matches(line, "show version") or command_matches(line, "show boot")):
            return text
        lines = text.split("\n")
        for index, current in enumerate(lines):
            if not current:
                continue
            if index % 3 == 0:  # colours around a word, as a coloured CLI would print it
                word, space, rest = current.partition(" ")
                current = f"{_COLOUR}{word}{_RESET}{space}{rest}"
            elif index % 3 == 1:
                current = current + _NULS
            lines[index] = current
        if self.garbage == "all":
            lines.insert(min(2, max(0, len(lines) - 1)), f"garbage {_INVALID} here")
        return _TITLE + "\n".join(lines)

    def digest_error_for(self, path: str, shown: str) -> str:
        """The error ``verify`` prints for canonical ``path`` (shown as typed), or ""."""
        if "*" in self.digest_error or path in self.digest_error:
            return f"%Error reading {shown} (I/O error)"
        return ""

    def input_delay(self) -> float:
        return self.latency_ms / 1000.0

    def late_prompt_delay(self, lines_read: int) -> float:
        """Seconds to hold the prompt after the ``lines_read``-th line (1-based)."""
        return self.late_prompt if lines_read <= self.late_prompt_lines else 0.0

    @property
    def names(self) -> tuple[str, ...]:
        """The faults that are set, for inventory data and logs."""
        return tuple(name for name in _PARSERS if getattr(self, name) != getattr(_NONE, name))


_NONE = Faults()


def _bool(value: Any, default_fs: str) -> bool:
    if not isinstance(value, bool):
        raise FaultValueError(f"expected true or false, got {value!r}")
    return value


def _seconds(value: Any, default_fs: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultValueError(f"expected a number of seconds, got {value!r}")
    if not 0 <= value <= _MAX_DELAY:
        raise FaultValueError(f"expected 0 to {_MAX_DELAY:g} seconds, got {value!r}")
    return float(value)


def _milliseconds(value: Any, default_fs: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultValueError(f"expected a number of milliseconds, got {value!r}")
    if not 0 <= value <= _MAX_LATENCY_MS:
        raise FaultValueError(f"expected 0 to {_MAX_LATENCY_MS:g} ms, got {value!r}")
    return float(value)


def _at_least_one(what: str) -> Callable[[Any, str], int]:
    def parse(value: Any, default_fs: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise FaultValueError(f"expected {what} (1 or more), got {value!r}")
        return value

    return parse


_lines = _at_least_one("a number of lines")
_count = _at_least_one("a whole number")


def _commands(value: Any, default_fs: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    commands = []
    for item in items:
        if not isinstance(item, str) or not item.split():
            raise FaultValueError(f"expected a command or a list of commands, got {item!r}")
        commands.append(" ".join(item.split()))
    return tuple(commands)


def _message(default: str) -> Callable[[Any, str], str]:
    def parse(value: Any, default_fs: str) -> str:
        if value is True:
            return default
        if value is False:
            return ""
        if isinstance(value, str) and value.strip() and "\n" not in value:
            return value.strip()
        raise FaultValueError(f"expected true, false or a one-line string, got {value!r}")

    return parse


def _garbage(value: Any, default_fs: str) -> str:
    if value is True:
        return "all"
    if value is False:
        return ""
    if value == "escapes":
        return "escapes"
    raise FaultValueError(f'expected true, false or "escapes", got {value!r}')


def _megabytes(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultValueError(f"expected a number of megabytes, got {value!r}")
    if not 0 < value <= _MAX_FLOOD_MB:
        raise FaultValueError(f"expected more than 0 and at most {_MAX_FLOOD_MB:g} MB")
    return float(value)


def _flood(value: Any, default_fs: str) -> tuple[tuple[str, float], ...]:
    if isinstance(value, Mapping):
        if not value:
            raise FaultValueError("expected at least one command")
        return tuple(
            (_commands(command, default_fs)[0], _megabytes(mb)) for command, mb in value.items()
        )
    return (("show version", _megabytes(value)),)


def _paths(value: Any, default_fs: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    paths = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise FaultValueError(f"expected a file path, a list of paths or '*', got {item!r}")
        paths.append("*" if item.strip() == "*" else canonical(item, default_fs))
    return tuple(paths)


def _hostname(value: Any, default_fs: str) -> str:
    if value is True:
        return _ROGUE
    if value is False:
        return ""
    if isinstance(value, str) and value.strip() and len(value.split()) == 1:
        return value.strip()
    raise FaultValueError(f"expected true, false or a hostname, got {value!r}")


_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "unreachable": _bool,
    "close_after_banner": _bool,
    "auth_fail": _bool,
    "enable_fail": _message("% Access denied"),
    "slow_login": _seconds,
    "slow_login_times": _count,
    "hang": _commands,
    "drop_during_digest": _bool,
    "pager": _bool,
    "garbage": _garbage,
    "flood_mb": _flood,
    "prompt_change": _commands,
    "hostname_mismatch": _hostname,
    "host_key_changed": _bool,
    "legacy_crypto": _bool,
    "digest_error": _paths,
    "scp_disabled": _bool,
    "latency_ms": _milliseconds,
    "late_prompt": _seconds,
    "late_prompt_lines": _lines,
}

KNOWN_FAULTS: tuple[str, ...] = tuple(_PARSERS)


def parse_faults(raw: Mapping[str, Any], *, default_fs: str) -> Faults:
    """Build :class:`Faults` from a fleet mapping; :class:`FaultValueError` names the bad key."""
    faults = Faults()
    for key, value in raw.items():
        parser = _PARSERS.get(key)
        if parser is None:
            known = ", ".join(KNOWN_FAULTS)
            raise FaultValueError(f"unknown fault {key!r} (known: {known})")
        try:
            faults = replace(faults, **{key: parser(value, default_fs)})
        except FaultValueError as exc:
            raise FaultValueError(f"fault {key}: {exc}") from None
    return faults
