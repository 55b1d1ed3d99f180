"""Collect stage: one SSH session per host (Nornir + nornir-netmiko), the platform's command
plan, raw text back. It parses only what it needs to choose the next commands (which
filesystems to list, which files to digest); the state is rebuilt from the runs afterwards.

Any failure becomes data on the :class:`DeviceCapture`; nothing raised here stops the sweep.
Opening the session (routing, login bounds, host keys) is :mod:`imagesweep.collect.login`.

Bounds: each command must finish within ``command_timeout`` (digests: ``digest_timeout``),
the whole plan within ``device_timeout``; every read is capped at ``max_output_chars``.

Identity: when the inventory gives a host ``expected_hostname`` (in its ``data``, or a
group's), the hostname in the device's prompt must match it before any command runs, and so
must the one ``show version`` prints (case-insensitive; a domain suffix and a prompt cut
short are tolerated). A mismatch ends the session: the step ``identity`` says what answered.
"""

from __future__ import annotations

import contextlib
import logging
import random
import secrets
import time
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from nornir.core.inventory import Host
from nornir.core.task import MultiResult, Result, Task

from imagesweep.collect import offbox, ssh_client
from imagesweep.collect.caps import SessionCaps
from imagesweep.collect.channel import ChannelError, enable, exchange, without_echo
from imagesweep.collect.login import (
    LoginGate,
    connect_failure,
    describe,
    hard_close,
    netmiko_extras,
    open_session,
    open_socket,
    route,
    seconds,
)
from imagesweep.collect.settings import CollectSettings
from imagesweep.collect.stop import INTERRUPTED_STEP, NOT_STARTED, Stop
from imagesweep.parse.integrity import TRY_LATER
from imagesweep.parse.interpret import Rejected, digest_scope, interpret, still_valid
from imagesweep.paths import basename, filesystem
from imagesweep.platforms import NONCE_STEPS, Profile, Step, profile
from imagesweep.records import (
    LEGACY_SSH_NOTE,
    BootInfo,
    CommandRun,
    DeviceCapture,
    FileSystem,
    OffboxCopy,
    ReusedDigest,
    RunningSet,
    StorageListing,
    VersionInfo,
)
from imagesweep.sanitize import clean_output

log = logging.getLogger(__name__)


