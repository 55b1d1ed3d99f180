"""The lab's exec parser: keyword trees, abbreviations, carets, pipes, in each vendor's dialect.

A command is matched word by word against a tree of keywords, the way IOS does it: a word
may be any unambiguous prefix of a keyword (``sh ver``), an exact keyword wins over longer
ones, several candidates are ambiguous, and a word that matches nothing is invalid input with
a caret under the first character no keyword accepts. NX-OS, IOS XR, Junos and PAN-OS parse
the same way; what differs is the prompt, the words of the error messages and the names of
the output filters: a :class:`Dialect` per CLI family holds those.
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


@dataclass(frozen=True)
class Dialect:
    """How one CLI family words its prompt, its parse errors and its output filters.

    The error templates take ``caret`` (a line with ``^`` under the offending column, the
    prompt's width included), ``line`` (as typed, stripped) and ``word`` (the offending word).
    """

    name: str
    invalid: str
    invalid_first: str  # the first word matches no command
    ambiguous: str
    incomplete: str
    filters: Mapping[str, str]  # pipe keyword as typed -> include|exclude|begin|section|count|all
    count: str  # what a counting filter prints, with {n}
    prompt_end: str = "#"  # "#" privileged / ">" user EXEC; Junos and PAN-OS: "> " always


DIALECTS: dict[str, Dialect] = {
    "ios": Dialect(
        name="ios",
        invalid="{caret}\n% Invalid input detected at '^' marker.\n\n",
        invalid_first="% Unknown command or computer name, or unable to find computer address\n",
        ambiguous='% Ambiguous command:  "{line}"\n',
        incomplete="% Incomplete command.\n\n",
        filters={k: k for k in ("begin", "count", "exclude", "include", "section")},
        count="Number of lines which match regexp = {n}\n",
    ),
    "nxos": Dialect(
        name="nxos",
        invalid="{caret}\n% Invalid command at '^' marker.\n\n",
        invalid_first="{caret}\n% Invalid command at '^' marker.\n\n",
        ambiguous="{caret}\n% Ambiguous command at '^' marker.\n\n",
        incomplete="{caret}\n% Incomplete command at '^' marker.\n\n",
        filters={
            **{k: k for k in ("begin", "count", "exclude", "include", "section")},
            "grep": "include",
            "egrep": "include",
            "no-more": "all",
        },
        count="{n}\n",
    ),
    "xr": Dialect(
        name="xr",
        invalid="{caret}\n% Invalid input detected at '^' marker.\n",
        invalid_first="{caret}\n% Invalid input detected at '^' marker.\n",
        ambiguous='% Ambiguous command:  "{line}"\n',
        incomplete="% Incomplete command.\n",
        filters={k: k for k in ("begin", "count", "exclude", "include", "section")},
        count="Number of lines which match regexp = {n}\n",
    ),
    "junos": Dialect(
        name="junos",
        invalid="{caret}\nsyntax error.\n\n",
        invalid_first="{caret}\nsyntax error, expecting <command>.\n\n",
        ambiguous="{caret}\n'{word}' is ambiguous.\n\n",
        incomplete="{caret}\nsyntax error, expecting <command>.\n\n",
        filters={
            "match": "include",
            "except": "exclude",
            "find": "begin",
            "count": "count",
            "no-more": "all",
        },
        count="Count: {n} lines\n\n",
        prompt_end="> ",
    ),
    "panos": Dialect(
        name="panos",
        invalid="Invalid syntax.\n\n",
        invalid_first="Unknown command: {word}\n\n",
        ambiguous="Invalid syntax.\n\n",
        incomplete="Invalid syntax.\n\n",
        filters={"match": "include", "except": "exclude"},
        count="{n}\n",
        prompt_end="> ",
    ),
}


@dataclass
class Ctx:
    """What a handler may look at: the device, its storage and the session's state."""

    device: Device
    storage: Storage
    privileged: bool = False
    term_length: int = 24
    term_width: int = 80

    @property
    def dialect(self) -> Dialect:
        return DIALECTS[self.device.spec.cli]

    @property
    def prompt(self) -> str:
        device, dialect = self.device, self.dialect
        if dialect.prompt_end == "> ":  # Junos and PAN-OS: user@host> (operational mode)
            return f"{device.credentials.username}@{device.hostname}> "
        if dialect.name == "xr":  # RP/0/RP0/CPU0:host#
            return f"{device.spec.node}:{device.hostname}#"
        return device.hostname + ("#" if self.privileged else ">")

    @property
    def greeting(self) -> str:
        """What the shell prints when it opens, up to and including the first prompt."""
        name = self.dialect.name
        if name == "junos":
            return f"--- JUNOS {self.device.version} built 2023-11-08 21:09:35 UTC\r\n{self.prompt}"
        if name == "panos":
            # PAN-OS draws its prompt twice once the terminal is set up
            return (
                "Last login: Fri Mar  1 11:58:02 2024 from 192.0.2.250\r\n\r\n"
                "Number of failed attempts since last successful login: 0\r\n\r\n\r\n\r\n"
                f"{self.prompt}\r\n{self.prompt}"
            )
        return "\r\n" + self.prompt


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


def _error(ctx: Ctx, template: str, *, pos: int, line: str, word: str = "") -> Reply:
    caret = " " * (len(ctx.prompt) + pos) + "^"
    return Reply.of(template.format(caret=caret, line=line.strip(), word=word))


def invalid(ctx: Ctx, pos: int, line: str = "") -> Reply:
    """The dialect's "invalid input" reply, caret under column ``pos`` of the typed line."""
    return _error(ctx, ctx.dialect.invalid, pos=pos, line=line)


def dispatch(root: Node, line: str, ctx: Ctx) -> Reply:
    """Run one typed line; the dialect's error messages for what does not parse."""
    command, _, pipe = line.partition("|")
    words = tokens(command)
    if not words:
        return Reply()
    dialect = ctx.dialect
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
            return _error(ctx, dialect.ambiguous, pos=word.start, line=line, word=word.text)
        if node is root and (len(words) == 1 or dialect.name != "ios"):
            template = dialect.invalid_first
            return _error(ctx, template, pos=word.start + accepted, line=line, word=word.text)
        return invalid(ctx, word.start + accepted, line)
    if node.handler is None:
        return _error(ctx, dialect.incomplete, pos=len(command.rstrip()) + 1, line=line)
    return _run(node, ctx, (), pipe, line)


def _run(node: Node, ctx: Ctx, args: tuple[Token, ...], pipe: str, line: str) -> Reply:
    assert node.handler is not None
    try:
        reply = node.handler(ctx, args)
    except InvalidInput as exc:
        return invalid(ctx, exc.pos, line)
    except IncompleteCommand:
        return _error(ctx, ctx.dialect.incomplete, pos=len(line.rstrip()) + 1, line=line)
    if not pipe:
        return reply
    offset = len(line) - len(pipe)
    try:
        keep = _output_filter(ctx.dialect, pipe, offset)
    except InvalidInput as exc:
        return invalid(ctx, exc.pos, line)
    except IncompleteCommand:
        return _error(ctx, ctx.dialect.incomplete, pos=len(line.rstrip()) + 1, line=line)
    pauses = sum(p for p in reply.parts if isinstance(p, float))
    filtered = keep(reply.text)
    return Reply((pauses, filtered) if pauses else (filtered,), reply.action)


def _output_filter(dialect: Dialect, pipe: str, offset: int) -> Callable[[str], str]:
    words = tokens(pipe)
    if not words:
        raise InvalidInput(offset)
    typed, candidates, accepted = _choose(words[0].text, list(dialect.filters))
    if not typed:
        raise InvalidInput(offset + words[0].start + (0 if candidates else accepted))
    chosen = dialect.filters[typed]
    if chosen == "all":
        return lambda text: text
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
            return dialect.count.format(n=matched)
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
