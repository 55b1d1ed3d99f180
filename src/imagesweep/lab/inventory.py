"""What the lab writes for the audit: a Nornir SimpleInventory and the known-good catalogue."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml

from imagesweep import files
from imagesweep.inventory.simple import KNOWN_HOSTS_KEY
from imagesweep.lab.fleet import Fleet
from imagesweep.lab.pki import (
    KGV_FILE,
    ROOTS_FILE,
    ROUTER_BOOT_LOADER,
    SWITCH_BOOT_LOADER,
    KgvImage,
    kgv_document,
    pki,
    sign_file,
)

LAB_KNOWN_HOSTS = "known_hosts"  # relative: beside the lab's inventory

CATALOGUE_HEADER = ("filename", "md5", "sha512", "platform", "version", "source")
_DESCRIPTIONS = {
    "ios_router": "Cisco ISR G2 router, classic IOS 15",
    "ios_switch": "Cisco Catalyst 2960-X switch, classic IOS 15.2",
    "iosxe_switch": "Cisco Catalyst 9300 switch, IOS-XE 17 bundle mode",
    "iosxe_router": "Cisco ISR 4331 router, IOS-XE 17 bundle mode",
}


def _dump(path: Path, data: dict[str, Any]) -> None:
    # The inventory holds the lab's passwords: 0600 like everything else imagesweep writes.
    files.write_atomic(path, yaml.safe_dump(data, sort_keys=False, default_flow_style=False))


def write_inventory(fleet: Fleet, endpoints: dict[str, tuple[str, int]], directory: Path) -> Path:
    """hosts.yaml, groups.yaml, defaults.yaml in ``directory``; returns ``directory``."""
    files.make_dir(directory)
    hosts: dict[str, Any] = {}
    for device in fleet.devices:
        address, port = endpoints[device.name]
        hosts[device.name] = {
            "hostname": address,
            "port": port,
            "platform": device.platform,
            "username": device.credentials.username,
            "password": device.credentials.password,
            "groups": [device.persona],
            "connection_options": {"netmiko": {"extras": {"secret": device.credentials.secret}}},
            "data": {
                "persona": device.persona,
                "device_hostname": device.hostname,
                # The collector checks the device's prompt against it (hostname_mismatch).
                "expected_hostname": device.hostname,
                "faults": list(device.faults.names),
                "expect": list(device.expect),
            },
        }
    personas = sorted({device.persona for device in fleet.devices})
    groups = {name: {"data": {"description": _DESCRIPTIONS.get(name, name)}} for name in personas}
    _dump(directory / "hosts.yaml", hosts)
    _dump(directory / "groups.yaml", groups)
    _dump(
        directory / "defaults.yaml",
        {
            "data": {
                "source": "imagesweep lab",
                "fleet": fleet.source,
                # Audits of this inventory keep the lab's throw-away 127.0.0.1:<port> host
                # keys here, beside the inventory, not in the user's known_hosts.
                KNOWN_HOSTS_KEY: LAB_KNOWN_HOSTS,
            }
        },
    )
    write_integrity(fleet, directory)
    return directory


def write_integrity(fleet: Fleet, directory: Path) -> bool:
    """The lab PKI's roots (``integrity-roots.pem``) and the Known Good Values of the
    fleet's known-good IOS-XE images (``kgv.json`` + ``kgv.json.signature``), beside the
    inventory, when any device signs its boot measurements. True when written."""
    if not any(d.integrity for d in fleet.devices):
        return False
    images = [
        KgvImage(i.name, i.md5, i.sha512) for i in fleet.known_good() if i.platform == "cisco_xe"
    ]
    data = kgv_document(images, (ROUTER_BOOT_LOADER, SWITCH_BOOT_LOADER))
    files.write_atomic(directory / ROOTS_FILE, pki().roots_pem())
    files.write_atomic(directory / KGV_FILE, data)
    files.write_atomic(directory / f"{KGV_FILE}.signature", sign_file(data))
    return True


def write_catalogue(fleet: Fleet, path: Path) -> None:
    """The known-good CSV (DESIGN.md §4) of the fleet's ``known_good`` images."""
    handle = io.StringIO(newline="")
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(CATALOGUE_HEADER)
    for image in sorted(fleet.known_good(), key=lambda i: i.name):
        writer.writerow((image.name, image.md5, image.sha512, image.platform, image.version, "lab"))
    files.write_atomic(path, handle.getvalue())