class SessionLost(Exception):
    """The channel can no longer be trusted (timeout, drop): the plan stops here."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(reason)
        self.step = step
        self.reason = reason


class _Session:
    """The plan's state while it runs against one connection."""

    def __init__(
        self, conn: Any, prof: Profile, settings: CollectSettings, stop: Stop | None = None
    ) -> None:
        self.conn = conn
        self.prof = prof
        self.settings = settings
        self.stop = stop
        self.runs: list[CommandRun] = []
        self.deadline = time.monotonic() + settings.device_timeout

    def send(
        self, step: str, command: str, *, target: str = "", timeout: float, knob: str
    ) -> CommandRun:
        """Run one command; :class:`SessionLost` when the session cannot go on. ``knob`` is
        the option that sets ``timeout``, named when it runs out."""
        where = f"{step} {target}" if target else step
        if self.stop and self.stop.requested:
            raise SessionLost(INTERRUPTED_STEP, self.stop.during(where))
        started = time.monotonic()
        remaining = self.deadline - started
        if remaining <= 0:
            raise SessionLost(
                where,
                f"the device took longer than the per-device limit of "
                f"{seconds(self.settings.device_timeout)} s (--device-timeout); "
                f"{command!r} was not sent",
            )
        limit, knob = (timeout, knob) if timeout <= remaining else (remaining, "--device-timeout")
        try:
            reply = exchange(
                self.conn, command, timeout=limit, max_chars=self.settings.max_output_chars
            )
        except ChannelError as exc:
            error = exc.reason
            if error.startswith("no prompt within"):
                error = f"no prompt within {seconds(limit)} s ({knob}); the command did not finish"
            partial, _ = clean_output(
                without_echo(exc.partial, command), self.settings.max_output_chars
            )
            self._record(step, command, partial, started, error, target=target)
            self._interrupted(where)
            raise SessionLost(where, f"{command!r}: {error}") from exc
        except Exception as exc:
            error = describe(exc)
            self._record(step, command, "", started, error, target=target)
            self._interrupted(where)
            raise SessionLost(where, f"{command!r}: {error}") from exc
        text, _ = clean_output(reply.text, self.settings.max_output_chars)
        if reply.truncated:
            error = (
                f"output exceeded the cap of {self.settings.max_output_chars} characters "
                "(--max-output); the rest was not read"
            )
            self._record(step, command, text, started, error, target=target, truncated=True)
            raise SessionLost(where, f"{command!r}: {error}")
        error = ""
        if reply.invalid:
            # Text the device could not print as text: a garbled line or a device that
            # should not be trusted; the run is kept as evidence but not believed.
            error = (
                f"the output held {reply.invalid} byte sequence(s) that are not valid UTF-8 "
                "text (garbage on the line); not used"
            )
        return self._record(step, command, text, started, error, target=target)

    def _interrupted(self, where: str) -> None:
        """A command that failed because the sweep was stopped (its session cut) says so."""
        if self.stop and self.stop.requested:
            raise SessionLost(INTERRUPTED_STEP, self.stop.during(where))

    def _record(
        self,
        step: str,
        command: str,
        output: str,
        started: float,
        error: str,
        *,
        target: str = "",
        truncated: bool = False,
    ) -> CommandRun:
        run = CommandRun(
            step, command, output, time.monotonic() - started, error, truncated, target
        )
        self.runs.append(run)
        return run

    def step(
        self, step: Step, *, target: str = "", fields: Mapping[str, str] | None = None
    ) -> tuple[object, ...]:
        """Try the step's alternative commands in turn; the first accepted one's records."""
        for template in self.prof.steps.get(step, ()):
            command = template.format(**(fields or {}))
            for attempt in range(max(0, self.settings.busy_retries) + 1):
                run = self.send(
                    step,
                    command,
                    target=target,
                    timeout=self.settings.command_timeout,
                    knob="--command-timeout",
                )
                if TRY_LATER not in run.output or attempt == self.settings.busy_retries:
                    break
                # kept as evidence, not as the answer: only the last try may count
                self.runs[-1] = replace(run, error=f"{TRY_LATER.lstrip('% ')}: resent")
                time.sleep(self.settings.busy_delay)  # bounded: busy_retries x busy_delay
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
    conn: Any,
    prof: Profile,
    settings: CollectSettings,
    *,
    expected_hostname: str = "",
    stop: Stop | None = None,
    reuse: tuple[ReusedDigest, ...] = (),
    reused: list[ReusedDigest] | None = None,
) -> tuple[list[CommandRun], str, str]:
    """Run the platform's plan on an open connection: (runs, error, error_step).

    With ``expected_hostname``, the plan stops when ``show version`` names another device;
    with ``stop``, before the next command once a stop is requested. A file of ``reuse``
    (--rehash-after) that the listing shows unchanged on a device that has not reloaded
    since is not digested again: its earlier digest goes into ``reused``."""
    session = _Session(conn, prof, settings, stop)
    version: VersionInfo | None = None
    boot: BootInfo | None = None
    found_fs: tuple[FileSystem, ...] = ()
    listings: list[StorageListing] = []
    running: list[str] = []
    # A fresh random 64-bit nonce per device: a signed answer over it cannot be a replay.
    nonce = str(secrets.randbits(64))
    try:
        for step in prof.steps:
            if step == Step.LISTING:
                named = [version.running_image] if version else []
                named += list(boot.next_boot) if boot else []
                for fs in _filesystems(prof, found_fs, named):
                    got = session.step(Step.LISTING, target=fs, fields={"fs": fs})
                    listings.extend(r for r in got if isinstance(r, StorageListing))
                for folder in _unseen_folders(named, listings):
                    got = session.step(Step.LISTING, target=folder, fields={"fs": folder})
                    listings.extend(r for r in got if isinstance(r, StorageListing))
            elif step in NONCE_STEPS:
                session.step(step, target=nonce, fields={"nonce": nonce})
            elif step == Step.AUTHENTICITY_FILE:
                for path in _signed_targets(prof, version, boot):
                    session.step(step, target=path, fields={"path": path})
            elif step == Step.PACKAGES:
                if version and version.running_image.endswith(".conf"):
                    path = version.running_image
                    got = session.step(Step.PACKAGES, target=path, fields={"path": path})
                    running.extend(p for r in got if isinstance(r, RunningSet) for p in r.paths)
            else:
                got = session.step(step)
                if version is None and expected_hostname:
                    _check_identity(_first(got, VersionInfo), expected_hostname)
                version = version or _first(got, VersionInfo)
                boot = boot or _first(got, BootInfo)
                if step == Step.FILESYSTEMS:
                    found_fs = tuple(r for r in got if isinstance(r, FileSystem))
                running.extend(p for r in got if isinstance(r, RunningSet) for p in r.paths)
        scope = digest_scope(
            prof, version=version, boot=boot, listings=listings, running_set=running
        )
        keep = still_valid(reuse, listings, version, datetime.now(UTC))
        for path in scope:
            if path in keep:
                if reused is not None:
                    reused.append(keep[path])
                continue
            for algorithm in _algorithms(prof, settings, path):
                command = prof.digest[algorithm].format(
                    path=path, fs=filesystem(path), relpath=path.partition(":")[2]
                )
                session.send(
                    Step.DIGEST,
                    command,
                    target=path,
                    timeout=settings.digest_timeout,
                    knob="--digest-timeout",
                )
        if settings.memory_text and prof.memory_text:  # last: it has crashed routers
            session.send(
                Step.MEMORY_TEXT,
                prof.memory_text,
                timeout=settings.digest_timeout,
                knob="--digest-timeout",
            )
    except SessionLost as lost:
        return session.runs, lost.reason, lost.step
    return session.runs, "", ""


