"""A realistic syslog file of a fleet, for the demo, the tests and the benchmark.

Lines look as rsyslog writes them (RFC 3164 ``Mar  3 14:02:11 host ...`` by default, or
RFC 5424), with each platform's own message framing: IOS/IOS-XE sequence number and device
clock (``000123: Mar  3 14:02:11.123 UTC: %SYS-5-CONFIG_I: ...``), NX-OS's year-first clock,
IOS-XR's node prefix, Junos ``process[pid]:``, PAN-OS SYSTEM log CSV. Most lines are benign
noise (links, routing adjacencies, logins, configuration changes); a few injected events are
what the hunt should find or set aside:

* the seed's two atomic-test messages (image transfer + flash write; boot manipulation);
* an IOS-XE upgrade (``install add`` / ``install activate``, nested in ``%IOSXE-5-PLATFORM``)
  inside a maintenance window;
* an automation account setting a boot variable;
* imagesweep's own ``verify /md5`` runs, as an EEM CLI-logging applet reports them (exec
  commands reach syslog only through such an applet or AAA accounting);
* Junos ``request system software add`` and an IOS Resilient Configuration notice.

Deterministic for a given seed. ``malformed`` adds lines with no syslog header, as a crashed
writer leaves them, to exercise the unparseable-line accounting.
"""

from __future__ import annotations

import gzip
import io
import os
import random
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from imagesweep import files
from imagesweep.errors import ConfigError
from imagesweep.hunt import timestamps
from imagesweep.hunt.timestamps import format_utc
from imagesweep.platforms import Step
from imagesweep.records import DeviceResult

ATOMIC_TRANSFER = (
    "%PARSER-5-CFGLOG_LOGGEDCMD: User:admin logged command:copy "
    "tftp://192.168.1.50/test-image-nonexistent.bin flash:test-image-nonexistent.bin"
)
ATOMIC_BOOT = (
    "%PARSER-5-CFGLOG_LOGGEDCMD: User:admin logged command:boot system flash:argus-test-image.bin"
)
AUDIT_USER = "imagesweep"
AUTOMATION_USER = "svc-ansible"
IOS_IMAGE = "c2900-universalk9-mz.SPA.157-3.M8.bin"
XE_IMAGE = "cat9k_iosxe.17.09.04a.SPA.bin"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PLATFORMS = (
    "cisco_ios", "cisco_ios", "cisco_xe", "cisco_xe",
    "cisco_nxos", "cisco_xr", "juniper_junos", "paloalto_panos",
)  # fmt: skip
_PREFIX = {
    "cisco_ios": "rtr", "cisco_xe": "sw", "cisco_nxos": "nx",
    "cisco_xr": "xr", "juniper_junos": "mx", "paloalto_panos": "fw",
}  # fmt: skip
_USERS = ("netops", "jsmith", "admin", "noc")


@dataclass(frozen=True)
class FleetDevice:
    name: str
    address: str
    platform: str  # canonical platform key (platforms.canonical)


@dataclass(frozen=True)
class Injected:
    label: str  # atomic-transfer, atomic-boot, upgrade, automation, audit, junos-add, resilience
    device: str
    time: datetime
    message: str
    line: int


@dataclass(frozen=True)
class Planned:
    """An event to write at a given time (the demo's own sweep: its digest commands)."""

    time: datetime
    label: str
    device: FleetDevice
    message: str


@dataclass(frozen=True)
class GeneratedLog:
    path: Path
    lines: int
    devices: tuple[FleetDevice, ...]
    injected: tuple[Injected, ...]
    start: datetime
    end: datetime


def fleet(count: int) -> list[FleetDevice]:
    """A mixed fleet: routers, switches, Nexus, XR, MX, firewalls, in a fixed rotation."""
    out = []
    for i in range(count):
        platform = _PLATFORMS[i % len(_PLATFORMS)]
        name = f"{_PREFIX[platform]}-{i + 1:03d}"
        out.append(
            FleetDevice(name=name, address=f"10.20.{i // 250}.{i % 250 + 1}", platform=platform)
        )
    return out


# --- noise per platform -------------------------------------------------------------------
# Templates of benign messages, with their relative frequency. Placeholders: {user} {peer}
# {iface} {port} {updown} {n}.

