"""Read syslog files and Sentinel/PAN-OS exports into :class:`Event` rows.

Formats (sniffed per file, gzip recognised by its magic bytes, not its name):

* ``syslog``: one message per line, as rsyslog and syslog-ng write them:
  RFC 3164 (``Mar  3 14:02:11 host tag: msg``, optionally with ``<PRI>``, an ISO 8601 stamp
  as in rsyslog's ``RSYSLOG_FileFormat``, or NX-OS's ``2024 Mar  3 14:02:11 host msg``),
  RFC 5424 (``<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG``) and the device's own log
  buffer (``show logging``: ``000123: *Mar  3 14:02:11.123 UTC: %SYS-5-...``, IOS-XR's
  ``RP/0/RSP0/CPU0:Mar  3 ...: proc[1]: %...``, uptime stamps ``1w2d: %...``). A PAN-OS
  SYSTEM log forwarded as syslog (CSV payload) becomes its Description, with the firewall's
  Device Name as HostName.
* ``sentinel-csv`` / ``sentinel-json``: exports of the Sentinel ``Syslog`` table (portal CSV
  with ``TimeGenerated [UTC]`` headers; JSON arrays, JSON Lines, or the Log Analytics query
  API's ``{"tables": [...]}``).
* ``panos-csv``: a PAN-OS system log exported as CSV (header with Receive Time, Description).

``SyslogMessage`` is what Sentinel would store: the text after the syslog tag (``mgd[42]:``,
Cisco's sequence number ``000123:``). ``Facility``/``SeverityLevel`` come from ``<PRI>``; a
line without it takes its severity from a Cisco ``%FAC-n-MNEMONIC`` level and no facility.

Every non-blank line or row that cannot be read is counted in :class:`FileStats` with its line
number and why (never dropped in silence). With a prefilter (the matcher's substrings), lines
that cannot match are only checked for a valid header, not turned into events; that is what
makes the hunt fast.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from imagesweep.errors import ConfigError
from imagesweep.hunt import timestamps
from imagesweep.hunt.timestamps import TimeContext

FORMATS = ("auto", "syslog", "sentinel-csv", "sentinel-json", "panos-csv")
MAX_EXAMPLES = 1000  # unparseable lines kept per file with their text; all are counted
_TEXT_CAP = 300  # characters of an unparseable line kept as evidence

FACILITIES = (
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
    "authpriv", "ftp", "ntp", "audit", "alert", "clock",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
)  # fmt: skip
SEVERITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")


@dataclass(frozen=True, slots=True)
class Event:
    """One syslog message, in the Sentinel ``Syslog`` table's terms."""

    time: datetime | None  # UTC; None when the line carries no absolute time
    computer: str
    hostname: str
    facility: str
    severity: str
    message: str
    source: str  # file it came from
    line: int  # line (or row) number in that file

    @property
    def device(self) -> str:
        return self.hostname or self.computer


@dataclass(frozen=True, slots=True)
class Unparsed:
    source: str
    line: int
    reason: str
    text: str


@dataclass
class FileStats:
    """Accumulates, while a file is read, what was read and what was not."""

    source: str
    format: str = ""
    lines: int = 0  # physical lines, or rows of an export
    blank: int = 0
    unparsed: int = 0
    examples: list[Unparsed] = field(default_factory=list)
    error: str = ""  # the file could not be read to its end (truncated gzip, bad JSON)

    @property
    def parsed(self) -> int:
        return self.lines - self.blank - self.unparsed

    def reject(self, line: int, reason: str, text: str) -> None:
        self.unparsed += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(Unparsed(self.source, line, reason, text[:_TEXT_CAP]))


# Lower-case substrings one of which every interesting line holds (match.Matcher.words);
# None reads every line into an event.
Prefilter = tuple[str, ...] | None

# --- line formats -------------------------------------------------------------------------

