"""Issue 12 item 3, end to end over SSH: ``max_sessions`` on an inventory group caps that
group's sessions beside the global gate, in one process and across Dask workers; hosts of
other groups are not held back; a bad cap is refused before any device is contacted."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from e2e_support import audit, run_cli

from imagesweep.lab.fleet import Fleet, generate_fleet
from imagesweep.lab.scenarios import clean
from imagesweep.lab.server import Lab


def _fleet(tmp: Path) -> Fleet:
    from imagesweep.lab.fleet import demo_fleet_path, load_fleet

    raw = yaml.safe_load(demo_fleet_path().read_text(encoding="utf-8"))
    devices = []
    for index in range(3):  # sessions of about a second: 1 s of digest dots each
        for persona in ("ios_router", "iosxe_router"):
            device = clean(f"{persona[:5]}{index}", persona)
            device["digest_seconds"] = 1.0
            devices.append(device)
    raw["devices"] = devices
    path = tmp / "fleet.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return load_fleet(path)


def _cap(inventory: Path, group: str, value: object) -> None:
    groups_file = inventory / "groups.yaml"
    groups = yaml.safe_load(groups_file.read_text(encoding="utf-8"))
    groups[group].setdefault("data", {})["max_sessions"] = value
    groups_file.write_text(yaml.safe_dump(groups), encoding="utf-8")


@pytest.mark.parametrize(
    "where",
    [(), ("--dask", "local:2")],
    ids=["one process", "dask: a cluster-wide cap over two worker processes"],
)
def test_group_cap_serialises_its_sessions_only(tmp_path: Path, where: tuple[str, ...]) -> None:
    lab = Lab(_fleet(tmp_path))
    lab.start()
    try:
        inventory = lab.write_inventory(tmp_path / "inventory")
        lab.write_catalogue(inventory / "known-good.csv")
        _cap(inventory, "ios_router", 1)
        sweep = audit(inventory, tmp_path / "run", "--workers", "6", "--login-rate", "100", *where)
        starts = lab.logins.started
    finally:
        lab.stop()
    assert {row["status"] for row in sweep.devices().values()} == {"clean"}
    capped = [when for when, device in starts if device.startswith("ios_r")]
    free = [when for when, device in starts if device.startswith("iosxe")]
    assert len(capped) == 3 and len(free) == 3
    # One ios_router session at a time: each began after the previous one's digest second.
    assert min(b - a for a, b in itertools.pairwise(capped)) >= 0.9
    # The uncapped group went at once, beside the capped one.
    assert max(free) - min(free) < 1.5 < capped[-1] - capped[0]


def test_a_bad_cap_is_refused_before_any_login(
    lab_of: Callable[[Fleet, Path], Path], tmp_path: Path
) -> None:
    inventory = lab_of(generate_fleet(2, seed=3), tmp_path)
    groups = yaml.safe_load((inventory / "groups.yaml").read_text(encoding="utf-8"))
    _cap(inventory, next(iter(groups)), 0)
    proc = run_cli("audit", "--inventory", str(inventory), "--out", str(tmp_path / "run"))
    assert proc.returncode == 2
    assert "max_sessions must be a whole number of at least 1, not 0" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()
