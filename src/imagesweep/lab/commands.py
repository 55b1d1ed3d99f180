"""The IOS exec parser of the lab: keyword trees, abbreviations, carets, pipes.

A command is matched word by word against a tree of keywords, the way IOS does it: a word
may be any unambiguous prefix of a keyword (``sh ver``), an exact keyword wins over longer
ones, several candidates give ``% Ambiguous command``, and a word that matches nothing gives
``% Invalid input detected`` with the caret under the first character no keyword accepts.
Handlers are pure: they read the session context and return a :class:`Reply`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from imagesweep.lab.fleet import Device
    from imagesweep.lab.storage import Storage

Part = str | float  # text to print, or seconds to pause (verify's progress)


@dataclass(frozen=True)
class Reply:
    parts: tuple[Part, ...] = ()
    action: str = ""  # "", "enable", "disable", "exit": what the session does next

    @staticmethod
    def of(text: str) -> Reply:
        return Reply((text,)) if text else Reply()

    @property
    def text(self) -> str:
        return "".join(p for p in self.parts if isinstance(p, str))


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # column in the typed line


class InvalidInput(Exception):
    """Raised by a handler: the caret goes under column ``pos`` of the typed line."""

    def __init__(self, pos: int) -> None:
        super().__init__(pos)
        self.pos = pos


class IncompleteCommand(Exception):
    pass


@dataclass
class Ctx:
    """What a handler may look at: the device, its storage and the session's state."""

    device: Device
    storage: Storage
    privileged: bool = False
    term_length: int = 24
    term_width: int = 80

    @property
    def prompt(self) -> str:
        return self.device.hostname + ("#" if self.privileged else ">")


Handler = Callable[[Ctx, tuple[Token, ...]], Reply]


@dataclass(frozen=True)
class Node:
    children: Mapping[str, Node] = field(default_factory=dict)
    handler: Handler | None = None
    args: bool = False  # the handler takes the words left after this keyword
    privileged: bool = False  # invisible in user EXEC, as IOS hides higher-level commands


def tokens(line: str) -> tuple[Token, ...]:
    return tuple(Token(m.group(), m.start()) for m in re.finditer(r"\S+", line))


def _choose(word: str, keywords: list[str]) -> tuple[str, list[str], int]:
    """(chosen keyword or "", candidates, length of the longest accepted prefix)."""
    low = word.lower()
    exact = [k for k in keywords if low in (k, k.rstrip(":"))]
    if exact:
        return exact[0], exact, len(word)
    candidates = [k for k in keywords if k.startswith(low)]
    if len(candidates) == 1:
        return candidates[0], candidates, len(word)
    if candidates:
        return "", candidates, len(word)
    longest = 0
    for keyword in keywords:
        n = 0
        while n < min(len(low), len(keyword)) and low[n] == keyword[n]:
            n += 1
        longest = max(longest, n)
    return "", [], longest


def invalid(ctx: Ctx, pos: int) -> Reply:
    caret = " " * (len(ctx.prompt) + pos) + "^"
    return Reply.of(f"{caret}\n% Invalid input detected at '^' marker.\n\n")


def dispatch(root: Node, line: str, ctx: Ctx) -> Reply:
    """Run one typed line; IOS error messages for what does not parse."""
    command, _, pipe = line.partition("|")
    words = tokens(command)
    if not words:
        return Reply()
    node = root
    for index, word in enumerate(words):
        visible = {k: n for k, n in node.children.items() if ctx.privileged or not n.privileged}
        chosen, candidates, accepted = _choose(word.text, list(visible))
        if chosen:
            node = visible[chosen]
            continue
        if node.handler is not None and node.args:
            return _run(node, ctx, words[index:], pipe, line)
        if len(candidates) > 1:
            return Reply.of(f'% Ambiguous command:  "{line.strip()}"\n')
        if node is root and len(words) == 1:
            return Reply.of(
                "% Unknown command or computer name, or unable to find computer address\n"
            )
        return invalid(ctx, word.start + accepted)
    if node.handler is None:
        return Reply.of("% Incomplete command.\n\n")
    return _run(node, ctx, (), pipe, line)


def _run(node: Node, ctx: Ctx, args: tuple[Token, ...], pipe: str, line: str) -> Reply:
    assert node.handler is not None
    try:
        reply = node.handler(ctx, args)
    except InvalidInput as exc:
        return invalid(ctx, exc.pos)
    except IncompleteCommand:
        return Reply.of("% Incomplete command.\n\n")
    if not pipe:
        return reply
    offset = len(line) - len(pipe)
    try:
        keep = _output_filter(pipe, offset)
    except InvalidInput as exc:
        return invalid(ctx, exc.pos)
    pauses = sum(p for p in reply.parts if isinstance(p, float))
    filtered = keep(reply.text)
    return Reply((pauses, filtered) if pauses else (filtered,), reply.action)


_FILTERS = ("begin", "count", "exclude", "include", "section")


def _output_filter(pipe: str, offset: int) -> Callable[[str], str]:
    words = tokens(pipe)
    if not words:
        raise InvalidInput(offset)
    chosen, candidates, accepted = _choose(words[0].text, list(_FILTERS))
    if not chosen:
        raise InvalidInput(offset + words[0].start + (0 if candidates else accepted))
    if len(words) < 2:
        raise IncompleteCommand
    # IOS takes the rest of the line as the regular expression, spaces included
    expression = pipe[words[1].start :].strip()
    try:
        pattern = re.compile(expression)
    except re.error:
        raise InvalidInput(offset + words[1].start) from None

    def keep(text: str) -> str:
        lines = text.splitlines()
        if chosen == "include":
            lines = [x for x in lines if pattern.search(x)]
        elif chosen == "exclude":
            lines = [x for x in lines if not pattern.search(x)]
        elif chosen == "begin":
            start = next((i for i, x in enumerate(lines) if pattern.search(x)), len(lines))
            lines = lines[start:]
        elif chosen == "section":
            lines = _section(lines, pattern)
        else:
            matched = sum(1 for x in lines if pattern.search(x))
            return f"Number of lines which match regexp = {matched}\n"
        return "".join(x + "\n" for x in lines)

    return keep


def _section(lines: list[str], pattern: re.Pattern[str]) -> list[str]:
    kept: list[str] = []
    inside = False
    for text in lines:
        if text and not text[0].isspace():
            inside = bool(pattern.search(text))
        if inside:
            kept.append(text)
    return kept
