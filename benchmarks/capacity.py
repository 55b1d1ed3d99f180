"""Benchmark (not a test): how many slow-digest sessions one collector holds at once.

    python benchmarks/capacity.py --devices 1000 [--digest-seconds 60] [--devices 3000]

For each ``--devices`` N: a lab of N healthy IOS/IOS-XE routers whose every digest takes
``--digest-seconds`` (the ``digest_seconds`` device key: verify prints its dots over that
time) runs in a child process; ``imagesweep audit --workers N`` (every device may be in
session at once) runs in another, behind the login gate of ``--max-logins`` (default 50, the
tool's) and ``--login-rate`` (default 25/s, the tool's): a thousand SSH handshakes at once
starve each other of CPU on a small collector, and an AAA server would refuse them anyway.
The baseline, measured in the same run on a lab of the same size with instant digests, is
the sweep's own overhead at that scale (logins, commands, reports). Printed: wall time
against the ideal (the slowest device's digests, one after another in its session, plus
that overhead) as a ratio (target <= 1.10),
peak RSS (target <= 1 GiB), client CPU, incomplete devices (target 0) with their reasons,
and the open-file limit. The limit is raised to the hard limit; each
session needs a socket on both sides.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from scale_incomplete import LabProcess, audit, raise_open_files, write_fleet


def slow_fleet(path: Path, devices: int, digest_seconds: float) -> None:
    write_fleet(path, devices, 0.0)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for device in raw["devices"]:
        device["digest_seconds"] = digest_seconds
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")


def modelled(devices: int, session: float, digest: float, rate: float) -> float:
    """docs/scale.md's model of this sweep: one collector, a session per device."""
    from imagesweep.sweep.model import Collector, Site, estimate

    site = Site("lab", devices, digest_seconds=digest, commands=0, login_seconds=session)
    return estimate([site], [Collector("one", devices)], logins_per_second=rate).makespan


def journal_figures(run: Path) -> tuple[int, float]:
    """From the journal: the most digest commands one session ran (one after another) and
    the mean seconds a device's session took."""
    most, spans = 0, []
    with (run / "journal.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            capture = json.loads(line)
            most = max(most, sum(r["step"] == "digest" for r in capture.get("runs", ())))
            spans.append(float(capture.get("elapsed", 0.0)))
    return most, sum(spans) / max(1, len(spans))


def one(
    root: Path, devices: int, digest_seconds: float, args: argparse.Namespace
) -> dict[str, Any]:
    name = f"{devices}-d{digest_seconds:g}"
    fleet, inventory = root / f"{name}.fleet.yaml", root / f"{name}.inventory"
    slow_fleet(fleet, devices, digest_seconds)
    with LabProcess(fleet, inventory):
        got = audit(inventory, root / f"{name}.run", args)
    got["digests"], got["session"] = journal_figures(root / f"{name}.run")
    return got


def show(label: str, devices: int, got: dict[str, Any]) -> None:
    rows = got["rows"]
    incomplete = [row for row in rows if row["status"] == "incomplete"]
    print(
        f"  {label:<9} wall {got['wall']:7.1f} s  client CPU {got['cpu']:6.1f} s  "
        f"peak RSS {got['rss']:6.0f} MiB  incomplete {len(incomplete)} of {len(rows)}  "
        f"digests/device {got['digests']}",
        flush=True,
    )
    for reason, count in collections.Counter(r["error"][:150] for r in incomplete).most_common(4):
        print(f"      {count:5d} x {reason}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, action="append", help="repeatable; 1000")
    parser.add_argument("--digest-seconds", type=float, default=60.0)
    parser.add_argument("--connect-timeout", type=float, default=60.0)
    parser.add_argument("--max-logins", type=int, default=50)
    parser.add_argument("--login-rate", type=float, default=25.0)
    args = parser.parse_args()
    sizes = args.devices or [1000]
    print(raise_open_files(3 * max(sizes) + 200), f"; {os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory(prefix="imagesweep-capacity-") as tmp:
        root = Path(tmp)
        for devices in sizes:
            args.workers = devices
            base = one(root, devices, 0.0, args)
            slow = one(root, devices, args.digest_seconds, args)
            ideal = slow["digests"] * args.digest_seconds + base["wall"]
            print(
                f"{devices} devices, --workers {devices} --max-logins {args.max_logins} "
                f"--login-rate {args.login_rate:g}, digests of {args.digest_seconds:g} s:"
            )
            show("baseline", devices, base)
            show("slow", devices, slow)
            print(
                f"  wall / ideal ({slow['digests']} x {args.digest_seconds:g} s + baseline "
                f"{base['wall']:.1f} s = {ideal:.1f} s): {slow['wall'] / ideal:.3f} "
                f"(target <= 1.10); peak RSS {slow['rss'] / 1024:.2f} GiB (target <= 1)",
                flush=True,
            )
            model = modelled(
                devices, base["session"], slow["digests"] * args.digest_seconds, args.login_rate
            )
            print(
                f"  model (docs/scale.md; baseline session {base['session']:.2f} s, login rate "
                f"{args.login_rate:g}/s): {model:.1f} s; measured / model "
                f"{slow['wall'] / model:.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
