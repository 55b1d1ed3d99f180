"""The hunt itself: read files, match each message, extract the rule's fields."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from imagesweep.hunt.extract import Extracted, Extractor
from imagesweep.hunt.indicators import Indicators, matcher_for
from imagesweep.hunt.readers import Event, FileStats, read
from imagesweep.hunt.timestamps import TimeContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    event: Event
    classes: tuple[bool, ...]  # one per indicator class, in the indicators file's order
    extracted: Extracted
    suppressed: tuple[str, ...] = ()  # why it is set aside; () when it stands

    @property
    def is_suppressed(self) -> bool:
        return bool(self.suppressed)

    def suppress(self, reason: str) -> Hit:
        return replace(self, suppressed=(*self.suppressed, reason))


@dataclass(frozen=True)
class HuntResult:
    hits: tuple[Hit, ...]  # newest first; events without a time last
    files: tuple[FileStats, ...]
    indicators: Indicators
    since: datetime | None
    outside_window: int  # hits dropped because older than ``since`` (counted, by request)

    @property
    def lines(self) -> int:
        return sum(f.lines for f in self.files)

    @property
    def unparsed(self) -> int:
        return sum(f.unparsed for f in self.files)


def newest_first(hits: Iterable[Hit]) -> list[Hit]:
    ordered = sorted(hits, key=lambda h: (h.event.source, h.event.line))
    floor = datetime.min.replace(tzinfo=UTC)
    ordered.sort(key=lambda h: h.event.time or floor, reverse=True)
    return ordered


def find_hits(
    paths: Sequence[str | Path],
    *,
    indicators: Indicators,
    ctx: TimeContext,
    since: datetime | None = None,
    fmt: str = "auto",
) -> HuntResult:
    """Every message in ``paths`` that matches an indicator class (has semantics).

    A hit older than ``since`` is left out (and counted); a hit without a time is kept, since
    nothing says it is old.
    """
    matcher = matcher_for(indicators)
    extract = Extractor(indicators)
    found: list[Hit] = []
    files: list[FileStats] = []
    old = 0
    for path in paths:
        stats = FileStats(source=str(path))
        files.append(stats)
        for event in read(path, stats=stats, ctx=ctx, prefilter=matcher.words, fmt=fmt):
            classes = matcher.classify(event.message)
            if not any(classes):
                continue
            if since is not None and event.time is not None and event.time < since:
                old += 1
                continue
            found.append(Hit(event=event, classes=classes, extracted=extract(event.message)))
        log.info("%s: %d lines, %d unparseable", path, stats.lines, stats.unparsed)
    return HuntResult(
        hits=tuple(newest_first(found)),
        files=tuple(files),
        indicators=indicators,
        since=since,
        outside_window=old,
    )
