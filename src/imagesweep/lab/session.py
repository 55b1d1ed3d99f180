"""One SSH shell on a lab device: the IOS line editor, prompt, enable, pager.

Like IOS, it echoes every character it reads, ends lines with CR LF, prints the prompt with
no newline after it, reads the enable secret without echo, and pages output with
``--More--`` until ``terminal length 0``. Typed-ahead input waits its turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncssh

from imagesweep.lab.commands import Ctx, Node, Part, dispatch

log = logging.getLogger(__name__)

_MORE = " --More-- "
_ERASE_MORE = "\b" * len(_MORE) + " " * len(_MORE) + "\b" * len(_MORE)
_INTERRUPTIONS = (asyncssh.TerminalSizeChanged, asyncssh.BreakReceived, asyncssh.SignalReceived)


class _Closed(Exception):
    """The client went away."""


class _Aborted(Exception):
    """The user quit the pager."""


class Session:
    def __init__(self, ctx: Ctx, root: Node, process: asyncssh.SSHServerProcess[Any]) -> None:
        self.ctx = ctx
        self.root = root
        self.process = process
        self._pending = ""  # received, not yet processed
        self._out: list[str] = []  # written, not yet sent
        self._last_cr = False
        self._page_count = 0

    # --- I/O -------------------------------------------------------------------------------

    def _write(self, text: str) -> None:
        self._out.append(text)

    async def _flush(self) -> None:
        if not self._out:
            return
        data, self._out = "".join(self._out), []
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
            self._pending = data
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
            self._write("\r\n" + self.ctx.prompt)
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
        reply = dispatch(self.root, line, self.ctx)
        self._page_count = 0
        try:
            await self._emit(reply.parts)
        except _Aborted:
            self._write("\r\n")
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
        if secret == self.ctx.device.credentials.secret:
            self.ctx.privileged = True
        else:
            # AAA-style refusal: one line, back to user EXEC (no re-prompt, no timeout)
            self._write("% Access denied\r\n\r\n")

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
