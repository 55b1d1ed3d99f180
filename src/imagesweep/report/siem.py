"""SIEM output: one event per finding and one per device verdict, as CEF over RFC 5424 syslog
(``--siem udp://|tcp://|tls://host:port``) or as JSON lines (``--jsonl FILE``).

The fields are those Microsoft Sentinel's ``CommonSecurityLog`` takes from CEF: the header's
vendor, product, version, signature ID (``DeviceEventClassID``: the rule ID, or
``DEVICE_VERDICT``), name (``Activity``) and severity (``LogSeverity``), and the extension keys
``dvchost`` (DeviceName), ``dvc`` (DeviceAddress), ``deviceExternalId``, ``fname``
(FileName), ``fileHash``, ``msg``, ``reason``, ``outcome``, ``cat``, ``rt`` and the custom
strings ``cs1``..``cs6`` with their labels: platform, image, expected digest, technique,
integrity, run.

Device text is hostile and must not change the framing: every value passes through
:func:`sanitize.terminal` (no control characters), then CEF's escaping (header: ``\\`` and
``|``; extension: ``\\``, ``=`` and line breaks as ``\\n``), and the structured data's
values get RFC 5424's (``"``, ``\\``, ``]``). A message therefore holds no line break, so
neither UDP datagrams nor TCP's octet-counted frames (RFC 6587, RFC 5425 over TLS) can be
split or joined by what a device printed.

Building events is pure (:func:`events`); delivering them (:func:`deliver`) never raises for
a network failure: it says what was sent in a :class:`Delivery`, so the sweep's verdicts and
files never depend on the SIEM.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import socket
import ssl
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from imagesweep import __version__
from imagesweep.baseline.catalogue import Catalogue
from imagesweep.errors import ConfigError
from imagesweep.files import write_atomic
from imagesweep.paths import basename
from imagesweep.report.schema import DeviceEntry, SweepRecord, read_sweep
from imagesweep.sanitize import terminal

VENDOR = "imagesweep"
PRODUCT = "imagesweep"
VERDICT_CLASS = "DEVICE_VERDICT"
SCHEMES = ("udp", "tcp", "tls")
FACILITY = 20  # local4
# imagesweep has no IANA Private Enterprise Number; 32473 is the one RFC 5612 reserves for
# documentation, so the structured data's ID says whose it is without claiming a number.
SD_ID = "imagesweep@32473"
# CEF severity 0-10 and syslog severity for ours.
CEF_SEVERITY = {"critical": 10, "high": 8, "medium": 5, "low": 3, "info": 1, "": 0}
SYSLOG_SEVERITY = {"critical": 2, "high": 3, "medium": 4, "low": 5, "info": 6, "": 6}
VALUE_LIMIT = 1023  # characters of one extension value (CEF's usual bound for msg)
TIMEOUT = 10.0  # seconds to connect or send


@dataclass(frozen=True)
class Target:
    """Where ``--siem`` sends: scheme, host, port (and a CA file for ``tls``)."""

    scheme: str
    host: str
    port: int
    ca: Path | None = None

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


def parse_target(url: str, ca: Path | None = None) -> Target:
    """``udp://host:port``; :class:`ConfigError` naming what is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ConfigError(
            f"--siem {url!r}: scheme must be one of {', '.join(s + '://' for s in SCHEMES)}"
        )
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.hostname or port is None or parts.path not in ("", "/"):
        raise ConfigError(f"--siem {url!r}: expected {parts.scheme}://HOST:PORT")
    if ca is not None and parts.scheme != "tls":
        raise ConfigError("--siem-ca is for tls:// targets only")
    return Target(parts.scheme, parts.hostname, port, ca)


