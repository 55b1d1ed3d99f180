"""The Lab itself: faults over SSH, both authentication methods, the exec channel, the pager,
the inventory and catalogue it writes, and a clean stop."""

from __future__ import annotations

import csv
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paramiko
import pytest
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException
from nornir import InitNornir

from imagesweep.errors import ImagesweepError
from imagesweep.lab.fleet import Fleet, generate_fleet, image_digests, load_fleet
from imagesweep.lab.server import Lab, run_forever

Connect = Callable[..., Any]


def transport(lab: Lab, name: str) -> paramiko.Transport:
    host, port = lab.endpoints[name]
    sock = socket.create_connection((host, port), timeout=5)
    client = paramiko.Transport(sock)
    client.start_client(timeout=5)
    return client


def read_until(channel: paramiko.Channel, marker: str, timeout: float = 5) -> str:
    data = ""
    deadline = time.monotonic() + timeout
    while marker not in data and time.monotonic() < deadline:
        if channel.recv_ready():
            data += channel.recv(65536).decode()
        else:
            time.sleep(0.01)
    assert marker in data, data
    return data


def test_unreachable_device_refuses_connections(demo_lab: Lab, connect: Connect) -> None:
    host, port = demo_lab.endpoints["r9-unreachable"]
    assert host == "127.0.0.1"
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, port), timeout=2).close()
    started = time.monotonic()
    with pytest.raises((NetmikoTimeoutException, ConnectionRefusedError)):
        connect("r9-unreachable")
    assert time.monotonic() - started < 5


def test_auth_fail_rejects_the_right_password(connect: Connect) -> None:
    with pytest.raises(NetmikoAuthenticationException):
        connect("r10-badpass")


def test_password_and_keyboard_interactive_auth(demo_lab: Lab) -> None:
    client = transport(demo_lab, "r1-clean")
    try:
        assert client.auth_interactive("admin", lambda title, text, prompts: ["admin"]) == []
        assert client.is_authenticated()
    finally:
        client.close()
    client = transport(demo_lab, "r1-clean")
    try:
        with pytest.raises(paramiko.AuthenticationException):
            client.auth_password("admin", "wrong")
    finally:
        client.close()
    client = transport(demo_lab, "r10-badpass")
    try:
        with pytest.raises(paramiko.AuthenticationException):
            client.auth_interactive("admin", lambda title, text, prompts: ["admin"])
    finally:
        client.close()


def test_exec_channel_runs_one_command(demo_lab: Lab) -> None:
    client = transport(demo_lab, "r1-clean")
    try:
        client.auth_password("admin", "admin")
        channel = client.open_session()
        channel.exec_command("show bootvar | include BOOT variable")
        output = read_until(channel, ";\r\n")
        assert output == "BOOT variable = flash:c2900-universalk9-mz.SPA.157-3.M8.bin,1;\r\n"
    finally:
        client.close()


def test_shell_echo_pager_and_exit(demo_lab: Lab) -> None:
    client = transport(demo_lab, "xe2-clean")
    try:
        client.auth_password("admin", "admin")
        channel = client.open_session()
        channel.get_pty(term="vt100", width=80, height=24)
        channel.invoke_shell()
        assert read_until(channel, "XE2-WAN>") == "\r\nXE2-WAN>"
        channel.send("show ver\n")
        first = read_until(channel, " --More-- ")
        assert first.startswith("show ver\r\nCisco IOS XE Software, Version 17.09.04a\r\n")
        assert first.count("\r\n") == 24  # the echo line and 23 lines of output
        channel.send("q")
        assert read_until(channel, "XE2-WAN>").endswith("\r\nXE2-WAN>")
        channel.send("terminal length 0\r\nshow ver\r\n")
        whole = read_until(channel, "0x2102\r\n\r\nXE2-WAN>")
        assert " --More-- " not in whole
        channel.send("exit\n")
        deadline = time.monotonic() + 5
        while not channel.exit_status_ready() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert channel.exit_status_ready()
    finally:
        client.close()


def test_inventory_is_a_nornir_simple_inventory(demo_lab: Lab, tmp_path: Path) -> None:
    directory = demo_lab.write_inventory(tmp_path / "inventory")
    assert directory == tmp_path / "inventory"
    nornir = InitNornir(
        inventory={
            "plugin": "SimpleInventory",
            "options": {
                "host_file": str(directory / "hosts.yaml"),
                "group_file": str(directory / "groups.yaml"),
                "defaults_file": str(directory / "defaults.yaml"),
            },
        },
        logging={"enabled": False},
    )
    hosts = nornir.inventory.hosts
    assert set(hosts) == {device.name for device in demo_lab.fleet.devices}
    router = hosts["r1-clean"]
    assert (router.hostname, router.port) == demo_lab.endpoints["r1-clean"]
    assert router.platform == "cisco_ios" and hosts["xe1-clean"].platform == "cisco_xe"
    assert (router.username, router.password) == ("admin", "admin")
    assert router.get_connection_parameters("netmiko").extras == {"secret": "cisco"}
    assert [group.name for group in router.groups] == ["ios_router"]
    assert hosts["r9-unreachable"]["faults"] == ["unreachable"]
    assert hosts["r2-patched"]["expect"] == ["HASH_MISMATCH", "HASH_FLEET_OUTLIER"]


