"""Every lab fault, seen from an SSH client: what the simulated device does on the wire.

The collector's side of the same faults is tested end to end in tests/e2e/test_faults.py."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paramiko
import pytest
import yaml

from imagesweep.lab.faults import (
    KNOWN_FAULTS,
    FaultValueError,
    command_matches,
    is_digest_command,
    parse_faults,
)
from imagesweep.lab.fleet import Fleet, demo_fleet_path, load_fleet
from imagesweep.lab.scenarios import FAMILIES, clean, image_path
from imagesweep.lab.server import BANNER, Lab
from imagesweep.sanitize import clean_output

ROUTER_IMAGE = image_path(FAMILIES["ios_router"], FAMILIES["ios_router"].current)

# name: (persona, faults, other device fields)
DEVICES: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "healthy": ("ios_router", {}, {}),
    "banner": ("ios_router", {"close_after_banner": True}, {}),
    "badpass": ("ios_router", {"auth_fail": True}, {}),
    "enable-denied": ("ios_router", {"enable_fail": True}, {}),
    "bad-secrets": ("ios_switch", {"enable_fail": "% Bad secrets"}, {}),
    "slow": ("ios_router", {"slow_login": 1.0}, {}),
    "hang": ("ios_router", {"hang": "show boot"}, {}),
    "drop": ("ios_router", {"drop_during_digest": True}, {"digest_seconds": 30}),
    "pager": ("ios_router", {"pager": True}, {}),
    "garbage": ("ios_router", {"garbage": True}, {}),
    "escapes": ("ios_router", {"garbage": "escapes"}, {}),
    "flood": ("ios_router", {"flood_mb": 1}, {}),
    "flood-boot": ("iosxe_router", {"flood_mb": {"show boot": 0.5}}, {}),
    "prompt": ("ios_router", {"prompt_change": ["show boot", "show bootvar"]}, {}),
    "rogue": ("ios_router", {"hostname_mismatch": True}, {}),
    "impostor": ("ios_router", {"hostname_mismatch": "CORE9"}, {}),
    "newkey": ("ios_router", {"host_key_changed": True}, {}),
    "wan": ("ios_router", {"latency_ms": 300}, {}),
    "late": ("ios_router", {"late_prompt": 0.6, "late_prompt_lines": 2}, {}),
}


def fleet_file(directory: Path, devices: list[dict[str, Any]]) -> Fleet:
    """A fleet of ``devices`` (raw entries) over the demo fleet's image library."""
    raw = yaml.safe_load(demo_fleet_path().read_text(encoding="utf-8"))
    raw["devices"] = devices
    path = directory / "fleet.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return load_fleet(path)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    entries = []
    for name, (persona, faults, extra) in DEVICES.items():
        entry = clean(name, persona)
        entry.update(extra, faults=faults)
        entries.append(entry)
    served = Lab(fleet_file(tmp_path_factory.mktemp("faults"), entries))
    served.start()
    try:
        yield served
    finally:
        served.stop()


class Shell:
    """An interactive session as Netmiko opens it: password auth, a pty, a shell."""

    def __init__(self, lab: Lab, name: str, *, password: str = "admin") -> None:
        host, port = lab.endpoints[name]
        self.transport = paramiko.Transport(socket.create_connection((host, port), timeout=5))
        self.transport.start_client(timeout=5)
        self.transport.auth_password("admin", password)
        self.chan = self.transport.open_session()
        self.chan.get_pty(width=511)
        self.chan.invoke_shell()

    def read_until(self, marker: bytes, timeout: float = 5, *, also: bytes = b"") -> bytes:
        """Read until ``marker`` (or ``also``) arrives."""
        data = b""
        deadline = time.monotonic() + timeout
        while marker not in data and not (also and also in data):
            if self.chan.recv_ready():
                data += self.chan.recv(1 << 20)
            elif self.chan.closed or self.chan.eof_received or time.monotonic() > deadline:
                raise AssertionError(f"{marker!r} not seen; got {data[-500:]!r}")
            else:
                time.sleep(0.01)
        return data

    def read_for(self, seconds: float) -> bytes:
        data = b""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.chan.closed:
            if self.chan.recv_ready():
                data += self.chan.recv(1 << 20)
            else:
                time.sleep(0.01)
        return data

    def start(self, prompt: bytes) -> None:
        """Wait for the first prompt and turn paging off, as Netmiko does."""
        self.read_until(prompt)
        self.run("terminal length 0", prompt)

    def run(self, line: str, prompt: bytes) -> bytes:
        self.chan.send(line + "\r")
        return self.read_until(b"\n" + prompt)

    def enable(self, prompt: bytes) -> None:
        self.chan.send("enable\r")
        self.read_until(b"Password: ")
        self.chan.send("cisco\r")
        self.read_until(b"\n" + prompt)

    def close(self) -> None:
        self.transport.close()


