"""Collect stage: one SSH session per host (Nornir + nornir-netmiko), the platform's command
plan, raw text back. It parses only what it needs to choose the next commands (which
filesystems to list, which files to digest); the state is rebuilt from the runs afterwards.

Any failure becomes data on the :class:`DeviceCapture`; nothing raised here stops the sweep.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paramiko
from netmiko.exceptions import (
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadTimeout,
)
from nornir.core.task import Result, Task

from imagesweep import legacy_ssh
from imagesweep.channel import ChannelError, exchange
from imagesweep.parse.paths import basename, filesystem
from imagesweep.platforms import Profile, profile
from imagesweep.records import (
    HOST_KEY_CHANGED_STEP,
    LEGACY_SSH_NOTE,
    BootInfo,
    CommandRun,
    DeviceCapture,
    FileSystem,
    RunningSet,
    StorageListing,
    VersionInfo,
)
from imagesweep.sanitize import clean_output
from imagesweep.state import Rejected, digest_scope, interpret

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CollectSettings:
    command_timeout: float = 120.0
    digest_timeout: float = 900.0  # real devices digest 1-2 GB images in minutes
    connect_timeout: float = 20.0
    device_timeout: float = 3600.0  # the whole plan on one device
    connect_retries: int = 2  # refused/timed-out TCP connects only; never a failed login
    known_hosts: Path | None = None  # imagesweep's own known_hosts (trust on first use)
    strict_host_keys: bool = False  # refuse keys not already in known_hosts
    max_concurrent_logins: int = 50
    logins_per_second: float = 25.0
    max_output_chars: int = 16 * 1024 * 1024
    # File base name -> digest algorithms the catalogue needs beyond the platform default.
    algorithms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class SessionLost(Exception):
    """The channel can no longer be trusted (timeout, drop): the plan stops here."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(reason)
        self.step = step
        self.reason = reason


def describe(exc: BaseException) -> str:
    """An exception in words an engineer understands: no traceback, one line."""
    if isinstance(exc, NetmikoAuthenticationException):
        return "authentication failed: the device rejected the username or password"
    if isinstance(exc, ReadTimeout):
        return f"no prompt came back in time ({_first_line(exc)})"
    if isinstance(exc, NetmikoTimeoutException):
        text = str(exc)
        if "TCP connection to device failed" in text:
            return "TCP connection failed: the device is unreachable or refused the connection"
        return f"timed out: {_first_line(exc)}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, EOFError | ConnectionResetError | OSError):
        return f"connection lost: {_first_line(exc) or type(exc).__name__}"
    return f"{type(exc).__name__}: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    for line in str(exc).splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""


class _Session:
    """The plan's state while it runs against one connection."""

    def __init__(self, conn: Any, prof: Profile, settings: CollectSettings) -> None:
        self.conn = conn
        self.prof = prof
        self.settings = settings
        self.runs: list[CommandRun] = []
        self.deadline = time.monotonic() + settings.device_timeout

    def send(self, step: str, command: str, *, target: str = "", timeout: float) -> CommandRun:
        started = time.monotonic()
        remaining = self.deadline - started
        if remaining <= 0:
            raise SessionLost(
                step,
                f"the device took longer than the per-device limit of "
                f"{self.settings.device_timeout:g} s; {command!r} was not sent",
            )
        try:
            raw, truncated = exchange(
                self.conn,
                command,
                timeout=min(timeout, remaining),
                max_chars=self.settings.max_output_chars,
            )
        except Exception as exc:
            error = str(exc) if isinstance(exc, ChannelError) else describe(exc)
            run = CommandRun(step, command, "", time.monotonic() - started, error, target=target)
            self.runs.append(run)
            raise SessionLost(step, f"{command!r}: {error}") from exc
        text, _ = clean_output(raw, self.settings.max_output_chars)
        run = CommandRun(step, command, text, time.monotonic() - started, "", truncated, target)
        self.runs.append(run)
        if truncated:
            raise SessionLost(
                step,
                f"{command!r}: output exceeded the cap of "
                f"{self.settings.max_output_chars} characters",
            )
        return run

    def step(
        self, step: str, *, target: str = "", fields: Mapping[str, str] | None = None
    ) -> tuple[object, ...]:
        """Try the step's alternative commands in turn; the first accepted one's records."""
        for template in self.prof.steps.get(step, ()):
            run = self.send(
                step,
                template.format(**(fields or {})),
                target=target,
                timeout=self.settings.command_timeout,
            )
            try:
                return interpret(self.prof, run)
            except Rejected:
                continue
        return ()


def _first(records: tuple[object, ...], kind: type[Any]) -> Any:
    return next((r for r in records if isinstance(r, kind)), None)