def test_catalogue_vouches_for_known_good_images(demo_lab: Lab, tmp_path: Path) -> None:
    path = tmp_path / "known-good.csv"
    demo_lab.write_catalogue(path)
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["filename", "md5", "sha512", "platform", "version", "source"]
    by_name = {row["filename"]: row for row in rows}
    known = {image.name for image in demo_lab.fleet.images if image.known_good}
    assert set(by_name) == known
    assert "c2900-universalk9-mz.SPA.156-3.M6.bin" not in by_name  # the "unknown" scenario
    row = by_name["c2900-universalk9-mz.SPA.157-3.M8.bin"]
    assert (row["md5"], row["sha512"]) == image_digests("c2900-universalk9-mz.SPA.157-3.M8.bin")
    assert (row["platform"], row["version"], row["source"]) == ("cisco_ios", "15.7(3)M8", "lab")
    assert by_name["cat9k_iosxe.17.09.04a.SPA.bin"]["platform"] == "cisco_xe"


def test_stop_releases_every_port() -> None:
    fleet = generate_fleet(6, seed=3)
    lab = Lab(fleet)
    with lab:
        endpoints = lab.endpoints
        assert len(endpoints) == 6 and len({port for _, port in endpoints.values()}) == 6
        with pytest.raises(ImagesweepError, match="already started"):
            lab.start()
        open_client = transport(lab, "lab0001")  # a session still open at stop time
    assert not lab.running and lab.endpoints == {}
    open_client.close()
    for host, port in endpoints.values():
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((host, port), timeout=2).close()
        probe = socket.socket()
        # TIME_WAIT of the closed session may remain; a listener would still refuse the bind
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        probe.listen()
        probe.close()
    lab.stop()  # idempotent


def test_run_forever_serves_until_stopped(tmp_path: Path, demo_fleet: Fleet) -> None:
    stop = threading.Event()
    ready: list[Lab] = []
    fleet = generate_fleet(2, seed=1, faulty_ratio=0.0)
    worker = threading.Thread(
        target=run_forever,
        args=(fleet, tmp_path / "inv"),
        kwargs={"on_ready": ready.append, "stop": stop},
    )
    worker.start()
    deadline = time.monotonic() + 10
    while not ready and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ready and ready[0].running
    assert (tmp_path / "inv" / "hosts.yaml").is_file()
    assert (tmp_path / "inv" / "known-good.csv").is_file()
    host, port = ready[0].endpoints["lab0001"]
    socket.create_connection((host, port), timeout=2).close()
    stop.set()
    worker.join(timeout=10)
    assert not worker.is_alive() and not ready[0].running


PACED_FLEET = """\
images:
  x.bin: {size: 6553600, version: "15.7(3)M8", platform: cisco_ios, known_good: true}
devices:
  - name: slow
    persona: ios_router
    privilege: 15
    digest_seconds: 0.6
    version: "15.7(3)M8"
    running_image: flash:x.bin
    files: [{path: flash:x.bin, image: x.bin}]
"""


def test_privileged_login_and_paced_digest(tmp_path: Path) -> None:
    fleet_file = tmp_path / "fleet.yaml"
    fleet_file.write_text(PACED_FLEET, encoding="utf-8")
    with Lab(load_fleet(fleet_file)) as lab:
        client = transport(lab, "slow")
        try:
            client.auth_password("admin", "admin")
            channel = client.open_session()
            channel.get_pty()
            channel.invoke_shell()
            read_until(channel, "slow#")  # privilege 15 lands in privileged EXEC
            started = time.monotonic()
            channel.send("verify /md5 flash:x.bin\n")
            first = read_until(channel, ".")
            early = time.monotonic() - started
            rest = read_until(channel, "\r\nslow#")
            elapsed = time.monotonic() - started
        finally:
            client.close()
    assert "Done!" not in first and early < 0.3  # dots arrive while the digest "runs"
    assert 0.55 <= elapsed < 3
    rows = [line.removesuffix("Done!") for line in (first + rest).split("\r\n")]
    assert sum(len(row) for row in rows if row and set(row) == {"."}) == 6553600 // 65536
    assert f"verify /md5 (flash:x.bin) = {image_digests('x.bin')[0]}\r\n" in rest