@pytest.fixture
def shell(lab: Lab) -> Iterator[Any]:
    opened: list[Shell] = []

    def _open(name: str, **options: Any) -> Shell:
        session = Shell(lab, name, **options)
        opened.append(session)
        return session

    yield _open
    for session in opened:
        session.close()


def test_close_after_banner_sends_a_banner_then_hangs_up(lab: Lab) -> None:
    host, port = lab.endpoints["banner"]
    before = lab.logins.connections("banner")
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.settimeout(5)
        assert sock.recv(100) == BANNER
        assert sock.recv(100) == b""  # then the end of the stream, no key exchange
    assert lab.logins.connections("banner") == before + 1


def test_auth_fail_is_counted_per_attempt(lab: Lab) -> None:
    host, port = lab.endpoints["badpass"]
    before = lab.logins.authentications("badpass")
    transport = paramiko.Transport(socket.create_connection((host, port), timeout=5))
    try:
        transport.start_client(timeout=5)
        with pytest.raises(paramiko.AuthenticationException):
            transport.auth_password("admin", "admin")
    finally:
        transport.close()
    assert lab.logins.authentications("badpass") == before + 1


@pytest.mark.parametrize(
    ("name", "prompt", "refusal"),
    [
        ("enable-denied", b"ENABLE-DENIED>", b"% Access denied"),
        ("bad-secrets", b"BAD-SECRETS>", b"% Bad secrets"),
    ],
)
def test_enable_fail_refuses_the_right_secret(
    shell: Any, name: str, prompt: bytes, refusal: bytes
) -> None:
    session = shell(name)
    session.read_until(prompt)
    session.chan.send("enable\r")
    session.read_until(b"Password: ")
    session.chan.send("cisco\r")
    answer = session.read_until(b"\n" + prompt)
    assert refusal in answer and b"cisco" not in answer
    assert b"level is 1" in session.run("show privilege", prompt)


def test_the_right_secret_works_without_the_fault(shell: Any) -> None:
    session = shell("healthy")
    session.read_until(b"HEALTHY>")
    session.enable(b"HEALTHY#")
    assert b"level is 15" in session.run("show privilege", b"HEALTHY#")


def test_slow_login_holds_the_first_prompt_back(lab: Lab, shell: Any) -> None:
    started = time.monotonic()
    session = shell("slow")
    session.chan.send("\r")  # typed ahead, as Netmiko does: it waits its turn
    session.read_until(b"SLOW>")
    assert time.monotonic() - started >= 1.0
    assert b"SLOW>" in session.run("", b"SLOW>")


def test_latency_delays_every_answer(shell: Any) -> None:
    session = shell("wan")
    session.start(b"WAN>")
    started = time.monotonic()
    assert b"Cisco IOS Software" in session.run("show version", b"WAN>")
    assert 0.3 <= time.monotonic() - started < 2.0


def test_late_prompt_comes_alone_after_the_output_for_the_first_lines(shell: Any) -> None:
    session = shell("late")
    session.read_until(b"LATE>")
    for _ in range(2):  # the first two lines: echo at once, the prompt 0.6 s later
        session.chan.send("terminal length 0\r")
        echo = session.read_until(b"terminal length 0\r\n")
        assert b"LATE>" not in echo.partition(b"terminal length 0")[2]
        assert session.read_for(0.3) == b""
        assert session.read_until(b"LATE>") == b"LATE>"  # on the wire alone
    started = time.monotonic()
    session.run("terminal length 0", b"LATE>")  # the third: at once
    assert time.monotonic() - started < 0.3


def test_hang_never_answers_that_command_only(shell: Any) -> None:
    session = shell("hang")
    session.start(b"HANG>")
    assert b"Cisco IOS Software" in session.run("show version", b"HANG>")
    session.chan.send("sh boot\r")
    silence = session.read_for(1.5)
    assert silence == b"sh boot\r\n"  # the echo, then nothing: no output, no prompt
    assert not session.chan.closed and session.transport.is_active()


def test_drop_during_digest_prints_dots_then_loses_the_connection(shell: Any) -> None:
    session = shell("drop")
    session.read_until(b"DROP>")
    session.enable(b"DROP#")
    assert b"Current privilege" in session.run("show privilege", b"DROP#")
    session.chan.send(f"verify /md5 {ROUTER_IMAGE}\r")
    started = time.monotonic()
    data = session.read_for(3)
    assert b"..." in data and b"Done!" not in data and b"=" not in data
    assert not session.transport.is_active()
    assert time.monotonic() - started < 3.5  # long before digest_seconds (30) ran out