_CISCO = (
    (20, "%LINEPROTO-5-UPDOWN: Line protocol on Interface {iface}, changed state to {updown}"),
    (12, "%LINK-3-UPDOWN: Interface {iface}, changed state to {updown}"),
    (8, "%SYS-5-CONFIG_I: Configured from console by {user} on vty0 ({peer})"),
    (8, "%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: {user}] [Source: {peer}] "
        "[localport: 22] at 14:02:11 UTC Sun Mar 3 2024"),
    (5, "%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: cisco] [Source: {peer}] [localport: 22] "
        "[Reason: Login Authentication Failed] at 14:02:11 UTC Sun Mar 3 2024"),
    (6, "%SYS-6-LOGOUT: User {user} has exited tty session 2({peer})"),
    (8, "%OSPF-5-ADJCHG: Process 1, Nbr {peer} on {iface} from LOADING to FULL, Loading Done"),
    (6, "%BGP-5-ADJCHANGE: neighbor {peer} Up"),
    (4, "%DUAL-5-NBRCHANGE: EIGRP-IPv4 100: Neighbor {peer} ({iface}) is up: new adjacency"),
    (6, "%PARSER-5-CFGLOG_LOGGEDCMD: User:{user}  logged command:interface {iface}"),
    (3, "%PARSER-5-CFGLOG_LOGGEDCMD: User:{user}  logged command:no shutdown"),
    (2, "%PARSER-5-CFGLOG_LOGGEDCMD: User:{user}  logged command:"
        "ip tftp source-interface Loopback0"),
    (3, "%CDP-4-NATIVE_VLAN_MISMATCH: Native VLAN mismatch discovered on {iface} (1), "
        "with sw-core-01 GigabitEthernet1/0/1 (20)."),
    (3, "%SSH-5-SSH2_USERAUTH: User '{user}' authentication for SSH2 Session from {peer} (tty = 0) "
        "using crypto cipher 'aes256-ctr', hmac 'hmac-sha2-256' Succeeded"),
)  # fmt: skip
_NXOS = (
    (20, "%ETHPORT-5-IF_UP: Interface Ethernet1/{port} is up in mode access"),
    (12, "%ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/{port} is down (Link failure)"),
    (8, "%VSHD-5-VSHD_SYSLOG_CONFIG_I: Configured from vty by {user} on {peer}@pts/0"),
    (5, "%DAEMON-3-SYSTEM_MSG: error: PAM: Authentication failure for illegal user test from "
        "{peer} - dcos_sshd[{n}]"),
)  # fmt: skip
_XR = (
    (20, "ifmgr[227]: %PKT_INFRA-LINK-3-UPDOWN : Interface GigabitEthernet0/0/0/{port}, "
         "changed state to {updown}"),
    (8, "config[65734]: %MGBL-CONFIG-6-DB_COMMIT : Configuration committed by user '{user}'. "
        "Use 'show configuration commit changes 10000{n}' to view the changes."),
    (8, "exec[65731]: %SECURITY-LOGIN-6-AUTHEN_SUCCESS : Successfully authenticated user "
        "'{user}' from '{peer}' on 'vty0'"),
)  # fmt: skip
_JUNOS = (
    (12, "mib2d[1811]: SNMP_TRAP_LINK_DOWN: ifIndex 5{port}, ifAdminStatus up(1), "
         "ifOperStatus down(2), ifName ge-0/0/{port}"),
    (10, "mgd[{n}]: UI_CMDLINE_READ_LINE: User '{user}', command 'show interfaces terse '"),
    (6, "sshd[{n}]: Accepted publickey for {user} from {peer} port 5{n} ssh2"),
    (4, "mgd[{n}]: UI_COMMIT: User '{user}' requested 'commit' operation (comment: none)"),
)  # fmt: skip
# PAN-OS: "subtype,event id,description" (framed into the SYSTEM log CSV below).
_PANOS = (
    (10, "auth,auth-success,User {user} logged in via Web from {peer} using https"),
    (4, 'general,general,"Failed to connect to address: (null) port: 3978, conn id: '
        'triallr-(null)-2-{peer}"'),
)  # fmt: skip
_NOISE = {
    "cisco_ios": _CISCO,
    "cisco_xe": _CISCO,
    "cisco_nxos": _NXOS,
    "cisco_xr": _XR,
    "juniper_junos": _JUNOS,
    "paloalto_panos": _PANOS,
}


