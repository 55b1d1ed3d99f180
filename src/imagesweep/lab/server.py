"""The lab: one asyncssh server per simulated device on 127.0.0.1, all in one background
thread with its own asyncio loop, so hundreds of devices cost one thread and one socket each.

It also keeps a :class:`LoginLog` of what clients did (connections, logins in progress at
once, when each began), so tests can show what a sweep did to the devices: how many logins
ran at once, how fast they came, and that a rejected password was not tried again."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import asyncssh

from imagesweep.errors import ImagesweepError
from imagesweep.lab import file_server, inventory
from imagesweep.lab.commands import Ctx, Node, dispatch
from imagesweep.lab.fleet import Device, Fleet
from imagesweep.lab.personas import grammar
from imagesweep.lab.session import Session, encode
from imagesweep.lab.storage import Storage

log = logging.getLogger(__name__)

ADDRESS = "127.0.0.1"
_START_TIMEOUT = 120.0
# What close_after_banner devices send before hanging up: a real IOS SSH banner.
BANNER = b"SSH-2.0-Cisco-1.25\r\n"


class LoginLog:
    """What clients did to the lab's devices; thread-safe, read from the tests' thread.

    A login lasts from the TCP connection to the first prompt of the shell (or to the
    connection's end, when no shell came): what a TACACS+/RADIUS server behind a real device
    would be busy with."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: dict[str, int] = {}
        self._authentications: dict[str, int] = {}
        self._started: list[tuple[float, str]] = []
        self._active = 0
        self._peak = 0

    def connected(self, device: str) -> None:
        with self._lock:
            self._connections[device] = self._connections.get(device, 0) + 1
            self._started.append((time.monotonic(), device))
            self._active += 1
            self._peak = max(self._peak, self._active)

    def authenticating(self, device: str) -> None:
        with self._lock:
            self._authentications[device] = self._authentications.get(device, 0) + 1

    def login_over(self) -> None:
        with self._lock:
            self._active -= 1

    def connections(self, device: str) -> int:
        with self._lock:
            return self._connections.get(device, 0)

    def authentications(self, device: str) -> int:
        """Password or keyboard-interactive attempts, whatever their outcome."""
        with self._lock:
            return self._authentications.get(device, 0)

    @property
    def peak(self) -> int:
        """The most logins that were in progress at once."""
        with self._lock:
            return self._peak

    @property
    def started(self) -> list[tuple[float, str]]:
        """(monotonic time, device) of every connection, in order."""
        with self._lock:
            return sorted(self._started)

    def reset(self) -> None:
        with self._lock:
            self._connections.clear()
            self._authentications.clear()
            self._started.clear()
            self._peak = self._active


@dataclass(frozen=True)
class _Runtime:
    """A device ready to serve: its storage tree and command grammar, built once."""

    device: Device
    storage: Storage
    root: Node
    shells: list[int] = field(default_factory=lambda: [0])  # interactive logins so far


class _Login:
    """One connection's login, ended once: at the first prompt or when the connection goes."""

    def __init__(self, log: LoginLog, device: str) -> None:
        self._log = log
        self._open = True
        log.connected(device)

    def over(self) -> None:
        if self._open:
            self._open = False
            self._log.login_over()


class _DeviceServer(asyncssh.SSHServer):
    def __init__(
        self,
        runtime: _Runtime,
        connections: set[asyncssh.SSHServerConnection],
        logins: LoginLog,
    ) -> None:
        self._runtime = runtime
        self._connections = connections
        self._logins = logins
        self._conn: asyncssh.SSHServerConnection | None = None
        self._login: _Login | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._connections.add(conn)
        self._login = _Login(self._logins, self._runtime.device.name)
        conn.set_extra_info(lab_login=self._login)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._connections.discard(self._conn)
        if self._login is not None:
            self._login.over()

    def begin_auth(self, username: str) -> bool:
        return True

    def _valid(self, username: str, password: str) -> bool:
        device = self._runtime.device
        self._logins.authenticating(device.name)
        if not device.faults.accepts_login():
            return False
        return username == device.credentials.username and password == device.credentials.password

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return self._valid(username, password)

    def kbdint_auth_supported(self) -> bool:
        return True

    def get_kbdint_challenge(
        self, username: str, lang: str, submethods: str
    ) -> tuple[str, str, str, list[tuple[str, bool]]]:
        return "", "", "", [("Password: ", False)]

    def validate_kbdint_response(self, username: str, responses: Sequence[str]) -> bool:
        return len(responses) == 1 and self._valid(username, responses[0])

    def public_key_auth_supported(self) -> bool:
        return False


async def _serve_process(runtime: _Runtime, process: asyncssh.SSHServerProcess[Any]) -> None:
    device = runtime.device
    ctx = Ctx(device=device, storage=runtime.storage, privileged=device.privilege == 15)
    login: _Login | None = process.get_extra_info("lab_login")
    if process.command:  # "ssh host show version": one command, then close, as IOS does
        if login is not None:
            login.over()
        if file_server.refuses_scp(process.command):  # its SCP server is off (scp_disabled)
            process.exit(1)
            return
        ctx.term_length = 0
        reply = dispatch(runtime.root, process.command, ctx)
        process.stdout.write(encode(reply.text.replace("\n", "\r\n")))
        process.exit(0)
        return
    runtime.shells[0] += 1  # one event loop: no lock needed
    await Session(
        ctx,
        runtime.root,
        process,
        on_prompt=login.over if login else None,
        login_number=runtime.shells[0],
    ).run()


async def _banner_then_close(
    logins: LoginLog, device: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """close_after_banner: what an SSH daemon out of sessions, or a TCP wrapper, does."""
    login = _Login(logins, device)
    try:
        writer.write(BANNER)
        await writer.drain()
        await asyncio.sleep(0.05)
    except OSError:
        pass
    finally:
        login.over()
        writer.close()


class Lab:
    """Simulated devices of a fleet, listening on 127.0.0.1 until :meth:`stop`."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self._endpoints: dict[str, tuple[str, int]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._acceptors: list[asyncssh.SSHAcceptor] = []
        self._holders: list[socket.socket] = []  # bound, never listening: "unreachable"
        self._banner_servers: list[asyncio.base_events.Server] = []
        self._connections: set[asyncssh.SSHServerConnection] = set()
        self._host_key: asyncssh.SSHKey | None = None
        self._legacy_key: asyncssh.SSHKeyPair | None = None
        self.logins = LoginLog()

    @property
    def endpoints(self) -> dict[str, tuple[str, int]]:
        """Inventory host name -> (address, port); unreachable devices get a dead port."""
        return dict(self._endpoints)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def __enter__(self) -> Lab:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start every device; returns once all of them listen."""
        if self._thread is not None:
            raise ImagesweepError("lab already started")
        loop = asyncio.new_event_loop()
        thread = threading.Thread(
            target=self._run_loop, args=(loop,), name="imagesweep-lab", daemon=True
        )
        self._loop, self._thread = loop, thread
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._open(), loop).result(timeout=_START_TIMEOUT)
        except BaseException as exc:
            self.stop()
            if isinstance(exc, OSError | asyncssh.Error):
                raise ImagesweepError(f"lab failed to start: {exc}") from exc
            raise
        log.info("lab: %d devices on %s", len(self._endpoints), ADDRESS)

    def stop(self) -> None:
        """Close every listener and session and end the loop's thread. Idempotent."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running():
            try:
                asyncio.run_coroutine_threadsafe(self._close(), loop).result(timeout=30)
            finally:
                loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
        for holder in self._holders:
            holder.close()
        self._holders.clear()
        self._endpoints.clear()
        self._loop = self._thread = None

    @staticmethod
    def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        loop.run_forever()

    @property
    def host_key(self) -> tuple[str, str]:
        """(algorithm, base64) of the SSH host key the lab's devices share, as known_hosts
        writes it; devices with ``host_key_changed`` present another one."""
        if self._host_key is None:
            raise ImagesweepError("lab not started: no host key yet")
        algorithm, blob = self._host_key.export_public_key("openssh").decode().split()[:2]
        return algorithm, blob

    def write_known_hosts(self, path: Path) -> None:
        """A known_hosts naming the shared key for every device that speaks SSH: what a
        previous sweep would have left, before any device's key changed."""
        algorithm, blob = self.host_key
        lines = [
            f"[{address}]:{port} {algorithm} {blob}\n"
            for name, (address, port) in self._endpoints.items()
            if self.fleet.device(name).faults.listens()
        ]
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text("".join(lines), encoding="utf-8")

    def _rsa_key(self) -> asyncssh.SSHKeyPair:
        """The legacy devices' RSA host key, offered for ``ssh-rsa`` (SHA-1) signatures only,
        as IOS 12.4 does; one per lab, made when first needed."""
        if self._legacy_key is None:
            key = asyncssh.generate_private_key("ssh-rsa", key_size=2048)
            (pair,) = asyncssh.load_keypairs([key])
            pair.host_key_algorithms = (b"ssh-rsa",)
            pair.sig_algorithms = (b"ssh-rsa",)
            self._legacy_key = pair
        return self._legacy_key

    async def _open(self) -> None:
        # One host key for the whole lab: generating keys per device would dominate start-up
        host_key = asyncssh.generate_private_key("ssh-ed25519")
        self._host_key = host_key
        for device in self.fleet.devices:
            if not device.faults.listens():
                holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                holder.bind((ADDRESS, 0))  # bound but never listening: connections are refused
                self._holders.append(holder)
                self._endpoints[device.name] = (ADDRESS, holder.getsockname()[1])
                continue
            if device.faults.banner_only():
                server = await asyncio.start_server(
                    partial(_banner_then_close, self.logins, device.name), ADDRESS, 0
                )
                self._banner_servers.append(server)
                self._endpoints[device.name] = (ADDRESS, server.sockets[0].getsockname()[1])
                continue
            keys: list[asyncssh.SSHKey | asyncssh.SSHKeyPair] = [host_key]
            if device.faults.own_host_key():
                keys = [asyncssh.generate_private_key("ssh-ed25519")]
            algorithms = device.faults.ssh_algorithms()
            if algorithms:
                keys = [self._rsa_key()]
            answered = device.faults.answered_hostname(device.hostname)
            served = replace(device, hostname=answered) if answered != device.hostname else device
            storage = Storage(served)
            runtime = _Runtime(device=served, storage=storage, root=grammar(served, storage))
            acceptor = await asyncssh.create_server(
                partial(_DeviceServer, runtime, self._connections, self.logins),
                ADDRESS,
                0,
                server_host_keys=keys,
                process_factory=partial(_serve_process, runtime),
                line_editor=False,
                encoding=None,  # bytes: sessions decode input and may send invalid UTF-8
                # The device's own SCP/SFTP server, for --offbox (off with scp_disabled).
                sftp_factory=file_server.factory(storage) if device.faults.serves_files() else None,
                allow_scp=device.faults.serves_files(),
                **algorithms,
            )
            self._acceptors.append(acceptor)
            self._endpoints[device.name] = (ADDRESS, acceptor.sockets[0].getsockname()[1])

    async def _close(self) -> None:
        for server in self._banner_servers:
            server.close()
        self._banner_servers.clear()
        for acceptor in self._acceptors:
            acceptor.close()
        for conn in list(self._connections):
            conn.close()
        for acceptor in self._acceptors:
            await acceptor.wait_closed()
        self._acceptors.clear()
        for conn in list(self._connections):
            await conn.wait_closed()
        current = asyncio.current_task()
        pending = [t for t in asyncio.all_tasks() if t is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    # --- what the audit needs --------------------------------------------------------------

    def write_inventory(self, directory: Path) -> Path:
        """A Nornir SimpleInventory for the running lab; returns ``directory``."""
        if not self._endpoints:
            raise ImagesweepError("lab not started: no endpoints to write")
        return inventory.write_inventory(self.fleet, self._endpoints, Path(directory))

    def write_catalogue(self, path: Path) -> None:
        """The known-good CSV vouching for the fleet's ``known_good`` images."""
        inventory.write_catalogue(self.fleet, Path(path))


def run_forever(
    fleet: Fleet,
    inventory_out: Path,
    *,
    on_ready: Callable[[Lab], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """``imagesweep lab``: serve ``fleet`` and write its inventory (and ``known-good.csv``)
    into ``inventory_out`` until SIGINT/SIGTERM (or ``stop`` is set), then stop cleanly."""
    stop = stop or threading.Event()
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():

        def _on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, _on_signal)
    lab = Lab(fleet)
    try:
        lab.start()
        lab.write_inventory(Path(inventory_out))
        lab.write_catalogue(Path(inventory_out) / "known-good.csv")
        if on_ready is not None:
            on_ready(lab)
        while not stop.wait(0.2):
            pass
    finally:
        lab.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
