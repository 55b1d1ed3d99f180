"""The Nornir inventory: validated before Nornir sees it, filtered, credentials filled in.

A SimpleInventory directory holds ``hosts.yaml`` and optionally ``groups.yaml`` and
``defaults.yaml``. Problems are :class:`ConfigError` naming file and line: YAML syntax,
duplicate host names (which PyYAML and ruamel would silently merge), hosts without a
platform, platforms imagesweep does not audit, groups that do not exist.
Credentials come from the inventory, else ``IMAGESWEEP_USERNAME`` / ``IMAGESWEEP_PASSWORD`` /
``IMAGESWEEP_SECRET``, else a prompt; they are never logged or written anywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nornir import InitNornir
from nornir.core import Nornir
from nornir.core.inventory import ConnectionOptions, Host
from nornir.core.plugins.inventory import InventoryPluginRegister

from imagesweep.errors import ConfigError
from imagesweep.files import load_yaml
from imagesweep.inventory import csv_inventory
from imagesweep.platforms import profiles

ENV_USERNAME = "IMAGESWEEP_USERNAME"
ENV_PASSWORD = "IMAGESWEEP_PASSWORD"
ENV_SECRET = "IMAGESWEEP_SECRET"


@dataclass(frozen=True)
class Credentials:
    username: str | None = None
    password: str | None = None
    secret: str | None = None

    @classmethod
    def from_env(cls) -> Credentials:
        return cls(
            os.environ.get(ENV_USERNAME), os.environ.get(ENV_PASSWORD), os.environ.get(ENV_SECRET)
        )

    def __repr__(self) -> str:  # never show secrets, even in a debug traceback
        return f"Credentials(username={self.username!r}, password=***, secret=***)"


def _files(directory: Path) -> tuple[Path, Path | None, Path | None]:
    if not directory.is_dir():
        raise ConfigError(f"{directory}: inventory directory not found")
    hosts = directory / "hosts.yaml"
    if not hosts.is_file():
        raise ConfigError(f"{hosts}: missing (a Nornir SimpleInventory needs hosts.yaml)")
    groups = directory / "groups.yaml"
    defaults = directory / "defaults.yaml"
    return hosts, groups if groups.is_file() else None, defaults if defaults.is_file() else None


# The keys Nornir's SimpleInventory reads; anything else is a typo it would ignore in silence
# (``plaform:`` would leave a host on the group's platform, ``data:`` misspelt drops the data).
_BASE_KEYS = frozenset({"hostname", "port", "username", "password", "platform", "data"})
_ENTRY_KEYS = {
    "hosts": _BASE_KEYS | {"groups", "connection_options"},
    "groups": _BASE_KEYS | {"groups", "connection_options"},
    "defaults": _BASE_KEYS | {"connection_options"},
}
_CONNECTION_KEYS = frozenset({"hostname", "port", "username", "password", "platform", "extras"})
# defaults.yaml ``data`` key naming the known_hosts audits of this inventory use (the lab's).
KNOWN_HOSTS_KEY = "imagesweep_known_hosts"


def _check_keys(path: Path, kind: str, name: str, data: dict[str, Any]) -> None:
    where = f"{path}: {kind[:-1]} {name!r}" if kind != "defaults" else f"{path}"
    unknown = sorted(str(k) for k in data if k not in _ENTRY_KEYS[kind])
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)} "
            f"(known: {', '.join(sorted(_ENTRY_KEYS[kind]))})"
        )
    options = data.get("connection_options") or {}
    if not isinstance(options, dict):
        raise ConfigError(f"{where}: connection_options must be a mapping")
    for plugin, values in options.items():
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: connection_options {plugin!r} must be a mapping")
        bad = sorted(str(k) for k in values if k not in _CONNECTION_KEYS)
        if bad:
            raise ConfigError(
                f"{where}: connection_options {plugin!r}: unknown key(s) {', '.join(bad)} "
                f"(known: {', '.join(sorted(_CONNECTION_KEYS))})"
            )


def known_hosts_of(directory: Path) -> Path | None:
    """The known_hosts the inventory asks audits to use (defaults ``data``), if any.

    A relative path is taken from the inventory directory, so the lab's inventory keeps its
    throw-away ``127.0.0.1:<port>`` keys beside itself and out of the user's known_hosts.
    """
    defaults_file = directory / "defaults.yaml"
    if not directory.is_dir() or not defaults_file.is_file():
        return None
    defaults = load_yaml(defaults_file) or {}
    data = defaults.get("data") if isinstance(defaults, dict) else None
    value = data.get(KNOWN_HOSTS_KEY) if isinstance(data, dict) else None
    if not value:
        return None
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else directory / path


def validate(directory: Path) -> None:
    """Check the inventory files; :class:`ConfigError` on the first problem."""
    hosts_file, groups_file, defaults_file = _files(directory)
    hosts = load_yaml(hosts_file) or {}
    groups = (load_yaml(groups_file) or {}) if groups_file else {}
    defaults = (load_yaml(defaults_file) or {}) if defaults_file else {}
    for name, data in (("hosts", hosts), ("groups", groups), ("defaults", defaults)):
        if not isinstance(data, dict):
            raise ConfigError(f"{directory / (name + '.yaml')}: expected a mapping at the top")
    for group_name, group_data in groups.items():
        if not isinstance(group_data, dict):
            if group_data is None:
                continue
            raise ConfigError(f"{groups_file}: group {group_name!r}: expected a mapping")
        _check_keys(groups_file or directory, "groups", str(group_name), group_data)
    _check_keys(defaults_file or directory, "defaults", "", defaults)
    supported = profiles()
    for host, data in hosts.items():
        if not isinstance(data, dict):
            raise ConfigError(f"{hosts_file}: host {host!r}: expected a mapping")
        _check_keys(hosts_file, "hosts", str(host), data)
        for group in data.get("groups") or ():
            if group not in groups:
                raise ConfigError(f"{hosts_file}: host {host!r}: unknown group {group!r}")
        platform = data.get("platform") or _group_platform(data, groups) or defaults.get("platform")
        if not platform:
            raise ConfigError(f"{hosts_file}: host {host!r}: no platform (a Netmiko device_type)")
        if platform not in supported:
            raise ConfigError(
                f"{hosts_file}: host {host!r}: unsupported platform {platform!r} "
                f"(supported: {', '.join(sorted(supported))})"
            )


def _group_platform(host: dict[str, Any], groups: dict[str, Any]) -> str | None:
    for group in host.get("groups") or ():
        data = groups.get(group) or {}
        if data.get("platform"):
            return str(data["platform"])
    return None


def load(
    directory: Path,
    *,
    workers: int = 20,
    hosts: list[str] | None = None,
    group: str | None = None,
    credentials: Credentials | None = None,
    ssh_config: Path | None = None,
) -> Nornir:
    """A Nornir object for the filtered inventory, credentials applied. ``directory`` is a
    SimpleInventory directory, or a CSV file (:mod:`imagesweep.inventory.csv_inventory`)."""
    hosts_file = directory
    if csv_inventory.is_csv(directory):
        csv_inventory.read(directory)  # validated before Nornir sees it
        InventoryPluginRegister.register(csv_inventory.PLUGIN, csv_inventory.CSVInventory)
        inventory: dict[str, Any] = {
            "plugin": csv_inventory.PLUGIN,
            "options": {"path": str(directory)},
        }
    else:
        validate(directory)
        hosts_file, groups_file, defaults_file = _files(directory)
        options: dict[str, Any] = {"host_file": str(hosts_file)}
        # Empty files are left out: Nornir would warn about them on every run.
        if groups_file and load_yaml(groups_file):
            options["group_file"] = str(groups_file)
        if defaults_file and load_yaml(defaults_file):
            options["defaults_file"] = str(defaults_file)
        inventory = {"plugin": "SimpleInventory", "options": options}
    config: dict[str, Any] = {
        "runner": {"plugin": "threaded", "options": {"num_workers": max(1, workers)}},
        "inventory": inventory,
        "logging": {"enabled": False},
    }
    if ssh_config:
        config["ssh"] = {"config_file": str(ssh_config)}
    nr = InitNornir(**config)
    if hosts:
        unknown = sorted(set(hosts) - set(nr.inventory.hosts))
        if unknown:
            raise ConfigError(f"{hosts_file}: no such host(s): {', '.join(unknown)}")
        nr = nr.filter(filter_func=lambda h: h.name in hosts)
    if group:
        if group not in nr.inventory.groups:
            raise ConfigError(f"{directory}: no such group {group!r}")
        nr = nr.filter(filter_func=lambda h: h.has_parent_group(group))
    apply_credentials(nr, credentials or Credentials.from_env())
    return nr


def apply_credentials(nr: Nornir, creds: Credentials) -> None:
    """Fill what the inventory leaves open; the inventory's own values win."""
    for host in nr.inventory.hosts.values():
        if not host.username and creds.username:
            host.username = creds.username
        if not host.password and creds.password:
            host.password = creds.password
        if creds.secret and not _secret(host):
            _set_secret(host, creds.secret)


def _secret(host: Host) -> str | None:
    params = host.get_connection_parameters("netmiko")
    value = (params.extras or {}).get("secret")
    return str(value) if value else None


def _set_secret(host: Host, secret: str) -> None:
    existing = host.connection_options.get("netmiko")
    extras = dict(existing.extras or {}) if existing and existing.extras else {}
    inherited = host.get_connection_parameters("netmiko").extras or {}
    merged = {**inherited, **extras, "secret": secret}
    host.connection_options["netmiko"] = ConnectionOptions(extras=merged)


def missing_credentials(nr: Nornir) -> list[str]:
    """Hosts that still have no username or password."""
    return sorted(h.name for h in nr.inventory.hosts.values() if not h.username or not h.password)
