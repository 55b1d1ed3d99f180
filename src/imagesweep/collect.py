"""Collect stage: one SSH session per host (Nornir + nornir-netmiko), the platform's command
plan, raw text back. It parses only what it needs to choose the next commands (which
filesystems to list, which files to digest); the state is rebuilt from the runs afterwards.

Any failure becomes data on the :class:`DeviceCapture`; nothing raised here stops the sweep.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from netmiko.exceptions import (
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadTimeout,
)
from nornir.core.task import Result, Task

from imagesweep.channel import ChannelError, exchange
from imagesweep.parse.paths import basename, filesystem
from imagesweep.platforms import Profile, profile
from imagesweep.records import (
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
                command = prof.digest[algorithm].format(path=path)
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


def _netmiko_extras(task: Task, settings: CollectSettings) -> dict[str, Any]:
    params = task.host.get_connection_parameters("netmiko")
    extras: dict[str, Any] = {
        "conn_timeout": settings.connect_timeout,
        "auth_timeout": settings.connect_timeout,
        "banner_timeout": settings.connect_timeout,
        "fast_cli": True,
    }
    extras.update(params.extras or {})
    return extras


def collect_task(task: Task, settings: CollectSettings) -> Result:
    """Nornir task: audit one host; ``result.result`` is always a :class:`DeviceCapture`."""
    host = task.host
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    platform = str(host.platform or "")
    prof = profile(platform)
    address = f"{host.hostname}:{host.port}" if host.port else str(host.hostname)

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
        )
        return Result(host=host, result=capture)

    extras = _netmiko_extras(task, settings)
    try:
        conn = host.open_connection("netmiko", task.nornir.config, extras=extras).connection
    except Exception as exc:
        step = "login" if isinstance(exc, NetmikoAuthenticationException) else "connect"
        return done([], describe(exc), step)
    try:
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