def _filesystems(prof: Profile, found: tuple[FileSystem, ...], named: list[str]) -> list[str]:
    """Local filesystems that can hold an image, plus any that the running image or a boot
    entry names (so an image on an odd filesystem is still looked at)."""
    chosen = [
        fs.prefix for fs in found if fs.kind in prof.storage_kinds and "ro" not in fs.flags.split()
    ] or list(prof.default_filesystems)
    for path in named:
        fs = filesystem(path)
        if fs and fs not in chosen and fs not in ("system:", "tmpsys:", "nvram:"):
            chosen.append(fs)
    return list(dict.fromkeys(chosen))


def run_plan(
    conn: Any, prof: Profile, settings: CollectSettings
) -> tuple[list[CommandRun], str, str]:
    """Run the platform's plan on an open connection: (runs, error, error_step)."""
    session = _Session(conn, prof, settings)
    version: VersionInfo | None = None
    boot: BootInfo | None = None
    found_fs: tuple[FileSystem, ...] = ()
    listings: list[StorageListing] = []
    running: list[str] = []
    try:
        for step in prof.steps:
            if step == "listing":
                named = [version.running_image] if version else []
                named += list(boot.next_boot) if boot else []
                for fs in _filesystems(prof, found_fs, named):
                    got = session.step("listing", target=fs, fields={"fs": fs})
                    listings.extend(r for r in got if isinstance(r, StorageListing))
            elif step == "packages":
                if version and version.running_image.endswith(".conf"):
                    path = version.running_image
                    got = session.step("packages", target=path, fields={"path": path})
                    running.extend(p for r in got if isinstance(r, RunningSet) for p in r.paths)
            else:
                got = session.step(step)
                version = version or _first(got, VersionInfo)
                boot = boot or _first(got, BootInfo)
                if step == "filesystems":
                    found_fs = tuple(r for r in got if isinstance(r, FileSystem))
                running.extend(p for r in got if isinstance(r, RunningSet) for p in r.paths)
        scope = digest_scope(
            prof, version=version, boot=boot, listings=listings, running_set=running
        )
        for path in scope:
            for algorithm in _algorithms(prof, settings, path):
                command = prof.digest[algorithm].format(
                    path=path, fs=filesystem(path), relpath=path.partition(":")[2]
                )
                session.send("digest", command, target=path, timeout=settings.digest_timeout)
    except SessionLost as lost:
        return session.runs, lost.reason, lost.step
    return session.runs, "", ""


def _algorithms(prof: Profile, settings: CollectSettings, path: str) -> tuple[str, ...]:
    available = tuple(prof.digest)
    if not available:
        return ()
    wanted = [available[0], *settings.algorithms.get(basename(path), ())]
    return tuple(dict.fromkeys(a for a in wanted if a in available))


class LoginGate:
    """Caps concurrent logins and the login rate, so a sweep of thousands of devices does not
    flood the TACACS+/RADIUS servers behind them."""

    def __init__(self, *, concurrent: int = 20, per_second: float = 20.0) -> None:
        self._slots = threading.BoundedSemaphore(max(1, concurrent))
        self._interval = 1.0 / per_second if per_second > 0 else 0.0
        self._lock = threading.Lock()
        self._next = 0.0

    def __enter__(self) -> None:
        self._slots.acquire()
        with self._lock:
            now = time.monotonic()
            wait = self._next - now
            self._next = max(now, self._next) + self._interval
        if wait > 0:
            time.sleep(wait)

    def __exit__(self, *_: object) -> None:
        self._slots.release()