def test_pager_ignores_terminal_length_0(shell: Any) -> None:
    session = shell("pager")
    session.read_until(b"PAGER>")
    session.run("terminal length 0", b"PAGER>")
    session.chan.send("show version\r")
    first = session.read_until(b" --More-- ")
    assert first.count(b"\r\n") == 24  # the echo's line end and 23 lines of output
    pages, rest = 1, b""
    while not rest.endswith(b"\nPAGER>"):
        session.chan.send(" ")
        rest = session.read_until(b"\nPAGER>", also=b" --More-- ")
        pages += rest.endswith(b" --More-- ")
    assert pages >= 2
    assert b"Configuration register is" in rest


def test_garbage_mixes_escapes_nuls_and_invalid_bytes_into_show_version(shell: Any) -> None:
    session = shell("garbage")
    session.start(b"GARBAGE>")
    raw = session.run("show version", b"GARBAGE>")
    assert b"\x1b]0;" in raw and b"\x1b[1;31m" in raw and b"\x00" in raw
    assert b"\xff\xfe\xc3(" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert b"\x1b" not in session.run("show clock", b"GARBAGE>")  # other commands are clean


def test_garbage_escapes_only_stay_valid_text_and_strip_clean(shell: Any) -> None:
    session = shell("escapes")
    session.start(b"ESCAPES>")
    raw = session.run("show version", b"ESCAPES>")
    assert b"\x1b]0;" in raw and b"\x00" in raw
    text, _ = clean_output(raw.decode("utf-8"), 1 << 20)
    assert "\x1b" not in text and "\x00" not in text
    assert "Cisco IOS Software, C2900 Software (C2900-UNIVERSALK9-M), Version 15.7(3)M8" in text
    assert 'System image file is "flash:c2900-universalk9-mz.SPA.157-3.M8.bin"' in text


def test_flood_prints_megabytes_before_the_real_output(shell: Any) -> None:
    session = shell("flood")
    session.start(b"FLOOD>")
    raw = session.run("show version", b"FLOOD>")
    filler, found, _ = raw.partition(b"Cisco IOS Software")
    assert found
    assert 1_000_000 <= filler.count(b"flood line") * 80 <= 1_000_000 + 80
    assert len(raw) > 1_000_000


def test_flood_on_another_command(shell: Any) -> None:
    session = shell("flood-boot")
    session.start(b"FLOOD-BOOT>")
    assert b"flood line" not in session.run("show version", b"FLOOD-BOOT>")
    assert session.run("show boot", b"FLOOD-BOOT>").count(b"flood line") >= 6000


def test_prompt_changes_after_the_named_command(shell: Any) -> None:
    session = shell("prompt")
    session.start(b"PROMPT>")
    session.run("show version", b"PROMPT>")
    out = session.run("show boot", b"CHANGED-PROMPT>")
    assert out.rstrip().endswith(b"CHANGED-PROMPT>")
    assert b"CHANGED-PROMPT uptime" in session.run("show version", b"CHANGED-PROMPT>")


def test_hostname_mismatch_answers_another_name(lab: Lab, shell: Any, tmp_path: Path) -> None:
    rogue = shell("rogue")
    rogue.start(b"ROGUE-ROGUE>")
    assert b"ROGUE-ROGUE uptime is" in rogue.run("show version", b"ROGUE-ROGUE>")
    impostor = shell("impostor")
    impostor.read_until(b"\r\nCORE9>")
    hosts = yaml.safe_load((lab.write_inventory(tmp_path) / "hosts.yaml").read_text())
    # The inventory still expects the fleet's hostname: that is the mismatch.
    assert hosts["rogue"]["data"]["expected_hostname"] == "ROGUE"
    assert hosts["impostor"]["data"]["expected_hostname"] == "IMPOSTOR"
    assert hosts["healthy"]["data"]["expected_hostname"] == "HEALTHY"
    assert hosts["rogue"]["data"]["faults"] == ["hostname_mismatch"]


def test_host_key_changed_device_has_its_own_key(lab: Lab, tmp_path: Path) -> None:
    def server_key(name: str) -> tuple[str, str]:
        host, port = lab.endpoints[name]
        transport = paramiko.Transport(socket.create_connection((host, port), timeout=5))
        try:
            transport.start_client(timeout=5)
            key = transport.get_remote_server_key()
            return key.get_name(), key.get_base64()
        finally:
            transport.close()

    assert server_key("healthy") == lab.host_key
    assert server_key("newkey") != lab.host_key
    known = tmp_path / "known_hosts"
    lab.write_known_hosts(known)
    keys = paramiko.HostKeys(str(known))
    host, port = lab.endpoints["newkey"]
    assert keys.lookup(f"[{host}]:{port}") is not None  # the shared key, as before the change
    banner_host, banner_port = lab.endpoints["banner"]
    assert keys.lookup(f"[{banner_host}]:{banner_port}") is not None


