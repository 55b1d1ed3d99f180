"""Benchmark (not a test): the CPU a sweep spends writing its raw outputs, one file per device
(``raw/<host>.txt``, what imagesweep writes) against a file per command in a folder per
device (``raw/<host>/<command>.txt``, the layout before run directory schema 2), on a
collector that prunes its old runs.

    python benchmarks/raw_layout.py [--devices 1000] [--commands 12] [--rounds 3]

Each measurement first writes a pruned run, a run of the same size in the per-command layout,
and deletes it, as a scheduled sweep's collector does with its oldest run; then it writes the
devices' raw outputs (``--commands`` outputs of 1-8 KiB each, through the same file writer)
and takes the process's CPU time (user + system) and wall time. The two layouts alternate,
``--rounds`` times each, in the same directory of the same file system (the temporary
directory: ``TMPDIR`` chooses it). Printed: the figures of each round, the medians, and the
ratio of imagesweep's to the per-command layout's. On ext4, allocating an inode among many
recently deleted ones reads their inode table blocks (``recently_deleted`` under ``perf``):
that, not the writing, is most of the difference.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from imagesweep.files import make_dir, write_plain
from imagesweep.records import CommandRun, DeviceCapture
from imagesweep.report import schema
from imagesweep.report.writers import raw_outputs, write_raw
from imagesweep.sanitize import safe_name

COMMANDS = (
    "show version",
    "show boot",
    "show file systems",
    "dir /recursive flash:",
    "show software authenticity running",
    "show rom-monitor",
    "show install summary",
    "show platform integrity sign nonce 1234",
    "show system integrity all measurement nonce 1234",
    "show platform sudi certificate sign nonce 1234",
    "verify /md5 flash:c2900-universalk9-mz.SPA.157-3.M8.bin",
    "show software authenticity file flash:c2900-universalk9-mz.SPA.157-3.M8.bin",
)


def captures(devices: int, commands: int) -> list[DeviceCapture]:
    rng = random.Random(12)
    made = []
    for n in range(devices):
        runs = tuple(
            CommandRun(
                "step",
                COMMANDS[i % len(COMMANDS)] + (f" {i}" if i >= len(COMMANDS) else ""),
                f"line of output {rng.randrange(100_000):05d}\n" * rng.randrange(50, 400),
            )
            for i in range(commands)
        )
        made.append(DeviceCapture(host=f"r{n:05d}", address="a", platform="cisco_ios", runs=runs))
    return made


def per_command(run_dir: Path, capture: DeviceCapture) -> None:
    """The layout before schema 2: raw/<host>/<command>.txt, as its writer made it."""
    folder = make_dir(run_dir / schema.RAW_DIR / safe_name(capture.host))
    for output in raw_outputs(capture):
        write_plain(folder / f"{safe_name(output.command, limit=100)}.txt", output.text)


WRITERS = {"per-command": per_command, "imagesweep": write_raw}


def measure(root: Path, layout: str, fleet: list[DeviceCapture], index: int) -> dict[str, float]:
    pruned = root / f"pruned-{layout}-{index}"
    for capture in fleet:
        per_command(pruned, capture)
    shutil.rmtree(pruned)
    run = root / f"run-{layout}-{index}"
    writer = WRITERS[layout]
    cpu, wall = time.process_time(), time.perf_counter()
    for capture in fleet:
        writer(run, capture)
    got = {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}
    got["files"] = float(sum(len(files) for _, _, files in os.walk(run)))
    shutil.rmtree(run)
    return got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--commands", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    fleet = captures(args.devices, args.commands)
    runs: dict[str, list[dict[str, float]]] = {layout: [] for layout in WRITERS}
    with tempfile.TemporaryDirectory(prefix="imagesweep-raw-") as tmp:
        root = Path(tmp)
        print(f"{args.devices} devices x {args.commands} outputs, in {root}", flush=True)
        for index in range(args.rounds):
            order = list(WRITERS) if index % 2 == 0 else list(reversed(WRITERS))
            for layout in order:
                got = measure(root, layout, fleet, index)
                runs[layout].append(got)
                print(
                    f"round {index + 1}: {layout:<12} CPU {got['cpu']:6.2f} s  "
                    f"wall {got['wall']:6.2f} s  files {got['files']:.0f}",
                    flush=True,
                )
    medians = {
        layout: {key: statistics.median(r[key] for r in got) for key in ("cpu", "wall")}
        for layout, got in runs.items()
    }
    for layout, got in medians.items():
        print(f"median {layout:<12} CPU {got['cpu']:6.2f} s  wall {got['wall']:6.2f} s")
    base, ours = medians["per-command"], medians["imagesweep"]
    print(
        f"imagesweep / per-command: CPU {ours['cpu'] / base['cpu']:.2f}x  "
        f"wall {ours['wall'] / base['wall']:.2f}x"
    )


if __name__ == "__main__":
    main()
