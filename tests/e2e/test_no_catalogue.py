"""Issue 14 item 3, no catalogue, no pass: an audit without a usable known-good catalogue is
a usage error (exit 2, one line) unless ``--no-catalogue`` says so explicitly; then digests
are recorded, the report says no catalogue was used, the running image's HASH_UNKNOWN is
high (other unknown files medium), and the sweep cannot exit 0. The real CLI over SSH."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from e2e_support import Sweep, run_cli

from imagesweep.lab.fleet import Fleet, demo_fleet_path, load_fleet

HOSTS = ("r1-clean", "sw2-dual")
HEADER = "filename,md5,sha512,platform,version,source\n"


@pytest.fixture(scope="module")
def inventory(
    lab_of: Callable[[Fleet, Path], Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    fleet = load_fleet(demo_fleet_path())
    fleet = replace(fleet, devices=tuple(d for d in fleet.devices if d.name in HOSTS))
    inv = lab_of(fleet, tmp_path_factory.mktemp("nocat"))
    (inv / "known-good.csv").unlink()  # the lab writes one beside the inventory
    return inv


def _audit(inventory: Path, out: Path, *extra: str) -> Sweep:
    proc = run_cli(
        "audit",
        "--inventory",
        str(inventory),
        "--out",
        str(out),
        "--known-hosts",
        str(out.parent / f"{out.name}.known_hosts"),
        *extra,
    )
    return Sweep(out, proc.returncode, proc.stdout, proc.stderr)


def _usage_error(sweep: Sweep, expected: str) -> None:
    assert sweep.exit_code == 2, sweep.stderr
    (line,) = sweep.stderr.strip().splitlines()
    assert line.startswith("imagesweep: error: ") and expected in line
    assert not sweep.run_dir.exists()  # refused before any device was contacted


def test_missing_catalogue_is_a_usage_error(inventory: Path, tmp_path: Path) -> None:
    _usage_error(_audit(inventory, tmp_path / "run", "--quiet"), "--no-catalogue")


def test_header_only_catalogue_is_a_usage_error(inventory: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER, encoding="utf-8")
    sweep = _audit(inventory, tmp_path / "run", "--known-good", str(empty), "--quiet")
    _usage_error(sweep, "holds no entries")


def test_no_catalogue_with_a_catalogue_is_a_usage_error(inventory: Path, tmp_path: Path) -> None:
    catalogue = tmp_path / "kg.csv"
    catalogue.write_text(HEADER + "x.bin," + "a" * 32 + ",,,,\n", encoding="utf-8")
    sweep = _audit(
        inventory, tmp_path / "run", "--known-good", str(catalogue), "--no-catalogue", "--quiet"
    )
    _usage_error(sweep, "exclude each other")


def test_no_catalogue_records_digests_and_cannot_pass(inventory: Path, tmp_path: Path) -> None:
    # Even with --fail-on critical and HASH_UNKNOWN lowered to info by policy.
    policy = tmp_path / "policy.yaml"
    policy.write_text("severity:\n  HASH_UNKNOWN: info\n", encoding="utf-8")
    lenient = _audit(
        inventory,
        tmp_path / "lenient",
        "--no-catalogue",
        "--fail-on",
        "critical",
        "--policy",
        str(policy),
    )
    assert lenient.exit_code == 1, lenient.stderr
    assert "no catalogue was used" in lenient.stderr
    assert {f["severity"] for f in lenient.rows("findings.csv") if f["rule"] == "HASH_UNKNOWN"} == {
        "info"
    }

    sweep = _audit(inventory, tmp_path / "run", "--no-catalogue", "--quiet")
    assert sweep.exit_code == 1
    report = json.loads((sweep.run_dir / "sweep.json").read_text(encoding="utf-8"))
    assert report["options"]["no_catalogue"] is True
    assert report["options"]["catalogue_entries"] == 0
    images = sweep.rows("images.csv")
    assert images and all(len(row["md5"]) == 32 for row in images)  # every digest recorded
    severity = {
        (f["host"], f["summary"].split(" ", 1)[0]): f["severity"]
        for f in sweep.rows("findings.csv")
        if f["rule"] == "HASH_UNKNOWN"
    }
    assert severity[("r1-clean", "flash:c2900-universalk9-mz.SPA.157-3.M8.bin")] == "high"
    assert severity[("sw2-dual", "flash:c2960x-universalk9-mz.152-7.E8.bin")] == "high"
    assert severity[("sw2-dual", "flash2:c2960x-universalk9-mz.152-4.E10.bin")] == "medium"
    devices = sweep.devices()
    assert {row["integrity"] for row in devices.values()} == {"unknown"}
    assert {row["hash_status"] for row in devices.values()} == {"unknown"}