_PRI = r"<(?P<pri>\d{1,3})>"
_BSD_TS = r"(?:\d{4} )?[A-Z][a-z]{2} {1,2}(?P<day>\d{1,2}) \d\d:\d\d:\d\d"
_ISO_TS = r"\d{4}-\d\d-(?P<iday>\d\d)[T ]\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?"
# A hostname never ends with ':' ("Mar  3 14:02:11 UTC: %SYS..." is a device buffer line).
_RFC3164 = re.compile(
    rf"(?:{_PRI})?(?P<ts>{_BSD_TS}|{_ISO_TS}) (?P<host>[^\s]*[^\s:])(?: (?P<msg>.*))?$"
)
# Each SD-PARAM value character is matched by exactly one branch: no catastrophic backtracking.
_SD_ELEMENT = r'\[[^\s=\]"]+(?: [^\s=\]"]+="(?:[^"\\]|\\.)*")*\]'
_RFC5424 = re.compile(
    rf"{_PRI}(?P<ver>\d{{1,2}}) (?P<ts>-|\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\S*) (?P<host>\S+) "
    rf"(?P<app>\S+) \S+ \S+ "
    rf"(?P<sd>-|(?:{_SD_ELEMENT})+)(?: (?P<msg>.*))?$"
)
_RFC5424_START = re.compile(r"<\d{1,3}>\d{1,2} ")
_BUFFER = re.compile(
    r"(?:\d{1,10}: )?(?:[A-Za-z0-9]+(?:/[A-Za-z0-9]+)+:)?[*.]?"
    r"(?:(?P<ts>(?:\d{4} )?[A-Z][a-z]{2} {1,2}\d{1,2}(?: \d{4})? \d\d:\d\d:\d\d(?:\.\d{1,9})?)"
    r"(?: (?P<zone>[A-Za-z]{2,6}))?"
    r"|(?P<uptime>\d{1,4}[ywd]\d{1,2}[wdh]|\d{1,2}:\d\d:\d\d(?:\.\d{1,9})?)): (?P<msg>.*)$"
)
# rsyslog's TAG: "mgd[4523]: ", Cisco's sequence number "000123: ", NX-OS's empty ": ".
_TAG = re.compile(r"(?:[A-Za-z0-9_.\-/]{1,64}(?:\[\d{1,10}\])?)?:(?: |$)")
_CISCO_LEVEL = re.compile(r"%[A-Z0-9_\-]{1,64}-([0-7])-[A-Z0-9_]")
_PANOS = re.compile(r"\d{1,3},\d{4}/\d\d/\d\d \d\d:\d\d:\d\d,[^,]*,SYSTEM,")
_UTC_ZONES = frozenset({"UTC", "GMT", "Z"})


def _pri(text: str | None) -> tuple[str, str]:
    if text is None:
        return "", ""
    value = int(text)
    if value > 191:
        return "", ""
    return FACILITIES[value >> 3], SEVERITIES[value & 7]


def _strip_tag(msg: str) -> str:
    m = _TAG.match(msg)
    return msg[m.end() :] if m else msg


def _level(msg: str) -> str:
    m = _CISCO_LEVEL.search(msg)
    return SEVERITIES[int(m.group(1))] if m else ""


def _panos(msg: str) -> tuple[str, str] | None:
    """(description, device name) of a PAN-OS SYSTEM log CSV payload, if it is one."""
    if not _PANOS.match(msg):
        return None
    try:
        row = next(csv.reader([msg]))
    except csv.Error:
        return None
    if len(row) < 15:
        return None
    return row[14], (row[22] if len(row) > 22 else "")


def parse_line(line: str, ctx: TimeContext, *, source: str = "", number: int = 0) -> Event | str:
    """One syslog line as an :class:`Event`, or the reason it is not one."""
    if line.startswith("<") and _RFC5424_START.match(line):
        m = _RFC5424.match(line)
        if not m:
            return "RFC 5424 header not well-formed (timestamp, fields or structured data)"
        facility, severity = _pri(m.group("pri"))
        ts = m.group("ts")
        when = None if ts == "-" else timestamps.iso(ts, ctx.tz)
        if when is None and ts != "-":
            return f"RFC 5424 timestamp not understood: {ts[:40]!r}"
        msg = (m.group("msg") or "").removeprefix("\ufeff")
        host = "" if m.group("host") == "-" else m.group("host")
        return _event(when, host, facility, severity, msg, source, number)
    m = _RFC3164.match(line)
    if m:
        facility, severity = _pri(m.group("pri"))
        ts = m.group("ts")
        if ts[0].isdigit() and "-" in ts[:5]:
            when = timestamps.iso(ts, ctx.tz)
        else:
            when = timestamps.bsd(ts, ctx)
        if when is None:
            return f"timestamp not a real date: {ts!r}"
        msg = _strip_tag(m.group("msg") or "")
        return _event(when, m.group("host"), facility, severity, msg, source, number)
    m = _BUFFER.match(line)
    if m:
        when = None
        if m.group("ts"):
            zone = (m.group("zone") or "").upper()
            when = timestamps.bsd(m.group("ts"), ctx, tz=UTC if zone in _UTC_ZONES else None)
            if when is None:
                return f"timestamp not a real date: {m.group('ts')!r}"
        return _event(when, "", "", "", m.group("msg"), source, number)
    return "no syslog header (RFC 3164, RFC 5424 or device log buffer)"


