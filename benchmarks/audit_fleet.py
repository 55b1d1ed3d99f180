"""Benchmark: audit a generated lab fleet over real SSH, whole process, as a user would.

    python benchmarks/audit_fleet.py [--devices 200] [--workers 100] [--baseline-workers 20]

The lab runs in a child process (so its CPU is not charged to the audit's process), serving
``--devices`` simulated devices on 127.0.0.1. The audit runs as ``imagesweep audit`` in a
subprocess, once with ``--workers`` and once with ``--baseline-workers`` (the baseline, in the
same run, on the same lab), in alternation for ``--rounds`` rounds. Printed: wall time, peak
RSS of the audit process, devices per second, and the ratio against the baseline. These
machines are shared and noisy: read the ratios and medians, not single figures.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def serve(devices: int, faulty: float, inventory: str, ready: mp.Event, stop: mp.Event) -> None:
    from imagesweep.lab.fleet import generate_fleet
    from imagesweep.lab.server import Lab

    with Lab(generate_fleet(devices, seed=7, faulty_ratio=faulty)) as lab:
        lab.write_inventory(Path(inventory))
        lab.write_catalogue(Path(inventory) / "known-good.csv")
        ready.set()
        stop.wait()


def audit_once(
    inventory: Path, workers: int, out: Path, limits: list[str]
) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MiB, exit status) of one `imagesweep audit` process."""
    command = [
        sys.executable,
        "-m",
        "imagesweep",
        "audit",
        "--inventory",
        str(inventory),
        "--workers",
        str(workers),
        "--out",
        str(out),
        "--quiet",
        "--known-hosts",
        str(out.parent / f"known_hosts-{out.name}"),
        "--connect-timeout",
        "10",
        *limits,
    ]
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, not a running max
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if code == 2:
        raise SystemExit(f"audit failed: {stderr.strip()}")
    return wall, usage.ru_maxrss / 1024, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--workers", type=int, default=100)
    parser.add_argument("--baseline-workers", type=int, default=20)
    parser.add_argument("--faulty", type=float, default=0.0, help="share of faulty devices")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--login-rate",
        type=float,
        default=25.0,
        help="imagesweep's --login-rate (its default, 25/s, bounds a 200-device sweep at 8 s)",
    )
    parser.add_argument("--max-logins", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="imagesweep-bench-") as tmp:
        root = Path(tmp)
        inventory = root / "inventory"
        ready, stop = mp.Event(), mp.Event()
        lab = mp.Process(
            target=serve, args=(args.devices, args.faulty, str(inventory), ready, stop), daemon=True
        )
        lab.start()
        if not ready.wait(120):
            lab.kill()
            raise SystemExit("the lab did not start within 120 s")
        try:
            figures: dict[int, list[tuple[float, float]]] = {
                args.workers: [],
                args.baseline_workers: [],
            }
            for n in range(args.rounds):
                for workers in (args.workers, args.baseline_workers):
                    out = root / f"run-{workers}-{n}"
                    limits = [
                        "--login-rate",
                        str(args.login_rate),
                        "--max-logins",
                        str(args.max_logins),
                    ]
                    wall, rss, status = audit_once(inventory, workers, out, limits)
                    figures[workers].append((wall, rss))
                    print(
                        f"round {n + 1}: workers={workers:<4} wall {wall:6.2f} s  "
                        f"peak RSS {rss:6.1f} MiB  exit {status}",
                        flush=True,
                    )
        finally:
            stop.set()
            lab.join(30)
            if lab.is_alive():
                lab.kill()

    def median(workers: int, index: int) -> float:
        return statistics.median(f[index] for f in figures[workers])

    test, base = args.workers, args.baseline_workers
    print(f"\n{args.devices} devices, {os.cpu_count()} CPUs, medians of {args.rounds} rounds")
    for workers in (test, base):
        print(
            f"  workers={workers:<4} wall {median(workers, 0):6.2f} s  "
            f"{args.devices / median(workers, 0):6.1f} devices/s  "
            f"peak RSS {median(workers, 1):6.1f} MiB"
        )
    print(
        f"  ratio wall(workers={test}) / wall(workers={base}) = "
        f"{median(test, 0) / median(base, 0):.2f}"
    )


if __name__ == "__main__":
    main()
