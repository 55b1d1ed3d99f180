"""One command over an open Netmiko channel, with the bounds a hostile device needs.

Netmiko's ``send_command`` reads until the prompt with no cap on size (its read loop drains
whatever the device sends, re-scanning the growing buffer), treats a dropped session as a
long timeout, answers a ``--More--`` pager silently, and decodes each read on its own with
errors ignored, so bytes that are not text vanish without a trace. Here each read is one
bounded ``recv`` of bytes, decoded incrementally (invalid bytes are counted, not dropped);
the output is capped; a closed channel is noticed at once; a pager, which should be off after
``terminal length 0``, stops the session; so does a prompt that is not the one the session
began with; the absolute timeout is the caller's.

Only a prompt after the command's echo ends a reply. Netmiko's session preparation can leave
a prompt unread (``find_prompt`` takes an earlier prompt for the answer to its Enter and
drains the channel for only 0.1 s), and a loaded device prints it late: read as the answer
to ``enable`` it said "refused" for 2-4 % of a healthy fleet (issue 14); read as the answer
to ``show version`` it would put every later output one command behind. Netmiko's own
``enable`` and ``send_command`` wait for the echo too (``cmd_verify``).
"""

from __future__ import annotations

import codecs
import re
import time
from dataclasses import dataclass
from typing import Any

_PAGER = re.compile(r"(?:--More--|<--- More --->|---\(more(?: \d+%)?\)---)\s*$", re.IGNORECASE)
# A last line that looks like some CLI prompt: a name, an optional "(mode)", # or >.
_ANY_PROMPT = re.compile(r"(?:^|\n)([^\s#>()]{1,80}(?:\([^\n()]{0,40}\))?[#>])[^\S\n]?$")
_ENABLE_PASSWORD = re.compile(r"(?:^|\n)[^\n]{0,40}[Pp]assword:[^\S\n]*$")
_TAIL = 4096  # prompt and pager markers are looked for in the last characters only
_RECV = 65_536
_PROMPT_SETTLE = 2.0  # seconds a foreign prompt must stand still before the session ends
_ECHO_WINDOW = 65_536  # characters within which the command's echo must appear
INVALID_TEXT = "\ufffd"  # what an undecodable byte sequence becomes


