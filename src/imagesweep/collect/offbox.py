"""Off-box verification: copy an image off the device and hash its bytes on the collector.

The device is the server (SCP or SFTP, per the platform's ``offbox`` data); the copy runs on
a new channel of the audit's own SSH connection, so no second login, no other credentials and
the same host-key check. The bytes stream through md5 and sha512 as they arrive and are never
written to disk unless a keep directory is given. Every copy is bounded: a size cap (checked
against the announced size before any byte is read, and again as bytes come), a timeout, an
optional rate cap (the SSH window turns the collector's pause into back-pressure), and a
process-wide limit on copies at once (:class:`OffboxGate`).

Clients: SFTP is paramiko's :class:`paramiko.SFTPClient` (the SSH library under Netmiko,
with pipelined prefetching reads). SCP is the ``scp`` package (also a Netmiko dependency):
its :class:`scp.SCPClient` opens the channel, sends the ``scp -f`` request and parses the
protocol's control messages; only the step that stores a received file is replaced, so the
bytes go to the hashes instead of a local file. Nothing here speaks a protocol by hand
beyond that loop.

Every failure is data: an :class:`OffboxCopy` with ``error`` (and the configuration that
would enable the device's server), never an exception, never a silent pass.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paramiko
from scp import SCPClient, SCPException

from imagesweep.files import make_dir
from imagesweep.parse.interpret import Rejected, digest_scope, flatten, interpret
from imagesweep.paths import basename, filesystem, is_network
from imagesweep.platforms import Offbox, Profile
from imagesweep.records import (
    BootInfo,
    CommandRun,
    OffboxCopy,
    RunningSet,
    StorageListing,
    VersionInfo,
)

CHUNK = 256 * 1024
MODES = ("running", "all")


class OffboxGate:
    """At most ``workers`` copies at once across the sweep (each holds a device's uplink)."""

    def __init__(self, workers: int) -> None:
        self._slots = threading.BoundedSemaphore(max(1, workers))

    def __enter__(self) -> None:
        self._slots.acquire()

    def __exit__(self, *_: object) -> None:
        self._slots.release()


class _Refused(Exception):
    """The server refused or failed: try the next protocol (not the next path form)."""


class _NotFound(Exception):
    """The server answered but has no such file under this path form: try the next form."""


class _Limit(Exception):
    """A bound was hit (size, time): stop, nothing else will do better."""


class Sink:
    """Where received bytes go: md5 + sha512, optionally a kept file; bounds on the way."""

    def __init__(
        self,
        *,
        max_bytes: int,
        timeout: float,
        rate: float = 0.0,
        keep: Path | None = None,
    ) -> None:
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.sha512 = hashlib.sha512()
        self.size = 0
        self.max_bytes = max_bytes
        self.rate = rate
        self.started = time.monotonic()
        self.deadline = self.started + timeout
        self.timeout = timeout
        self.keep = keep
        self._fd: int | None = None

    def announce(self, size: int) -> None:
        """The size the server says it will send: refuse a file over the cap up front."""
        if size > self.max_bytes:
            raise _Limit(
                f"the file is {size} bytes, over the cap of {self.max_bytes} (--offbox-max-bytes)"
            )
        if self.keep is not None and self._fd is None:
            make_dir(self.keep.parent)
            self._fd = os.open(
                self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600
            )

    @property
    def partial(self) -> str:
        return f"{self.keep}.part"

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise _Limit(f"more than {self.max_bytes} bytes came (--offbox-max-bytes)")
        now = time.monotonic()
        if now > self.deadline:
            raise _Limit(f"the copy took longer than {self.timeout:g} s (--offbox-timeout)")
        self.md5.update(data)
        self.sha512.update(data)
        if self._fd is not None:
            os.write(self._fd, data)
        if self.rate > 0:
            ahead = self.size / self.rate - (now - self.started)
            if ahead > 0:
                time.sleep(min(ahead, max(self.deadline - now, 0.0)))

    def finish(self, ok: bool) -> str:
        """Close the kept file: renamed into place when the copy completed, else removed."""
        if self._fd is None or self.keep is None:
            return ""
        os.close(self._fd)
        self._fd = None
        if ok:
            os.replace(self.partial, self.keep)
            return str(self.keep)
        with contextlib.suppress(OSError):
            os.unlink(self.partial)
        return ""


class _StreamingSCP(SCPClient):  # type: ignore[misc]
    """``scp.SCPClient`` whose received file goes to a :class:`Sink`, not to a local path."""

    channel: Any  # paramiko.Channel while a transfer runs, else None

    def __init__(self, transport: paramiko.Transport, sink: Sink, timeout: float) -> None:
        super().__init__(transport, buff_size=CHUNK, socket_timeout=timeout)
        self.sink = sink
        self.received = False
        self.wait = timeout

    def close(self) -> None:
        """The library's close, with a bound on waiting for the device's exit status."""
        chan = self.channel
        if chan is None:
            return
        try:
            if not chan.closed:
                chan.shutdown_write()
                chan.status_event.wait(min(self.wait, 10.0))
        except (EOFError, OSError, paramiko.SSHException):
            pass
        finally:
            chan.close()
            self.channel = None

    def _recv_file(self, cmd: bytes) -> None:
        chan = self.channel
        parts = cmd.strip().split(b" ", 2)
        try:
            size = int(parts[1])
        except (ValueError, IndexError):
            chan.send(b"\x01")
            chan.close()
            raise SCPException("Bad file format") from None
        try:
            self.sink.announce(size)
        except _Limit:
            chan.send(b"\x01")  # refuse the transfer before any byte of it is sent
            chan.close()
            raise
        chan.send(b"\x00")
        pos = 0
        try:
            while pos < size:
                data = chan.recv(min(self.buff_size, size - pos))
                if not data:
                    raise SCPException("the channel closed before the whole file came")
                self.sink.write(data)
                pos += len(data)
            msg = chan.recv(512)
        except TimeoutError:
            chan.close()
            raise SCPException("no data within the timeout") from None
        if msg and msg[0:1] != b"\x00":
            raise SCPException(msg[1:].decode("utf-8", "replace"))
        self.received = True


def _scp(transport: paramiko.Transport, remote: str, sink: Sink, timeout: float) -> None:
    client = _StreamingSCP(transport, sink, timeout)
    try:
        # No shell quoting: device CLIs take "flash:x.bin" literally, not shell words.
        client.sanitize = lambda path: path
        client.get(remote)
    except _Limit:
        raise
    except SCPException as exc:
        text = str(exc).strip()
        if _missing(text):
            raise _NotFound(text) from exc
        raise _Refused(f"SCP: {text or 'the server ended the transfer'}") from exc
    except AssertionError as exc:  # the library's check of a control line's newline
        raise _Refused("SCP: the device answered with something that is not SCP") from exc
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise _Refused(f"SCP: {type(exc).__name__}: {exc}") from exc
    finally:
        client.close()
    if not client.received:
        raise _Refused("SCP: the device closed the request without sending the file")


def _sftp(transport: paramiko.Transport, remote: str, sink: Sink, timeout: float) -> None:
    try:
        sftp = paramiko.SFTPClient.from_transport(transport)
    except (paramiko.SSHException, OSError, EOFError) as exc:
        reason = str(exc) or type(exc).__name__
        raise _Refused(f"SFTP: the device refused the SFTP subsystem ({reason})") from exc
    if sftp is None:
        raise _Refused("SFTP: the device refused the SFTP subsystem")
    try:
        sftp.get_channel().settimeout(timeout)
        try:
            size = sftp.stat(remote).st_size
        except FileNotFoundError as exc:
            raise _NotFound(str(exc)) from exc
        sink.announce(int(size or 0))
        with sftp.open(remote, "rb") as handle:
            handle.prefetch(size)
            while True:
                data = handle.read(CHUNK)
                if not data:
                    break
                sink.write(data)
        if sink.size != size:
            raise _Refused(f"SFTP: the file ended after {sink.size} of {size} bytes")
    except _Limit:
        sftp.get_channel().close()  # abandon outstanding prefetch reads
        raise
    except _NotFound:
        raise
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise _Refused(f"SFTP: {type(exc).__name__}: {exc}") from exc
    finally:
        sftp.close()


def _missing(text: str) -> bool:
    low = text.lower()
    return any(
        w in low
        for w in ("no such file", "no matches", "not found", "does not exist", "invalid path")
    )


def remote_paths(spec: Offbox, prof: Profile, path: str) -> tuple[str, ...]:
    """The path forms of canonical ``path`` the device's server may accept, in order."""
    fs = filesystem(path)
    rel = path[len(fs) :].lstrip("/") if fs else path.lstrip("/")
    forms = []
    for form in spec.paths:
        if form.startswith("/{rel}") and fs and fs not in prof.default_filesystems:
            continue  # "/x.bin" names the default filesystem only
        if "{fs}" in form and not fs:
            continue
        forms.append(form.format(fs=fs, rel=rel, path=path))
    return tuple(dict.fromkeys(forms))


def copy_image(
    transport: paramiko.Transport,
    prof: Profile,
    path: str,
    *,
    max_bytes: int,
    timeout: float,
    rate: float = 0.0,
    keep_dir: Path | None = None,
) -> OffboxCopy:
    """Copy ``path`` off the device over ``transport`` and hash it; failures are data."""
    spec = prof.offbox
    started = time.monotonic()
    if spec is None:
        return OffboxCopy(path, error=f"{prof.name} serves no copy of its software files")
    if not path.isprintable() or any(c.isspace() for c in path):
        # The path came from the device's output: never send it control characters.
        return OffboxCopy(path, error="the path holds whitespace or control characters")
    failures: list[str] = []
    refused = False
    for protocol in spec.protocols:
        missing: list[str] = []
        for remote in remote_paths(spec, prof, path):
            keep = keep_dir / _local_name(path) if keep_dir else None
            sink = Sink(max_bytes=max_bytes, timeout=timeout, rate=rate, keep=keep)
            ok = False
            try:
                (_scp if protocol == "scp" else _sftp)(transport, remote, sink, timeout)
                ok = True
            except _NotFound:
                missing.append(remote)
                continue
            except _Limit as exc:
                return OffboxCopy(
                    path, remote, protocol, sink.size, elapsed=time.monotonic() - started,
                    error=str(exc),
                )  # fmt: skip
            except _Refused as exc:
                failures.append(str(exc))
                refused = True
                break
            finally:
                kept = sink.finish(ok)
            return OffboxCopy(
                path,
                remote,
                protocol,
                sink.size,
                sink.md5.hexdigest(),
                sink.sha512.hexdigest(),
                elapsed=time.monotonic() - started,
                kept=kept,
            )
        if missing:
            failures.append(f"{protocol.upper()}: no such file as {', '.join(missing)}")
    return OffboxCopy(
        path,
        protocol="/".join(spec.protocols),
        elapsed=time.monotonic() - started,
        error="; ".join(failures) or "no path form to try",
        enable=spec.enable if refused else "",  # the hint only where the server said no
    )


def targets(prof: Profile, runs: tuple[CommandRun, ...] | list[CommandRun], mode: str) -> list[str]:
    """The images to copy, from what the plan's runs say: the running image (or the
    install-mode set), or every image in the digest scope. Network paths are not copied."""
    records: list[object] = []
    seen: set[tuple[str, str]] = set()
    for run in runs:
        if run.step == "digest" or (run.step, run.target) in seen:
            continue
        try:
            records.extend(flatten([interpret(prof, run)]))
        except Rejected:
            continue
        seen.add((run.step, run.target))
    version = next((r for r in records if isinstance(r, VersionInfo)), None)
    boot = next((r for r in records if isinstance(r, BootInfo)), None)
    listings = tuple(r for r in records if isinstance(r, StorageListing))
    running = [p for r in records if isinstance(r, RunningSet) for p in r.paths]
    if mode == "all":
        chosen = list(
            digest_scope(prof, version=version, boot=boot, listings=listings, running_set=running)
        )
    elif running:
        chosen = running
    else:
        chosen = [version.running_image] if version and version.running_image else []
    return [p for p in dict.fromkeys(chosen) if p and not is_network(p)]


def reconnect(conn: Any, sock: Any = None) -> paramiko.SSHClient:
    """A second SSH connection like Netmiko's ``conn`` (what Netmiko's own SCP transfer
    does): same client class (so the same host-key store), same credentials from memory,
    over ``sock`` (a fresh socket or proxy pipe; the first one is in use)."""
    client = conn._build_ssh_client()
    params = conn._connect_params_dict()
    params["sock"] = sock
    client.connect(**params)
    return client


def _transport(conn: Any, sock: Callable[[], Any] | None) -> tuple[Any, Any]:
    """(transport, client to close or None): a new channel on the audit's own connection,
    or, where the device serves one channel per connection, a second connection."""
    transport = conn.remote_conn.get_transport()
    try:
        probe = transport.open_session(timeout=10)
        probe.close()
        return transport, None
    except (paramiko.SSHException, OSError, EOFError):
        client = reconnect(conn, sock() if sock else None)
        return client.get_transport(), client


def copy_off(
    conn: Any,
    prof: Profile,
    runs: list[CommandRun],
    *,
    mode: str,
    max_bytes: int,
    timeout: float,
    rate: float = 0.0,
    keep_dir: str = "",
    host: str = "",
    gate: OffboxGate | None = None,
    sock: Callable[[], Any] | None = None,
) -> tuple[OffboxCopy, ...]:
    """Every target image of ``mode`` copied over the open Netmiko connection ``conn``
    (``sock`` makes the socket for a second connection, should the device need one)."""
    paths = targets(prof, runs, mode)
    if not paths:
        why = (
            "the device names no running image file to copy (XR and Junos run installed "
            "packages, not a file): --offbox all copies the images on its storage"
            if mode == "running"
            else "the device's storage holds no image file to copy"
        )
        return (OffboxCopy("", error=why),)
    try:
        transport, second = _transport(conn, sock)
    except Exception as exc:  # any failure to reach the file server is data
        error = f"no channel for the copy, and a second connection failed: {exc}"
        return tuple(
            OffboxCopy(p, error=error, enable=prof.offbox.enable if prof.offbox else "")
            for p in paths
        )
    keep = Path(keep_dir) / _safe(host) if keep_dir else None
    copies = []
    for path in paths:
        with gate or contextlib.nullcontext():
            copies.append(
                copy_image(
                    transport,
                    prof,
                    path,
                    max_bytes=max_bytes,
                    timeout=timeout,
                    rate=rate,
                    keep_dir=keep,
                )
            )
    if second is not None:
        second.close()
    return tuple(copies)


def _local_name(path: str) -> str:
    """The kept file's name: the image's base name, never a path of its own."""
    name = _safe(basename(path))
    return name if name.strip(".") else "image"


def _safe(name: str) -> str:
    """A host name as one directory name (inventory names are ours, but be strict)."""
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name) or "host"
