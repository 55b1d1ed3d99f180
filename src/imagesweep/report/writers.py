"""Report stage: the run directory's files (DESIGN.md §4, a contract) and the terminal summary.

Every cell that may carry device text goes through :func:`sanitize.csv_cell`; every file is
written to a temporary name and renamed, so a killed sweep never leaves half a report.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from imagesweep import __version__
from imagesweep.analyze.rules.integrity_evidence import rommon_of
from imagesweep.collect.stop import INTERRUPTED_STEP
from imagesweep.files import make_dir, write_atomic, write_plain
from imagesweep.records import DeviceCapture, DeviceResult, DeviceState, Finding, severity_rank
from imagesweep.report import schema, triage
from imagesweep.report.schema import DEVICE_COLUMNS, FINDING_COLUMNS, IMAGE_COLUMNS
from imagesweep.sanitize import csv_cell


def max_severity(result: DeviceResult) -> str:
    if not result.findings:
        return ""
    return min((f.severity for f in result.findings), key=severity_rank)


def device_row(result: DeviceResult) -> dict[str, object]:
    state = result.state
    version = state.version if state else None
    boot = state.boot if state else None
    register = (version.config_register if version else "") or (
        boot.config_register if boot else ""
    )
    return {
        "host": result.host,
        "address": result.address,
        "platform": result.platform,
        "hostname": version.hostname if version else "",
        "model": version.model if version else "",
        "serial": version.serial if version else "",
        "version": version.version if version else "",
        "running_image": version.running_image if version else "",
        "boot_images": ";".join(boot.next_boot) if boot else "",
        "config_register": register,
        "images_on_storage": len(result.images) if state and state.listings else "",
        "hash_status": result.hash_status,
        "status": result.status,
        "max_severity": max_severity(result),
        "findings": len(result.findings),
        "rules": ";".join(dict.fromkeys(f.rule for f in result.findings)),
        "audited_at": result.audited_at,
        "error": result.error,
        "integrity": result.integrity,
        "rommon": _rommon(state),
    }


def _rommon(state: DeviceState | None) -> str:
    if state is None:
        return ""
    rom = rommon_of(state)
    if rom and rom.version:
        return rom.version
    return state.version.rommon if state.version else ""


def _frame(rows: Iterable[dict[str, object]], columns: Sequence[str]) -> str:
    # Every cell is already text (csv_cell): the standard library writes exactly what pandas'
    # to_csv did, without pandas' 45 MiB and second of CPU on every sweep.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([csv_cell(row.get(c, "")) for c in columns] for row in rows)
    return buffer.getvalue()


def finding_row(result: DeviceResult, f: Finding) -> dict[str, object]:
    return {
        "host": result.host,
        "platform": result.platform,
        "rule": f.rule,
        "severity": f.severity,
        "technique": f.technique,
        "summary": f.summary,
        "evidence": " | ".join(f.evidence),
        "recommendation": f.recommendation,
    }


def finding_rows(result: DeviceResult) -> list[dict[str, object]]:
    return [finding_row(result, f) for f in result.findings]


def image_rows(result: DeviceResult) -> list[dict[str, object]]:
    return [
        {
            "host": result.host,
            "path": i.path,
            "size": "" if i.size is None else i.size,
            "running": "yes" if i.running else "no",
            "boot_target": "yes" if i.boot_target else "no",
            "md5": i.md5,
            "sha512": i.sha512,
            "known_good": i.known_good,
            "verdict": i.verdict,
            "digest_reused_from": i.reused_from,
        }
        for i in result.images
    ]


def raw_outputs(capture: DeviceCapture) -> list[schema.RawOutput]:
    """What the device printed for each command, with imagesweep's note of a failure."""
    return [
        schema.RawOutput(
            run.step,
            run.command,
            run.output + (f"\n[imagesweep: {run.error}]\n" if run.error else ""),
        )
        for run in capture.runs
    ]


def write_raw(run_dir: Path, capture: DeviceCapture) -> None:
    """``raw/<host>.txt`` (:func:`schema.raw_name`): nothing when no command ran."""
    if not capture.runs:
        return
    raw = make_dir(run_dir / schema.RAW_DIR)
    write_plain(
        raw / schema.raw_name(capture.host), schema.raw_document(capture.host, raw_outputs(capture))
    )


def summary_counts(results: Sequence[DeviceResult]) -> dict[str, Any]:
    counts = Counter(r.status for r in results)
    return {
        "devices": len(results),
        "clean": counts["clean"],
        "findings": counts["findings"],
        "incomplete": counts["incomplete"],
        "severity": triage.severity_counts(results),
    }


def write_reports(
    run_dir: Path,
    results: Sequence[DeviceResult],
    *,
    options: dict[str, Any],
    timings: dict[str, float],
    started_at: str,
    finished_at: str,
    interrupted: str = "",
) -> None:
    """devices.csv, findings.csv, images.csv and sweep.json, each atomically.
    ``interrupted``: the signal that stopped the sweep ("SIGINT"), "" when it ran to its end."""
    ordered = triage.devices(results)  # worst first, then natural host order
    write_atomic(run_dir / schema.DEVICES_CSV, _frame(map(device_row, ordered), DEVICE_COLUMNS))
    write_atomic(
        run_dir / schema.FINDINGS_CSV,
        _frame((finding_row(r, f) for r, f in triage.findings(ordered)), FINDING_COLUMNS),
    )
    write_atomic(
        run_dir / schema.IMAGES_CSV,
        _frame((row for r in ordered for row in image_rows(r)), IMAGE_COLUMNS),
    )
    document = {
        "tool": "imagesweep",
        "version": __version__,
        "schema": schema.SCHEMA_VERSION,
        "started_at": started_at,
        "finished_at": finished_at,
        "options": options,
        "timings": timings,
        "summary": summary_counts(ordered),
        # null when the sweep ran to its end; else the signal, and the hosts it left
        "interrupted": interrupted or None,
        "not_audited": [r.host for r in ordered if _stopped(r)] if interrupted else [],
        "devices": [_device_json(r) for r in ordered],
    }
    write_atomic(run_dir / schema.SWEEP_JSON, json.dumps(document, indent=2, default=str) + "\n")


def _device_json(result: DeviceResult) -> dict[str, Any]:
    row = device_row(result)
    row["findings"] = [asdict(f) for f in result.findings]
    row["images"] = [asdict(i) for i in result.images]
    row["gaps"] = [asdict(g) for g in result.state.gaps] if result.state else []
    row["commands"] = (
        [
            {
                "step": r.step,
                "command": r.command,
                "elapsed": round(r.elapsed, 3),
                "error": r.error,
                "truncated": r.truncated,
            }
            for r in result.capture.runs
        ]
        if result.capture
        else []
    )
    row["elapsed"] = round(result.capture.elapsed, 3) if result.capture else None
    row["collector"] = result.capture.collector if result.capture else ""
    return row


def _stopped(result: DeviceResult) -> bool:
    return bool(result.capture and result.capture.error_step == INTERRUPTED_STEP)
