"""``known-good add --from-run DIR``: a sweep's uncatalogued digests into the catalogue.

Only images the sweep found with no catalogue entry (verdict ``unknown``) are promoted: a
mismatch or a known-good digest under another name is evidence, never a baseline. Each row's
``source`` names the run, so the catalogue says where its trust came from.
"""

from __future__ import annotations

from pathlib import Path

from imagesweep.baseline.catalogue import add_entries
from imagesweep.errors import ConfigError
from imagesweep.paths import basename
from imagesweep.records import KnownGood
from imagesweep.report import schema


def promote(catalogue: Path, run_dir: Path) -> list[KnownGood]:
    sweep = schema.read_sweep(run_dir)
    devices = {r["host"]: r for r in schema.read_rows(run_dir, schema.DEVICES_CSV)}
    stamp = sweep.started_at.date().isoformat() if sweep.started_at else "undated"
    source = f"run {run_dir.resolve().name} ({stamp})"
    chosen: dict[str, KnownGood] = {}
    for row in schema.read_rows(run_dir, schema.IMAGES_CSV):
        if row.get("verdict") != "unknown" or not (row.get("md5") or row.get("sha512")):
            continue
        device = devices.get(row["host"], {})
        name = basename(row["path"])
        entry = KnownGood(
            filename=name,
            md5=row.get("md5", ""),
            sha512=row.get("sha512", ""),
            platform=device.get("platform", ""),
            version=device.get("version", "") if row.get("running") == "yes" else "",
            source=source,
        )
        old = chosen.get(name.lower())
        if old and (old.md5, old.sha512) != (entry.md5, entry.sha512):
            raise ConfigError(
                f"{run_dir}: {name} has different digests on different devices; "
                "promote none of them until that is explained"
            )
        if old is None or (entry.version and not old.version):
            chosen[name.lower()] = entry
    return add_entries(catalogue, list(chosen.values()))
