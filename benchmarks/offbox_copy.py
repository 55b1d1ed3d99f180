"""Benchmark: off-box copies (SCP, imagesweep.collect.offbox) from 20 lab devices at once.

    python benchmarks/offbox_copy.py [--devices 20] [--sizes-mib 4 32] [--protocol scp]

For each image size, a lab child process serves ``--devices`` IOS routers whose running
image has real bytes of that size; a collector child process logs in to all of them with
paramiko and copies every image at once through ``copy_image`` (streamed through md5 and
sha512, never written to disk). Printed per size: aggregate MB/s, the collector's CPU
seconds per GB (user + system, its own process only: the lab's CPU is not counted), the
collector's peak RSS, and a baseline measured in the same child: md5 + sha512 over the same
number of bytes from memory. "hash share" is the baseline's CPU over the copy's CPU: how
much of the collector's work is the hashing (the rest is SSH decryption and Python); the
aim is that hashing is never the bottleneck and that peak RSS does not grow with the size.
Shared, noisy machines: read the ratios, not single figures.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import resource
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

IMAGE = "c2900-universalk9-mz.SPA.157-3.M8.bin"


def fleet_yaml(devices: int, size: int) -> str:
    lines = [
        "images:",
        f"  {IMAGE}: {{size: {size}, version: '15.7(3)M8', platform: cisco_ios, "
        "known_good: true, bytes: true}",
        "devices:",
    ]
    for n in range(devices):
        lines.append(
            f"  - {{name: b{n:02d}, persona: ios_router, version: '15.7(3)M8', "
            f"running_image: 'flash:{IMAGE}', files: [{{path: 'flash:{IMAGE}', image: {IMAGE}}}]}}"
        )
    return "\n".join(lines) + "\n"


def serve(fleet_file: str, out: Any, ready: Any, stop: Any) -> None:
    from imagesweep.lab.fleet import load_fleet
    from imagesweep.lab.server import Lab

    with Lab(load_fleet(fleet_file)) as lab:
        out.put(lab.endpoints)
        ready.set()
        stop.wait()


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def collect(endpoints: dict[str, tuple[str, int]], size: int, protocol: str, out: Any) -> None:
    import paramiko

    from imagesweep.collect.offbox import copy_image
    from imagesweep.platforms import profile

    prof = profile("cisco_ios")
    assert prof.offbox is not None
    prof = replace(prof, offbox=replace(prof.offbox, protocols=(protocol,)))
    clients = []
    for host, port in endpoints.values():
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # the loopback lab
        client.connect(host, port, "admin", "admin", look_for_keys=False, allow_agent=False)
        clients.append(client)
    results: list[Any] = []
    lock = threading.Lock()

    def one(client: paramiko.SSHClient) -> None:
        copy = copy_image(
            client.get_transport(), prof, f"flash:{IMAGE}", max_bytes=2 * size, timeout=600
        )
        with lock:
            results.append(copy)

    threads = [threading.Thread(target=one, args=(c,)) for c in clients]
    begun_cpu, begun = cpu(), time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, used = time.monotonic() - begun, cpu() - begun_cpu
    for client in clients:
        client.close()
    errors = [c.error for c in results if c.error]
    total = sum(c.size or 0 for c in results)

    # Baseline in the same process: the same number of bytes hashed from memory.
    block = bytes(range(256)) * 4096  # 1 MiB
    begun_cpu, begun = cpu(), time.monotonic()
    md5, sha512 = hashlib.md5(usedforsecurity=False), hashlib.sha512()
    for _ in range(total // len(block)):
        md5.update(block)
        sha512.update(block)
    hash_wall, hash_cpu = time.monotonic() - begun, cpu() - begun_cpu
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put((wall, used, total, errors, hash_wall, hash_cpu, peak_mib))


def run(devices: int, size_mib: int, protocol: str) -> tuple[Any, ...]:
    size = size_mib * 1024 * 1024
    ctx = mp.get_context("spawn")  # fresh interpreters: peak RSS is this size's alone
    with tempfile.TemporaryDirectory() as tmp:
        fleet_file = Path(tmp) / "fleet.yaml"
        fleet_file.write_text(fleet_yaml(devices, size), encoding="utf-8")
        queue, ready, stop = ctx.Queue(), ctx.Event(), ctx.Event()
        lab = ctx.Process(target=serve, args=(str(fleet_file), queue, ready, stop))
        lab.start()
        try:
            if not ready.wait(120):
                raise SystemExit("lab did not start")
            endpoints = queue.get()
            results = ctx.Queue()
            child = ctx.Process(target=collect, args=(endpoints, size, protocol, results))
            child.start()
            outcome = results.get(timeout=900)
            child.join()
            return outcome
        finally:
            stop.set()
            lab.join(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--sizes-mib", type=int, nargs="+", default=[4, 32])
    parser.add_argument("--protocol", choices=("scp", "sftp"), default="scp")
    args = parser.parse_args()
    print(
        f"{'image':>8} {'devices':>7} {'copied MB':>9} {'MB/s':>7} {'CPU s/GB':>8} "
        f"{'hash MB/s':>9} {'hash s/GB':>9} {'hash share':>10} {'peak RSS':>9}"
    )
    for size_mib in args.sizes_mib:
        wall, used, total, errors, hash_wall, hash_cpu, peak = run(
            args.devices, size_mib, args.protocol
        )
        if errors:
            raise SystemExit(f"{len(errors)} copies failed: {errors[0]}")
        gb, mb = total / 1e9, total / 1e6
        print(
            f"{size_mib:>5} MiB {args.devices:>7} {mb:>9.0f} {mb / wall:>7.1f} "
            f"{used / gb:>8.1f} {mb / hash_wall:>9.0f} {hash_cpu / gb:>9.2f} "
            f"{hash_cpu / used:>10.1%} {peak:>5.0f} MiB"
        )


if __name__ == "__main__":
    main()
