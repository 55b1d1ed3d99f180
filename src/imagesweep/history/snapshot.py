"""Snapshots for the history: from a sweep's results, or from a past run directory."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

from imagesweep.analyze.rules.drift import facts, storage_complete
from imagesweep.baseline.context import Context
from imagesweep.errors import ConfigError
from imagesweep.history.store import DeviceSnapshot, FindingRecord, ImageRecord, SweepSnapshot
from imagesweep.records import DeviceResult
from imagesweep.report import schema

# XDG base directory: the history is data the tool accumulates, not configuration.
DEFAULT_NAME = "history.sqlite"
ENV_HISTORY = "IMAGESWEEP_HISTORY"


def default_path() -> Path:
    """``$IMAGESWEEP_HISTORY``, else ``$XDG_DATA_HOME/imagesweep/history.sqlite``, else
    ``~/.local/share/imagesweep/history.sqlite``."""
    if os.environ.get(ENV_HISTORY):
        return Path(os.environ[ENV_HISTORY])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "imagesweep" / DEFAULT_NAME


def sweep_id(started_at: datetime, source: str) -> str:
    """Stable for one run directory, so importing it twice stores it once."""
    tag = hashlib.sha256(source.encode()).hexdigest()[:8]
    return f"{started_at.astimezone(UTC):%Y%m%dT%H%M%SZ}-{tag}"


def _stamp(text: str, default: datetime) -> datetime:
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return default
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def device_snapshot(result: DeviceResult, when: datetime) -> DeviceSnapshot:
    state = result.state
    audited = _stamp(result.audited_at, when) if result.audited_at else when
    listed = {f.path: f.modified for f in state.files} if state else {}
    images = tuple(
        ImageRecord(
            i.path,
            i.size,
            i.md5,
            i.sha512,
            i.verdict,
            i.known_good,
            i.running,
            i.boot_target,
            modified=listed.get(i.path, ""),
            digested_at=_digested_at(i.reused_from, audited) if (i.md5 or i.sha512) else None,
        )
        for i in result.images
    )
    findings = tuple(FindingRecord(f.rule, f.severity, f.summary) for f in result.findings)
    v = state.version if state else None
    base = DeviceSnapshot(
        host=result.host,
        platform=result.platform,
        audited_at=audited,
        status=result.status,
        address=result.address,
        hostname=v.hostname if v else "",
        model=v.model if v else "",
        serial=v.serial if v else "",
        hash_status=result.hash_status,
        images=images,
        findings=findings,
        memory_text=(state.memory_text or None) if state else None,
    )
    if state is None:
        return base
    now = facts(state, Context(), images=result.images)
    return DeviceSnapshot(
        **{
            **base.__dict__,
            "version": now.version,
            "running_image": now.running_image,
            "boot_entries": now.boot_entries,
            "config_register": now.config_register,
            "config_register_next": now.config_register_next,
            "rommon": now.rommon,
            "uptime": (v.uptime or None) if v else None,
            "uptime_seconds": now.uptime_seconds,
            "storage_complete": storage_complete(state),
        }
    )


def _digested_at(reused_from: str, audited: datetime) -> datetime | None:
    """When the device computed an image's digest: now, or when the reused one was."""
    if not reused_from:
        return audited
    try:
        stamp = datetime.fromisoformat(reused_from)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else None


def from_results(
    results: tuple[DeviceResult, ...],
    *,
    started_at: datetime,
    finished_at: datetime | None,
    source: str,
) -> SweepSnapshot:
    return SweepSnapshot(
        id=sweep_id(started_at, source),
        started_at=started_at,
        finished_at=finished_at,
        source=source,
        devices=tuple(device_snapshot(r, started_at) for r in results),
    )


def _opt(text: str) -> str | None:
    return text or None


def from_run_dir(run_dir: Path) -> SweepSnapshot:
    """A past run directory as a sweep. Its CSVs carry less than a live sweep sees: what they
    do not hold (ROMMON, uptime, the next-reload register) is ``None``, so it can never
    count as a change."""
    record = schema.read_sweep(run_dir)
    started = record.started_at or record.finished_at
    if started is None:
        raise ConfigError(f"{run_dir}: {schema.SWEEP_JSON} has no started_at/finished_at")
    images: dict[str, list[ImageRecord]] = {}
    for row in schema.read_rows(run_dir, schema.IMAGES_CSV):
        size = row.get("size", "")
        images.setdefault(row["host"], []).append(
            ImageRecord(
                path=row["path"],
                size=int(size) if size.isdigit() else None,
                md5=row.get("md5", ""),
                sha512=row.get("sha512", ""),
                verdict=row.get("verdict", ""),
                known_good=row.get("known_good", ""),
                running=row.get("running") == "yes",
                boot_target=row.get("boot_target") == "yes",
            )
        )
    findings: dict[str, list[FindingRecord]] = {}
    for row in schema.read_rows(run_dir, schema.FINDINGS_CSV):
        findings.setdefault(row["host"], []).append(
            FindingRecord(row["rule"], row["severity"], row["summary"])
        )
    gaps = {
        d.host: [g.get("step", "") for g in d.raw.get("gaps") or () if isinstance(g, dict)]
        for d in record.devices
    }
    devices = []
    for row in schema.read_rows(run_dir, schema.DEVICES_CSV):
        host = row["host"]
        steps = gaps.get(host)
        obtained = row.get("status") != "incomplete"
        complete = (
            all(str(s).startswith("digest ") for s in steps) if steps is not None else obtained
        ) and row.get("images_on_storage", "") != ""
        boot = row.get("boot_images", "")
        devices.append(
            DeviceSnapshot(
                host=host,
                platform=row.get("platform", ""),
                audited_at=_stamp(row.get("audited_at", ""), started),
                status=row.get("status", ""),
                address=row.get("address", ""),
                hostname=row.get("hostname", ""),
                model=row.get("model", ""),
                serial=row.get("serial", ""),
                hash_status=row.get("hash_status", ""),
                version=_opt(row.get("version", "")),
                running_image=_opt(row.get("running_image", "")),
                # An empty column cannot tell "no boot variable" from "not read".
                boot_entries=tuple(boot.split(";")) if boot else None,
                config_register=_opt(row.get("config_register", "")),
                storage_complete=complete,
                images=tuple(images.get(host, ())),
                findings=tuple(findings.get(host, ())),
            )
        )
    source = str(run_dir.resolve())
    return SweepSnapshot(
        id=sweep_id(started, source),
        started_at=started,
        finished_at=record.finished_at,
        source=source,
        devices=tuple(devices),
    )
