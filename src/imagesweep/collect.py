"""Collect stage: one SSH session per host (Nornir + nornir-netmiko), the platform's command
plan, raw text back. It parses only what it needs to choose the next commands (which
filesystems to list, which files to digest); the state is rebuilt from the runs afterwards.

Any failure becomes data on the :class:`DeviceCapture`; nothing raised here stops the sweep.

Bounds: the TCP connect and the SSH handshake are retried with backoff (nothing has been
sent that could count as a failed login); a rejected password never is. Login (handshake,
authentication, Netmiko's session preparation) must finish within ``connect_timeout``,
each command within ``command_timeout`` (digests: ``digest_timeout``), the whole plan within
``device_timeout``; every read is capped at ``max_output_chars``. Logins pass a
:class:`LoginGate` (concurrency and rate).

Identity: when the inventory gives a host ``expected_hostname`` (in its ``data``, or a
group's), the hostname in the device's prompt must match it before any command runs, and so
must the one ``show version`` prints (case-insensitive; a domain suffix and a prompt cut
short are tolerated). A mismatch ends the session: the step ``identity`` says what answered.

Routing: the user's OpenSSH config (``--ssh-config``, else ``~/.ssh/config``) is read here,
not by Netmiko: ``HostName`` and ``Port`` choose where the TCP connection goes (an inventory
``port`` wins, as ``ssh -p`` does), ``ProxyJump`` and ``ProxyCommand`` run through the
OpenSSH client. Host keys are checked under the inventory's name for the host.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import shlex
import socket
import threading
import time
import traceback
from collections.abc import Callable, Mapping
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
from imagesweep.channel import ChannelError, enable, exchange, without_echo
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
    # Retries of refused/timed-out TCP connects and of SSH handshakes the device ended
    # before authentication; never of a failed login.
    connect_retries: int = 2
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
    if isinstance(exc, socket.gaierror):
        return f"the host name does not resolve ({exc.strerror or exc})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, EOFError | ConnectionResetError | OSError):
        return f"connection lost: {_first_line(exc) or type(exc).__name__}"
    return f"{type(exc).__name__}: {_first_line(exc)}"


def seconds(value: float) -> str:
    """``2.6``, ``120``, ``3600``: a duration for a message, without float noise."""
    return f"{value:.1f}".removesuffix(".0")


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

    def send(
        self, step: str, command: str, *, target: str = "", timeout: float, knob: str
    ) -> CommandRun:
        """Run one command; :class:`SessionLost` when the session cannot go on. ``knob`` is
        the option that sets ``timeout``, named when it runs out."""
        where = f"{step} {target}" if target else step
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
            raise SessionLost(where, f"{command!r}: {error}") from exc
        except Exception as exc:
            error = describe(exc)
            self._record(step, command, "", started, error, target=target)
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
        self, step: str, *, target: str = "", fields: Mapping[str, str] | None = None
    ) -> tuple[object, ...]:
        """Try the step's alternative commands in turn; the first accepted one's records."""
        for template in self.prof.steps.get(step, ()):
            run = self.send(
                step,
                template.format(**(fields or {})),
                target=target,
                timeout=self.settings.command_timeout,
                knob="--command-timeout",
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
    conn: Any, prof: Profile, settings: CollectSettings, *, expected_hostname: str = ""
) -> tuple[list[CommandRun], str, str]:
    """Run the platform's plan on an open connection: (runs, error, error_step).

    With ``expected_hostname``, the plan stops when ``show version`` names another device."""
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
                if version is None and expected_hostname:
                    _check_identity(_first(got, VersionInfo), expected_hostname)
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
                session.send(
                    "digest",
                    command,
                    target=path,
                    timeout=settings.digest_timeout,
                    knob="--digest-timeout",
                )
    except SessionLost as lost:
        return session.runs, lost.reason, lost.step
    return session.runs, "", ""


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


@dataclass(frozen=True)
class Route:
    """Where a host's SSH connection really goes, after the user's OpenSSH config."""

    hostname: str  # what the TCP connection goes to (the config's HostName, else the host's)
    port: int
    proxy_command: str = ""  # run through this command (ProxyJump, ProxyCommand) instead

    def __str__(self) -> str:
        if self.proxy_command:
            return f"{self.hostname}:{self.port} through {self.proxy_command!r}"
        return f"{self.hostname}:{self.port}"


def route(
    config_file: str | None, hostname: str, port: int | None, *, connect_timeout: float = 20.0
) -> Route:
    """Read the OpenSSH config the way ``ssh`` would for ``hostname``: ``HostName``,
    ``Port`` (the inventory's port wins), ``ProxyCommand`` and ``ProxyJump`` (hops through
    the OpenSSH client itself, with the same config file)."""
    found: Mapping[str, Any] = {}
    path = Path(config_file).expanduser() if config_file else None
    if path is not None and path.is_file():
        found = paramiko.SSHConfig.from_path(str(path)).lookup(hostname)
    target = str(found.get("hostname") or hostname)
    real_port = int(port or found.get("port") or 22)
    command = str(found.get("proxycommand") or "")
    if command.lower() == "none":
        command = ""
    jump = str(found.get("proxyjump") or "")
    if not command and jump and jump.lower() != "none" and path is not None:
        hops = [h.strip() for h in jump.split(",") if h.strip()]
        words = ["ssh", "-F", str(path), "-o", "BatchMode=yes"]
        words += ["-o", f"ConnectTimeout={max(1, round(connect_timeout))}"]
        if len(hops) > 1:
            words += ["-J", ",".join(hops[:-1])]
        words += ["-W", f"{target}:{real_port}", hops[-1]]
        command = shlex.join(words)
    return Route(target, real_port, command)


def _open_socket(where: Route, settings: CollectSettings) -> Any:
    """A connected socket with TCP_NODELAY (paramiko's own stalls ~85 ms on small writes),
    or the proxy command's pipe."""
    if where.proxy_command:
        return paramiko.ProxyCommand(where.proxy_command)
    sock = socket.create_connection((where.hostname, where.port), timeout=settings.connect_timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _close_socket(sock: Any) -> None:
    if sock is None:
        return
    with contextlib.suppress(Exception):
        if isinstance(sock, socket.socket):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def before_login(exc: BaseException) -> bool:
    """Whether a failed connection ended in the SSH handshake, before any credential was
    sent: then trying again cannot count as a failed login."""
    for item in _chain(exc):
        if isinstance(item, paramiko.BadHostKeyException | paramiko.AuthenticationException):
            return False
        frames = {frame.name for frame in traceback.extract_tb(item.__traceback__)}
        if frames & {"start_client", "_check_banner"} and "_auth" not in frames:
            return True
    return False


class LoginTimeout(Exception):
    """Login (handshake, authentication, first prompt) did not finish in time."""


class ProxyFailed(Exception):
    """The ProxyJump/ProxyCommand process ended before the SSH session came up."""


def _proxy_failure(sock: Any) -> str:
    """Why a proxy command's process ended, or "" while it runs (or for a plain socket)."""
    process = getattr(sock, "process", None)
    if not isinstance(sock, paramiko.ProxyCommand) or process is None:
        return ""
    status = process.poll()
    if status is None:
        return ""
    said = ""
    with contextlib.suppress(Exception):
        said = process.stderr.read(2000).decode("utf-8", "replace") if process.stderr else ""
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    detail = f": {lines[-1][:300]}" if lines else ""
    return f"the ProxyJump/ProxyCommand ssh exited with status {status}{detail}"


def _bounded(
    opener: Callable[[], Any],
    *,
    timeout: float,
    on_late: Callable[[Any], None],
    gave_up: Callable[[], str] = lambda: "",
) -> Any:
    """``opener()`` in a thread, waited for ``timeout`` seconds at most.

    Netmiko's session preparation waits for the prompt with its own, longer timeouts and
    does not notice a closed socket; so the login runs aside and is abandoned at the
    deadline, or as soon as ``gave_up()`` names a reason (a proxy process that ended).
    A connection that still comes up afterwards is handed to ``on_late``."""
    lock = threading.Lock()
    finished = threading.Event()
    outcome: dict[str, Any] = {}
    abandoned = False

    def run() -> None:
        try:
            outcome["conn"] = opener()
        except BaseException as exc:  # handed to the waiting thread
            outcome["exc"] = exc
        with lock:
            finished.set()
            late = abandoned
        if late and "conn" in outcome:
            on_late(outcome["conn"])

    threading.Thread(target=run, name="imagesweep-login", daemon=True).start()
    deadline = time.monotonic() + timeout
    reason = ""
    while not finished.wait(min(0.1, max(0.0, deadline - time.monotonic()))):
        reason = gave_up()
        if reason or time.monotonic() >= deadline:
            break
    with lock:
        if not finished.is_set():
            abandoned = True
            if reason:
                raise ProxyFailed(reason)
            raise LoginTimeout(f"no prompt within {seconds(timeout)} s of connecting")
    if "exc" in outcome:
        raise outcome["exc"]
    return outcome["conn"]


def _netmiko_extras(task: Task, settings: CollectSettings) -> dict[str, Any]:
    params = task.host.get_connection_parameters("netmiko")
    extras: dict[str, Any] = {
        "conn_timeout": settings.connect_timeout,
        "auth_timeout": settings.connect_timeout,
        "banner_timeout": settings.connect_timeout,
        "fast_cli": True,
        # The OpenSSH config is applied here (route()); Netmiko would apply it again.
        "ssh_config_file": None,
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
    """(error, step) for a failed connect or login; host key problems get their own step."""
    text = str(exc)
    if isinstance(exc, ProxyFailed):
        return f"{text}; the jump host was not reached or refused to forward", "connect"
    if isinstance(exc, LoginTimeout):
        return (
            f"{text} (--connect-timeout): the device or the AAA server behind it is slow, "
            "or the device never printed a prompt",
            "login",
        )
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
    if isinstance(exc, TimeoutError):
        return (
            f"no answer to the TCP connection within {seconds(settings.connect_timeout)} s, "
            f"{settings.connect_retries + 1} tries: a firewall drops it, or the address is wrong",
            "connect",
        )
    if isinstance(exc, ConnectionRefusedError):
        return (
            f"connection refused ({settings.connect_retries + 1} tries): nothing listens on "
            "the SSH port, or an access list rejects us",
            "connect",
        )
    if isinstance(exc, NetmikoTimeoutException) and "SSHException" in text:
        return f"SSH negotiation failed: {_ssh_reason(text)}", "connect"
    if before_login(exc):
        inner = _chain(exc)[-1]
        why = _first_line(inner) or (
            "the connection was closed" if isinstance(inner, EOFError) else type(inner).__name__
        )
        return (
            "the device accepted the TCP connection but ended it during the SSH handshake, "
            f"before any login ({why}); an SSH server out of sessions, or an access list",
            "connect",
        )
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


def _hard_close(conn: Any) -> None:
    """End a session whose channel is out of sync without Netmiko's polite exit, which
    would wait for a prompt that is not coming."""
    with contextlib.suppress(Exception):
        conn.remote_conn.get_transport().close()


def _open(
    task: Task, settings: CollectSettings, *, plugin: str, extras: dict[str, Any], where: Route
) -> Any:
    """Connect and log in, retrying only what cannot count as a failed login: a refused or
    timed-out TCP connect, a handshake the device ended before authentication."""
    host = task.host
    delay = 0.5
    for attempt in range(settings.connect_retries + 1):
        last = attempt == settings.connect_retries
        sock: Any = None
        try:
            if "sock" not in extras:
                sock = _open_socket(where, settings)
        except OSError as exc:
            if last or isinstance(exc, socket.gaierror):  # a name that does not resolve stays so
                raise
            log.debug("%s: TCP connect attempt %d failed: %s", host.name, attempt + 1, exc)
            time.sleep(delay)
            delay *= 2
            continue

        def opener(sock: Any = sock) -> Any:
            options = {**extras, "sock": sock} if sock is not None else extras
            return host.open_connection(plugin, task.nornir.config, extras=options)

        def on_late(plugin_conn: Any) -> None:
            with contextlib.suppress(Exception):
                host.close_connection(plugin)

        try:
            return _bounded(
                opener,
                timeout=settings.connect_timeout,
                on_late=on_late,
                gave_up=functools.partial(_proxy_failure, sock),
            )
        except (LoginTimeout, ProxyFailed):
            # Shut down, not closed: the abandoned login sees the end of the stream and
            # stops sooner (a closed descriptor would make paramiko log an error).
            with contextlib.suppress(Exception):
                if isinstance(sock, socket.socket):
                    sock.shutdown(socket.SHUT_RDWR)
                elif sock is not None:
                    sock.close()  # ends the proxy's ssh process
            raise
        except Exception as exc:
            failed = _proxy_failure(sock)
            _close_socket(sock)
            if failed:
                raise ProxyFailed(failed) from exc
            if last or not before_login(exc):
                raise
            log.debug("%s: SSH handshake attempt %d failed: %s", host.name, attempt + 1, exc)
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


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
    expected = str(host.get("expected_hostname") or "").strip()

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
    plugin = "netmiko"
    if host.get("legacy_ssh"):  # opt-in: SHA-1 key exchange and ssh-rsa host keys
        legacy_ssh.register()
        plugin = legacy_ssh.PLUGIN
    try:
        where = route(
            task.nornir.config.ssh.config_file,
            hostname,
            host.port,
            connect_timeout=settings.connect_timeout,
        )
        with gate or contextlib.nullcontext():
            conn = _open(task, settings, plugin=plugin, extras=extras, where=where).connection
    except Exception as exc:
        error, step = _connect_failure(exc, settings)
        return done([], error, step)
    healthy = False
    try:
        if plugin == legacy_ssh.PLUGIN:
            notes.append(LEGACY_SSH_NOTE + legacy_ssh.negotiated(conn))
        _remember_host_key(conn, settings, hostname, port)
        if expected and not same_host(expected, prompt_hostname(str(conn.base_prompt))):
            return done(
                [],
                f"the device's prompt says {str(conn.base_prompt)!r}, but the inventory "
                f"expects {expected!r} (expected_hostname): a wrong address, a replaced "
                "device or a changed hostname; nothing was run on it",
                "identity",
            )
        secret = str(extras.get("secret") or "")
        if secret and prof.extra.get("enable", False):
            begun = time.monotonic()
            try:
                enable(conn, secret, timeout=settings.connect_timeout)
            except ChannelError as exc:
                transcript, _ = clean_output(exc.partial, settings.max_output_chars)
                run = CommandRun(
                    "enable", "enable", transcript, time.monotonic() - begun, exc.reason
                )
                return done([run], f"'enable': {exc.reason}", "enable")
        runs, error, step = run_plan(conn, prof, settings, expected_hostname=expected)
        healthy = not error
        return done(runs, error, step)
    finally:
        if not healthy:
            _hard_close(conn)
        try:
            host.close_connection(plugin)
        except Exception as exc:  # a hung disconnect must not lose the result
            log.debug("%s: disconnect failed: %s", host.name, describe(exc))