class _Picker:
    def __init__(self, table: tuple[tuple[int, str], ...]) -> None:
        self.templates = [t for _, t in table]
        self.weights = [w for w, _ in table]

    def __call__(self, rng: random.Random) -> str:
        template = rng.choices(self.templates, self.weights)[0]
        r = rng.getrandbits(32)  # one draw, sliced, keeps a million lines quick
        return template.format(
            user=_USERS[r & 3],
            peer=f"10.{(r >> 2) & 127}.{(r >> 9) & 255}.{((r >> 17) & 127) + 1}",
            iface=f"GigabitEthernet0/{(r >> 24) & 31}",
            port=((r >> 24) & 31) + 1,
            updown="up" if r & 0x40000000 else "down",
            n=2000 + ((r >> 4) & 4095),
        )


_PICKERS = {k: _Picker(v) for k, v in _NOISE.items()}


# --- framing ------------------------------------------------------------------------------


class _Framer:
    """Turns (time, device, message) into a line as rsyslog writes it."""

    def __init__(self, fmt: str) -> None:
        if fmt not in ("rfc3164", "rfc5424"):
            raise ValueError(f"unknown syslog format {fmt!r}")
        self.fmt = fmt
        self.seq: dict[str, int] = {}
        # Strings of the current second, reused by the dozen lines that share it.
        self._key: tuple[int, int, int, int] = (-1, -1, -1, -1)
        self._bsd = self._slash = self._iso = ""

    @staticmethod
    def bsd(t: datetime) -> str:
        return f"{_MONTHS[t.month - 1]} {t.day:>2} {t:%H:%M:%S}"

    def _second(self, t: datetime) -> None:
        key = (t.day, t.hour, t.minute, t.second)
        if key != self._key:
            self._key = key
            self._bsd = self.bsd(t)
            self._slash = f"{t:%Y/%m/%d %H:%M:%S}"
            self._iso = f"{t:%Y-%m-%dT%H:%M:%S}"

    @staticmethod
    def _serial(dev: FleetDevice) -> str:
        return "0079010" + "".join(f"{int(o):03d}" for o in dev.address.split(".")[2:])

    def _next(self, dev: FleetDevice) -> int:
        n = self.seq[dev.name] = self.seq.get(dev.name, 0) + 1
        return n

    def body(self, t: datetime, dev: FleetDevice, msg: str) -> tuple[str, str]:
        """(app-name, text after the header) for the device's platform."""
        p = dev.platform
        ms = t.microsecond // 1000
        if p in ("cisco_ios", "cisco_xe"):
            return "-", f"{self._next(dev):06d}: {self._bsd}.{ms:03d} UTC: {msg}"
        if p == "cisco_nxos":
            return "-", f": {t.year} {self._bsd} UTC: {msg}"
        if p == "cisco_xr":
            return "-", f"{self._next(dev)}: RP/0/RSP0/CPU0:{self._bsd}.{ms:03d} UTC: {msg}"
        if p == "juniper_junos":
            return msg.split("[", 1)[0], msg
        subtype, event, text = msg.split(",", 2)
        stamp = self._slash
        return "-", (
            f"1,{stamp},{self._serial(dev)},SYSTEM,{subtype},0,{stamp},,"
            f"{event},,0,0,general,informational,{text},{self._next(dev)},0x0,0,0,0,0,,"
            f"{dev.name},0,0,{self._iso}.{ms:03d}+00:00"
        )

    def line(self, t: datetime, dev: FleetDevice, msg: str) -> str:
        self._second(t)
        app, text = self.body(t, dev, msg)
        if self.fmt == "rfc3164":
            return f"{self._bsd} {dev.name} {text}"
        # RFC 5424 as rsyslog's RSYSLOG_SyslogProtocol23Format writes it; local7.notice.
        return f"<189>1 {self._iso}.{t.microsecond // 1000:03d}Z {dev.name} {app} - - - {text}"


# --- the file -----------------------------------------------------------------------------


