"""What the history knows of a device's last complete sweep, as data the drift rules read.

The history store (``imagesweep.history``) builds these records before analysis; the rules
never open the store. Every field a previous sweep did not obtain is ``None`` (or absent
from ``images``), so a rule can skip it instead of seeing a change from missing data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class PriorImage:
    """One OS image file as an earlier sweep saw it."""

    path: str
    size: int | None = None
    md5: str = ""  # "" when the sweep did not digest it with this algorithm
    sha512: str = ""
    first_seen: datetime | None = None  # first sweep since which this digest is unchanged
    sweeps: int = 1  # consecutive sweeps that saw this digest
    modified: str = ""  # the file's timestamp as the device listed it
    digested_at: datetime | None = None  # when the device last computed the digest itself


@dataclass(frozen=True)
class PriorState:
    """One device at its previous complete sweep. ``None``: that sweep did not obtain it."""

    host: str
    sweep: str  # the sweep's id in the history
    swept_at: datetime  # when that sweep audited the device (UTC)
    version: str | None = None
    running_image: str | None = None
    boot_entries: tuple[str, ...] | None = None
    config_register: str | None = None
    config_register_next: str | None = None
    rommon: str | None = None
    uptime_seconds: int | None = None
    images: tuple[PriorImage, ...] | None = None  # None: storage was not fully listed
    memory_text: str | None = None
    status: str = ""  # the device's verdict at that sweep ("clean": no finding)


@dataclass(frozen=True)
class Window:
    """A maintenance window or approved change: matching drift becomes ``info``."""

    name: str
    start: datetime
    end: datetime
    hosts: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    rules: frozenset[str] = frozenset()  # empty: every drift rule a window may cover
    expect_version: str = ""
    expect_image: str = ""


@dataclass(frozen=True)
class HistoryContext:
    """The history's part of the rules' Context: empty when the sweep keeps no history."""

    previous: Mapping[str, PriorState] = field(default_factory=dict)  # host -> state
    windows: tuple[Window, ...] = ()
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # host -> groups
    now: datetime | None = None  # the sweep's start (rules have no clock)


def reload_time(swept_at: datetime, uptime: int | None) -> datetime | None:
    """When the device last booted, derived from its uptime at ``swept_at``."""
    return None if uptime is None else swept_at - timedelta(seconds=uptime)
