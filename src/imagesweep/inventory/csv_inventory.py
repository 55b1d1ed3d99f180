"""A device list kept as a spreadsheet: ``--inventory devices.csv``.

Columns (header on the first line, names in any order, case-insensitive):

- ``name`` (required, unique): the inventory host name;
- ``address`` (required): IP address or DNS name to connect to;
- ``platform`` (required): a Netmiko device_type or an alias (``ios``, ``xr``, ``panos``...),
  through :func:`imagesweep.platforms.canonical`;
- ``port`` (optional, 1-65535; default 22);
- ``groups`` (optional): group names separated by ``;``;
- ``site`` (optional): the host's site (``--dask`` runs it on that site's workers);
- ``username``, ``password`` (optional): as in ``hosts.yaml``; usually left to the
  environment;
- any other column: host data (``expected_hostname``, ``legacy_ssh``, ``emulator``, your own);
  ``true`` / ``false`` / ``yes`` / ``no`` become booleans, an empty cell is no value.

Problems are :class:`ConfigError` naming the file and the line, as for the YAML inventory:
not UTF-8, missing or repeated columns, a row with more cells than the header, an empty
name, address or platform, a duplicate name, an unknown platform, a bad port.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nornir.core.inventory import (
    Defaults,
    Group,
    Groups,
    Host,
    Hosts,
    Inventory,
    ParentGroups,
)

from imagesweep import files
from imagesweep.errors import ConfigError
from imagesweep.platforms import canonical

PLUGIN = "ImagesweepCSVInventory"
REQUIRED = ("name", "address", "platform")
HOST_COLUMNS = frozenset({*REQUIRED, "port", "groups", "username", "password"})
_BOOLEANS = {"true": True, "yes": True, "false": False, "no": False}


@dataclass(frozen=True)
class Row:
    """One device of the spreadsheet, validated."""

    line: int
    name: str
    address: str
    platform: str
    port: int | None = None
    groups: tuple[str, ...] = ()
    username: str = ""
    password: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def is_csv(path: Path) -> bool:
    """Whether ``--inventory`` names a spreadsheet rather than a SimpleInventory directory."""
    return path.suffix.lower() == ".csv" or path.is_file()


def _value(text: str) -> Any:
    return _BOOLEANS.get(text.lower(), text)


def read(path: Path) -> list[Row]:
    """The validated rows of ``path``; :class:`ConfigError` on the first problem."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: inventory file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: a directory, not a CSV inventory") from None
    text = files.decode_text(path, raw, "inventory")
    if "\0" in text:
        raise ConfigError(f"{path}: holds NUL bytes; not a text CSV")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise ConfigError(f"{path}:1: no header (columns: {', '.join(REQUIRED)}, ...)")
        columns = [cell.strip().lower() for cell in header]
        for n, column in enumerate(columns):
            if not column:
                raise ConfigError(f"{path}:1: column {n + 1} has no name")
            if column in columns[:n]:
                raise ConfigError(f"{path}:1: column {column!r} twice")
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise ConfigError(
                f"{path}:1: missing column(s) {', '.join(missing)} (have: {', '.join(columns)})"
            )
        rows: list[Row] = []
        first: dict[str, int] = {}
        line = reader.line_num
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, or a row of empty cells
            if len(cells) > len(columns):
                raise ConfigError(
                    f"{path}:{start}: {len(cells)} cells, the header has {len(columns)} columns"
                )
            row = _row(path, start, dict(zip(columns, (c.strip() for c in cells), strict=False)))
            if row.name in first:
                raise ConfigError(
                    f"{path}:{start}: duplicate host {row.name!r} (first on line {first[row.name]})"
                )
            first[row.name] = start
            rows.append(row)
    except csv.Error as exc:
        raise ConfigError(f"{path}:{reader.line_num}: {exc}") from exc
    if not rows:
        raise ConfigError(f"{path}: no devices (one row per device after the header)")
    return rows


def _row(path: Path, line: int, cells: dict[str, str]) -> Row:
    where = f"{path}:{line}"
    for column in REQUIRED:
        if not cells.get(column):
            raise ConfigError(f"{where}: empty {column}")
    name = cells["name"]
    try:
        platform = canonical(cells["platform"])
    except ConfigError as exc:
        raise ConfigError(f"{where}: host {name!r}: {exc}") from None
    port: int | None = None
    if cells.get("port"):
        try:
            port = int(cells["port"])
        except ValueError:
            port = 0
        if not 1 <= port <= 65535:
            raise ConfigError(f"{where}: host {name!r}: port {cells['port']!r} is not 1-65535")
    groups = tuple(g.strip() for g in (cells.get("groups") or "").split(";") if g.strip())
    data = {k: _value(v) for k, v in cells.items() if k not in HOST_COLUMNS and v}
    return Row(
        line=line,
        name=name,
        address=cells["address"],
        platform=platform,
        port=port,
        groups=groups,
        username=cells.get("username", ""),
        password=cells.get("password", ""),
        data=data,
    )


class CSVInventory:
    """Nornir inventory plugin over :func:`read` (registered as :data:`PLUGIN`)."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def load(self) -> Inventory:
        rows = read(self.path)
        defaults = Defaults()
        groups = Groups()
        for row in rows:
            for name in row.groups:
                if name not in groups:
                    groups[name] = Group(name=name, defaults=defaults)
        hosts = Hosts()
        for row in rows:
            hosts[row.name] = Host(
                name=row.name,
                hostname=row.address,
                port=row.port,
                username=row.username or None,
                password=row.password or None,
                platform=row.platform,
                groups=ParentGroups([groups[g] for g in row.groups]),
                data=dict(row.data),
                defaults=defaults,
            )
        return Inventory(hosts=hosts, groups=groups, defaults=defaults)
