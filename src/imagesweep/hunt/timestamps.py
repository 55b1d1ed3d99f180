"""Timestamps as syslog files and Sentinel exports write them, and ``--since`` values.

Every time leaves this module as an aware UTC datetime. Stamps without a zone (RFC 3164
headers, PAN-OS fields, device clocks) are read in the zone the caller names (UTC by
default); stamps without a year (RFC 3164) take the year that puts them at most a day after
``now``, unless the caller fixes the year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from imagesweep.errors import ConfigError

MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}

_DURATION = re.compile(r"(\d{1,6})\s*([smhdw])", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

# 2024-03-03T14:02:11.123456789+01:00, 2024-03-03 14:02:11Z, 2024-03-03T14:02:11
_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?\s?"
    r"(Z|[+-]\d\d:?\d\d|UTC|GMT)?",
    re.IGNORECASE,
)
# Log Analytics portal CSV: 3/3/2024, 2:02:11.123 PM
_US = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4}),?\s+(\d{1,2}):(\d\d):(\d\d)(?:\.(\d{1,9}))?\s*([AP]M)?",
    re.IGNORECASE,
)
# PAN-OS: 2024/03/03 14:02:11
_SLASHED = re.compile(r"(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)")
# BSD / Cisco device clock: Mar  3 14:02:11[.123], Mar  3 2024 14:02:11, 2024 Mar  3 14:02:11
_BSD = re.compile(
    r"(?:(\d{4}) )?([A-Za-z]{3}) +(\d{1,2}) (?:(\d{4}) )?(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?"
)


@dataclass(frozen=True)
class TimeContext:
    """How to read incomplete stamps."""

    tz: tzinfo = UTC  # zone of stamps that carry none
    year: int | None = None  # fixed year for stamps without one; None: infer from ``now``
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


def zone(name: str) -> tzinfo:
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {name!r}") from exc


def parse_since(text: str, *, now: datetime) -> datetime:
    """``24h``, ``90m``, ``7d``, ``2w`` (before ``now``) or an ISO 8601 instant."""
    value = text.strip()
    m = _DURATION.fullmatch(value)
    if m:
        return now - timedelta(**{_UNITS[m.group(2).lower()]: int(m.group(1))})
    stamp = iso(value, UTC)
    if stamp is None:
        raise ConfigError(f"--since {text!r}: expected a duration like 24h/7d or an ISO time")
    return stamp


def _micro(frac: str | None) -> int:
    return int((frac or "0")[:6].ljust(6, "0"))


def _offset(text: str) -> tzinfo:
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return _fixed(sign * (int(digits[:2]) * 60 + int(digits[2:])))


def _fixed(minutes: int) -> tzinfo:
    return timezone(timedelta(minutes=minutes))


def _build(
    y: int, mo: int, d: int, h: int, mi: int, s: int, us: int, tz: tzinfo
) -> datetime | None:
    try:
        # Leap second 60 does not exist for datetime: clamp it.
        return datetime(y, mo, d, h, mi, min(s, 59), us, tzinfo=tz).astimezone(UTC)
    except ValueError:
        return None


def iso(text: str, default_tz: tzinfo) -> datetime | None:
    m = _ISO.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    zone_text = (m.group(8) or "").upper()
    if zone_text in ("Z", "UTC", "GMT"):
        tz: tzinfo = UTC
    elif zone_text:
        tz = _offset(zone_text)
    else:
        tz = default_tz
    return _build(y, mo, d, h, mi, s, _micro(m.group(7)), tz)


def any_export(text: str, default_tz: tzinfo) -> datetime | None:
    """A time cell of a Sentinel/Log Analytics or PAN-OS export, in any of their forms."""
    value = text.strip()
    stamp = iso(value, default_tz)
    if stamp is not None:
        return stamp
    m = _US.fullmatch(value)
    if m:
        mo, d, y, h, mi, s = (int(g) for g in m.groups()[:6])
        ampm = (m.group(8) or "").upper()
        if ampm == "PM" and h < 12:
            h += 12
        elif ampm == "AM" and h == 12:
            h = 0
        return _build(y, mo, d, h, mi, s, _micro(m.group(7)), default_tz)
    m = _SLASHED.fullmatch(value)
    if m:
        y, mo, d, h, mi, s = (int(g) for g in m.groups())
        return _build(y, mo, d, h, mi, s, 0, default_tz)
    return None


def bsd(text: str, ctx: TimeContext, tz: tzinfo | None = None) -> datetime | None:
    """``Mar  3 14:02:11`` and the Cisco device-clock variants (year before or after the day,
    fractions); the year is inferred from ``ctx`` when absent."""
    m = _BSD.match(text)
    if not m:
        return None
    month = MONTHS.get(m.group(2).lower())
    if month is None:
        return None
    day, h, mi, s = int(m.group(3)), int(m.group(5)), int(m.group(6)), int(m.group(7))
    us = _micro(m.group(8))
    where = tz or ctx.tz
    given = m.group(1) or m.group(4)
    if given:
        return _build(int(given), month, day, h, mi, s, us, where)
    year = ctx.year if ctx.year is not None else ctx.now.year
    stamp = _build(year, month, day, h, mi, s, us, where)
    if ctx.year is None and stamp is not None and stamp > ctx.now + timedelta(days=1):
        # December's lines read in January belong to last year.
        stamp = _build(year - 1, month, day, h, mi, s, us, where)
    return stamp


def format_utc(stamp: datetime | None) -> str:
    """2024-03-03T14:02:11.123Z, as Sentinel shows TimeGenerated; "" when unknown."""
    if stamp is None:
        return ""
    return (
        stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
    )