def _unseen_folders(named: list[str], listings: list[StorageListing]) -> list[str]:
    """Subdirectories (``bootflash:images/``) holding a running image or boot target that no
    listing showed: a listing that is not recursive (NX-OS ``dir``) stops at the directory,
    and the file would otherwise look missing."""
    seen = {f.path for listing in listings for f in listing.files}
    folders = []
    for path in named:
        fs = filesystem(path)
        rel = path[len(fs) :] if fs else ""
        if fs and "/" in rel and path not in seen:
            folders.append(fs + rel.rsplit("/", 1)[0] + "/")
    return list(dict.fromkeys(folders))


def _signed_targets(prof: Profile, version: VersionInfo | None, boot: BootInfo | None) -> list[str]:
    """The running image and the boot targets on local storage, for image signatures."""
    named = [version.running_image] if version and version.running_image else []
    named += list(boot.next_boot) if boot else []
    return [
        p
        for p in dict.fromkeys(named)
        if filesystem(p)
        and "/" not in filesystem(p)
        and prof.is_image(p)
        and not p.endswith(".conf")
        and not p.startswith(("tftp:", "ftp:", "http", "scp:"))
    ]


def _check_identity(version: VersionInfo | None, expected: str) -> None:
    if version is None or not version.hostname or same_host(expected, version.hostname):
        return
    raise SessionLost(
        "identity",
        f"show version names the device {version.hostname!r}, but the inventory expects "
        f"{expected!r} (expected_hostname): a wrong address, a replaced device or a changed "
        "hostname; the rest of the plan was not run",
    )


def prompt_hostname(base_prompt: str) -> str:
    """The hostname inside a CLI prompt: ``R1`` of ``R1``, ``mx1`` of ``admin@mx1``,
    ``ios`` of ``RP/0/RSP0/CPU0:ios``, ``fw1`` of the ASA's ``fw1/pri/act``."""
    name = base_prompt.strip().rsplit("@", 1)[-1].rsplit(":", 1)[-1]
    return name.split("/", 1)[0]


def same_host(expected: str, seen: str) -> bool:
    """Whether a device calling itself ``seen`` is the inventory's ``expected``: equal
    ignoring case, or equal up to a domain suffix, or ``seen`` is a prompt cut short."""
    want, got = expected.strip().casefold(), seen.strip().casefold()
    if not want or not got:
        return False
    if want == got:
        return True
    if "." not in got and want.split(".", 1)[0] == got:
        return True
    if "." not in want and got.split(".", 1)[0] == want:
        return True
    return len(got) >= 15 and want.startswith(got)


def _algorithms(prof: Profile, settings: CollectSettings, path: str) -> tuple[str, ...]:
    available = tuple(prof.digest)
    if not available:
        return ()
    wanted = [available[0], *settings.algorithms.get(basename(path), ())]
    return tuple(dict.fromkeys(a for a in wanted if a in available))


def collect_task(
    task: Task,
    settings: CollectSettings,
    gate: LoginGate | None = None,
    stop: Stop | None = None,
    offbox_gate: offbox.OffboxGate | None = None,
    caps: SessionCaps | None = None,
    reuse: Mapping[str, tuple[ReusedDigest, ...]] | None = None,
) -> Result:
    """Nornir task: audit one host; ``result.result`` is always a :class:`DeviceCapture`.
    Once ``stop`` is requested, a host not yet logged in is not contacted at all. With
    ``caps``, the session holds a slot of each capped group the host is in."""
    with caps.hold(g.name for g in task.host.extended_groups()) if caps else nullcontext():
        return _collect(
            task, settings, gate, stop, offbox_gate, (reuse or {}).get(task.host.name, ())
        )


