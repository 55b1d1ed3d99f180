"""The hunt's files and terminal summary.

``hunt.csv`` has the Sentinel rule's projected columns in its order, then the suppression
columns; newest first. Every cell goes through the audit CSVs' rule (:func:`sanitize.csv_cell`:
terminal escapes and control bytes removed, a leading ``= + - @``, tab or carriage return
gets a ``'``), and every file is written as the audit's are (:func:`files.write_atomic`: 0600,
temporary name then rename, so a reader never sees half a file).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from imagesweep import __version__, files
from imagesweep.hunt.correlate import COLUMNS as CORRELATED_COLUMNS
from imagesweep.hunt.correlate import Correlation
from imagesweep.hunt.hits import Hit, HuntResult
from imagesweep.hunt.timestamps import format_utc
from imagesweep.sanitize import csv_cell

RULE_COLUMNS = (
    "TimeGenerated",
    "Computer",
    "HostName",
    "Facility",
    "SeverityLevel",
    "SyslogMessage",
    "ExtractedUser",
    "ExtractedCommand",
    "SourceTransferIP",
    "SyslogFacility",
    "IsImageTransfer",
    "IsBootManipulation",
    "IsIntegrityAlert",
    "IsFlashWrite",
)
HUNT_COLUMNS = (*RULE_COLUMNS, "Suppressed", "SuppressionReason")
UNPARSED_COLUMNS = ("file", "line", "reason", "text")


def safe_cell(value: str) -> str:
    """The audit CSVs' cell rule: escapes and control bytes gone, no formula start."""
    return csv_cell(value)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    """Write a CSV atomically, 0600, every cell through :func:`sanitize.csv_cell`."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    files.write_atomic(path, buffer.getvalue())
    return path


def write_text(path: Path, text: str) -> Path:
    files.write_atomic(path, text)
    return path


def hunt_row(hit: Hit, columns: Sequence[str]) -> list[str]:
    """One hit as hunt.csv cells; ``columns`` are the indicator classes' column names."""
    ev, ex = hit.event, hit.extracted
    flags = dict(zip(columns, hit.classes, strict=True))
    return [
        format_utc(ev.time),
        ev.computer,
        ev.hostname,
        ev.facility,
        ev.severity,
        ev.message,
        ex.user,
        ex.command,
        ex.transfer_host,
        ex.facility,
        _flag(flags.get("IsImageTransfer", False)),
        _flag(flags.get("IsBootManipulation", False)),
        _flag(flags.get("IsIntegrityAlert", False)),
        _flag(flags.get("IsFlashWrite", False)),
        _flag(hit.is_suppressed),
        "; ".join(hit.suppressed),
    ]


def write_hunt(result: HuntResult, out: Path) -> Path:
    columns = [c.column for c in result.indicators.classes]
    return write_csv(out / "hunt.csv", HUNT_COLUMNS, (hunt_row(h, columns) for h in result.hits))


def write_unparsed(result: HuntResult, out: Path) -> Path | None:
    examples = [u for f in result.files for u in f.examples]
    if not examples:
        return None
    rows = ([u.source, str(u.line), u.reason, u.text] for u in examples)
    return write_csv(out / "unparsed.csv", UNPARSED_COLUMNS, rows)


def write_correlated(rows: Sequence[Correlation], out: Path) -> Path:
    return write_csv(out / "correlated.csv", CORRELATED_COLUMNS, (r.row() for r in rows))


def per_device(result: HuntResult) -> list[tuple[str, list[int], int]]:
    """(device, unsuppressed hits per class, suppressed hits), most hits first."""
    n = len(result.indicators.classes)
    counts: dict[str, list[int]] = {}
    suppressed: Counter[str] = Counter()
    for hit in result.hits:
        name = hit.event.device or "(unknown)"
        row = counts.setdefault(name, [0] * n)
        if hit.is_suppressed:
            suppressed[name] += 1
            continue
        for i, flag in enumerate(hit.classes):
            row[i] += flag
    order = sorted(counts, key=lambda d: (-sum(counts[d]), -suppressed[d], d))
    return [(d, counts[d], suppressed[d]) for d in order]


def summary(result: HuntResult) -> dict[str, object]:
    labels = [c.label for c in result.indicators.classes]
    return {
        "tool": "imagesweep",
        "version": __version__,
        "generated_at": format_utc(datetime.now(UTC)),
        "indicators": result.indicators.source,
        "since": format_utc(result.since) if result.since else None,
        "lines": result.lines,
        "hits": len(result.hits),
        "suppressed": sum(h.is_suppressed for h in result.hits),
        "older_than_since": result.outside_window,
        "unparsed": result.unparsed,
        "files": [
            {
                "file": f.source,
                "format": f.format,
                "lines": f.lines,
                "parsed": f.parsed,
                "blank": f.blank,
                "unparsed": f.unparsed,
                "error": f.error,
            }
            for f in result.files
        ],
        "devices": [
            {"device": d, **dict(zip(labels, c, strict=True)), "suppressed": s}
            for d, c, s in per_device(result)
        ],
    }


def write_summary(result: HuntResult, out: Path) -> Path:
    return write_text(out / "hunt.json", json.dumps(summary(result), indent=2) + "\n")


def unreadable(result: HuntResult) -> list[str]:
    """One line per input file the hunt could not read through: binary, cut off, or without
    a single syslog line. Any of these makes the hunt exit 2, whatever it found before."""
    out = []
    for f in result.files:
        if f.error:
            out.append(f"{f.source}: {f.error}")
        elif f.unparsed and f.parsed == 0:
            first = f.examples[0] if f.examples else None
            why = f": line {first.line}: {first.reason}" if first else ""
            out.append(f"{f.source}: none of its {f.lines:,} lines is a log line{why}")
    return out


def terminal(result: HuntResult, *, limit: int = 50) -> str:
    """The summary table for people: per device and class, then what could not be read."""
    buf = io.StringIO()
    hits = len(result.hits)
    suppressed = sum(h.is_suppressed for h in result.hits)
    devices = per_device(result)
    files = len(result.files)
    buf.write(
        f"{result.lines:,} lines in {files} file{'s' * (files != 1)}: {hits} hits on "
        f"{len(devices)} devices ({hits - suppressed} standing, {suppressed} suppressed)"
    )
    if result.outside_window:
        buf.write(f"; {result.outside_window} older than --since left out")
    buf.write("\n")
    if devices:
        labels = [c.label for c in result.indicators.classes]
        width = max(12, *(len(d) for d, _, _ in devices[:limit]))
        head = [f"{'device':<{width}}", *(f"{lab:>{max(len(lab), 5)}}" for lab in labels)]
        buf.write("  ".join([*head, "suppressed"]) + "\n")
        for name, counts, sup in devices[:limit]:
            cells = [f"{name:<{width}}"]
            cells += [f"{c:>{max(len(lab), 5)}}" for c, lab in zip(counts, labels, strict=True)]
            buf.write("  ".join([*cells, f"{sup:>10}"]) + "\n")
        if len(devices) > limit:
            buf.write(f"... {len(devices) - limit} more devices in hunt.csv\n")
    for f in result.files:
        if f.unparsed:
            first = f.examples[0] if f.examples else None
            where = f" (first: line {first.line}: {first.reason})" if first else ""
            buf.write(f"{f.source}: {f.unparsed} unparseable lines{where}\n")
        if f.error:
            buf.write(f"{f.source}: {f.error}\n")
    return buf.getvalue()
