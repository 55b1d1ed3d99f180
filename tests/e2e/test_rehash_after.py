"""Issue 9 item 8, end to end over SSH: ``--rehash-after DAYS`` reuses the history's digest
of a file whose path, size and timestamp are unchanged on a device that has not reloaded and
had no finding, marks it in images.csv, and digests everything else as always."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_support import Sweep, audit

from imagesweep.lab.fleet import Fleet, demo_fleet_path, load_fleet
from imagesweep.lab.scenarios import clean

STAMP = "2026-03-07 10:12:40"


def _fleet(directory: Path, devices: list[dict[str, Any]]) -> Fleet:
    raw = yaml.safe_load(demo_fleet_path().read_text(encoding="utf-8"))
    raw["devices"] = devices
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "fleet.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return load_fleet(path)


def _device(name: str) -> dict[str, Any]:
    device = clean(name, "ios_router")
    device["files"][0]["modified"] = STAMP
    return device


def digested(sweep: Sweep) -> dict[str, list[str]]:
    """Host -> the files its session asked the device to digest."""
    lines = (sweep.run_dir / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    return {
        c["host"]: [r["target"] for r in c["runs"] if r["step"] == "digest"]
        for c in map(json.loads, lines)
    }


def reused(sweep: Sweep) -> dict[str, str]:
    return {row["host"]: row["digest_reused_from"] for row in sweep.rows("images.csv")}


@pytest.mark.parametrize(
    "where", [(), ("--dask", "local:2")], ids=["one process", "dask: offers travel to workers"]
)
def test_unchanged_files_are_not_digested_again(
    lab_of: Callable[[Fleet, Path], Path], tmp_path: Path, where: tuple[str, ...]
) -> None:
    before = [_device(name) for name in ("same", "touched", "reloaded", "flagged")]
    before[3]["config_register"] = "0x2142"  # a finding (CONFREG) at the first sweep
    after = copy.deepcopy(before)
    after[1]["files"][0]["modified"] = "2026-11-30 02:00:00"  # same size, new timestamp
    after[2]["uptime"] = "0 minutes"  # reloaded since the first sweep (seconds ago)
    first_lab = lab_of(_fleet(tmp_path / "a", before), tmp_path / "a")
    second_lab = lab_of(_fleet(tmp_path / "b", after), tmp_path / "b")
    opts = ("--history", str(tmp_path / "history.sqlite"))

    first = audit(first_lab, tmp_path / "run1", *opts, "--rehash-after", "7")
    assert all(len(files) == 1 for files in digested(first).values())  # nothing to reuse yet
    assert set(reused(first).values()) == {""}

    second = audit(second_lab, tmp_path / "run2", *opts, "--rehash-after", "7", *where)
    asked = digested(second)
    assert asked["same"] == []
    assert len(asked["touched"]) == len(asked["reloaded"]) == len(asked["flagged"]) == 1
    marks = reused(second)
    assert marks["same"] and not marks["touched"] and not marks["reloaded"]
    assert not marks["flagged"]
    devices = second.devices()
    assert devices["same"]["status"] == "clean" and devices["same"]["hash_status"] == "match"
    images = {row["host"]: row for row in second.rows("images.csv")}
    assert images["same"]["md5"] == images["touched"]["md5"]  # the same image, from history

    # The clock of a reused digest does not restart: the third sweep reuses the first's.
    third = audit(second_lab, tmp_path / "run3", *opts, "--rehash-after", "7", *where)
    assert digested(third)["same"] == [] and reused(third)["same"] == marks["same"]
    assert digested(third)["touched"] == []  # digested by the device in the second sweep

    # Without the option every file is digested, whatever the history holds.
    fourth = audit(second_lab, tmp_path / "run4", *opts)
    assert all(len(files) == 1 for files in digested(fourth).values())
    assert set(reused(fourth).values()) == {""}
