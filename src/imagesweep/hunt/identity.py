"""Which log source is which device: names and addresses compared the forgiving way.

A syslog header names a device by whatever it sent (FQDN, short hostname, IP address); the
audit knows it by inventory name, configured hostname and address. Two names are the same
device when they are equal ignoring case, or when one is the other's first DNS label.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable


def is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def keys(names: Iterable[str]) -> frozenset[str]:
    """Lower-case forms under which a device with these names may appear in a log."""
    out: set[str] = set()
    for raw in names:
        name = raw.strip().lower().rstrip(".")
        if not name:
            continue
        out.add(name)
        if not is_address(name) and "." in name:
            out.add(name.split(".", 1)[0])
    return frozenset(out)


def same_device(a: Iterable[str], b: Iterable[str]) -> bool:
    return bool(keys(a) & keys(b))
