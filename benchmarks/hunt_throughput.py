"""Syslog hunt throughput on a generated fleet log (default 1M lines).

    python benchmarks/hunt_throughput.py [--lines N] [--gzip] [--check]

Generates the file with the hunt's own generator in a temporary directory, then times, over
the same file in the same run: reading and splitting every line (the floor any Python scan
pays), a naive scan (``any(s in line.lower() ...)`` over every indicator string: the substring
search `has` is often mistaken for), and the hunt itself (parse, has-match, extract, sort).
Prints lines per second and the ratios. Target: >= 100k lines/s. ``--check`` exits 1 below it.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from imagesweep.hunt import generate, indicators
from imagesweep.hunt.hits import find_hits
from imagesweep.hunt.timestamps import TimeContext

TARGET = 100_000


def _open(path: Path) -> TextIO:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def _lines(path: Path) -> Iterator[str]:
    with _open(path) as fh:
        yield from fh


def read_and_split(path: Path) -> int:
    count = 0
    for line in _lines(path):
        line.split()
        count += 1
    return count


def naive_substring(path: Path, needles: list[str]) -> int:
    hits = 0
    for line in _lines(path):
        low = line.lower()
        if any(n in low for n in needles):
            hits += 1
    return hits


def _timed(label: str, lines: int, func: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = func()
    seconds = time.perf_counter() - start
    rate = lines / seconds
    print(f"{label:<28} {seconds:7.2f} s  {rate:>12,.0f} lines/s", flush=True)
    return rate, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--gzip", action="store_true", help="hunt a gzip-compressed file")
    parser.add_argument("--check", action="store_true", help=f"exit 1 below {TARGET:,} lines/s")
    args = parser.parse_args(argv)

    ind = indicators.load()
    needles = sorted({i.text.lower() for c in ind.classes for g in c.require for i in g})
    start = datetime(2024, 3, 3, tzinfo=UTC)
    with tempfile.TemporaryDirectory(prefix="hunt-bench-") as tmp:
        path = Path(tmp) / ("fleet.log.gz" if args.gzip else "fleet.log")
        t0 = time.perf_counter()
        made = generate.write(path, lines=args.lines, start=start, span=timedelta(hours=24))
        size = path.stat().st_size
        print(
            f"generated {made.lines:,} lines ({size / 1e6:.0f} MB) from {len(made.devices)} "
            f"devices in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        base, _ = _timed("baseline: read + split", args.lines, lambda: read_and_split(path))
        naive, naive_hits = _timed(
            "baseline: naive substring", args.lines, lambda: naive_substring(path, needles)
        )
        ctx = TimeContext(year=2024)
        rate, result = _timed(
            "hunt (has semantics)",
            args.lines,
            lambda: find_hits([path], indicators=ind, ctx=ctx),
        )
    hits = len(result.hits)  # type: ignore[attr-defined]
    print(f"hunt / read+split: {rate / base:.2f}x   hunt / naive substring: {rate / naive:.2f}x")
    print(f"hits: hunt {hits}, naive substring {naive_hits}; injected {len(made.injected)}")
    met = rate >= TARGET
    print(f"target >= {TARGET:,} lines/s: {'met' if met else 'NOT met'}")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