def _tcp(hostname: str, port: int, settings: CollectSettings) -> socket.socket:
    """A connected socket with TCP_NODELAY (paramiko's own stalls ~85 ms on small writes).
    Refused or timed-out connects are retried with backoff: that cannot lock an account."""
    delay = 0.5
    for attempt in range(settings.connect_retries + 1):
        try:
            sock = socket.create_connection((hostname, port), timeout=settings.connect_timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except OSError:
            if attempt == settings.connect_retries:
                raise
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def _routed_by_ssh_config(config_file: str | None, hostname: str) -> bool:
    """Whether the user's OpenSSH config sends this host elsewhere (ProxyJump, ProxyCommand,
    HostName): then Netmiko must open the connection itself."""
    if not config_file:
        return False
    path = Path(config_file).expanduser()
    if not path.is_file():
        return False
    config = paramiko.SSHConfig.from_path(str(path))
    found = config.lookup(hostname)
    return bool({"proxyjump", "proxycommand"} & set(found)) or found.get("hostname") != hostname


def _netmiko_extras(task: Task, settings: CollectSettings) -> dict[str, Any]:
    params = task.host.get_connection_parameters("netmiko")
    extras: dict[str, Any] = {
        "conn_timeout": settings.connect_timeout,
        "auth_timeout": settings.connect_timeout,
        "banner_timeout": settings.connect_timeout,
        "fast_cli": True,
    }
    if settings.known_hosts:
        # Trust on first use against imagesweep's own known_hosts; a changed key fails the
        # connect (paramiko's BadHostKeyException), an unknown one too in strict mode.
        extras.update(
            alt_host_keys=True,
            alt_key_file=str(settings.known_hosts),
            system_host_keys=False,
            ssh_strict=settings.strict_host_keys,
        )
    extras.update(params.extras or {})
    return extras


def _connect_failure(exc: BaseException, settings: CollectSettings) -> tuple[str, str]:
    """(error, step) for a failed login; host key problems get their own step."""
    text = str(exc)
    if "does not match" in text and "Host key" in text:
        return (
            "the device's SSH host key changed since it was last seen "
            f"(known_hosts {settings.known_hosts}); not audited over this session",
            HOST_KEY_CHANGED_STEP,
        )
    if "not found in known_hosts" in text:
        return (
            "unknown SSH host key and --strict-host-keys is set: add the key to "
            f"{settings.known_hosts} after checking it",
            "host key",
        )
    if isinstance(exc, NetmikoAuthenticationException):
        return describe(exc), "login"
    if isinstance(exc, NetmikoTimeoutException) and "SSHException" in text:
        return f"SSH negotiation failed: {_ssh_reason(text)}", "connect"
    return describe(exc), "connect"


def _ssh_reason(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    detail = next((line for line in lines[1:] if "SSHException" not in line), lines[-1])
    if "Incompatible ssh" in detail or "no acceptable" in detail.lower():
        return (
            f"{detail} (a legacy device? set legacy_ssh: true for it in the inventory to "
            "allow SHA-1 key exchange and ssh-rsa host keys)"
        )
    return detail


def _remember_host_key(conn: Any, settings: CollectSettings, hostname: str, port: int) -> None:
    """Trust on first use: store a key we had not seen. Never overwrite one we had."""
    if not settings.known_hosts or settings.strict_host_keys:
        return
    try:
        key = conn.remote_conn.get_transport().get_remote_server_key()
    except Exception as exc:
        log.debug("%s: no host key to remember: %s", hostname, exc)
        return
    name = hostname if port == 22 else f"[{hostname}]:{port}"
    with _KNOWN_HOSTS_LOCK:
        keys = paramiko.HostKeys()
        if settings.known_hosts.is_file():
            keys.load(str(settings.known_hosts))
        if keys.lookup(name):
            return
        settings.known_hosts.parent.mkdir(parents=True, exist_ok=True)
        with settings.known_hosts.open("a", encoding="utf-8") as handle:
            handle.write(f"{name} {key.get_name()} {key.get_base64()}\n")


_KNOWN_HOSTS_LOCK = threading.Lock()


def collect_task(task: Task, settings: CollectSettings, gate: LoginGate | None = None) -> Result:
    """Nornir task: audit one host; ``result.result`` is always a :class:`DeviceCapture`."""
    host = task.host
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    platform = str(host.platform or "")
    prof = profile(platform)
    hostname = str(host.hostname or host.name)
    port = int(host.port or 22)
    address = f"{hostname}:{port}" if host.port else hostname

    notes: list[str] = []

    def done(runs: list[CommandRun], error: str = "", step: str = "") -> Result:
        capture = DeviceCapture(
            host=host.name,
            address=address,
            platform=platform,
            runs=tuple(runs),
            error=error,
            error_step=step,
            started_at=started_at,
            elapsed=time.monotonic() - started,
            notes=tuple(notes),
        )
        return Result(host=host, result=capture)

    extras = _netmiko_extras(task, settings)
    try:
        with gate or contextlib.nullcontext():
            if "sock" not in extras and not _routed_by_ssh_config(
                task.nornir.config.ssh.config_file, hostname
            ):
                extras["sock"] = _tcp(hostname, port, settings)
            plugin = "netmiko"
            if host.get("legacy_ssh"):  # opt-in: SHA-1 key exchange and ssh-rsa host keys
                legacy_ssh.register()
                plugin = legacy_ssh.PLUGIN
            conn = host.open_connection(plugin, task.nornir.config, extras=extras).connection
    except Exception as exc:
        error, step = _connect_failure(exc, settings)
        return done([], error, step)
    try:
        if plugin == legacy_ssh.PLUGIN:
            notes.append(LEGACY_SSH_NOTE + legacy_ssh.negotiated(conn))
        _remember_host_key(conn, settings, hostname, port)
        if extras.get("secret") and prof.extra.get("enable", False):
            try:
                conn.enable()
            except Exception as exc:
                return done([], f"enable failed: {describe(exc)}", "enable")
        runs, error, step = run_plan(conn, prof, settings)
        return done(runs, error, step)
    finally:
        try:
            host.close_connection("netmiko")
        except Exception as exc:  # a hung disconnect must not lose the result
            log.debug("%s: disconnect failed: %s", host.name, describe(exc))