def _events(devices: list[FleetDevice]) -> list[tuple[float, str, FleetDevice, str]]:
    """(position in the file 0..1, label, device, message) of the injected events."""

    def first(platform: str, nth: int = 0) -> FleetDevice:
        matching = [d for d in devices if d.platform == platform] or devices
        return matching[min(nth, len(matching) - 1)]

    ios, xe, junos = first("cisco_ios"), first("cisco_xe"), first("juniper_junos")
    victim = first("cisco_ios", 1)
    verify = f"%HA_EM-6-LOG: CLI_LOG: User:{AUDIT_USER} command:verify /md5 flash:{IOS_IMAGE}"
    audit = [
        (0.80 + i * 0.002, "audit", d, verify)
        for i, d in enumerate(x for x in devices if x.platform == "cisco_ios")
    ]
    platform = "%IOSXE-5-PLATFORM: Switch 1 R0/0: {clock} install_engine.sh: "
    junos_add = (
        "mgd[4523]: UI_CMDLINE_READ_LINE: User 'netops', command 'request system software add "
        "/var/tmp/junos-install-mx-x86-64-21.4R3-S5.tgz no-validate '"
    )
    return [
        (0.10, "upgrade", xe, platform + "%INSTALL-5-INSTALL_START_INFO: Started install add "
                              f"flash:{XE_IMAGE}"),
        (0.101, "upgrade", xe, platform + "%INSTALL-5-INSTALL_START_INFO: Started install "
                               "activate"),
        (0.102, "upgrade", xe, platform + "%INSTALL-5-INSTALL_COMPLETED_INFO: Completed install "
                               f"activate PACKAGE flash:{XE_IMAGE}"),
        (0.30, "automation", ios, f"%PARSER-5-CFGLOG_LOGGEDCMD: User:{AUTOMATION_USER}  "
                                  f"logged command:boot system flash:{IOS_IMAGE}"),
        (0.45, "resilience", ios, "%IOS_RESILIENCE-5-IMAGE_RESIL_ACTIVE: Successfully secured "
                                  "running image"),
        (0.55, "junos-add", junos, junos_add),
        (0.70, "atomic-transfer", victim, ATOMIC_TRANSFER),
        (0.701, "atomic-boot", victim, ATOMIC_BOOT),
        *audit,
    ]  # fmt: skip


def generate(
    out: TextIO,
    *,
    lines: int,
    devices: int = 24,
    start: datetime | None = None,
    span: timedelta = timedelta(hours=24),
    seed: int = 7,
    fmt: str = "rfc3164",
    malformed: int = 0,
    devices_of: Sequence[FleetDevice] = (),
    extra: Sequence[Planned] = (),
) -> tuple[tuple[FleetDevice, ...], tuple[Injected, ...], datetime]:
    """Write ``lines`` lines to ``out``; return the fleet, the injected events, the start.

    ``devices_of`` replaces the generated fleet (the demo passes the lab's own devices, so the
    hunt's hits correlate with the audit); ``extra`` events go on the line nearest their time.
    """
    if lines < 0 or devices < 1:
        raise ValueError("lines must be >= 0 and devices >= 1")
    rng = random.Random(seed)
    begin = (start or datetime.now(UTC) - span).astimezone(UTC)
    fleet_ = list(devices_of) or fleet(devices)
    devices = len(fleet_)
    framer = _Framer(fmt)
    planned: dict[int, tuple[str, FleetDevice, str]] = {}
    step = span / max(lines, 1)
    for pos, label, dev, msg in _events(fleet_):
        if label == "audit" and extra:
            continue  # the real sweep's commands stand in for the made-up ones
        index = min(max(int(pos * lines), 0), max(lines - 1, 0))
        while index in planned and index < lines - 1:
            index += 1
        if lines and index not in planned:
            planned[index] = (label, dev, msg)
    broken = (
        set(rng.sample(range(lines), min(malformed, lines))) - set(planned) if malformed else set()
    )
    injected: list[Injected] = []
    write = out.write
    # Timed events are extra lines at their own time, between the generated ones.
    timed = sorted(extra, key=lambda e: e.time)
    shift = 0  # timed lines written so far

    def write_timed(until: datetime | None) -> None:
        nonlocal shift
        while timed and (until is None or timed[0].time <= until):
            e = timed.pop(0)
            write(framer.line(e.time, e.device, e.message) + "\n")
            shift += 1
            injected.append(Injected(e.label, e.device.name, e.time, e.message, i + shift))

    i = 0
    for i in range(lines):
        t = begin + step * i
        write_timed(t)
        if i in planned:
            label, dev, msg = planned[i]
            msg = msg.replace("{clock}", _Framer.bsd(t))
            write(framer.line(t, dev, msg) + "\n")
            injected.append(
                Injected(label=label, device=dev.name, time=t, message=msg, line=i + 1 + shift)
            )
        elif i in broken:
            # A line cut short, as a writer that crashed mid-line leaves it.
            write(framer.line(t, fleet_[0], "%SYS-5-RESTART")[: rng.randrange(4, 14)] + "\n")
        else:
            dev = fleet_[rng.randrange(devices)]
            write(framer.line(t, dev, _PICKERS[dev.platform](rng)) + "\n")
    i = lines  # every generated line is written: later timed lines come after them
    write_timed(None)
    return tuple(fleet_), tuple(injected), begin


