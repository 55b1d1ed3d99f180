"""Sweeps on Dask distributed: real worker processes on 127.0.0.1 auditing the lab over SSH.

A LocalCluster sweep must report exactly what the single-process sweep reports; a worker
killed mid-sweep loses no device and audits none twice; a site-pinned host is audited only by
a worker started with that site's resource.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from e2e_support import Sweep, audit, run_cli

from imagesweep.lab.fleet import Fleet, generate_fleet


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _outcome(sweep: Sweep) -> dict[str, tuple[str, str, frozenset[str]]]:
    return {
        host: (row["status"], row["hash_status"], frozenset(sweep.rules()[host]))
        for host, row in sweep.devices().items()
    }


def _images(sweep: Sweep) -> set[tuple[str, str, str, str]]:
    return {(r["host"], r["path"], r["md5"], r["verdict"]) for r in sweep.rows("images.csv")}


def _sweep_json(sweep: Sweep) -> dict[str, dict[str, object]]:
    data = json.loads((sweep.run_dir / "sweep.json").read_text(encoding="utf-8"))
    return {d["host"]: d for d in data["devices"]}


def _journal_hosts(sweep: Sweep) -> list[str]:
    lines = (sweep.run_dir / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["host"] for line in lines]


class Cluster:
    """A Dask scheduler and workers as separate processes (no nanny: a killed worker stays
    dead), bound to 127.0.0.1, stopped at the end."""

    def __init__(self, directory: Path) -> None:
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.directory = directory
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.workers: dict[str, str] = {}  # name -> address
        self.env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
        self._start(
            "scheduler",
            ["scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard"],
        )
        self._wait_for(self.port)

    def _start(self, name: str, args: list[str]) -> None:
        log = (self.directory / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "dask", *args], stdout=log, stderr=log, env=self.env
        )

    @staticmethod
    def _wait_for(port: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.2)
        raise AssertionError(f"nothing listens on 127.0.0.1:{port}")

    def worker(self, name: str, *extra: str) -> str:
        port = _free_port()
        args = ["worker", self.address, "--name", name, "--nthreads", "3", "--no-nanny"]
        args += ["--host", "127.0.0.1", "--worker-port", str(port), "--no-dashboard", *extra]
        self._start(name, args)
        self._wait_for(port)
        self.workers[name] = f"tcp://127.0.0.1:{port}"
        return self.workers[name]

    def wait_for_workers(self, count: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=30) as client:
            client.wait_for_workers(count, timeout=60)

    def processing_on(self, worker: str, timeout: float = 60) -> list[str]:
        """The hosts ``worker`` is auditing, as soon as it audits any."""
        from distributed import Client

        with Client(self.address, timeout=30) as client:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                keys = client.processing().get(worker, [])
                hosts = [str(k).removeprefix("audit-") for k in keys if str(k).startswith("audit-")]
                if hosts:
                    return hosts
                time.sleep(0.05)
        return []

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(timeout=30)

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    running = Cluster(tmp_path)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def mixed_lab(
    lab_of: Callable[[Fleet, Path], Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return lab_of(generate_fleet(10, seed=5, faulty_ratio=0.4), tmp_path_factory.mktemp("mixed"))


def test_local_cluster_reports_what_one_process_reports(mixed_lab: Path) -> None:
    alone = audit(mixed_lab, mixed_lab.parent / "alone")
    spread = audit(mixed_lab, mixed_lab.parent / "dask", "--dask", "local:2", "--workers", "3")
    assert alone.exit_code == spread.exit_code, spread.stderr
    assert "distributed." not in spread.stderr  # --quiet: none of Dask's own log lines
    assert _outcome(spread) == _outcome(alone)
    assert _images(spread) == _images(alone)
    collectors = {d["collector"] for d in _sweep_json(spread).values()}
    assert all(str(c).startswith("tcp://127.0.0.1:") for c in collectors), collectors
    assert all(not d["collector"] for d in _sweep_json(alone).values())
    assert sorted(_journal_hosts(spread)) == sorted(_outcome(alone))


def _slow(fleet: Fleet, seconds: float) -> Fleet:
    return replace(fleet, devices=tuple(replace(d, digest_seconds=seconds) for d in fleet.devices))


def test_a_worker_killed_mid_sweep_loses_no_device(
    cluster: Cluster, lab_of: Callable[[Fleet, Path], Path], tmp_path: Path
) -> None:
    fleet = _slow(generate_fleet(8, seed=2, faulty_ratio=0.0), 2.0)
    inventory = lab_of(fleet, tmp_path)
    doomed = cluster.worker("doomed")
    cluster.worker("survivor")
    cluster.wait_for_workers(2)
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "imagesweep", "audit", "--inventory", str(inventory),
         "--out", str(out), "--quiet", "--dask", cluster.address],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    # Kill the worker while it is auditing devices (each digest takes 2 s).
    in_flight = cluster.processing_on(doomed)
    cluster.kill("doomed")
    stdout, stderr = proc.communicate(timeout=300)
    sweep = Sweep(out, proc.returncode, stdout, stderr)
    hosts = {d.name for d in fleet.devices}
    journal = _journal_hosts(sweep)
    assert sorted(journal) == sorted(hosts), "every device exactly once in the journal"
    assert set(sweep.devices()) == hosts
    statuses = {h: row["status"] for h, row in sweep.devices().items()}
    assert set(statuses.values()) <= {"clean", "findings"}, (statuses, stderr)
    devices = _sweep_json(sweep)
    assert in_flight, "the kill must catch the worker mid-audit"
    for host in in_flight:  # re-queued on the survivor, audited once, fully
        assert devices[host]["collector"] == cluster.workers["survivor"], devices[host]
        assert statuses[host] == "clean"


def test_site_pinned_hosts_go_only_to_their_site(
    cluster: Cluster, lab_of: Callable[[Fleet, Path], Path], tmp_path: Path
) -> None:
    fleet = generate_fleet(6, seed=4, faulty_ratio=0.0)
    inventory = lab_of(fleet, tmp_path)
    hosts_file = inventory / "hosts.yaml"
    hosts = yaml.safe_load(hosts_file.read_text(encoding="utf-8"))
    names = sorted(hosts)
    pinned, nowhere = names[:2], names[2]
    for name in pinned:
        hosts[name].setdefault("data", {})["site"] = "paris"
    hosts[nowhere].setdefault("data", {})["site"] = "atlantis"
    hosts_file.write_text(yaml.safe_dump(hosts), encoding="utf-8")
    paris = cluster.worker("paris", "--resources", "site-paris=100")
    cluster.worker("elsewhere")
    cluster.wait_for_workers(2)
    sweep = audit(inventory, tmp_path / "run", "--dask", cluster.address)
    devices = _sweep_json(sweep)
    for name in pinned:
        assert devices[name]["collector"] == paris, devices[name]
        assert sweep.devices()[name]["status"] != "incomplete"
    row = sweep.devices()[nowhere]
    assert row["status"] == "incomplete"
    assert "no Dask worker serves site 'atlantis'" in row["error"]


def test_local_workers_share_the_sessions_and_are_prepared_for_them() -> None:
    # --workers is the sweep's sessions in total, as in one process: 2 x 50 session threads
    # on 2 cores left a 1,000-device sweep unfinished after 400 s, 2 x 25 took 46 s.
    from imagesweep.collect.process import SWITCH_INTERVAL
    from imagesweep.sweep.distributed import client_for

    with client_for("local:2", sessions=5) as client:
        threads = sorted(w["nthreads"] for w in client.scheduler_info()["workers"].values())
        intervals = client.run(sys.getswitchinterval).values()
    assert threads == [3, 3]
    assert all(abs(i - SWITCH_INTERVAL) < 1e-6 for i in intervals)
    assert len(intervals) == 2


def test_workers_that_cannot_load_imagesweep_stop_the_sweep_in_one_line(
    cluster: Cluster, mixed_lab: Path, tmp_path: Path
) -> None:
    # A worker machine without imagesweep (or with another version): the collector plugin
    # cannot be unpickled there. The sweep must say so before any login, not trace back.
    blocker = tmp_path / "without_imagesweep.py"
    blocker.write_text(
        'import sys\n\nsys.modules["imagesweep"] = None  # as if it were not installed here\n',
        encoding="utf-8",
    )
    cluster.worker("bare", "--preload", str(blocker))
    cluster.wait_for_workers(1)
    out = tmp_path / "run"
    proc = run_cli(
        "audit",
        "--inventory",
        str(mixed_lab),
        "--out",
        str(out),
        "--known-hosts",
        str(tmp_path / "known_hosts"),
        "--quiet",
        "--no-history",
        "--dask",
        cluster.address,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert f"--dask {cluster.address}: the workers cannot prepare for the sweep" in last, last
    assert "ImportError" in last or "ModuleNotFoundError" in last, last
    assert not (out / "journal.jsonl").exists()  # no device was audited