@dataclass(frozen=True)
class Event:
    """One event, already in Sentinel's terms; :func:`cef` and :func:`syslog` render it."""

    kind: str  # "finding" | "verdict"
    class_id: str  # DeviceEventClassID: the rule, or DEVICE_VERDICT
    activity: str  # Activity (the CEF name)
    severity: str  # ours: critical..info, "" for a clean verdict
    host: str  # the inventory host
    extension: tuple[tuple[str, str], ...]  # CEF key, value (values not yet escaped)

    @property
    def log_severity(self) -> int:
        return CEF_SEVERITY.get(self.severity, 0)


def _clean(value: object, limit: int = VALUE_LIMIT) -> str:
    text = terminal("" if value is None else str(value)).replace("\r", "")
    text = text.replace("\u2028", " ").replace("\u2029", " ")  # line breaks to some readers
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _address(address: str) -> tuple[str, str]:
    """(CEF key, value) for the device's address without its port: dvc for IPv4, c6a1 for
    IPv6; ("", "") for a name."""
    host = address
    if address.startswith("["):
        host = address[1:].split("]", 1)[0]
    elif address.count(":") == 1:
        host = address.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "", ""
    return ("dvc", str(ip)) if ip.version == 4 else ("c6a1", str(ip))


def _image_of(finding: Mapping[str, Any], images: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The image a finding is about: named at the start of its summary, else in its
    evidence; {} when it names none."""
    summary = str(finding.get("summary") or "")
    evidence = " ".join(str(e) for e in finding.get("evidence") or ())
    paths = sorted(images, key=lambda i: -len(str(i.get("path") or "")))
    for image in paths:
        path = str(image.get("path") or "")
        if path and summary.startswith(path):
            return image
    for image in paths:
        path = str(image.get("path") or "")
        if path and path in evidence:
            return image
    return {}


def _expected(catalogue: Catalogue | None, image: Mapping[str, Any]) -> str:
    if catalogue is None or not image:
        return ""
    entry = catalogue.get(basename(_clean(image.get("path"))))
    if entry is None:
        return ""
    if image.get("sha512") and entry.sha512:
        return f"sha512:{entry.sha512}"
    if entry.md5:
        return f"md5:{entry.md5}"
    return f"sha512:{entry.sha512}" if entry.sha512 else ""


def _file_hash(image: Mapping[str, Any]) -> str:
    return str(image.get("sha512") or image.get("md5") or "")


def _epoch_ms(stamp: str) -> str:
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return ""
    if when.tzinfo is None:
        return ""
    return str(int(when.timestamp() * 1000))


def _common(device: DeviceEntry, run: str) -> list[tuple[str, str]]:
    d = device.raw
    name = _clean(d.get("hostname")) or _clean(device.host)
    ext = [("rt", _epoch_ms(str(d.get("audited_at") or "")))]
    ext.append(("dvchost", name))
    key, ip = _address(device.address)
    if key:
        ext += [(key, ip)] + ([("c6a1Label", "device address")] if key == "c6a1" else [])
    ext += [
        ("deviceExternalId", _clean(device.host)),
        ("cs1Label", "platform"),
        ("cs1", _clean(device.platform)),
        ("cs2Label", "image"),
        ("cs2", _clean(d.get("running_image"))),
        ("cs5Label", "integrity"),
        ("cs5", _clean(d.get("integrity"))),
        ("cs6Label", "run"),
        ("cs6", _clean(run)),
        ("outcome", _clean(device.status)),
    ]
    return ext


def events(record: SweepRecord, catalogue: Catalogue | None = None) -> tuple[Event, ...]:
    """Every finding's event, then the device's verdict event, device by device. Pure."""
    run = record.path.resolve().name
    out: list[Event] = []
    for device in record.devices:
        d = device.raw
        images = [i for i in d.get("images") or () if isinstance(i, Mapping)]
        findings = [f for f in d.get("findings") or () if isinstance(f, Mapping)]
        common = _common(device, run)
        for f in findings:
            image = _image_of(f, images)
            ext = list(common)
            if image:
                ext += [("fname", _clean(image.get("path"))), ("fileHash", _file_hash(image))]
            ext += [
                ("cs3Label", "expected digest"),
                ("cs3", _expected(catalogue, image)),
                ("cs4Label", "technique"),
                ("cs4", _clean(f.get("technique"))),
                ("cat", "imagesweep/finding"),
                ("msg", _clean(f.get("summary"))),
                ("reason", _clean(" | ".join(str(e) for e in f.get("evidence") or ()))),
            ]
            out.append(
                Event(
                    kind="finding",
                    class_id=_clean(f.get("rule"), 100),
                    activity=_clean(f.get("summary"), 512),
                    severity=_clean(f.get("severity"), 20),
                    host=device.host,
                    extension=tuple((k, v) for k, v in ext if v),
                )
            )
        worst = _clean(d.get("max_severity"), 20)
        if not worst and device.status == "incomplete":
            worst = "high"
        running = next((i for i in images if i.get("running")), {})
        ext = list(common)
        if running:
            ext += [("fname", _clean(running.get("path"))), ("fileHash", _file_hash(running))]
            expected = _expected(catalogue, running)
            if expected:
                ext += [("cs3Label", "expected digest"), ("cs3", expected)]
        ext += [
            ("cat", "imagesweep/verdict"),
            ("msg", _clean(d.get("error")) or f"{len(findings)} findings"),
            ("cnt", str(len(findings))),
        ]
        out.append(
            Event(
                kind="verdict",
                class_id=VERDICT_CLASS,
                activity=_clean(
                    f"device {device.status}, integrity {d.get('integrity') or '?'}", 512
                ),
                severity=worst,
                host=device.host,
                extension=tuple((k, v) for k, v in ext if v),
            )
        )
    return tuple(out)


# --- rendering -----------------------------------------------------------------------------


def cef_header_escape(text: str) -> str:
    return _clean(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def cef_value_escape(text: str) -> str:
    return _clean(text).replace("\\", "\\\\").replace("=", "\\=").replace("\n", "\\n")


def cef(event: Event) -> str:
    """``CEF:0|Vendor|Product|Version|ClassID|Name|Severity|k=v ...``: one line."""
    header = "|".join(
        cef_header_escape(part)
        for part in (VENDOR, PRODUCT, __version__, event.class_id, event.activity)
    )
    ext = " ".join(f"{key}={cef_value_escape(value)}" for key, value in event.extension)
    return f"CEF:0|{header}|{event.log_severity}|{ext}"


def sd_escape(text: str) -> str:
    """An RFC 5424 PARAM-VALUE: ``"``, ``\\`` and ``]`` escaped."""
    return _clean(text).replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def _header_token(text: str, limit: int) -> str:
    """An RFC 5424 header field: printable US-ASCII without spaces, or ``-``."""
    token = "".join(c for c in text if 33 <= ord(c) <= 126)[:limit]
    return token or "-"


def syslog(event: Event, *, hostname: str, now: datetime | None = None, pid: int = 0) -> str:
    """The RFC 5424 message carrying the event's CEF text as its MSG."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    pri = FACILITY * 8 + SYSLOG_SEVERITY.get(event.severity, 6)
    sd = (
        f'[{SD_ID} host="{sd_escape(event.host)}" class="{sd_escape(event.class_id)}" '
        f'severity="{sd_escape(event.severity or "none")}"]'
    )
    return (
        f"<{pri}>1 {stamp} {_header_token(hostname, 255)} imagesweep "
        f"{_header_token(str(pid or os.getpid()), 128)} {_header_token(event.kind, 32)} "
        f"{sd} {cef(event)}"
    )


def json_record(event: Event) -> dict[str, Any]:
    """The event as a JSON object under CommonSecurityLog's column names, plus its CEF."""
    columns = {
        "dvchost": "DeviceName",
        "dvc": "DeviceAddress",
        "c6a1": "DeviceCustomIPv6Address1",
        "c6a1Label": "DeviceCustomIPv6Address1Label",
        "deviceExternalId": "DeviceExternalID",
        "fname": "FileName",
        "fileHash": "FileHash",
        "msg": "Message",
        "reason": "Reason",
        "outcome": "EventOutcome",
        "cat": "DeviceEventCategory",
        "rt": "ReceiptTime",
        "cnt": "EventCount",
    }
    for n in range(1, 7):
        columns[f"cs{n}"] = f"DeviceCustomString{n}"
        columns[f"cs{n}Label"] = f"DeviceCustomString{n}Label"
    record: dict[str, Any] = {
        "DeviceVendor": VENDOR,
        "DeviceProduct": PRODUCT,
        "DeviceVersion": __version__,
        "DeviceEventClassID": event.class_id,
        "Activity": event.activity,
        "LogSeverity": event.log_severity,
        "Severity": event.severity,
    }
    for key, value in event.extension:
        record[columns[key]] = value
    record["CEF"] = cef(event)
    return record


def write_jsonl(path: Path, batch: Iterable[Event]) -> int:
    lines = [json.dumps(json_record(e), ensure_ascii=False) + "\n" for e in batch]
    write_atomic(path, "".join(lines))
    return len(lines)


# --- delivery ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """What reached the SIEM: events sent of the total, and the error that stopped it."""

    target: str
    sent: int
    total: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and self.sent == self.total


def _frame(message: str) -> bytes:
    """RFC 6587 octet counting (and RFC 5425 over TLS): ``LEN SP MSG``."""
    data = message.encode("utf-8")
    return str(len(data)).encode("ascii") + b" " + data


def deliver(target: Target, batch: Sequence[Event], *, hostname: str | None = None) -> Delivery:
    """Send every event; never raises for a network failure (the Delivery says it)."""
    name = hostname or socket.getfqdn()
    messages = [syslog(e, hostname=name) for e in batch]
    sent = 0
    try:
        if target.scheme == "udp":
            family, kind, proto, _name, address = socket.getaddrinfo(
                target.host, target.port, type=socket.SOCK_DGRAM
            )[0]
            with socket.socket(family, kind, proto) as datagrams:
                datagrams.settimeout(TIMEOUT)
                datagrams.connect(address)
                for message in messages:
                    datagrams.send(message.encode("utf-8"))
                    sent += 1
        else:
            raw = socket.create_connection((target.host, target.port), timeout=TIMEOUT)
            with raw:
                stream: socket.socket = raw
                if target.scheme == "tls":
                    context = ssl.create_default_context(
                        cafile=str(target.ca) if target.ca else None
                    )
                    stream = context.wrap_socket(raw, server_hostname=target.host)
                for message in messages:
                    stream.sendall(_frame(message))
                    sent += 1
                if isinstance(stream, ssl.SSLSocket):
                    with contextlib.suppress(OSError, ssl.SSLError):
                        stream.unwrap()  # close_notify; every event is already sent
    except (OSError, ssl.SSLError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return Delivery(str(target), sent, len(messages), reason or type(exc).__name__)
    return Delivery(str(target), sent, len(messages))


def export(
    run_dir: Path,
    *,
    catalogue: Catalogue | None,
    target: Target | None = None,
    jsonl: Path | None = None,
) -> tuple[Delivery, ...]:
    """The run's events to a JSON-lines file and/or a syslog target, read back from the run
    directory. A failure is a :class:`Delivery` with its error, never an exception: the run's
    files are written and its verdicts given before this is called."""
    batch = events(read_sweep(run_dir), catalogue)
    done: list[Delivery] = []
    if jsonl is not None:
        try:
            done.append(Delivery(str(jsonl), write_jsonl(jsonl, batch), len(batch)))
        except OSError as exc:
            done.append(Delivery(str(jsonl), 0, len(batch), exc.strerror or str(exc)))
    if target is not None:
        done.append(deliver(target, batch))
    return tuple(done)