def write(
    path: Path,
    *,
    lines: int,
    devices: int = 24,
    start: datetime | None = None,
    span: timedelta = timedelta(hours=24),
    seed: int = 7,
    fmt: str = "rfc3164",
    malformed: int = 0,
    devices_of: Sequence[FleetDevice] = (),
    extra: Sequence[Planned] = (),
) -> GeneratedLog:
    """Write the log to ``path`` (gzip-compressed when the name ends in .gz), 0600.

    Streamed to a temporary file beside ``path`` and renamed (a million lines are 130 MB:
    not held in memory), under the same policy as :func:`files.write_atomic`.
    """
    files.make_dir(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    try:
        os.fchmod(fd, files.FILE_MODE)
        with os.fdopen(fd, "wb") as raw:
            packed = gzip.GzipFile(fileobj=raw, mode="wb") if path.suffix == ".gz" else None
            fh = io.TextIOWrapper(packed or raw, encoding="utf-8", newline="\n")
            fleet_, injected, begin = generate(
                fh,
                lines=lines,
                devices=devices,
                start=start,
                span=span,
                seed=seed,
                fmt=fmt,
                malformed=malformed,
                devices_of=devices_of,
                extra=extra,
            )
            fh.flush()
            fh.detach()  # the file objects below are closed in order, not by the wrapper
            if packed is not None:
                packed.close()
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return GeneratedLog(
        path=path,
        lines=lines + len(extra),
        devices=fleet_,
        injected=injected,
        start=begin,
        end=begin + span,
    )


def maintenance_yaml(log: GeneratedLog) -> str:
    """A maintenance file that covers the generated upgrade and names the automation user."""
    upgrades = [i for i in log.injected if i.label == "upgrade"]
    lines = ["# Maintenance windows for the generated fleet (imagesweep hunt --maintenance)."]
    lines.append("groups:")
    lines.append('  switches: ["sw-*"]')
    lines.append("windows:")
    if upgrades:
        start = min(i.time for i in upgrades) - timedelta(minutes=30)
        end = max(i.time for i in upgrades) + timedelta(minutes=30)
        lines.append(
            f'  - {{group: switches, start: "{format_utc(start)}", end: "{format_utc(end)}", '
            "reason: CHG0042 IOS-XE upgrade}"
        )
    else:
        lines[-1] = "windows: []"
    lines.append(f"automation_users: [{AUTOMATION_USER}]")
    return "\n".join(lines) + "\n"


def _audit_message(platform: str, user: str, command: str) -> str:
    """How the device would log the sweep running ``command`` (CLI accounting)."""
    if platform == "juniper_junos":
        return f"mgd[4523]: UI_CMDLINE_READ_LINE: User '{user}', command '{command}'"
    if platform == "paloalto_panos":
        return f"general,0,CLI command by {user}: {command}"
    return f"%HA_EM-6-LOG: CLI_LOG: User:{user} command:{command}"


def from_audit(
    results: Sequence[DeviceResult], users: Mapping[str, str]
) -> tuple[list[FleetDevice], list[Planned]]:
    """The lab's own devices (worst first, so the planted attack lands on a tampered one) and
    the digest commands the sweep really ran on them, at the times it ran them."""
    devices: list[FleetDevice] = []
    events: list[Planned] = []
    for i, result in enumerate(results):
        # A lab address is 127.0.0.1 for every device: give each its own, as a fleet has.
        dev = FleetDevice(
            name=result.host, address=f"10.20.{i // 250}.{i % 250 + 1}", platform=result.platform
        )
        devices.append(dev)
        capture = result.capture
        began = timestamps.iso(capture.started_at, UTC) if capture and capture.started_at else None
        if capture is None or began is None:
            continue
        for n, run in enumerate(r for r in capture.runs if r.step == Step.DIGEST):
            when = began + timedelta(seconds=min(capture.elapsed, 0.5 * n))
            message = _audit_message(dev.platform, users.get(result.host, AUDIT_USER), run.command)
            events.append(Planned(when, "audit", dev, message))
    return devices, events
