"""The lab: one asyncssh server per simulated device on 127.0.0.1, all in one background
thread with its own asyncio loop, so hundreds of devices cost one thread and one socket each."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import asyncssh

from imagesweep.errors import ImagesweepError
from imagesweep.lab import inventory
from imagesweep.lab.commands import Ctx, Node, dispatch
from imagesweep.lab.fleet import Device, Fleet
from imagesweep.lab.personas import grammar
from imagesweep.lab.session import Session
from imagesweep.lab.storage import Storage

log = logging.getLogger(__name__)

ADDRESS = "127.0.0.1"
_START_TIMEOUT = 120.0


@dataclass(frozen=True)
class _Runtime:
    """A device ready to serve: its storage tree and command grammar, built once."""

    device: Device
    storage: Storage
    root: Node


class _DeviceServer(asyncssh.SSHServer):
    def __init__(self, runtime: _Runtime, connections: set[asyncssh.SSHServerConnection]) -> None:
        self._runtime = runtime
        self._connections = connections
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True

    def _valid(self, username: str, password: str) -> bool:
        device = self._runtime.device
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
    if process.command:  # "ssh host show version": one command, then close, as IOS does
        ctx.term_length = 0
        reply = dispatch(runtime.root, process.command, ctx)
        process.stdout.write(reply.text.replace("\n", "\r\n"))
        process.exit(0)
        return
    await Session(ctx, runtime.root, process).run()


class Lab:
    """Simulated devices of a fleet, listening on 127.0.0.1 until :meth:`stop`."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self._endpoints: dict[str, tuple[str, int]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._acceptors: list[asyncssh.SSHAcceptor] = []
        self._holders: list[socket.socket] = []  # bound, never listening: "unreachable"
        self._connections: set[asyncssh.SSHServerConnection] = set()

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

    async def _open(self) -> None:
        # One host key for the whole lab: generating keys per device would dominate start-up
        host_key = asyncssh.generate_private_key("ssh-ed25519")
        for device in self.fleet.devices:
            if not device.faults.listens():
                holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                holder.bind((ADDRESS, 0))  # bound but never listening: connections are refused
                self._holders.append(holder)
                self._endpoints[device.name] = (ADDRESS, holder.getsockname()[1])
                continue
            storage = Storage(device)
            runtime = _Runtime(device=device, storage=storage, root=grammar(device, storage))
            acceptor = await asyncssh.create_server(
                partial(_DeviceServer, runtime, self._connections),
                ADDRESS,
                0,
                server_host_keys=[host_key],
                process_factory=partial(_serve_process, runtime),
                line_editor=False,
                encoding="utf-8",
                errors="replace",
                allow_scp=False,
            )
            self._acceptors.append(acceptor)
            self._endpoints[device.name] = (ADDRESS, acceptor.sockets[0].getsockname()[1])

    async def _close(self) -> None:
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