def _collect(
    task: Task,
    settings: CollectSettings,
    gate: LoginGate | None,
    stop: Stop | None,
    offbox_gate: offbox.OffboxGate | None,
    reuse: tuple[ReusedDigest, ...],
) -> Result:
    host = task.host
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    platform = str(host.platform or "")
    prof = profile(platform)
    hostname = str(host.hostname or host.name)
    port = int(host.port or 22)
    address = f"{hostname}:{port}" if host.port else hostname
    expected = str(host.get("expected_hostname") or "").strip()

    notes: list[str] = []

    def done(
        runs: list[CommandRun],
        error: str = "",
        step: str = "",
        copies: tuple[OffboxCopy, ...] = (),
        reused: tuple[ReusedDigest, ...] = (),
    ) -> Result:
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
            offbox=copies,
            reused=reused,
        )
        return Result(host=host, result=capture)

    if settings.login_jitter > 0:  # spread the logins of hosts released together
        pause = random.uniform(0, settings.login_jitter)
        if stop is None:
            time.sleep(pause)
        elif stop.wait(pause):
            return done([], NOT_STARTED, INTERRUPTED_STEP)
    if stop and stop.requested:
        return done([], NOT_STARTED, INTERRUPTED_STEP)
    extras = netmiko_extras(task, settings)
    ssh_client.register()
    # Opt-in per host or group: SHA-1 key exchange and ssh-rsa host keys.
    legacy = bool(host.get("legacy_ssh"))
    plugin = ssh_client.LEGACY_PLUGIN if legacy else ssh_client.PLUGIN
    try:
        where = route(
            task.nornir.config.ssh.config_file,
            hostname,
            host.port,
            connect_timeout=settings.connect_timeout,
        )
        with gate or contextlib.nullcontext():
            if stop and stop.requested:  # the wait for a login slot can be long
                return done([], NOT_STARTED, INTERRUPTED_STEP)
            conn = open_session(
                task, settings, plugin=plugin, extras=extras, where=where
            ).connection
    except Exception as exc:
        error, step = connect_failure(exc, settings)
        return done([], error, step)
    healthy = False
    if stop:
        stop.track(conn)
    try:
        if stop and stop.requested:  # logged in while the stop came: run nothing
            return done([], stop.during("login"), INTERRUPTED_STEP)
        if legacy:
            notes.append(LEGACY_SSH_NOTE + ssh_client.negotiated(conn))
        if expected and not same_host(expected, prompt_hostname(str(conn.base_prompt))):
            return done(
                [],
                f"the device's prompt says {str(conn.base_prompt)!r}, but the inventory "
                f"expects {expected!r} (expected_hostname): a wrong address, a replaced "
                "device or a changed hostname; nothing was run on it",
                "identity",
            )
        secret = str(extras.get("secret") or "")
        if secret and prof.enable:
            begun = time.monotonic()
            try:
                enable(conn, secret, timeout=settings.connect_timeout)
            except ChannelError as exc:
                transcript, _ = clean_output(exc.partial, settings.max_output_chars)
                run = CommandRun(
                    "enable", "enable", transcript, time.monotonic() - begun, exc.reason
                )
                if stop and stop.requested:
                    return done([run], stop.during("enable"), INTERRUPTED_STEP)
                return done([run], f"'enable': {exc.reason}", "enable")
        kept: list[ReusedDigest] = []
        runs, error, step = run_plan(
            conn, prof, settings, expected_hostname=expected, stop=stop, reuse=reuse, reused=kept
        )
        healthy = not error
        copies: tuple[OffboxCopy, ...] = ()
        if settings.offbox and not error:  # after the on-box plan, on the same connection
            copies = offbox.copy_off(
                conn,
                prof,
                runs,
                mode=settings.offbox,
                max_bytes=settings.offbox_max_bytes,
                timeout=settings.offbox_timeout,
                rate=settings.offbox_rate,
                keep_dir=settings.keep_images,
                host=host.name,
                gate=offbox_gate,
                sock=lambda: open_socket(where, settings),
            )
        return done(runs, error, step, copies, tuple(kept))
    finally:
        if stop:
            stop.untrack(conn)
        if not healthy:
            hard_close(conn)
        try:
            host.close_connection(plugin)
        except Exception as exc:  # a hung disconnect must not lose the result
            log.debug("%s: disconnect failed: %s", host.name, describe(exc))


def capture_from(host: Host, result: MultiResult | None) -> DeviceCapture:
    """The capture a finished :func:`collect_task` left; when the task itself crashed, a
    capture that says so (still a row, never a lost host)."""
    if result and isinstance(result[0].result, DeviceCapture):
        return result[0].result
    exc = result[0].exception if result else None
    return DeviceCapture(
        host=host.name,
        address=str(host.hostname),
        platform=str(host.platform),
        error=f"internal error: {describe(exc) if exc else 'no result'}",
        error_step="collect",
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
