"""Benchmark (not a test): are healthy devices ever reported incomplete at scale?

    python benchmarks/scale_incomplete.py --devices 1000 --rtt 0 --rtt 50

A lab of ``--devices`` healthy IOS and IOS-XE routers (user EXEC at login, so every session
needs ``enable``) runs in a child process of its own; ``imagesweep audit`` runs in another,
``--workers 50 --login-rate 1000 --max-logins 1000`` by default, once per ``--rtt``
(milliseconds the lab adds to every round trip, the ``latency_ms`` fault). Printed for each:
devices incomplete (the target is 0) with their reasons, wall time, the audit's CPU time
and peak RSS. ``--keep DIR`` keeps the run directories. With ``--dask ADDRESS`` (say
``local:2``), each lab is swept twice, in one process and on Dask, and the Dask sweep's
figures are printed as ratios of the one-process sweep's (with ``local:N`` the CPU is the
starting process's and its worker processes', the peak RSS the largest of them).

The open-file limit is raised to the hard limit (children inherit it); each session holds a
socket on both sides, so a lab of N devices needs about 2N descriptors plus N listeners.
"""

from __future__ import annotations

import argparse
import collections
import csv
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PERSONAS = ("ios_router", "iosxe_router")


def raise_open_files(needed: int) -> str:
    """Raise RLIMIT_NOFILE to the hard limit; a line saying what the limit is."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:
            return f"open files: could not raise the limit from {soft} ({exc})"
    note = f"open files: limit {soft} (hard {hard})"
    if soft < needed:
        note += f"; about {needed} are needed: expect failed connects (raise `ulimit -Hn`)"
    return note


def write_fleet(path: Path, devices: int, latency_ms: float) -> None:
    """A fleet file of healthy routers over the demo fleet's image library."""
    import yaml

    from imagesweep.lab.fleet import demo_fleet_path
    from imagesweep.lab.scenarios import clean

    raw = yaml.safe_load(demo_fleet_path().read_text(encoding="utf-8"))
    entries = []
    for index in range(devices):
        device: dict[str, Any] = clean(f"r{index + 1:05d}", PERSONAS[index % len(PERSONAS)])
        if latency_ms:
            device["faults"] = {"latency_ms": latency_ms}
        entries.append(device)
    raw["devices"] = entries
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")


def serve(fleet: str, inventory: str, ready: Any, stop: Any) -> None:
    """The lab, in a process of its own: its CPU is not the audit's."""
    from imagesweep.lab.fleet import load_fleet
    from imagesweep.lab.server import Lab

    with Lab(load_fleet(Path(fleet))) as lab:
        lab.write_inventory(Path(inventory))
        lab.write_catalogue(Path(inventory) / "known-good.csv")
        ready.set()
        stop.wait()


class LabProcess:
    def __init__(self, fleet: Path, inventory: Path) -> None:
        context = mp.get_context("spawn")
        self.ready, self.stop = context.Event(), context.Event()
        self.process = context.Process(
            target=serve, args=(str(fleet), str(inventory), self.ready, self.stop), daemon=True
        )

    def __enter__(self) -> LabProcess:
        self.process.start()
        if not self.ready.wait(600):
            self.process.kill()
            raise SystemExit("the lab did not start within 600 s")
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.process.join(60)
        if self.process.is_alive():
            self.process.kill()


def audit(inventory: Path, out: Path, args: argparse.Namespace) -> dict[str, Any]:
    """One ``imagesweep audit`` process: wall, CPU, peak RSS and the devices' statuses."""
    command = [
        sys.executable,
        "-m",
        "imagesweep",
        "audit",
        "--inventory",
        str(inventory),
        "--out",
        str(out),
        "--quiet",
        "--no-history",  # a benchmark's sweeps are not the user's fleet
        "--known-hosts",
        str(out.parent / f"{out.name}.known_hosts"),
        "--workers",
        str(args.workers),
        "--login-rate",
        str(args.login_rate),
        "--max-logins",
        str(args.max_logins),
        "--connect-timeout",
        str(args.connect_timeout),
    ]
    if getattr(args, "dask", None):
        command += ["--dask", args.dask]
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code == 2:
        raise SystemExit(f"audit refused to run: {stderr.strip()}")
    with (out / "devices.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss / 1024,
        "exit": code,
        "rows": rows,
    }


def report(devices: int, rtt: float, got: dict[str, Any]) -> None:
    rows = got["rows"]
    statuses = collections.Counter(row["status"] for row in rows)
    incomplete = [row for row in rows if row["status"] == "incomplete"]
    print(
        f"devices={devices} rtt={rtt:g} ms: incomplete {len(incomplete)} "
        f"(of {len(rows)} reported; {dict(sorted(statuses.items()))})  "
        f"wall {got['wall']:.1f} s  client CPU {got['cpu']:.1f} s "
        f"({1000 * got['cpu'] / max(1, devices):.0f} ms/device)  "
        f"peak RSS {got['rss']:.0f} MiB  exit {got['exit']}",
        flush=True,
    )
    reasons = collections.Counter(row["error"][:160] for row in incomplete)
    for reason, count in reasons.most_common(5):
        print(f"    {count:5d} x {reason}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, action="append", help="repeatable; 1000")
    parser.add_argument("--rtt", type=float, action="append", help="ms, repeatable; 0")
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--login-rate", type=float, default=1000.0)
    parser.add_argument("--max-logins", type=int, default=1000)
    parser.add_argument("--connect-timeout", type=float, default=20.0)
    parser.add_argument("--keep", type=Path, help="keep the run directories here")
    parser.add_argument("--dask", help="also sweep on this Dask scheduler (local:N)")
    args = parser.parse_args()
    sizes = args.devices or [1000]
    rtts = args.rtt or [0.0]
    print(raise_open_files(3 * max(sizes) + 100), f"; {os.cpu_count()} CPUs", flush=True)

    with tempfile.TemporaryDirectory(prefix="imagesweep-scale-") as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        for devices in sizes:
            for rtt in rtts:
                name = f"{devices}-rtt{rtt:g}"
                fleet, inventory = root / f"{name}.fleet.yaml", root / f"{name}.inventory"
                write_fleet(fleet, devices, rtt)
                with LabProcess(fleet, inventory):
                    alone = argparse.Namespace(**{**vars(args), "dask": None})
                    got = audit(inventory, root / f"{name}.run", alone)
                    report(devices, rtt, got)
                    if args.dask:
                        spread = audit(inventory, root / f"{name}.dask.run", args)
                        print(f"  on Dask {args.dask}:", end=" ")
                        report(devices, rtt, spread)
                        print(
                            f"  Dask / one process: wall {spread['wall'] / got['wall']:.2f}x  "
                            f"CPU {spread['cpu'] / got['cpu']:.2f}x  "
                            f"peak RSS {spread['rss'] / got['rss']:.2f}x",
                            flush=True,
                        )


if __name__ == "__main__":
    main()
