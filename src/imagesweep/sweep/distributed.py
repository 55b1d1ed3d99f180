"""Sweeps beyond one machine: the same plan on Dask distributed workers.

``--dask ADDRESS`` connects to a running Dask scheduler; ``--dask local:N`` starts a
``LocalCluster`` of N worker processes on 127.0.0.1 for the length of the sweep. The
distribution is Dask's, not ours: one Dask task per device, so a worker that dies takes only
the devices it was auditing with it, and Dask re-queues those on another worker. A task whose
worker died twice (``distributed.scheduler.allowed-failures`` = 1, set here for local clusters
and documented for real schedulers) ends as ``KilledWorker``, and the device is reported
``incomplete`` with that reason: never lost, never audited twice.

On the worker, each task builds a one-host Nornir from a :class:`HostSpec` (the host as the
collector sees it, group and default data resolved, credentials filled in) and runs the very
same :func:`~imagesweep.collect.task.collect_task`. Finished captures stream back to the
machine that started the sweep, which writes the one journal, raw/ and the reports.

Sites: a host whose inventory data has ``site: X`` needs the Dask resource ``site-X``; only
workers started with it (``dask worker ADDRESS --resources site-X=1000``) run it, so devices
are reached from collectors near them. Hosts without a site run on any worker.

Caps: ``max_sessions`` on an inventory group holds across the whole cluster, as one
``distributed.Semaphore`` per capped group (the scheduler keeps the leases): a site's AAA
server sees at most that many sessions whichever workers hold them. ``--rehash-after``
offers travel with each device's task; logins that timed out are tried once more after the
first pass, as on one machine (``sweep/run.py``).

Credentials travel inside the task's arguments over Dask's comms, in memory only: this
module never writes them, local clusters run with spilling off, and the returned captures
hold no credentials. Use Dask's TLS (``tls://`` addresses, ``distributed.comm.tls``
configuration) between collectors on a real network.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from distributed import WorkerPlugin
from nornir.core import Nornir
from nornir.core.configuration import Config, SSHConfig
from nornir.core.inventory import (
    ConnectionOptions,
    Defaults,
    Groups,
    Host,
    Hosts,
    Inventory,
)
from nornir.plugins.runners import ThreadedRunner

from imagesweep.collect.login import LoginGate
from imagesweep.collect.process import prepare_for_sessions
from imagesweep.collect.settings import CollectSettings
from imagesweep.collect.task import capture_from, collect_task
from imagesweep.errors import ConfigError
from imagesweep.records import DeviceCapture, ReusedDigest

log = logging.getLogger(__name__)

LOCAL = "local:"
SITE_KEY = "site"


@dataclass(frozen=True)
class HostSpec:
    """One inventory host, self-contained, as a worker needs it to audit the device."""

    name: str
    hostname: str
    port: int | None
    platform: str
    username: str | None = field(repr=False)
    password: str | None = field(repr=False)
    data: Mapping[str, Any]
    netmiko_extras: Mapping[str, Any] = field(repr=False)
    groups: tuple[str, ...] = ()  # every group the host is in, its groups' groups too

    @property
    def site(self) -> str:
        return str(self.data.get(SITE_KEY) or "")


def host_spec(host: Host) -> HostSpec:
    """The host with its groups' and defaults' data and connection options resolved."""
    params = host.get_connection_parameters("netmiko")
    return HostSpec(
        name=host.name,
        hostname=str(host.hostname or host.name),
        port=host.port,
        platform=str(host.platform or ""),
        username=host.username,
        password=host.password,
        data=dict(host.items()),
        netmiko_extras=dict(params.extras or {}),
        groups=tuple(g.name for g in host.extended_groups()),
    )


def site_resource(site: str) -> str:
    return f"site-{site}"


# One login gate per worker process: the sweep's login caps are split evenly between the
# workers, so N collectors together stay within what the AAA servers were promised.
_GATES: dict[tuple[int, float], LoginGate] = {}
_GATES_LOCK = threading.Lock()


def _gate(concurrent: int, per_second: float) -> LoginGate:
    with _GATES_LOCK:
        key = (concurrent, per_second)
        if key not in _GATES:
            _GATES[key] = LoginGate(concurrent=concurrent, per_second=per_second)
        return _GATES[key]


@contextmanager
def _held(caps: Mapping[str, int]) -> Iterator[None]:
    """A lease of each capped group's cluster-wide semaphore, in group-name order (so two
    hosts never wait on each other) for the duration of the session."""
    from distributed import Semaphore

    with contextlib.ExitStack() as stack:
        for name in sorted(caps):
            # The cap is in the name: a sweep with another cap for the group gets its own.
            semaphore = Semaphore(
                max_leases=caps[name], name=f"imagesweep-max-sessions-{caps[name]}-{name}"
            )
            stack.enter_context(semaphore)
        yield


def audit_on_worker(
    spec: HostSpec,
    settings: CollectSettings,
    ssh_config: str | None,
    share: tuple[int, float],
    caps: Mapping[str, int] | None = None,
    reuse: tuple[ReusedDigest, ...] = (),
) -> DeviceCapture:
    """The Dask task: audit one device with the collector's own task; always a capture.
    ``caps``: the capped groups among the host's and their ``max_sessions``."""
    host = Host(
        name=spec.name,
        hostname=spec.hostname,
        port=spec.port,
        platform=spec.platform,
        username=spec.username,
        password=spec.password,
        data=dict(spec.data),
        connection_options={"netmiko": ConnectionOptions(extras=dict(spec.netmiko_extras))},
    )
    nr = Nornir(
        inventory=Inventory(hosts=Hosts({spec.name: host}), groups=Groups(), defaults=Defaults()),
        runner=ThreadedRunner(num_workers=1),
        config=Config(ssh=SSHConfig(config_file=ssh_config or "~/.ssh/config")),
    )
    with _held(caps or {}):
        result = nr.run(
            task=collect_task,
            settings=settings,
            gate=_gate(*share),
            reuse={spec.name: reuse},
            on_failed=True,
        )
    capture = capture_from(host, result[spec.name])
    return _with_collector(capture)


