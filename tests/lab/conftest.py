"""Lab fixtures: the demo fleet served once per test module, Netmiko sessions to its devices."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from netmiko import ConnectHandler

from imagesweep.lab.fleet import Fleet, demo_fleet_path, load_fleet
from imagesweep.lab.server import Lab

Connect = Callable[..., Any]


@pytest.fixture(scope="module")
def demo_fleet() -> Fleet:
    return load_fleet(demo_fleet_path())


@pytest.fixture(scope="module")
def demo_lab(demo_fleet: Fleet) -> Iterator[Lab]:
    lab = Lab(demo_fleet)
    lab.start()
    try:
        yield lab
    finally:
        lab.stop()


@pytest.fixture(scope="module")
def connect(demo_lab: Lab) -> Iterator[Connect]:
    """``connect(name, device_type=...)``: a Netmiko session, disconnected after the module."""
    sessions: list[Any] = []

    def _connect(name: str, *, device_type: str = "", **options: Any) -> Any:
        device = demo_lab.fleet.device(name)
        host, port = demo_lab.endpoints[name]
        params: dict[str, Any] = {
            "device_type": device_type or device.platform,
            "host": host,
            "port": port,
            "username": device.credentials.username,
            "password": device.credentials.password,
            "secret": device.credentials.secret,
            "conn_timeout": 5,
        }
        params.update(options)
        session = ConnectHandler(**params)
        sessions.append(session)
        return session

    yield _connect
    for session in sessions:
        session.disconnect()
