"""Opening a device's SSH session: where the connection goes, how long login may take,
what is retried, which host keys are trusted, and every failure in words.

Bounds: the TCP connect and the SSH handshake are retried with backoff (nothing has been
sent that could count as a failed login); a rejected password never is. Login (handshake,
authentication, Netmiko's session preparation) must finish within ``connect_timeout``.
Logins pass a :class:`LoginGate` (concurrency and rate).

Routing: the user's OpenSSH config (``--ssh-config``, else ``~/.ssh/config``) is read here,
not by Netmiko: ``HostName`` and ``Port`` choose where the TCP connection goes (an inventory
``port`` wins, as ``ssh -p`` does), ``ProxyJump`` and ``ProxyCommand`` run through the
OpenSSH client. Host keys are checked under the inventory's name for the host.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import logging
import shlex
import socket
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko
from netmiko.exceptions import (
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadTimeout,
)
from nornir.core.task import Task

from imagesweep.collect.settings import CollectSettings
from imagesweep.records import (
    HOST_KEY_CHANGED_STEP,
)

log = logging.getLogger(__name__)

# How a login that saw no prompt in time is worded: LoginTimeout (our deadline) and Netmiko's
# ReadTimeout during session preparation. ``login_timed_out`` recognises both.
_NO_PROMPT = "no prompt within"
_PREPARATION_TIMEOUT = "no prompt came back in time"


def login_timed_out(error: str, step: str) -> bool:
    """Whether a failed session's ``error`` (at ``step``) is a login that timed out, not one
    that was refused: the device or its AAA server was slow, perhaps only because the
    collector was busy."""
    return step in ("login", "connect") and error.startswith((_NO_PROMPT, _PREPARATION_TIMEOUT))


def describe(exc: BaseException) -> str:
    """An exception in words an engineer understands: no traceback, one line."""
    if isinstance(exc, NetmikoAuthenticationException):
        return "authentication failed: the device rejected the username or password"
    if isinstance(exc, ReadTimeout):
        return f"{_PREPARATION_TIMEOUT} ({_first_line(exc)})"
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


class LoginGate:
    """Caps concurrent logins and the login rate, so a sweep of thousands of devices does not
    flood the TACACS+/RADIUS servers behind them."""

    def __init__(self, *, concurrent: int, per_second: float) -> None:
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
    config_file: str | None, hostname: str, port: int | None, *, connect_timeout: float
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


open_socket = _open_socket  # for a second connection (off-box copies)


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
    gave_up: Callable[[], str] | None = None,
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
    # Polled only when there is something to poll (a proxy process); else one wait.
    step = 0.1 if gave_up is not None else timeout
    while not finished.wait(min(step, max(0.0, deadline - time.monotonic()))):
        reason = gave_up() if gave_up is not None else ""
        if reason or time.monotonic() >= deadline:
            break
    with lock:
        if not finished.is_set():
            abandoned = True
            if reason:
                raise ProxyFailed(reason)
            raise LoginTimeout(f"{_NO_PROMPT} {seconds(timeout)} s of connecting")
    if "exc" in outcome:
        raise outcome["exc"]
    return outcome["conn"]


def netmiko_extras(task: Task, settings: CollectSettings) -> dict[str, Any]:
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


def fingerprint(key: paramiko.PKey) -> str:
    """OpenSSH's form of a key's fingerprint (``ssh-keygen -lf``): ``SHA256:<base64>``."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return f"{key.get_name()} SHA256:{base64.b64encode(digest).decode().rstrip('=')}"


def _changed_keys(exc: BaseException) -> str:
    """ "known <fp>, presented <fp>" from paramiko's BadHostKeyException in the chain."""
    for item in _chain(exc):
        if isinstance(item, paramiko.BadHostKeyException):
            return (
                f"; key in known_hosts {fingerprint(item.expected_key)}, "
                f"key presented now {fingerprint(item.key)}"
            )
    return ""


def connect_failure(exc: BaseException, settings: CollectSettings) -> tuple[str, str]:
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
            f"(known_hosts {settings.known_hosts}){_changed_keys(exc)}; "
            "not audited over this session",
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


def hard_close(conn: Any) -> None:
    """End a session whose channel is out of sync without Netmiko's polite exit, which
    would wait for a prompt that is not coming."""
    with contextlib.suppress(Exception):
        conn.remote_conn.get_transport().close()


def open_session(
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
                gave_up=(
                    functools.partial(_proxy_failure, sock)
                    if isinstance(sock, paramiko.ProxyCommand)
                    else None
                ),
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
