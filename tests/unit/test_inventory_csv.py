"""--inventory devices.csv: rows become Nornir hosts; bad rows are one-line file:line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from imagesweep.errors import ConfigError
from imagesweep.inventory import csv_inventory
from imagesweep.inventory import simple as inventory

GOOD = (
    "\ufeffName,Address,Platform,Port,Groups,Site,expected_hostname,legacy_ssh,rack\n"
    "r1,10.0.0.1,ios,2201,branch;paris,paris,R1,yes,A1\n"
    "\n"
    'xr1,xr1.example.net,iosxr,,core,,,false,"B 2"\n'
    "fw1,10.0.0.9,panos,,,,,,\n"
)


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "devices.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_rows_become_hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(inventory.ENV_USERNAME, "auditor")
    monkeypatch.setenv(inventory.ENV_PASSWORD, "pw")
    nr = inventory.load(_csv(tmp_path, GOOD))
    hosts = nr.inventory.hosts
    assert list(hosts) == ["r1", "xr1", "fw1"]
    r1 = hosts["r1"]
    assert (r1.hostname, r1.port, r1.platform) == ("10.0.0.1", 2201, "cisco_ios")
    assert [g.name for g in r1.groups] == ["branch", "paris"]
    assert r1.data == {"site": "paris", "expected_hostname": "R1", "legacy_ssh": True, "rack": "A1"}
    assert r1.get("site") == "paris" and r1.get("legacy_ssh") is True
    assert (r1.username, r1.password) == ("auditor", "pw")
    xr1 = hosts["xr1"]
    assert (xr1.platform, xr1.port, xr1.data) == (
        "cisco_xr",
        None,
        {"legacy_ssh": False, "rack": "B 2"},
    )
    assert hosts["fw1"].platform == "paloalto_panos"
    assert list(inventory.load(_csv(tmp_path, GOOD), group="core").inventory.hosts) == ["xr1"]
    assert list(inventory.load(_csv(tmp_path, GOOD), hosts=["fw1"]).inventory.hosts) == ["fw1"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,address\nr1,10.0.0.1\n", r"devices.csv:1: missing column\(s\) platform"),
        ("name,address,platform,name\n", r"devices.csv:1: column 'name' twice"),
        (
            "name,address,platform\nr1,a,ios\nr2,b,nxos\nr1,c,ios\n",
            r":4: duplicate host 'r1' \(first on line 2\)",
        ),
        (
            "name,address,platform\nr1,a,vyos\n",
            r"devices.csv:2: host 'r1': unknown platform 'vyos'",
        ),
        ("name,address,platform,port\nr1,a,ios,22x\n", r":2: host 'r1': port '22x' is not 1-65535"),
        ("name,address,platform,port\nr1,a,ios,70000\n", r":2: host 'r1': port '70000'"),
        ("name,address,platform\nr1,,ios\n", r"devices.csv:2: empty address"),
        ("name,address,platform\n,a,ios\n", r"devices.csv:2: empty name"),
        ("name,address,platform\nr1,a,ios,extra\n", r":2: 4 cells, the header has 3 columns"),
        (
            'name,address,platform,note\nr1,a,ios,"two\nlines"\nr1,b,ios,\n',
            r":4: duplicate host 'r1'",
        ),
        ("name,address,platform\n", r"devices.csv: no devices"),
        ("", r"devices.csv:1: no header"),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        inventory.load(_csv(tmp_path, text))


def test_not_utf8_names_the_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "devices.csv"
    path.write_bytes("name,address,platform,site\nr1,a,ios,Zürich\n".encode("cp1252"))
    with pytest.raises(ConfigError, match=r"devices.csv:2: byte 37 \(0xfc\) is not UTF-8"):
        csv_inventory.read(path)
    path.write_bytes("name,address,platform\n".encode("utf-16"))
    with pytest.raises(ConfigError, match="UTF-16"):
        csv_inventory.read(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="inventory file not found"):
        inventory.load(tmp_path / "nope.csv")


def test_cli_error_is_one_line(tmp_path: Path) -> None:
    path = _csv(tmp_path, "name,address,platform\nr1,a,ios\nr1,b,ios\n")
    args = ["audit", "--inventory", str(path), "--no-history", "--out", str(tmp_path / "run")]
    proc = subprocess.run(
        [sys.executable, "-m", "imagesweep", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "IMAGESWEEP_USERNAME": "u", "IMAGESWEEP_PASSWORD": "p"},
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"imagesweep: error: {path}:3: duplicate host 'r1' (first on line 2)"
    ]