def _event(
    when: datetime | None,
    host: str,
    facility: str,
    severity: str,
    msg: str,
    source: str,
    number: int,
) -> Event:
    hostname = host
    panos = _panos(msg)
    if panos is not None:
        msg, device = panos
        hostname = device or host
    return Event(
        time=when,
        computer=host,
        hostname=hostname,
        facility=facility,
        severity=severity or _level(msg),
        message=msg,
        source=source,
        line=number,
    )


def _valid(line: str) -> bool:
    if line.startswith("<") and _RFC5424_START.match(line):
        return _RFC5424.match(line) is not None
    return _RFC3164.match(line) is not None or _BUFFER.match(line) is not None


def _passes(text: str, words: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(w in low for w in words)


def _syslog_events(
    lines: Iterable[str], *, stats: FileStats, ctx: TimeContext, words: Prefilter
) -> Iterator[Event]:
    source = stats.source
    number = 0
    # Counted as read even when the stream breaks off (truncated gzip): the lines read stand.
    try:
        for number, raw in enumerate(lines, 1):
            line = raw.rstrip("\r\n")
            if words is not None:
                # The prefilter inlined: this loop is the hunt's hot path.
                low = line.lower()
                for word in words:
                    if word in low:
                        break
                else:
                    # Not a candidate: only make sure it is a syslog line, and count it if not.
                    m = _RFC3164.match(line)
                    if m is None:
                        if not _valid(line):
                            if line.strip():
                                stats.reject(number, str(parse_line(line, ctx)), line)
                            else:
                                stats.blank += 1
                    elif int(m.group("day") or m.group("iday")) > 28:
                        # Only a late day can be impossible (Feb 30): those pay for a full parse.
                        reason = parse_line(line, ctx)
                        if isinstance(reason, str):
                            stats.reject(number, reason, line)
                    continue
            if not line.strip():
                stats.blank += 1
                continue
            result = parse_line(line, ctx, source=source, number=number)
            if isinstance(result, str):
                stats.reject(number, result, line)
            else:
                yield result
    finally:
        stats.lines = number


# --- exports ------------------------------------------------------------------------------

_HEADER_NOTE = re.compile(r"\s*\[[^\]]*\]\s*$")  # "TimeGenerated [UTC]" -> "TimeGenerated"


def _clean_header(name: str) -> str:
    return _HEADER_NOTE.sub("", name.strip().lstrip("\ufeff")).strip()


def _row_event(
    row: dict[str, object], *, stats: FileStats, number: int, ctx: TimeContext
) -> Event | None:
    def cell(key: str) -> str:
        value = row.get(key)
        return "" if value is None else str(value)

    stamp = cell("TimeGenerated")
    when = timestamps.any_export(stamp, ctx.tz) if stamp else None
    if when is None:
        stats.reject(
            number, f"TimeGenerated not understood: {stamp[:40]!r}", json.dumps(row)[:_TEXT_CAP]
        )
        return None
    return Event(
        time=when,
        computer=cell("Computer"),
        hostname=cell("HostName") or cell("Computer"),
        facility=cell("Facility"),
        severity=cell("SeverityLevel"),
        message=cell("SyslogMessage"),
        source=stats.source,
        line=number,
    )


def _sentinel_csv(
    text: TextIO, *, stats: FileStats, ctx: TimeContext, words: Prefilter
) -> Iterator[Event]:
    reader = csv.reader(text)
    header = [_clean_header(h) for h in next(reader, [])]
    for needed in ("TimeGenerated", "SyslogMessage"):
        if needed not in header:
            raise ConfigError(f"{stats.source}: Sentinel CSV export without a {needed} column")
    for values in reader:
        stats.lines += 1
        number = reader.line_num
        if not any(v.strip() for v in values):
            stats.blank += 1
            continue
        if len(values) != len(header):
            stats.reject(number, f"{len(values)} cells, header has {len(header)}", ",".join(values))
            continue
        row = dict(zip(header, values, strict=True))
        if words is not None and not _passes(row["SyslogMessage"], words):
            # Count a bad time even on rows that cannot match: nothing is dropped unseen.
            if timestamps.any_export(row["TimeGenerated"], ctx.tz) is None:
                stats.reject(number, "TimeGenerated not understood", ",".join(values))
            continue
        event = _row_event(dict(row), stats=stats, number=number, ctx=ctx)
        if event is not None:
            yield event


def _json_rows(text: str, stats: FileStats) -> Iterator[tuple[int, object]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = None
        lines = True
    else:
        lines = False
    if lines:
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                stats.blank += 1
                stats.lines += 1
                continue
            stats.lines += 1
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                stats.reject(number, f"not JSON: {exc.msg}", line)
        return
    if isinstance(doc, dict) and isinstance(doc.get("tables"), list):
        for table in doc["tables"]:
            cols = [
                c.get("name", "") if isinstance(c, dict) else "" for c in table.get("columns", [])
            ]
            for number, values in enumerate(table.get("rows", []), 1):
                stats.lines += 1
                if isinstance(values, list) and len(values) == len(cols):
                    yield number, dict(zip(cols, values, strict=True))
                else:
                    stats.reject(number, "row does not fit the table's columns", json.dumps(values))
        return
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list):
        stats.error = "JSON document is neither an array of rows nor a query result"
        return
    for number, item in enumerate(doc, 1):
        stats.lines += 1
        yield number, item


def _sentinel_json(
    text: TextIO, *, stats: FileStats, ctx: TimeContext, words: Prefilter
) -> Iterator[Event]:
    for number, item in _json_rows(text.read(), stats):
        if not isinstance(item, dict):
            stats.reject(number, "row is not a JSON object", json.dumps(item)[:_TEXT_CAP])
            continue
        row = {_clean_header(str(k)): v for k, v in item.items()}
        if "SyslogMessage" not in row:
            stats.reject(number, "row has no SyslogMessage", json.dumps(item)[:_TEXT_CAP])
            continue
        message = "" if row["SyslogMessage"] is None else str(row["SyslogMessage"])
        if words is not None and not _passes(message, words):
            stamp = row.get("TimeGenerated")
            if not isinstance(stamp, str) or timestamps.any_export(stamp, ctx.tz) is None:
                stats.reject(
                    number, "TimeGenerated missing or not understood", json.dumps(item)[:_TEXT_CAP]
                )
            continue
        event = _row_event(row, stats=stats, number=number, ctx=ctx)
        if event is not None:
            yield event


_PANOS_COLUMNS = {
    "receive time": "time",
    "receive_time": "time",
    "description": "message",
    "device name": "device",
    "device_name": "device",
    "serial #": "serial",
    "serial number": "serial",
    "serial": "serial",
    "severity": "severity",
}


def _panos_csv(
    text: TextIO, *, stats: FileStats, ctx: TimeContext, words: Prefilter
) -> Iterator[Event]:
    reader = csv.reader(text)
    header = [_clean_header(h).lower() for h in next(reader, [])]
    index = {_PANOS_COLUMNS[h]: i for i, h in enumerate(header) if h in _PANOS_COLUMNS}
    if "time" not in index or "message" not in index:
        raise ConfigError(f"{stats.source}: PAN-OS CSV without Receive Time and Description")
    for values in reader:
        stats.lines += 1
        number = reader.line_num
        if not any(v.strip() for v in values):
            stats.blank += 1
            continue
        if len(values) < len(header):
            stats.reject(number, f"{len(values)} cells, header has {len(header)}", ",".join(values))
            continue
        message = values[index["message"]]
        when = timestamps.any_export(values[index["time"]], ctx.tz)
        if when is None:
            stats.reject(number, "Receive Time not understood", ",".join(values))
            continue
        if words is not None and not _passes(message, words):
            continue
        device = values[index["device"]] if "device" in index else ""
        device = device or (values[index["serial"]] if "serial" in index else "")
        yield Event(
            time=when,
            computer=device,
            hostname=device,
            facility="",
            severity=values[index["severity"]] if "severity" in index else "",
            message=message,
            source=stats.source,
            line=number,
        )


# --- files --------------------------------------------------------------------------------


def sniff(head: str) -> str:
    """The format of a file from its first few kilobytes (already decompressed)."""
    stripped = head.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("[", "{")):
        return "sentinel-json"
    first = stripped.split("\n", 1)[0]
    if "," in first:
        names = {_clean_header(h).lower() for h in next(csv.reader([first]), [])}
        if "syslogmessage" in names:
            return "sentinel-csv"
        if ("receive time" in names or "receive_time" in names) and "description" in names:
            return "panos-csv"
    return "syslog"


