"""The SSH client under Netmiko: host-key trust and (opt-in) legacy algorithms.

Netmiko builds a ``paramiko.SSHClient``, loads ``alt_key_file`` into it and, unless strict,
sets ``AutoAddPolicy``, which rewrites the whole known_hosts file from each client's copy
whenever it meets a new host. With a hundred sessions at once that is a race that loses
keys, and quadratic work. Here the Netmiko driver class is the same, but its client:

- takes the known keys from one in-memory store per known_hosts file (read once per
  process), so paramiko still refuses a changed key during the handshake, before any
  credential is sent (``BadHostKeyException``);
- trusts a new key on first use by appending one line under a lock (never rewriting), or,
  when strict, refuses it;
- with ``legacy``, negotiates with :class:`imagesweep.collect.legacy_ssh.LegacyTransport`.

Reached through Nornir connection plugins ``imagesweep_netmiko`` and
``imagesweep_netmiko_legacy``, which otherwise behave as nornir-netmiko's.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

import paramiko
from netmiko.ssh_dispatcher import CLASS_MAPPER
from nornir.core.configuration import Config
from nornir.core.plugins.connections import ConnectionPluginRegister
from nornir_netmiko.connections.netmiko import Netmiko

from imagesweep.collect.legacy_ssh import LegacyTransport
from imagesweep.collect.transport import AuditTransport

PLUGIN = "imagesweep_netmiko"
LEGACY_PLUGIN = "imagesweep_netmiko_legacy"


class KnownHosts:
    """One known_hosts file shared by every session of the process.

    Indexed by host name: paramiko's ``HostKeys`` scans every entry on each lookup (and on
    each line it loads), which is quadratic over a sweep of thousands of hosts."""

    _stores: dict[str, KnownHosts] = {}  # noqa: RUF012 - the process-wide registry
    _registry_lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path
        self.plain: dict[str, dict[str, paramiko.PKey]] = {}
        self.hashed: list[tuple[str, str, paramiko.PKey]] = []  # (|1|salt|hash, kind, key)
        if path.is_file():
            self._load(path.read_text(encoding="utf-8", errors="replace"))
        self.lock = threading.Lock()

    def _load(self, text: str) -> None:
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            try:
                entry = paramiko.hostkeys.HostKeyEntry.from_line(line, number)
            except paramiko.SSHException:  # as paramiko's own loader: skip what it cannot read
                continue
            if entry is None or entry.key is None:
                continue
            kind = entry.key.get_name()
            for name in entry.hostnames:
                if name.startswith("|1|"):
                    self.hashed.append((name, kind, entry.key))
                else:  # the first entry wins, as in paramiko's lookup
                    self.plain.setdefault(name, {}).setdefault(kind, entry.key)

    def _lookup(self, name: str) -> dict[str, paramiko.PKey]:
        found = dict(self.plain.get(name, {}))
        for hashed, kind, key in self.hashed:
            if paramiko.HostKeys.hash_host(name, hashed) == hashed:
                found.setdefault(kind, key)
        return found

    @classmethod
    def of(cls, path: str | Path) -> KnownHosts:
        key = str(Path(path).expanduser().resolve())
        with cls._registry_lock:
            if key not in cls._stores:
                cls._stores[key] = cls(Path(key))
            return cls._stores[key]

    def copy_into(self, keys: paramiko.HostKeys, name: str) -> None:
        """The known keys of host ``name`` (``host`` or ``[host]:port``) into ``keys``."""
        with self.lock:
            entries = self._lookup(name)
        for kind, key in entries.items():
            keys.add(name, kind, key)

    def trust(self, name: str, key: paramiko.PKey) -> None:
        """Remember a first-seen key: one appended line, never a rewrite."""
        with self.lock:
            if self._lookup(name):
                return
            self.plain[name] = {key.get_name(): key}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(f"{name} {key.get_name()} {key.get_base64()}\n")


class _TrustOnFirstUse(paramiko.MissingHostKeyPolicy):  # type: ignore[misc]
    def __init__(self, store: KnownHosts | None) -> None:
        self.store = store

    def missing_host_key(self, client: Any, hostname: str, key: paramiko.PKey) -> None:
        client.get_host_keys().add(hostname, key.get_name(), key)
        if self.store is not None:
            self.store.trust(hostname, key)


class AuditSSHClient(paramiko.SSHClient):  # type: ignore[misc]
    legacy = False

    def __init__(self, store: KnownHosts | None = None) -> None:
        super().__init__()
        self._store = store

    def load_host_keys(self, filename: str) -> None:
        # Netmiko asks for its alt_key_file: that is the shared store, consulted in connect.
        # paramiko's own loading would make it save the whole file back on a new host.
        if self._store is None:
            self._store = KnownHosts.of(filename)

    def set_missing_host_key_policy(self, policy: Any) -> None:
        strict = isinstance(policy, paramiko.RejectPolicy) or policy is paramiko.RejectPolicy
        super().set_missing_host_key_policy(
            paramiko.RejectPolicy() if strict else _TrustOnFirstUse(self._store)
        )

    def connect(self, hostname: str, port: int = 22, *args: Any, **kwargs: Any) -> None:
        if self._store is not None:
            # Only this host's entry: paramiko checks the key under this name.
            name = hostname if port == 22 else f"[{hostname}]:{port}"
            self._store.copy_into(self.get_host_keys(), name)
        kwargs.setdefault("transport_factory", LegacyTransport if self.legacy else AuditTransport)
        super().connect(hostname, port, *args, **kwargs)


class _LegacyClient(AuditSSHClient):
    legacy = True


@functools.cache
def driver(device_type: str, legacy: bool) -> type[Any]:
    """Netmiko's driver class for ``device_type``, building its SSH client here."""
    base = CLASS_MAPPER[device_type]
    client = _LegacyClient if legacy else AuditSSHClient

    def _get_ssh_client_instance(self: Any) -> paramiko.SSHClient:
        # Netmiko only loads alt_key_file when it exists; the store must exist before the
        # first key of a first sweep is trusted.
        wanted = getattr(self, "alt_host_keys", False) and getattr(self, "alt_key_file", "")
        return client(KnownHosts.of(self.alt_key_file) if wanted else None)

    name = f"{'Legacy' if legacy else 'Audit'}{base.__name__}"
    return type(name, (base,), {"_get_ssh_client_instance": _get_ssh_client_instance})


