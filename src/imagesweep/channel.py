"""One command over an open Netmiko channel, with the bounds a hostile device needs.

Netmiko's ``send_command`` reads until the prompt with no cap on size (its read loop drains
whatever the device sends, re-scanning the growing buffer), treats a dropped session as a
long timeout, and answers a ``--More--`` pager silently. Here each read is one bounded
``recv``; the output is capped; a closed channel is noticed at once; a pager, which should be
off after ``terminal length 0``, stops the session; the absolute timeout is the caller's.
"""

from __future__ import annotations

import re
import time
from typing import Any

_PAGER = re.compile(r"(?:--More--|<--- More --->|---\(more(?: \d+%)?\)---)\s*$", re.IGNORECASE)
_TAIL = 4096  # prompt and pager markers are looked for in the last bytes only


class ChannelError(Exception):
    """The exchange failed; the channel is out of sync and must not be used again."""


def _prompt_pattern(base_prompt: str) -> re.Pattern[str]:
    # The last line starts with the base prompt Netmiko found at login ("R1", "admin@mx1")
    # and ends with the prompt character; mode suffixes such as "(config)" may sit between.
    return re.compile(rf"(?:^|\n)[^\S\n]*{re.escape(base_prompt)}[^\n]{{0,80}}[#>$%][^\S\n]*$")


def _closed(conn: Any) -> bool:
    chan = getattr(conn, "remote_conn", None)
    if chan is None:
        return True
    if getattr(chan, "closed", False) or getattr(chan, "eof_received", False):
        return True
    transport = chan.get_transport() if hasattr(chan, "get_transport") else None
    return transport is not None and not transport.is_active()


def exchange(conn: Any, command: str, *, timeout: float, max_chars: int) -> tuple[str, bool]:
    """Send ``command``; return (output without echo and prompt, whether it was cut).

    Raises :class:`ChannelError` on timeout, a dropped session or an active pager; when the
    output passes ``max_chars`` the exchange stops, returns what it kept with ``True`` and the
    caller must end the session (the rest is still in flight).
    """
    prompt = _prompt_pattern(str(conn.base_prompt))
    conn.write_channel(conn.normalize_cmd(command))
    parts: list[str] = []
    size = 0
    tail = ""
    deadline = time.monotonic() + timeout
    pause = 0.002
    while True:
        data = conn.channel.read_buffer()
        if data:
            parts.append(data)
            size += len(data)
            tail = (tail + data)[-_TAIL:]
            pause = 0.002
            if size > max_chars:
                return _strip("".join(parts)[:max_chars], command, None), True
            normalised = tail.replace("\r\n", "\n").replace("\r", "\n")
            if prompt.search(normalised):
                return _strip("".join(parts), command, prompt), False
            if _PAGER.search(normalised):
                raise ChannelError(
                    "the device paginates output (--More--) although paging was turned off"
                )
            continue
        if _closed(conn):
            raise ChannelError("the device closed the session")
        if time.monotonic() > deadline:
            raise ChannelError(f"no prompt within {timeout:g} s")
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _strip(output: str, command: str, prompt: re.Pattern[str] | None) -> str:
    text = output.replace("\r\n", "\n").replace("\r", "\n")
    first, _, rest = text.partition("\n")
    if command.strip() and command.strip() in first:
        text = rest
    if prompt is not None:
        text = prompt.sub("", text)
    return text