_HEAD_BYTES = 1 << 16
_MAX_UNDECODABLE = 0.05  # share of a text head that may be non-UTF-8 (a Latin-1 hostname)


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _head(path: Path, gz: bool) -> bytes:
    """The first bytes of the (decompressed) file; a truncated stream gives what it holds."""
    with path.open("rb") as fh:
        raw = fh.read(_HEAD_BYTES)
    if not gz:
        return raw
    try:
        return zlib.decompressobj(wbits=31).decompress(raw, _HEAD_BYTES)
    except zlib.error as exc:
        raise ConfigError(f"cannot read {path}: broken gzip data at the start ({exc})") from exc


def binary_reason(head: bytes) -> str:
    """Why ``head`` is not a text log ("" when it is): a NUL byte or mostly undecodable."""
    if b"\0" in head:
        offset = head.index(b"\0")
        line = head.count(b"\n", 0, offset) + 1
        return f"binary data, not a text log: NUL byte at byte {offset} (line {line})"
    text = head.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if text and bad / len(text) > _MAX_UNDECODABLE:
        return f"binary data, not a text log: {bad} of the first {len(head)} bytes are not UTF-8"
    return ""


def _open(path: Path, gz: bool) -> TextIO:
    if gz:
        return gzip.open(path, "rt", encoding="utf-8-sig", errors="replace")
    return path.open(encoding="utf-8-sig", errors="replace")