class ChannelError(Exception):
    """The exchange failed; the channel is out of sync and must not be used again.

    ``partial`` holds what the device printed before the failure (echo included), so that
    nothing it said is lost."""

    def __init__(self, reason: str, partial: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.partial = partial


@dataclass(frozen=True)
class Reply:
    """What one command printed, without its echo and the closing prompt."""

    text: str
    truncated: bool = False  # the output passed the cap; the rest was not read
    invalid: int = 0  # byte sequences that were not valid UTF-8 (each became U+FFFD)


def prompt_pattern(base_prompt: str) -> re.Pattern[str]:
    # The last line starts with the base prompt Netmiko found at login ("R1", "admin@mx1"),
    # then an optional mode in parentheses ("(config)"), then the prompt character.
    return re.compile(
        rf"(?:^|\n)[^\S\n]*{re.escape(base_prompt)}(?:\([^\n()]{{0,40}}\))?[#>$%][^\S\n]*$"
    )


def _channel(conn: Any) -> Any:
    chan = getattr(conn, "remote_conn", None)
    if chan is None:
        raise ChannelError("the session has no open channel")
    return chan


def _closed(chan: Any) -> bool:
    if getattr(chan, "closed", False) or getattr(chan, "eof_received", False):
        return True
    transport = chan.get_transport() if hasattr(chan, "get_transport") else None
    return transport is not None and not transport.is_active()


class _Reader:
    """Bounded, incremental reads of one channel: bytes in, text out, invalid bytes counted."""

    def __init__(self, chan: Any, max_chars: int) -> None:
        self.chan = chan
        self.max_chars = max_chars
        self.parts: list[str] = []
        self.size = 0
        self.invalid = 0
        self.tail = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def read(self, wait: float) -> str:
        """One read, waiting up to ``wait`` seconds for data: "" when none came;
        ChannelError when the channel closed. Waiting in ``recv`` rather than polling keeps
        hundreds of sessions from burning the CPU the parsing needs."""
        if not self.chan.recv_ready():
            if _closed(self.chan):
                self._finish()
                raise ChannelError("the device closed the session", self.text)
            if wait <= 0:
                return ""
            before = self.chan.gettimeout()
            self.chan.settimeout(wait)
            try:
                data = self.chan.recv(_RECV)
            except TimeoutError:
                return ""
            finally:
                self.chan.settimeout(before)
        else:
            data = self.chan.recv(_RECV)
        if not data:
            self._finish()
            raise ChannelError("the device closed the session", self.text)
        text = self._decoder.decode(data)
        self._add(text)
        return text

    def echo_end(self, command: str) -> int:
        """Where the answer to ``command`` starts in :attr:`text` (after its echo line), or
        -1 while the echo has not come; what came before it (a late prompt) is no answer.
        :class:`ChannelError` when the device printed a lot and no echo."""
        text = self.text
        found = text.find(command.strip())
        if found >= 0:
            newline = text.find("\n", found)
            if newline >= 0:
                return newline + 1
        if self.size > _ECHO_WINDOW:
            raise ChannelError(
                f"the device did not echo the command within {_ECHO_WINDOW} characters",
                text,
            )
        return -1

    def _finish(self) -> None:
        self._add(self._decoder.decode(b"", final=True))

    def _add(self, text: str) -> None:
        if not text:
            return
        self.invalid += text.count(INVALID_TEXT)
        self.parts.append(text)
        self.size += len(text)
        self.tail = (self.tail + text)[-_TAIL:]

    @property
    def over(self) -> bool:
        return self.size > self.max_chars

    def normalised_tail(self) -> str:
        return self.tail.replace("\r\n", "\n").replace("\r", "\n")


# The longest single wait for data: how often an idle session checks its deadline and a
# foreign prompt. Each wake-up of thousands of sessions waiting out minute-long digests costs
# CPU (and the GIL); data, a closed channel and a stop's cut end a wait at once.
_WAIT = 5.0


def _wait(deadline: float) -> float:
    return max(0.0, min(_WAIT, deadline - time.monotonic()))


def exchange(conn: Any, command: str, *, timeout: float, max_chars: int) -> Reply:
    """Send ``command``; return its output without echo and prompt.

    Raises :class:`ChannelError` on timeout, a dropped session, an active pager or a changed
    prompt; when the output passes ``max_chars`` the exchange stops and returns what it kept,
    marked truncated, and the caller must end the session (the rest is still in flight).
    """
    base = str(conn.base_prompt)
    prompt = prompt_pattern(base)
    chan = _channel(conn)
    conn.write_channel(conn.normalize_cmd(command))
    reader = _Reader(chan, max_chars)
    deadline = time.monotonic() + timeout
    quiet_since = time.monotonic()
    start = -1  # where the answer begins, once the echo is in
    suspect = False  # the last line looks like a prompt, though not ours: check it soon
    while True:
        wait = _wait(deadline)
        if suspect:
            wait = min(wait, max(0.0, quiet_since + _PROMPT_SETTLE - time.monotonic()) + 0.05)
        if reader.read(wait):
            quiet_since = time.monotonic()
            if start < 0:
                start = reader.echo_end(command)
                if start < 0:
                    continue
                reader.tail = reader.text[start:][-_TAIL:]
            if reader.over:
                text = reader.text[start:max_chars]
                return Reply(_answer(text, None), True, reader.invalid)
            tail = reader.normalised_tail()
            if prompt.search(tail):
                return Reply(_answer(reader.text[start:], prompt), False, reader.invalid)
            suspect = bool(_ANY_PROMPT.search(tail))
            if _PAGER.search(tail):
                raise ChannelError(
                    "the device paginates output (--More--) although paging was turned off "
                    "at login",
                    reader.text,
                )
            continue
        now = time.monotonic()
        if now > deadline:
            raise ChannelError(f"no prompt within {timeout:g} s", reader.text)
        if start >= 0 and now - quiet_since > _PROMPT_SETTLE:
            foreign = _ANY_PROMPT.search(reader.normalised_tail())
            if foreign:
                raise ChannelError(
                    f"the prompt changed from {base!r} to {foreign.group(1)!r} in the middle "
                    "of the session (another device, or a changed hostname)",
                    reader.text,
                )


def enable(conn: Any, secret: str, *, timeout: float) -> str:
    """Enter privileged EXEC with ``secret``; returns the transcript (the secret is never
    in it). Raises :class:`ChannelError` saying how the device refused.

    The secret is sent at most once: a device that asks again has refused it, and guessing
    on would only bring an account lockout closer."""
    base = str(conn.base_prompt)
    prompt = prompt_pattern(base)
    chan = _channel(conn)
    reader = _Reader(chan, 64 * 1024)
    conn.write_channel(conn.normalize_cmd("enable"))
    deadline = time.monotonic() + timeout
    sent, sent_at = False, -1
    echoed = False
    while True:
        if reader.read(_wait(deadline)):
            if not echoed:
                start = reader.echo_end("enable")
                if start < 0:
                    continue
                echoed = True
                reader.tail = reader.text[start:][-_TAIL:]
            tail = reader.normalised_tail()
            if prompt.search(tail):
                transcript = _redact(reader.text, secret, sent_at)
                if tail.rstrip().endswith("#"):
                    return transcript
                refusal = _refusal(transcript)
                raise ChannelError(
                    "the device refused the enable secret"
                    + (f" ({refusal})" if refusal else " (it stayed in user EXEC mode)"),
                    transcript,
                )
            if _ENABLE_PASSWORD.search(tail):
                if sent:
                    raise ChannelError(
                        "the device refused the enable secret (it asked for it again)",
                        _redact(reader.text, secret, sent_at),
                    )
                conn.write_channel(conn.normalize_cmd(secret))
                sent, sent_at = True, len(reader.text)
                reader.tail = ""  # the next Password: is a new one
            if reader.over:
                raise ChannelError(
                    "endless output after enable", _redact(reader.text, secret, sent_at)[:1000]
                )
            continue
        if time.monotonic() > deadline:
            where = (
                "after the enable secret"
                if sent
                else ("after enable" if echoed else "after enable (no echo of it either)")
            )
            raise ChannelError(
                f"no prompt within {timeout:g} s {where}", _redact(reader.text, secret, sent_at)
            )


def _redact(text: str, secret: str, sent_at: int) -> str:
    """The transcript without the secret: devices do not echo it, but one that did must
    not put it into the report."""
    if sent_at < 0 or not secret:
        return text
    before, after = text[:sent_at], text[sent_at:]
    echo, newline, rest = after.partition("\n")
    if secret in echo:
        echo = "[imagesweep: a line that held the enable secret was withheld]"
    if len(secret) >= 4:
        rest = rest.replace(secret, "********")
    return before + echo + newline + rest


def _refusal(transcript: str) -> str:
    lines = [line.strip() for line in transcript.replace("\r", "\n").split("\n")]
    said = [line for line in lines if line.startswith("%")]
    return said[-1][:200] if said else ""


def _answer(text: str, prompt: re.Pattern[str] | None) -> str:
    """The text after a command's echo, line ends normalised, the closing prompt taken off."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return prompt.sub("", text) if prompt is not None else text


def without_echo(output: str, command: str, prompt: re.Pattern[str] | None = None) -> str:
    """Output with the command's echo, and whatever came before it (a late prompt), taken
    off; ``prompt`` too, when given."""
    text = output.replace("\r\n", "\n").replace("\r", "\n")
    head = text[:_ECHO_WINDOW]
    found = head.find(command.strip()) if command.strip() else -1
    if found >= 0:
        newline = text.find("\n", found)
        text = text[newline + 1 :] if newline >= 0 else ""
    if prompt is not None:
        text = prompt.sub("", text)
    return text
