"""A real rsyslog on 127.0.0.1 for the SIEM tests: unprivileged config, high ports, every
message written to a file in the test's directory; and a CEF reader to check the framing."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

FIELDS = ("input", "hostname", "app", "msgid", "sd", "msg")
CONFIG = """
global(workDirectory="{work}" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
input(type="imudp" address="127.0.0.1" port="{udp}")
input(type="imtcp" address="127.0.0.1" port="{tcp}")
template(name="fields" type="list") {{
  property(name="inputname") constant(value="\\t")
  property(name="hostname") constant(value="\\t")
  property(name="app-name") constant(value="\\t")
  property(name="msgid") constant(value="\\t")
  property(name="structured-data") constant(value="\\t")
  property(name="msg" droplastlf="on") constant(value="\\n")
}}
action(type="omfile" file="{out}" template="fields")
"""


def rsyslogd() -> str:
    found = shutil.which("rsyslogd") or (
        "/usr/sbin/rsyslogd" if os.path.exists("/usr/sbin/rsyslogd") else None
    )
    if found:
        return found
    message = "no rsyslogd (apt-get install rsyslog; .ci/run does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Receiver:
    udp: int
    tcp: int
    out: Path

    seen: int = 0  # lines received before the last clear()

    def _lines(self) -> list[str]:
        return self.out.read_text(encoding="utf-8").splitlines() if self.out.exists() else []

    def messages(self) -> list[dict[str, str]]:
        lines = self._lines()[self.seen :]
        return [dict(zip(FIELDS, line.split("\t", 5), strict=True)) for line in lines]

    def wait_for(self, count: int, timeout: float = 20.0) -> list[dict[str, str]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.messages()
            if len(got) >= count:
                time.sleep(0.3)  # and nothing more arrives
                return self.messages()
            time.sleep(0.1)
        return self.messages()

    def clear(self) -> None:
        """Forget what was received so far (rsyslog keeps its file open: not removed)."""
        self.seen = len(self._lines())


@contextmanager
def rsyslog(directory: Path) -> Iterator[Receiver]:
    """rsyslogd in the foreground on two free ports; stopped (and waited for) at the end."""
    binary = rsyslogd()
    directory.mkdir(parents=True, exist_ok=True)
    receiver = Receiver(
        free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM), directory / "received.log"
    )
    config = directory / "rsyslog.conf"
    config.write_text(
        CONFIG.format(work=directory, udp=receiver.udp, tcp=receiver.tcp, out=receiver.out)
    )
    proc = subprocess.Popen(
        [binary, "-n", "-f", str(config), "-i", str(directory / "rsyslogd.pid")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while True:  # ready when the TCP input accepts
            if proc.poll() is not None:
                output = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"rsyslogd exited {proc.returncode}: {output}")
            try:
                socket.create_connection(("127.0.0.1", receiver.tcp), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("rsyslogd did not listen within 15 s")
                time.sleep(0.1)
        yield receiver
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"n": "\n", "r": "\r"}.get(nxt, nxt))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def parse_cef(message: str) -> tuple[list[str], dict[str, str]]:
    """(the 7 header fields, the extension) of one CEF message, unescaped; AssertionError
    when the framing is not CEF's."""
    assert message.startswith("CEF:0|"), message[:80]
    fields: list[str] = []
    rest, start = message, 0
    i = 0
    while len(fields) < 7:
        if rest[i] == "\\":
            i += 2
            continue
        if rest[i] == "|":
            fields.append(_unescape(rest[start:i]))
            start = i + 1
        i += 1
    extension = rest[start:]
    keys = list(re.finditer(r"(?:^| )([A-Za-z0-9]+)=", extension))
    # A key starts only where the '=' before it is not escaped (device text cannot add one).
    pairs: dict[str, str] = {}
    for n, match in enumerate(keys):
        end = keys[n + 1].start() if n + 1 < len(keys) else len(extension)
        raw = extension[match.end() : end]
        assert match.group(1) not in pairs, f"key {match.group(1)} twice"
        pairs[match.group(1)] = _unescape(raw)
    return fields, pairs