def _with_collector(capture: DeviceCapture) -> DeviceCapture:
    from dataclasses import replace

    from distributed import get_worker

    try:
        where = get_worker().address
    except ValueError:  # not inside a worker (a direct call)
        where = ""
    return replace(capture, collector=where)


def lost(spec: HostSpec, reason: str) -> DeviceCapture:
    """The capture of a device whose audit Dask could not finish."""
    return DeviceCapture(
        host=spec.name,
        address=f"{spec.hostname}:{spec.port}" if spec.port else spec.hostname,
        platform=spec.platform,
        error=reason,
        error_step="collect",
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


class CollectorPlugin(WorkerPlugin):
    """Dask worker plugin: each worker process is prepared for many session threads as the
    audit command prepares its own (``collect/process.py``), before it runs a task."""

    name = "imagesweep-collector"

    def setup(self, worker: Any) -> None:
        prepare_for_sessions()


@contextmanager
def client_for(address: str, *, sessions: int) -> Iterator[Any]:
    """A Dask client for the length of a sweep (both of its passes). ``local:N`` starts N
    worker processes on 127.0.0.1 that share ``sessions`` (``--workers``) between them, so a
    sweep holds as many sessions at once as in one process; workers of a real scheduler hold
    as many as their ``--nthreads``."""
    import dask
    from distributed import Client, LocalCluster

    # Dask sets its own loggers to INFO, so the local scheduler's chatter reached the
    # terminal even under --quiet; they follow the CLI's level (--quiet, --debug) instead.
    logging.getLogger("distributed").setLevel(logging.getLogger().getEffectiveLevel())
    if address.startswith(LOCAL):
        count = address[len(LOCAL) :]
        if not count.isdigit() or int(count) < 1:
            raise ConfigError(f"--dask {address}: expected local:N with N >= 1 worker processes")
        processes = int(count)
        with dask.config.set(
            {
                "distributed.scheduler.allowed-failures": 1,
                # Device output is sensitive: it never goes to a spill file.
                "distributed.worker.memory.spill": False,
                "distributed.worker.memory.target": False,
            }
        ):
            cluster = LocalCluster(
                n_workers=processes,
                threads_per_worker=max(1, -(-sessions // processes)),
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            try:
                with Client(cluster) as client:
                    client.register_plugin(CollectorPlugin())
                    yield client
            finally:
                cluster.close()
        return
    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"--dask {address}: cannot reach the scheduler: {exc}") from exc
    try:
        try:
            client.register_plugin(CollectorPlugin())
        except Exception as exc:  # raised on the workers: imagesweep missing, another version
            raise ConfigError(
                f"--dask {address}: the workers cannot prepare for the sweep (is imagesweep "
                f"installed there, the same version?): {type(exc).__name__}: {exc}"
            ) from exc
        yield client
    finally:
        client.close()


def run_on_dask(
    hosts: list[Host],
    *,
    client: Any,
    settings: CollectSettings,
    ssh_config: str | None,
    record: Callable[[DeviceCapture], None],
    stop: Callable[[], bool] = lambda: False,
    caps: Mapping[str, int] | None = None,
    reuse: Mapping[str, tuple[ReusedDigest, ...]] | None = None,
    again: bool = False,
) -> None:
    """Audit ``hosts`` on the workers of ``client`` (:func:`client_for`); each finished
    capture goes to ``record`` as it comes.
    ``caps``: group -> ``max_sessions``; ``reuse``: host -> digests it may reuse; ``again``:
    a second pass over hosts audited once already (their tasks get keys of their own)."""
    from distributed import as_completed

    specs = [host_spec(h) for h in hosts]
    info = client.scheduler_info()
    collectors = max(1, len(info.get("workers", {})))
    sites = {
        name
        for w in info.get("workers", {}).values()
        for name in (w.get("resources") or {})
        if name.startswith("site-")
    }
    share = (
        max(1, settings.max_concurrent_logins // collectors),
        settings.logins_per_second / collectors,
    )
    futures = {}
    for spec in specs:
        if spec.site and site_resource(spec.site) not in sites:
            record(
                lost(
                    spec,
                    f"no Dask worker serves site {spec.site!r} (start one with "
                    f"--resources {site_resource(spec.site)}=1000)",
                )
            )
            continue
        future = client.submit(
            audit_on_worker,
            spec,
            settings,
            ssh_config,
            share,
            {g: n for g, n in (caps or {}).items() if g in spec.groups},
            (reuse or {}).get(spec.name, ()),
            key=f"audit-{spec.name}" + ("-again" if again else ""),
            pure=False,
            resources={site_resource(spec.site): 1} if spec.site else None,
        )
        futures[future.key] = (future, spec)
    for future in as_completed([f for f, _ in futures.values()]):
        _, spec = futures.pop(future.key)
        try:
            capture = future.result()
        except Exception as exc:  # KilledWorker, a worker without imagesweep, ...
            reason = f"the Dask worker auditing it was lost twice ({type(exc).__name__})"
            if type(exc).__name__ != "KilledWorker":
                reason = f"the Dask task failed: {type(exc).__name__}: {exc}"
            capture = lost(spec, reason)
        future.release()
        record(capture)
        if stop():
            for pending, _ in futures.values():
                pending.cancel()
            break
