"""One SSH shell on a lab device: the IOS line editor, prompt, enable, pager.

Like IOS, it echoes every character it reads, ends lines with CR LF, prints the prompt with
no newline after it, reads the enable secret without echo, and pages output with
``--More--`` until ``terminal length 0``. Typed-ahead input waits its turn.

The channel carries bytes: input is decoded as UTF-8 here, output encoded with
``surrogateescape`` so a fault can put bytes on the wire that are not UTF-8. The device's
faults (:mod:`imagesweep.lab.faults`) act through their hooks at login, at ``enable`` and
around each command.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import asyncssh

from imagesweep.lab.commands import Ctx, Node, Part, dispatch

log = logging.getLogger(__name__)

_MORE = " --More-- "
_ERASE_MORE = "\b" * len(_MORE) + " " * len(_MORE) + "\b" * len(_MORE)
_INTERRUPTIONS = (asyncssh.TerminalSizeChanged, asyncssh.BreakReceived, asyncssh.SignalReceived)
_STUCK_PAGE = 24  # lines per page when the pager fault ignores "terminal length 0"
_FLOOD_LINE = f"{'flood line: the device keeps printing and printing ...':<78}\r\n"
_FLOOD_CHUNK = _FLOOD_LINE * (65_536 // len(_FLOOD_LINE))
_AFTER_LATE_PROMPT = 0.05  # seconds between a late prompt and reading typed-ahead input


def encode(text: str) -> bytes:
    """Text to the wire; lone surrogates (a fault's invalid bytes) go out as raw bytes."""
    return text.encode("utf-8", "surrogateescape")


class _Closed(Exception):
    """The client went away."""


class _Aborted(Exception):
    """The user quit the pager."""


class Session:
    def __init__(
        self,
        ctx: Ctx,
        root: Node,
        process: asyncssh.SSHServerProcess[Any],
        *,
        on_prompt: Callable[[], None] | None = None,
        login_number: int = 1,
    ) -> None:
        self.ctx = ctx
        self.login_number = login_number  # the device's how-manieth interactive login
        self.root = root
        self.process = process
        self.faults = ctx.device.faults
        self._on_prompt = on_prompt  # called once, when the first prompt is out
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""  # received, not yet processed
        self._out: list[str] = []  # written, not yet sent
        self._last_cr = False
        self._page_count = 0
        self._lines = 0  # lines read at the exec prompt

    # --- I/O -------------------------------------------------------------------------------

    def _write(self, text: str) -> None:
        self._out.append(text)

    async def _flush(self) -> None:
        if not self._out:
            return
        data, self._out = "".join(self._out), []
        await self._send(encode(data))

    async def _send(self, data: bytes) -> None:
        try:
            self.process.stdout.write(data)
            await self.process.stdout.drain()
        except (OSError, asyncssh.Error) as exc:
            raise _Closed from exc

    async def _getch(self) -> str:
        while not self._pending:
            await self._flush()
            try:
                data = await self.process.stdin.read(4096)
            except _INTERRUPTIONS:
                continue
            except (OSError, asyncssh.Error) as exc:
                raise _Closed from exc
            if not data:
                raise _Closed
            delay = self.faults.input_delay()
            if delay > 0:  # a round trip: the device sees what the client sent this late
                await asyncio.sleep(delay)
            self._pending = self._decoder.decode(data)
        ch, self._pending = self._pending[0], self._pending[1:]
        return ch

    def _enter_pressed(self, ch: str) -> bool | None:
        """True for Enter, None for the LF of a CR LF pair (to skip), False otherwise."""
        if ch == "\n" and self._last_cr:
            self._last_cr = False
            return None
        self._last_cr = ch == "\r"
        return ch in "\r\n"

    # --- the exec loop ---------------------------------------------------------------------

    async def run(self) -> None:
        try:
            delay = self.faults.login_delay(self.login_number)
            if delay > 0:  # slow AAA: the prompt comes late, typed-ahead input waits
                await asyncio.sleep(delay)
            self._write(self.ctx.greeting)  # banner and first prompt, per CLI dialect
            await self._flush()
            if self._on_prompt is not None:
                self._on_prompt()
            await self._loop()
        except _Closed:
            pass
        finally:
            with contextlib.suppress(_Closed):
                await self._flush()
            self.process.exit(0)

    async def _loop(self) -> None:
        line = ""
        while True:
            ch = await self._getch()
            enter = self._enter_pressed(ch)
            if enter is None:
                continue
            if enter:
                self._write("\r\n")
                if not await self._execute(line):
                    return
                line = ""
                self._lines += 1
                late = self.faults.late_prompt_delay(self._lines)
                if late > 0:
                    await self._late_prompt(late)
                else:
                    self._write(self.ctx.prompt)
            elif ch in "\x08\x7f":
                if line:
                    line = line[:-1]
                    self._write("\b \b")
            elif ch == "\x15":  # ^U erases the line
                self._write("\b \b" * len(line))
                line = ""
            elif ch == "\x1b":  # drop cursor keys and other escape sequences
                await self._skip_escape()
            elif ch >= " ":
                line += ch
                self._write(ch)

    async def _skip_escape(self) -> None:
        ch = await self._getch()
        if ch not in "[O":
            return
        while True:
            ch = await self._getch()
            if "@" <= ch <= "~":
                return

    async def _execute(self, line: str) -> bool:
        """Run one line; False when the session ends."""
        if self.faults.hangs(line):
            await self._hang()
        reply = dispatch(self.root, line, self.ctx)
        self._page_count = 0
        parts = tuple(self.faults.garble(line, p) if isinstance(p, str) else p for p in reply.parts)
        if self.faults.drops_during(line):
            await self._drop(parts)
        flood = self.faults.flood_bytes(line)
        if flood:
            await self._flood(flood)
        try:
            await self._emit(parts)
        except _Aborted:
            self._write("\r\n")
        hostname = self.faults.hostname_after(line, self.ctx.device.hostname)
        if hostname != self.ctx.device.hostname:
            self.ctx.device = replace(self.ctx.device, hostname=hostname)
        if reply.action == "exit":
            return False
        if reply.action == "disable":
            self.ctx.privileged = False
        elif reply.action == "enable":
            await self._enable()
        return True

    async def _enable(self) -> None:
        if self.ctx.privileged:
            return
        self._write("Password: ")
        secret = ""
        while True:
            ch = await self._getch()
            enter = self._enter_pressed(ch)
            if enter:
                break
            if enter is False and ch >= " ":
                secret += ch
        self._write("\r\n")
        refusal = self.faults.enable_refusal()
        if refusal:
            self._write(f"{refusal}\r\n\r\n")
        elif secret == self.ctx.device.credentials.secret:
            self.ctx.privileged = True
        else:
            # AAA-style refusal: one line, back to user EXEC (no re-prompt, no timeout)
            self._write("% Access denied\r\n\r\n")

    # --- faults ----------------------------------------------------------------------------

    async def _late_prompt(self, delay: float) -> None:
        """The output is out; the prompt follows ``delay`` seconds later, on the wire alone,
        and what was typed ahead meanwhile is read a moment after it, as a busy device does."""
        await self._flush()
        await asyncio.sleep(delay)
        self._write(self.ctx.prompt)
        await self._flush()
        await asyncio.sleep(_AFTER_LATE_PROMPT)

    async def _hang(self) -> None:
        """A command that never returns: read and ignore input until the client goes."""
        await self._flush()
        self._pending = ""
        while True:
            try:
                data = await self.process.stdin.read(4096)
            except _INTERRUPTIONS:
                continue
            except (OSError, asyncssh.Error) as exc:
                raise _Closed from exc
            if not data:
                raise _Closed

    async def _drop(self, parts: tuple[Part, ...]) -> None:
        """Print about half of the progress dots, then lose the connection."""
        text = "".join(p for p in parts if isinstance(p, str))
        dots = len(text) - len(text.lstrip(".\n"))
        self._write(text[: max(1, dots // 2)].replace("\n", "\r\n"))
        await self._flush()
        await asyncio.sleep(0.2)
        self.process.channel.get_connection().abort()
        raise _Closed

    async def _flood(self, size: int) -> None:
        await self._flush()
        chunk = encode(_FLOOD_CHUNK)
        sent = 0
        piece = b"\n"
        while sent < size:  # in chunks: the lab's memory stays small whatever the size
            piece = chunk[: size - sent]
            await self._send(piece)
            sent += len(piece)
        if not piece.endswith(b"\n"):
            self._write("\r\n")

    # --- output and the pager --------------------------------------------------------------

    async def _emit(self, parts: tuple[Part, ...]) -> None:
        for part in parts:
            if isinstance(part, float):
                await self._flush()
                await asyncio.sleep(part)
            else:
                await self._page(part)

    async def _page(self, text: str) -> None:
        length = self.ctx.term_length
        if length == 0 and self.faults.keeps_paging():
            length = _STUCK_PAGE
        for segment in text.splitlines(keepends=True):
            if length > 0 and self._page_count >= length - 1:
                self._write(_MORE)
                key = await self._getch()
                self._write(_ERASE_MORE)
                if key == " ":
                    self._page_count = 0
                elif key in "\r\n":
                    self._last_cr = key == "\r"
                    self._page_count -= 1
                else:
                    raise _Aborted
            self._write(segment.replace("\n", "\r\n"))
            if segment.endswith("\n"):
                self._page_count += 1
