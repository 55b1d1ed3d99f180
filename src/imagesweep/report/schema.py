"""The run directory as code: its files, their columns, and the fields of ``sweep.json``.

The report writes a run directory through these names and everything that reads one back
(the hunt's audit correlation, ``--resume``, history import, the HTML report) reads it
through :func:`read_sweep` and :func:`read_rows`, so a field cannot be written under one name
and read under another. The files and columns are a contract (DESIGN.md §4); a change needs
a migration note in the changelog and a new :data:`SCHEMA_VERSION`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from imagesweep.errors import ConfigError
from imagesweep.sanitize import safe_name

SCHEMA_VERSION = 2  # 2: raw/<host>.txt, one file per device (was raw/<host>/<command>.txt)

DEVICES_CSV = "devices.csv"
FINDINGS_CSV = "findings.csv"
IMAGES_CSV = "images.csv"
SWEEP_JSON = "sweep.json"
RUN_JSON = "run.json"  # the sweep's options, for --resume
JOURNAL = "journal.jsonl"  # one finished device per line
RAW_DIR = "raw"  # raw/<host>.txt: what the device printed, command by command (raw_name)
CHANGES_CSV = "changes.csv"  # what changed since each device's last sweep (with a history)

DEVICE_COLUMNS = (
    "host",
    "address",
    "platform",
    "hostname",
    "model",
    "serial",
    "version",
    "running_image",
    "boot_images",
    "config_register",
    "images_on_storage",
    "hash_status",
    "status",
    "max_severity",
    "findings",
    "rules",
    "audited_at",
    "error",
    "integrity",  # tampered | verified | unknown | unverified (analyze/integrity.py)
    "rommon",  # ROMMON version (show rom-monitor, else the ROM:/BOOTLDR: line); issue 10
)
FINDING_COLUMNS = (
    "host",
    "platform",
    "rule",
    "severity",
    "technique",
    "summary",
    "evidence",
    "recommendation",
)
IMAGE_COLUMNS = (
    "host",
    "path",
    "size",
    "running",
    "boot_target",
    "md5",
    "sha512",
    "known_good",
    "verdict",
    "digest_reused_from",
)
CHANGE_COLUMNS = ("host", "change", "item", "before", "after")


@dataclass(frozen=True)
class DeviceEntry:
    """One device of ``sweep.json`` as a reader needs it."""

    host: str
    address: str
    hostname: str
    platform: str
    status: str
    started_at: datetime | None
    elapsed: float | None
    commands: tuple[str, ...]
    raw: Mapping[str, Any] = field(default_factory=dict)  # every field, as written


@dataclass(frozen=True)
class SweepRecord:
    """What ``sweep.json`` says of a whole sweep."""

    path: Path
    tool_version: str
    schema: int
    started_at: datetime | None
    finished_at: datetime | None
    options: Mapping[str, Any]
    summary: Mapping[str, Any]
    devices: tuple[DeviceEntry, ...]


def _stamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else None  # the report always writes UTC with an offset


def _device(entry: Mapping[str, Any]) -> DeviceEntry:
    elapsed = entry.get("elapsed")
    commands = entry.get("commands") or ()
    return DeviceEntry(
        host=str(entry.get("host") or ""),
        address=str(entry.get("address") or ""),
        hostname=str(entry.get("hostname") or ""),
        platform=str(entry.get("platform") or ""),
        status=str(entry.get("status") or ""),
        started_at=_stamp(entry.get("audited_at")),
        elapsed=float(elapsed) if isinstance(elapsed, int | float) else None,
        commands=tuple(
            str(c["command"]) for c in commands if isinstance(c, Mapping) and c.get("command")
        ),
        raw=dict(entry),
    )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def read_sweep(run_dir: Path) -> SweepRecord:
    """``sweep.json`` of ``run_dir``; :class:`ConfigError` when it is missing or not ours."""
    path = run_dir / SWEEP_JSON
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{run_dir}: not an imagesweep run directory (no {SWEEP_JSON})") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(data, dict) or data.get("tool") != "imagesweep":
        raise ConfigError(f"{path}: not an imagesweep sweep.json")
    devices = data.get("devices")
    return SweepRecord(
        path=run_dir,
        tool_version=str(data.get("version") or ""),
        schema=int(data.get("schema") or 0),
        started_at=_stamp(data.get("started_at")),
        finished_at=_stamp(data.get("finished_at")),
        options=_mapping(data.get("options")),
        summary=_mapping(data.get("summary")),
        devices=tuple(_device(d) for d in devices if isinstance(d, dict))
        if isinstance(devices, list)
        else (),
    )


def read_rows(run_dir: Path, name: str) -> list[dict[str, str]]:
    """The rows of one of the run's CSV files; :class:`ConfigError` when unreadable."""
    path = run_dir / name
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    except FileNotFoundError:
        raise ConfigError(f"{run_dir}: not an imagesweep run directory (no {name})") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc


# --- raw/<host>.txt ------------------------------------------------------------------------
# One file per device, not one per command: a sweep of thousands of devices otherwise creates
# a dozen files each, and on ext4 allocating inodes where many were recently deleted (old runs
# pruned) cost a 1,000-device sweep a third of its CPU. Each output follows a header line that
# gives its exact length, so a device that prints a header of its own cannot forge a section.

_RAW_PREAMBLE = (
    "# imagesweep: what {host} printed, command by command; "
    "each header gives the exact length of the output under it\n"
)
_RAW_HEADER = re.compile(
    r"===== (?P<command>[^\n]*) "
    r"\(step (?P<step>[^\s,()]*), (?P<length>\d{1,12}) characters\) =====\n"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class RawOutput:
    """What a device printed for one command (imagesweep's notes of a failure included)."""

    step: str
    command: str
    text: str


def raw_name(host: str) -> str:
    """``<host>.txt``, a single safe path component; a host whose name is not one as it is
    gets a digest of its name added, so that two hosts never share a file."""
    name = safe_name(host, limit=100)
    if name != host:
        name += "-" + hashlib.sha256(host.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{name}.txt"


def raw_document(host: str, outputs: Iterable[RawOutput]) -> Iterator[str]:
    """The text of ``raw/<host>.txt``, in pieces (outputs are written, not copied)."""
    yield _RAW_PREAMBLE.format(host=_CONTROL.sub("?", host))
    for output in outputs:
        command = _CONTROL.sub("?", output.command)
        step = safe_name(output.step, limit=40)
        yield f"===== {command} (step {step}, {len(output.text)} characters) =====\n"
        yield output.text
        yield "\n"


def read_raw(run_dir: Path, host: str) -> tuple[RawOutput, ...]:
    """The outputs in ``raw/<host>.txt`` of ``run_dir``, in the order the commands ran; ()
    when there is none (nothing ran). ConfigError when the file cannot be read or was not
    written whole by imagesweep (a header missing where one must be)."""
    path = run_dir / RAW_DIR / raw_name(host)
    try:
        # newline="": lengths count characters as written; a device's CR stays a CR.
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            text = handle.read()
    except FileNotFoundError:
        return ()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    at = text.find("\n") + 1 if text.startswith("# imagesweep:") else 0
    if not at:
        raise ConfigError(f"{path}: not an imagesweep raw output file")
    outputs: list[RawOutput] = []
    while at < len(text):
        header = _RAW_HEADER.match(text, at)
        end = header.end() + int(header["length"]) if header else 0
        if header is None or text[end : end + 1] != "\n":
            raise ConfigError(
                f"{path}: damaged at character {at}, after {len(outputs)} whole output(s): "
                "not a file imagesweep wrote whole"
            )
        outputs.append(RawOutput(header["step"], header["command"], text[header.end() : end]))
        at = end + 1
    return tuple(outputs)
