from __future__ import annotations

from pathlib import Path

import pytest

from imagesweep.errors import ConfigError
from imagesweep.inventory import simple as inventory


def make(tmp_path: Path, hosts: str, groups: str = "", defaults: str = "") -> Path:
    (tmp_path / "hosts.yaml").write_text(hosts, encoding="utf-8")
    if groups:
        (tmp_path / "groups.yaml").write_text(groups, encoding="utf-8")
    if defaults:
        (tmp_path / "defaults.yaml").write_text(defaults, encoding="utf-8")
    return tmp_path


HOSTS = """\
r1:
  hostname: 127.0.0.1
  port: 2201
  platform: cisco_ios
  groups: [branch]
s1:
  hostname: 127.0.0.1
  port: 2202
  groups: [campus]
"""
GROUPS = "branch: {}\ncampus:\n  platform: cisco_xe\n"


def test_load_filters_and_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inv = make(tmp_path, HOSTS, GROUPS)
    monkeypatch.setenv(inventory.ENV_USERNAME, "auditor")
    monkeypatch.setenv(inventory.ENV_PASSWORD, "pw")
    monkeypatch.setenv(inventory.ENV_SECRET, "en")
    nr = inventory.load(inv)
    assert sorted(nr.inventory.hosts) == ["r1", "s1"]
    r1 = nr.inventory.hosts["r1"]
    assert (r1.username, r1.password) == ("auditor", "pw")
    assert r1.get_connection_parameters("netmiko").extras["secret"] == "en"
    assert nr.inventory.hosts["s1"].platform == "cisco_xe"
    assert list(inventory.load(inv, group="campus").inventory.hosts) == ["s1"]
    assert list(inventory.load(inv, hosts=["r1"]).inventory.hosts) == ["r1"]
    assert "pw" not in repr(inventory.Credentials.from_env())


def test_inventory_values_win_over_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inv = make(tmp_path, HOSTS, GROUPS, "username: netops\npassword: fromfile\n")
    monkeypatch.setenv(inventory.ENV_PASSWORD, "fromenv")
    nr = inventory.load(inv)
    assert nr.inventory.hosts["r1"].password == "fromfile"
    assert inventory.missing_credentials(nr) == []


@pytest.mark.parametrize(
    ("hosts", "groups", "message"),
    [
        (
            "r1: {hostname: a, platform: cisco_ios}\nr1: {hostname: b, platform: cisco_ios}\n",
            "",
            r"hosts.yaml:2: duplicate key 'r1' \(first on line 1\)",
        ),
        ("r1: {hostname: a, platform: cisco_ios\n", "", r"hosts.yaml:2: "),
        ("r1: {hostname: a, platform: arista_eos}\n", "", r"unsupported platform 'arista_eos'"),
        ("r1: {hostname: a}\n", "", r"host 'r1': no platform"),
        ("r1: {hostname: a, platform: cisco_ios, groups: [nope]}\n", "", r"unknown group 'nope'"),
        ("- r1\n", "", r"expected a mapping at the top"),
    ],
)
def test_bad_inventories_are_one_line_errors(
    tmp_path: Path, hosts: str, groups: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        inventory.load(make(tmp_path, hosts, groups))


def test_unknown_filters(tmp_path: Path) -> None:
    inv = make(tmp_path, HOSTS, GROUPS)
    with pytest.raises(ConfigError, match="no such host"):
        inventory.load(inv, hosts=["zz"])
    with pytest.raises(ConfigError, match="no such group"):
        inventory.load(inv, group="zz")
    with pytest.raises(ConfigError, match="nothing: inventory directory not found"):
        inventory.load(tmp_path / "nothing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ConfigError, match=r"hosts\.yaml: missing"):
        inventory.load(empty)
