"""A login that timed out while the sweep was busy is tried once more at the end of the
sweep, over SSH: a device whose first login is slow comes out clean (its journal says the
first try timed out); a refused login is never retried; an always-slow device stays
incomplete after its second try; the same on Dask workers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_support import audit

from imagesweep.lab.fleet import demo_fleet_path, load_fleet
from imagesweep.lab.scenarios import clean
from imagesweep.lab.server import Lab


def _device(name: str, faults: dict[str, Any]) -> dict[str, Any]:
    device = clean(name, "ios_router")
    device["faults"] = faults
    return device


@pytest.mark.parametrize("where", [(), ("--dask", "local:2")], ids=["one process", "dask"])
def test_a_timed_out_login_is_tried_again_once(tmp_path: Path, where: tuple[str, ...]) -> None:
    raw = yaml.safe_load(demo_fleet_path().read_text(encoding="utf-8"))
    raw["devices"] = [
        _device("busy-once", {"slow_login": 4, "slow_login_times": 1}),
        _device("always-slow", {"slow_login": 4}),
        _device("refused", {"auth_fail": True}),
        _device("fine", {}),
    ]
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    lab = Lab(load_fleet(fleet))
    lab.start()
    try:
        inventory = lab.write_inventory(tmp_path / "inventory")
        lab.write_catalogue(inventory / "known-good.csv")
        sweep = audit(inventory, tmp_path / "run", "--connect-timeout", "2", *where)
        connections = {
            name: lab.logins.connections(name)
            for name in ("busy-once", "always-slow", "refused", "fine")
        }
    finally:
        lab.stop()
    devices = sweep.devices()
    assert devices["busy-once"]["status"] == "clean"
    assert devices["fine"]["status"] == "clean"
    assert devices["always-slow"]["status"] == "incomplete"
    assert "no prompt within 2 s" in devices["always-slow"]["error"]
    assert devices["refused"]["status"] == "incomplete"
    assert connections == {"busy-once": 2, "always-slow": 2, "refused": 1, "fine": 1}
    lines = (sweep.run_dir / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    last = {c["host"]: c for c in map(json.loads, lines)}
    (note,) = [n for n in last["busy-once"]["notes"] if "tried again" in n]
    assert "the first try: no prompt within 2 s" in note
