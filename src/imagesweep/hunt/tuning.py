"""Setting aside the hits the seed names as false-positive sources, with a reason each.

Three sources, each optional; a suppressed hit stays in hunt.csv, marked and explained:

* **Maintenance windows** (``--maintenance FILE``, YAML): device groups by name pattern or
  network, and time ranges per group, one-off or weekly::

      groups:
        core: ["core-*", "10.0.0.0/24"]
      windows:
        - {group: core, start: "2024-03-03T22:00:00Z", end: "2024-03-04T02:00:00Z",
           reason: CHG0012345}
        - {group: "*", weekly: [sat, sun], from: "01:00", to: "05:00", tz: Europe/Berlin}
      automation_users: [svc-ansible]

* **Automation users** (``--automation-user U`` and the file's ``automation_users``): hits
  whose extracted user is one of them (case-insensitive).
* **The audit's own activity**: the digest commands an imagesweep sweep ran (``verify /md5
  flash:x.bin`` is a flash-write hit). From a run directory, the devices come from
  ``sweep.json`` (or ``devices.csv``), the commands from the devices' ``commands`` in
  ``sweep.json`` (read by :func:`report.schema.read_sweep`) and from the names of any
  ``raw/<host>/*.txt`` (a file per command: older runs, other collectors), the time span
  from its ``started_at`` / ``finished_at`` (or the devices' ``audited_at`` + ``elapsed``),
  the user from ``options.username`` if recorded. A hit is the sweep's when it comes from
  a device of the sweep, inside its time span (10 minutes' slack), by its user if known,
  and one of its commands *accounts for every indicator in the message*: with that
  command's terms blanked out, the message matches no class any more. A command that
  merely appears in the message ("dir" inside ``copy tftp://h/dir/x.bin``) sets nothing
  aside. With only ``--audit-user``, read-only commands of that user (``verify``, ``show``,
  ``dir``, ``more``, ``file checksum``) are treated the same way.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from pathlib import Path
from urllib.parse import unquote

from imagesweep import files
from imagesweep.errors import ConfigError
from imagesweep.hunt import identity, timestamps
from imagesweep.hunt.hits import Hit
from imagesweep.hunt.match import Matcher, phrase_regex, terms
from imagesweep.report.schema import RAW_DIR, SweepRecord, read_sweep

AUDIT_SLACK = timedelta(minutes=10)
_DAYS = {d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}
_READ_ONLY = re.compile(
    r"(?<![A-Za-z0-9])(?:verify|show|dir|more|file[^A-Za-z0-9]+checksum)(?![A-Za-z0-9])[^;|]*",
    re.IGNORECASE | re.ASCII,
)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class DeviceGroup:
    name: str
    patterns: tuple[str, ...] = ()  # shell patterns on names, lower-case
    networks: tuple[Network, ...] = ()

    def contains(self, names: Iterable[str]) -> bool:
        if self.name == "*":
            return True
        for raw in names:
            name = raw.strip().lower()
            if not name:
                continue
            if any(fnmatch.fnmatchcase(name, p) for p in self.patterns):
                return True
            if self.networks and identity.is_address(name):
                addr = ipaddress.ip_address(name.strip("[]"))
                if any(addr in net for net in self.networks):
                    return True
        return False


@dataclass(frozen=True)
class Window:
    group: DeviceGroup
    reason: str
    start: datetime | None = None  # one-off window, UTC
    end: datetime | None = None
    days: frozenset[int] = frozenset()  # weekly window: weekdays (Mon=0) it starts on
    daily_from: time | None = None
    daily_to: time | None = None
    tz: tzinfo = UTC

    def covers(self, when: datetime) -> bool:
        if self.start is not None and self.end is not None:
            return self.start <= when <= self.end
        if self.daily_from is None or self.daily_to is None:
            return False
        local = when.astimezone(self.tz)
        t = local.time().replace(tzinfo=None)
        if self.daily_from < self.daily_to:
            return local.weekday() in self.days and self.daily_from <= t < self.daily_to
        # Crosses midnight: the late part on a listed day, the early part on the day after.
        if local.weekday() in self.days and t >= self.daily_from:
            return True
        return (local.weekday() - 1) % 7 in self.days and t < self.daily_to

    def describe(self) -> str:
        if self.start is not None and self.end is not None:
            span = f"{timestamps.format_utc(self.start)}..{timestamps.format_utc(self.end)}"
        else:
            names = ",".join(k for k, v in _DAYS.items() if v in self.days)
            span = f"weekly {names} {self.daily_from:%H:%M}-{self.daily_to:%H:%M} {self.tz}"
        label = f" {self.reason}" if self.reason else ""
        return f"maintenance window{label} (group {self.group.name}, {span})"


@dataclass(frozen=True)
class AuditRun:
    """What one imagesweep sweep did, as far as its run directory tells."""

    path: str
    devices: tuple[frozenset[str], ...] = ()  # identity keys per audited device
    commands: tuple[str, ...] = ()  # command texts (term order is what counts)
    user: str = ""
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Tuning:
    windows: tuple[Window, ...] = ()
    automation_users: frozenset[str] = frozenset()  # lower-case
    audit_runs: tuple[AuditRun, ...] = ()
    audit_user: str = ""  # with no run directory: the account sweeps log in with
    groups: tuple[DeviceGroup, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.windows or self.automation_users or self.audit_runs or self.audit_user)


# --- loading ------------------------------------------------------------------------------


def _when(value: object, where: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    stamp = timestamps.iso(str(value), UTC) if isinstance(value, str) else None
    if stamp is None:
        raise ConfigError(f"{where}: {value!r} is not an ISO 8601 time")
    return stamp


def _clock(value: object, where: str) -> time:
    if not isinstance(value, str) or not re.fullmatch(r"\d{1,2}:\d\d", value):
        raise ConfigError(f'{where}: times of day must be quoted strings like "01:00"')
    h, m = (int(p) for p in value.split(":"))
    if h > 23 or m > 59:
        raise ConfigError(f"{where}: {value!r} is not a time of day")
    return time(h, m)


def _group(name: str, members: object, where: str) -> DeviceGroup:
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise ConfigError(f"{where}: group {name!r} must list names, patterns or networks")
    patterns: list[str] = []
    networks: list[Network] = []
    for member in members:
        try:
            networks.append(ipaddress.ip_network(member, strict=False))
        except ValueError:
            patterns.append(member.lower())
    return DeviceGroup(name=name, patterns=tuple(patterns), networks=tuple(networks))


def load_maintenance(path: Path) -> Tuning:
    """Maintenance windows, their device groups and automation users from a YAML file."""
    where = str(path)
    data = files.load_yaml(path) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping with groups/windows/automation_users")
    _known(data, _FILE_KEYS, where)
    raw_groups = data.get("groups") or {}
    if not isinstance(raw_groups, dict):
        raise ConfigError(f"{where}: 'groups' must map a group name to its members")
    groups = {str(k): _group(str(k), v, where) for k, v in raw_groups.items()}
    groups["*"] = DeviceGroup(name="*")
    raw_windows = data.get("windows") or []
    if not isinstance(raw_windows, list):
        raise ConfigError(f"{where}: 'windows' must be a list of windows")
    windows = tuple(
        _window(w, groups, f"{where}: window {i + 1}") for i, w in enumerate(raw_windows)
    )
    users = data.get("automation_users") or []
    if not isinstance(users, list):
        raise ConfigError(f"{where}: 'automation_users' must be a list")
    return Tuning(
        windows=windows,
        automation_users=frozenset(str(u).lower() for u in users),
        groups=tuple(groups.values()),
    )


# As the policy file: a typo (``window:`` for ``windows:``) would otherwise drop every window
# in silence and leave the planned upgrade's hits standing, or worse, the reverse.
_FILE_KEYS = frozenset({"groups", "windows", "automation_users"})
_WINDOW_KEYS = frozenset(
    {"group", "devices", "reason", "start", "end", "weekly", "from", "to", "tz"}
)


def _known(data: dict[object, object], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(allowed))})"
        )


def _window(raw: object, groups: dict[str, DeviceGroup], where: str) -> Window:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a mapping")
    _known(raw, _WINDOW_KEYS, where)
    if "devices" in raw:
        group = _group("(inline)", raw["devices"], where)
    else:
        name = str(raw.get("group", ""))
        if name not in groups:
            raise ConfigError(f"{where}: unknown group {name!r} (define it under 'groups')")
        group = groups[name]
    reason = str(raw.get("reason", ""))
    if "start" in raw or "end" in raw:
        start, end = _when(raw.get("start"), where), _when(raw.get("end"), where)
        if end < start:
            raise ConfigError(f"{where}: end is before start")
        return Window(group=group, reason=reason, start=start, end=end)
    days = raw.get("weekly")
    if not isinstance(days, list) or not days:
        raise ConfigError(f"{where}: give start/end, or weekly: [days] with from/to")
    try:
        day_set = frozenset(_DAYS[str(d).lower()[:3]] for d in days)
    except KeyError as exc:
        raise ConfigError(f"{where}: unknown weekday {exc.args[0]!r}") from exc
    return Window(
        group=group,
        reason=reason,
        days=day_set,
        daily_from=_clock(raw.get("from"), where),
        daily_to=_clock(raw.get("to"), where),
        tz=timestamps.zone(str(raw.get("tz", "UTC"))),
    )


def _span(record: SweepRecord) -> tuple[datetime | None, datetime | None]:
    """The sweep's own times; from its devices' when the sweep did not record them."""
    starts = [d.started_at for d in record.devices if d.started_at is not None]
    ends = [
        d.started_at + timedelta(seconds=d.elapsed)
        for d in record.devices
        if d.started_at is not None and d.elapsed is not None
    ]
    start = record.started_at or (min(starts) if starts else None)
    end = record.finished_at or (max(ends) if ends else None)
    return start, end


def load_audit_run(run: Path, *, user: str = "") -> AuditRun:
    """What the sweep in ``run`` did: devices, commands, time span, user (``sweep.json``
    read through :func:`report.schema.read_sweep`, the run directory's one reader)."""
    if not run.is_dir():
        raise ConfigError(f"audit run directory {run} does not exist")
    record = read_sweep(run)
    names = [[d.host, d.address, d.hostname] for d in record.devices]
    commands = [c for d in record.devices for c in d.commands]
    raw_dir = run / RAW_DIR
    if raw_dir.is_dir():
        # Folders of a file per command: runs before schema 2 and other collectors. The
        # hosts and commands of imagesweep's own raw/<host>.txt are in sweep.json already.
        for host_dir in sorted(p for p in raw_dir.iterdir() if p.is_dir()):
            names.append([host_dir.name])
            # A collector may percent-encode the command into the file name.
            commands.extend(unquote(f.stem) for f in sorted(host_dir.glob("*.txt")))
    recorded = record.options.get("username")
    start, end = _span(record)
    return AuditRun(
        path=str(run),
        devices=tuple(identity.keys(n) for n in names if any(n)),
        commands=tuple(sorted({c for c in commands if terms(c)})),
        user=user or (recorded if isinstance(recorded, str) else ""),
        start=start,
        end=end,
    )


# --- applying -----------------------------------------------------------------------------


class Suppressor:
    def __init__(self, tuning: Tuning, matcher: Matcher) -> None:
        self.tuning = tuning
        self.matcher = matcher
        self._commands = [
            (run, [(c, phrase_regex([c])) for c in run.commands]) for run in tuning.audit_runs
        ]

    def _explained(self, message: str, pattern: re.Pattern[str]) -> bool:
        if pattern.search(message) is None:
            return False
        return not any(self.matcher.classify(pattern.sub(" ", message)))

    def audit_reason(self, hit: Hit) -> str:
        ev, user = hit.event, hit.extracted.user.lower()
        names = identity.keys([ev.computer, ev.hostname])
        for run, commands in self._commands:
            if run.devices and not any(names & d for d in run.devices):
                continue
            if run.user and user and user != run.user.lower():
                continue
            if ev.time is not None and run.start is not None and ev.time < run.start - AUDIT_SLACK:
                continue
            if ev.time is not None and run.end is not None and ev.time > run.end + AUDIT_SLACK:
                continue
            for command, pattern in commands:
                if self._explained(ev.message, pattern):
                    return f"imagesweep audit {run.path} (command '{command}')"
        audit_user = self.tuning.audit_user.lower()
        if audit_user and user == audit_user and self._explained(ev.message, _READ_ONLY):
            return f"imagesweep audit user {self.tuning.audit_user} (read-only command)"
        return ""

    def reasons(self, hit: Hit) -> list[str]:
        out: list[str] = []
        audit = self.audit_reason(hit)
        if audit:
            out.append(audit)
        user = hit.extracted.user.lower()
        if user and user in self.tuning.automation_users:
            out.append(f"automation user {hit.extracted.user}")
        when = hit.event.time
        if when is not None:
            names = [hit.event.computer, hit.event.hostname]
            for window in self.tuning.windows:
                if window.group.contains(names) and window.covers(when):
                    out.append(window.describe())
                    break
        return out


def apply(hits: Sequence[Hit], tuning: Tuning, matcher: Matcher) -> tuple[Hit, ...]:
    """The same hits, in the same order, with suppression reasons filled in."""
    if tuning.empty:
        return tuple(hits)
    sup = Suppressor(tuning, matcher)
    out: list[Hit] = []
    for hit in hits:
        for reason in sup.reasons(hit):
            hit = hit.suppress(reason)
        out.append(hit)
    return tuple(out)


def combine(*parts: Tuning) -> Tuning:
    return Tuning(
        windows=tuple(w for p in parts for w in p.windows),
        automation_users=frozenset(u for p in parts for u in p.automation_users),
        audit_runs=tuple(r for p in parts for r in p.audit_runs),
        audit_user=next((p.audit_user for p in parts if p.audit_user), ""),
        groups=tuple(g for p in parts for g in p.groups),
    )