def test_login_log_counts_logins_in_progress(lab: Lab) -> None:
    lab.logins.reset()
    sessions = [Shell(lab, "slow") for _ in range(3)]
    try:
        time.sleep(0.3)
        assert lab.logins.peak >= 3  # three logins waiting for their slow prompt at once
        for session in sessions:
            session.read_until(b"SLOW>")
    finally:
        for session in sessions:
            session.close()
    assert lab.logins.connections("slow") == 3
    assert [name for _, name in lab.logins.started] == ["slow"] * 3


# --- the fault data ----------------------------------------------------------------------


def test_every_fault_of_the_lab_is_covered_here() -> None:
    used = {key for _, faults, _ in DEVICES.values() for key in faults}
    # Tested elsewhere: tests/lab/test_lab_server.py, tests/e2e/test_legacy_ssh.py,
    # (scp_disabled) tests/offbox/test_offbox_copy.py, tests/e2e/test_offbox.py and
    # (slow_login_times) tests/e2e/test_login_retry.py.
    assert set(KNOWN_FAULTS) - used == {
        "unreachable",
        "digest_error",
        "legacy_crypto",
        "scp_disabled",
        "slow_login_times",
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"slow_login": "10"}, "fault slow_login: expected a number of seconds"),
        ({"slow_login": -1}, "fault slow_login: expected 0 to 3600 seconds"),
        ({"slow_login_times": 0}, "fault slow_login_times: expected a whole number"),
        ({"hang": 3}, "fault hang: expected a command"),
        ({"hang": ["show boot", ""]}, "fault hang: expected a command"),
        ({"flood_mb": 0}, "fault flood_mb: expected more than 0"),
        ({"flood_mb": {"show boot": "x"}}, "fault flood_mb: expected a number of megabytes"),
        ({"garbage": "yes"}, 'fault garbage: expected true, false or "escapes"'),
        ({"enable_fail": ""}, "fault enable_fail: expected true, false or a one-line string"),
        ({"hostname_mismatch": "a b"}, "fault hostname_mismatch: expected true, false or a"),
        ({"pager": 1}, "fault pager: expected true or false"),
        ({"latency_ms": "50"}, "fault latency_ms: expected a number of milliseconds"),
        ({"latency_ms": 20000}, "fault latency_ms: expected 0 to 10000 ms"),
        ({"late_prompt_lines": 0}, "fault late_prompt_lines: expected a number of lines"),
    ],
)
def test_malformed_fault_values_are_refused(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(FaultValueError, match="^" + message.replace("(", r"\(")):
        parse_faults(raw, default_fs="flash:")


def test_fault_values_are_normalised() -> None:
    faults = parse_faults(
        {
            "enable_fail": True,
            "hang": "  show   boot ",
            "flood_mb": 50,
            "garbage": True,
            "hostname_mismatch": True,
        },
        default_fs="flash:",
    )
    assert faults.enable_refusal() == "% Access denied"
    assert faults.hang == ("show boot",)
    assert faults.flood_bytes("sh ver") == 50_000_000 and faults.flood_bytes("show boot") == 0
    assert faults.garbage == "all"
    assert faults.answered_hostname("R1") == "ROGUE-R1"
    assert faults.names == ("enable_fail", "hang", "garbage", "flood_mb", "hostname_mismatch")


@pytest.mark.parametrize(
    ("line", "command", "expected"),
    [
        ("show boot", "show boot", True),
        ("sh boot", "show boot", True),
        ("SH BOO", "show boot", True),
        ("show bootvar", "show boot", False),
        ("show boot | include BOOT", "show boot", True),
        ("show", "show boot", False),
        ("verify /md5 flash:x.bin", "verify", True),
        ("show version", "show boot", False),
    ],
)
def test_commands_match_as_ios_abbreviates_them(line: str, command: str, expected: bool) -> None:
    assert command_matches(line, command) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("verify /md5 flash:x.bin", True),
        ("show file bootflash:nxos.bin md5sum", True),
        ("show md5 file /disk0:/x.iso", True),
        ("file checksum md5 /var/tmp/junos.tgz", True),
        ("show file systems", False),
        ("show version", False),
    ],
)
def test_digest_commands_of_every_platform_are_known(line: str, expected: bool) -> None:
    assert is_digest_command(line) is expected