class _Plugin(Netmiko):  # type: ignore[misc]
    """nornir-netmiko's plugin with the driver classes above."""

    legacy = False

    def open(
        self,
        hostname: str | None,
        username: str | None,
        password: str | None,
        port: int | None,
        platform: str | None,
        extras: dict[str, Any] | None = None,
        configuration: Config | None = None,
    ) -> None:
        if not platform or platform not in CLASS_MAPPER:
            raise ValueError(f"unsupported platform: {platform!r}")
        parameters: dict[str, Any] = {
            "host": hostname,
            "username": username,
            "password": password,
            "port": port,
            "device_type": platform,
        }
        parameters.update(extras or {})
        self.connection = driver(platform, self.legacy)(**parameters)


class _LegacyPlugin(_Plugin):
    legacy = True


def register() -> None:
    for name, plugin in ((PLUGIN, _Plugin), (LEGACY_PLUGIN, _LegacyPlugin)):
        if name not in ConnectionPluginRegister.available:
            ConnectionPluginRegister.register(name, plugin)


def negotiated(conn: Any) -> str:
    """The key exchange and host key algorithms a session negotiated, in words."""
    transport = conn.remote_conn.get_transport()
    kex = getattr(transport, "imagesweep_kex", "?")
    return f"key exchange {kex}, host key {transport.host_key_type}"
