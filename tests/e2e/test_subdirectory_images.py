"""Images in subdirectories, end to end over SSH: where the listing is not recursive (NX-OS
``dir``), the collector also lists the directory of the running image and boot target, so
the image is seen, digested and judged instead of looking missing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from e2e_support import audit

from imagesweep.lab.fleet import Fleet, demo_fleet_path, load_fleet

IMAGE = "nxos64-cs.10.3.4a.M.bin"


def _fleet(directory: Path, devices: list[dict[str, Any]]) -> Fleet:
    raw = yaml.safe_load(demo_fleet_path().read_text(encoding="utf-8"))
    raw["devices"] = devices
    path = directory / "fleet.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return load_fleet(path)


def test_nxos_running_image_in_a_subdirectory_is_listed_and_digested(
    lab_of: Callable[[Fleet, Path], Path], tmp_path: Path
) -> None:
    path = f"bootflash:images/{IMAGE}"
    device = {
        "name": "nx-sub",
        "persona": "nxos",
        "hostname": "NX-SUB",
        "version": "10.3(4a)",
        "running_image": path,
        "boot": [path],
        "files": [{"path": path, "image": IMAGE}],
    }
    inventory = lab_of(_fleet(tmp_path, [device]), tmp_path)
    sweep = audit(inventory, tmp_path / "run")
    row = sweep.devices()["nx-sub"]
    assert (row["status"], row["hash_status"]) == ("clean", "match"), sweep.rules()
    (image,) = [i for i in sweep.rows("images.csv") if i["path"] == path]
    assert image["verdict"] == "match" and image["running"] == "yes"
    (capture,) = map(json.loads, (sweep.run_dir / "journal.jsonl").read_text().splitlines())
    listed = [r["command"] for r in capture["runs"] if r["step"] == "listing"]
    assert "dir bootflash:images/" in listed