def read(
    path: str | Path,
    *,
    stats: FileStats,
    ctx: TimeContext,
    prefilter: Prefilter = None,
    fmt: str = "auto",
) -> Iterator[Event]:
    """Events of one file (``-`` = standard input, read as syslog lines unless ``fmt``).

    With ``prefilter``, only events whose line holds one of its substrings are produced; all
    lines are still checked and counted. :class:`ConfigError` when the file cannot be opened.
    A file that is binary, or whose compressed stream breaks off, sets ``stats.error`` with
    where it broke; the lines read before that count and their events stand.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if str(path) == "-":
        stats.format = "syslog" if fmt == "auto" else fmt
        yield from _read_text(sys.stdin, stats=stats, ctx=ctx, words=prefilter)
        return
    p = Path(path)
    try:
        gz = _is_gzip(p)
        head = _head(p, gz)
        size = p.stat().st_size
    except OSError as exc:
        raise ConfigError(f"cannot read {p}: {exc.strerror or exc}") from exc
    reason = binary_reason(head)
    if reason:
        stats.format = fmt if fmt != "auto" else "binary"
        stats.error = reason
        return
    if fmt == "auto":
        fmt = sniff(head[:8192].decode("utf-8", errors="replace"))
    stats.format = fmt
    try:
        handle = _open(p, gz)
    except OSError as exc:
        raise ConfigError(f"cannot read {p}: {exc.strerror or exc}") from exc
    with handle:
        try:
            yield from _read_text(handle, stats=stats, ctx=ctx, words=prefilter)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            stats.error = (
                f"truncated: the gzip stream ends at byte {size:,} without its end marker, "
                f"after line {stats.lines:,} ({exc})"
            )


def _read_text(
    stream: TextIO, *, stats: FileStats, ctx: TimeContext, words: Prefilter
) -> Iterator[Event]:
    if stats.format == "syslog":
        yield from _syslog_events(stream, stats=stats, ctx=ctx, words=words)
    elif stats.format == "sentinel-csv":
        yield from _sentinel_csv(stream, stats=stats, ctx=ctx, words=words)
    elif stats.format == "sentinel-json":
        yield from _sentinel_json(stream, stats=stats, ctx=ctx, words=words)
    else:
        yield from _panos_csv(stream, stats=stats, ctx=ctx, words=words)
