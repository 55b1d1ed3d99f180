"""Kusto ``has`` / ``has_any`` semantics, implemented exactly and fast.

What "has" means here (the Sentinel rule's operator, which we reproduce):

* **Terms.** A text is cut into terms the way Kusto's term index cuts a string: maximal runs
  of ASCII letters and digits. Everything else (space, ``:``, ``/``, ``.``, ``-``, ``_``, ``%``,
  quotes, non-ASCII characters) only separates terms. ``%IOS_RESILIENCE-5-IMAGE_RESIL_ACTIVE``
  is the terms ``IOS RESILIENCE 5 IMAGE RESIL ACTIVE``; ``flash:c2900-universalk9-mz.SPA.bin``
  is ``flash c2900 universalk9 mz SPA bin``.
* **Whole terms, case-insensitive.** An indicator cut the same way must equal whole terms of
  the text, ignoring ASCII case: ``rommon`` matches ``ROMMON_CONFIG`` (terms ``ROMMON CONFIG``)
  but not ``rommonitor``; ``.bin`` (the term ``bin``) matches ``x.SPA.bin`` and ``x.bin.bak``
  but not ``x.binary`` or ``cabinet``.
* **Phrases.** An indicator of several terms matches when the text holds the same terms
  *adjacent and in order*, whatever separates them: ``copy tftp`` matches ``copy tftp:``,
  ``copy tftp://10.1.1.1/x.bin`` and ``COPY  TFTP:``, not ``copy flash: tftp:`` nor
  ``copy tftpboot``; ``boot system flash`` matches ``boot system flash:x.bin`` but ``boot
  systems flash:x`` does not even hold the term ``system``.
* Punctuation written in an indicator does not have to appear in the text: ``flash:`` is the
  term ``flash`` and also matches ``... flash, ...``. Kusto's engine may additionally check
  the literal characters of a phrase; this implementation holds to the term model only.
* Kusto indexes only terms of three or more characters and scans for shorter ones; that
  changes speed, not results, so it does not show here.

How it is made fast: each class's indicators compile into one regex (a trie of terms joined
by ``[^A-Za-z0-9]+`` and fenced by letter/digit look-arounds, which is exactly "adjacent whole
terms"). In front of it a prefilter tests, on the lower-cased line, a few plain substrings
(the longest term of each indicator), which every matching line must contain; only lines that
pass it are parsed and matched for real. :func:`has` is the plain tokenising reference the
regexes are tested against.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TypeAlias

_TERM = re.compile(r"[A-Za-z0-9]+")
_SEP = "[^A-Za-z0-9]+"
# ASCII: case folding and letter classes stay ASCII-only, as in Kusto's term index.
_FLAGS = re.IGNORECASE | re.ASCII

# Terms that fill ordinary logs (PAN-OS tags every system log SYSTEM): a prefilter word taken
# from them would let most lines through to the full parse.
_COMMON = frozenset({"system", "failed", "software", "image", "file", "add", "no", "user"})

# A trie of terms; the key "" marks that a phrase may end here.
_Trie: TypeAlias = dict[str, "_Trie"]


def terms(text: str) -> list[str]:
    """The text's terms, lower-cased, in order."""
    return [t.lower() for t in _TERM.findall(text)]


def has(text: str, indicator: str) -> bool:
    """Reference implementation: ``text has indicator`` by comparing term sequences."""
    want = terms(indicator)
    if not want:
        return False
    got = terms(text)
    n = len(want)
    return any(got[i : i + n] == want for i in range(len(got) - n + 1))


def has_any(text: str, indicators: Iterable[str]) -> bool:
    return any(has(text, i) for i in indicators)


def phrase_regex(indicators: Iterable[str]) -> re.Pattern[str]:
    """One regex that finds any of the indicators with ``has`` semantics."""
    trie: _Trie = {}
    for indicator in indicators:
        words = terms(indicator)
        if not words:
            continue
        node = trie
        for term in words:
            node = node.setdefault(term, {})
        node[""] = {}
    if not trie:
        raise ValueError("no indicator has a term")
    return re.compile(rf"(?<![A-Za-z0-9])(?:{_alternation(trie)})(?![A-Za-z0-9])", _FLAGS)


def _alternation(node: _Trie) -> str:
    branches = []
    # Longer terms first so "https" is tried before "http"; the look-ahead fence keeps it
    # exact either way, this only avoids needless backtracking.
    for term in sorted((k for k in node if k), key=lambda k: (-len(k), k)):
        child = node[term]
        rest = [k for k in child if k]
        if not rest:
            branches.append(re.escape(term))
            continue
        tail = f"{_SEP}(?:{_alternation(child)})"
        optional = "" in child
        branches.append(re.escape(term) + (f"(?:{tail})?" if optional else tail))
    return "|".join(branches)


def prefilter_words(groups: Sequence[Sequence[str]]) -> list[str]:
    """Lower-case substrings, one of which every text matching *all* groups contains.

    One group suffices (all must match), so take the group whose words are longest, i.e.
    least likely to occur by chance ("tar" hides in "started"; "flash" rarely does).
    """
    best: list[str] = []
    best_score = -1
    for group in groups:
        words = _cover([terms(i) for i in group])
        score = min((len(w) for w in words), default=0)
        if score > best_score:
            best, best_score = words, score
    return best


def _cover(phrases: Iterable[list[str]]) -> list[str]:
    """One word per phrase (its longest uncommon term), reusing a word already chosen when a
    phrase holds it, so "copy https" adds nothing once "copy" is in."""
    chosen: list[str] = []
    for phrase in sorted((p for p in phrases if p), key=len):
        if not any(w in t for w in chosen for t in phrase):
            rare = [t for t in phrase if t not in _COMMON] or phrase
            chosen.append(max(rare, key=len))
    return chosen


def minimal_words(words: Iterable[str]) -> tuple[str, ...]:
    """Drop words that contain another kept word: the shorter one already catches them."""
    kept: list[str] = []
    for word in sorted(set(words), key=lambda w: (len(w), w)):
        if not any(k in word for k in kept):
            kept.append(word)
    return tuple(kept)


class ClassMatcher:
    """Matches one indicator class: every group must have a ``has`` hit (has_any AND ...)."""

    def __init__(self, name: str, groups: Sequence[Sequence[str]]) -> None:
        self.name = name
        self.regexes = tuple(phrase_regex(g) for g in groups)
        self.words = prefilter_words(groups)

    def __call__(self, text: str) -> bool:
        return all(r.search(text) is not None for r in self.regexes)


class Matcher:
    """All classes of an indicator set, with the shared prefilter."""

    def __init__(self, classes: Sequence[tuple[str, Sequence[Sequence[str]]]]) -> None:
        self.classes = tuple(ClassMatcher(name, groups) for name, groups in classes)
        self.words = minimal_words(w for c in self.classes for w in c.words)

    def candidate(self, line: str) -> bool:
        """False only when no class can match anywhere in ``line`` (cheap, exact superset)."""
        low = line.lower()
        return any(w in low for w in self.words)

    def classify(self, message: str) -> tuple[bool, ...]:
        """Per class, in order: does the message match it?"""
        return tuple(c(message) for c in self.classes)
