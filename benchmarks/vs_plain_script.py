"""Benchmark (not a test): imagesweep against the plain Nornir + Netmiko script doing the
same work, on the same lab fleet, in one run.

    python benchmarks/vs_plain_script.py --devices 1000 [--workers 50] [--rounds 2] [--asyncssh]

The plain script (``--plain``, below) is what a network engineer writes in an afternoon: per
host ``enable``, ``show version``, ``show boot`` (``show bootvar`` when refused),
``show file systems``, ``dir /recursive`` of each disk/flash filesystem, the signed-evidence
commands of imagesweep's plan (``EVIDENCE``: boot integrity with a nonce, SUDI, compliance,
software authenticity, ROMMON; sent whether or not the device knows them, as imagesweep's
plan tries them), ``verify /md5`` of each image file found, with ``send_command`` and
regular expressions, no bounds, no journal, no report beyond a CSV. imagesweep sends the
same commands (its plan for these platforms; both sides print their command counts) and does
everything else it does. The lab (healthy IOS and IOS-XE routers, user EXEC at
login) runs in a child process of its own; each side runs as a process of its own, in
alternation for ``--rounds`` rounds, with the same ``--workers``. Printed per side: wall time,
client CPU (user + system of the process and its children), CPU per device, peak RSS,
commands sent and devices incomplete; then imagesweep's figures as ratios of the script's
(medians over the rounds). Issue 12's targets at 1,000 devices: CPU <= 0.7x, wall <= 0.8x,
RSS <= 1.0x, 0 incomplete.

``--asyncssh`` adds two sides, references rather than rivals: the same plan (one generator
drives every script) over asyncssh with every session in one event loop, as a collector
without a thread per session would run it; and ``threads+loop``, the sessions in that one
loop but each device's plan in a thread of a pool of ``--workers``, as Nornir's threaded
runner would drive a collector whose sessions are asyncssh's. Their ratios to the script
show what such a collector could save; imagesweep's own work (parsing, rules, journal,
reports) is not in them.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

from scale_incomplete import LabProcess, audit, raise_open_files, write_fleet

EVIDENCE = {
    "cisco_ios": (
        "show software authenticity running",
        "show software authenticity file {image}",
        "show rom-monitor",
    ),
    "cisco_xe": (
        "show install summary",
        "show platform integrity sign nonce {nonce}",
        "show system integrity all measurement nonce {nonce}",
        "show platform sudi certificate sign nonce {nonce}",
        "show system integrity all trust_chain nonce {nonce}",
        "show system integrity all compliance nonce {nonce}",
        "show software authenticity running",
        "show software authenticity file {image}",
        "show rom-monitor r0",
        "show romvar",
    ),
}
_IMAGE = re.compile(r"\S+\.bin$|\S+-mz(\.\S+)?$|\S+\.pkg$", re.IGNORECASE)
_DIRECTORY = re.compile(r"^Directory of (\S+?)/?\s*$")
_STORAGE = re.compile(r"^\*?\s*\d+\s+\d+\s+(?:disk|flash)\s+\S+\s+(\S+:)", re.MULTILINE)


REFERENCES = (("asyncssh", "--asyncssh"), ("threads+loop", "--threads-loop"))


def plan(platform: str) -> Generator[str, str, dict[str, Any]]:
    """The script's commands: yields each one, is sent its output; returns what it found.
    Every driver below (Netmiko, asyncssh, threads+loop) runs this same plan."""
    version = yield "show version"
    boot = yield "show boot"
    sent = 2  # as imagesweep's journal, which keeps enable out of the command runs
    if "Invalid input" in boot:
        boot = yield "show bootvar"
        sent += 1
    filesystems = yield "show file systems"
    sent += 1
    images: list[str] = []
    for prefix in _STORAGE.findall(filesystems) or ["flash:"]:
        listing = yield f"dir /recursive {prefix}"
        sent += 1
        where = prefix
        for line in listing.splitlines():
            if heading := _DIRECTORY.match(line.strip()):
                where = heading.group(1)
                continue
            words = line.split()
            if words and _IMAGE.match(words[-1]) and not words[1].startswith("d"):
                base = where if where.endswith(":") else where + "/"
                images.append(base + words[-1])
    running = re.search(r'System image file is "([^"]+)"', version)
    image_file = running.group(1) if running else ""
    nonce = random.getrandbits(64)
    for template in EVIDENCE.get(platform, ()):
        yield template.format(image=image_file, nonce=nonce)
        sent += 1
    digests = {}
    for image in images:
        reply = yield f"verify /md5 {image}"
        sent += 1
        found = re.search(r"=\s*([0-9a-f]{32})", reply)
        digests[image] = found.group(1) if found else ""
    return {"running": image_file, "digests": digests, "sent": sent, "boot": len(boot)}


def write_rows(out: Path, results: dict[str, dict[str, Any] | None]) -> None:
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("host", "status", "running", "images", "sent"))
        for name, got in results.items():
            if got is None:
                writer.writerow((name, "incomplete", "", 0, 0))
                continue
            complete = bool(got["digests"]) and all(got["digests"].values())
            status = "complete" if complete else "incomplete"
            writer.writerow((name, status, got["running"], len(got["digests"]), got["sent"]))


def plain_script(inventory: Path, workers: int, out: Path) -> None:
    """The naive script: one Nornir run, Netmiko's send_command, regexes, a CSV."""
    from nornir import InitNornir
    from nornir.core.task import Result, Task

    def audit(task: Task) -> Result:
        conn = task.host.get_connection("netmiko", task.nornir.config)
        conn.enable()
        steps = plan(str(task.host.platform))
        command = next(steps)
        try:
            while True:
                command = steps.send(conn.send_command(command, read_timeout=600))
        except StopIteration as done:
            return Result(host=task.host, result=done.value)

    nr = InitNornir(
        runner={"plugin": "threaded", "options": {"num_workers": workers}},
        inventory={
            "plugin": "SimpleInventory",
            "options": {
                "host_file": str(inventory / "hosts.yaml"),
                "group_file": str(inventory / "groups.yaml"),
                "defaults_file": str(inventory / "defaults.yaml"),
            },
        },
        logging={"enabled": False},
    )
    results = nr.run(task=audit)
    nr.close_connections()
    write_rows(out, {name: None if m.failed else m[0].result for name, m in results.items()})


def asyncssh_script(inventory: Path, workers: int, out: Path, *, threads: bool = False) -> None:
    """A reference, not a rival: the same plan over asyncssh, every session in one event
    loop, ``workers`` at a time; what a collector built that way would cost at least (issue
    12's proposed fix, measured). With ``threads`` (``--threads-loop``), each device's plan
    runs in a thread of a pool of ``workers``, as under Nornir's threaded runner, and only
    the SSH sessions live in the one loop (a thread of their own): each step of the plan is
    one call into the loop, waited for."""
    import asyncio
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import asyncssh
    import yaml

    hosts = yaml.safe_load((inventory / "hosts.yaml").read_text(encoding="utf-8"))
    prompt = re.compile(r"(?:^|\n)[^\s#>]+[#>]\s*$")
    password = re.compile(r"[Pp]assword:\s*$")
    failures = (OSError, EOFError, TimeoutError, asyncssh.Error)

    async def until(reader: Any, pattern: re.Pattern[str]) -> str:
        text = ""
        while not pattern.search(text[-200:]):
            data = await asyncio.wait_for(reader.read(65_536), 600)
            if not data:
                raise EOFError(text[-200:])
            text += data
        return text

    async def say(session: tuple[Any, Any, Any], line: str, pattern: re.Pattern[str]) -> str:
        session[1].write(line + "\n")
        return await until(session[2], pattern)

    async def login(host: dict[str, Any]) -> tuple[Any, Any, Any]:
        conn = await asyncssh.connect(
            host["hostname"],
            port=host["port"],
            username=host["username"],
            password=host["password"],
            known_hosts=None,
        )
        writer, reader, _ = await conn.open_session(term_type="vt100")
        await until(reader, prompt)
        return conn, writer, reader

    def setup(host: dict[str, Any]) -> list[tuple[str, re.Pattern[str]]]:
        secret = host["connection_options"]["netmiko"]["extras"]["secret"]
        # enable, then paging and width as Netmiko sets them
        return [
            ("enable", password),
            (secret, prompt),
            ("terminal length 0", prompt),
            ("terminal width 511", prompt),
        ]

    async def one(host: dict[str, Any]) -> dict[str, Any]:
        session = await login(host)
        try:
            for line, pattern in setup(host):
                await say(session, line, pattern)
            steps = plan(str(host["platform"]))
            command = next(steps)
            try:
                while True:
                    command = steps.send(await say(session, command, prompt))
            except StopIteration as done:
                return dict(done.value)
        finally:
            session[0].close()

    async def sweep() -> dict[str, dict[str, Any] | None]:
        gate = asyncio.Semaphore(workers)

        async def gated(name: str) -> tuple[str, dict[str, Any] | None]:
            async with gate:
                try:
                    return name, await one(hosts[name])
                except failures:
                    return name, None

        return dict(await asyncio.gather(*(gated(name) for name in hosts)))

    if not threads:
        write_rows(out, asyncio.run(sweep()))
        return
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()

    def call(coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    def threaded(name: str) -> tuple[str, dict[str, Any] | None]:
        host = hosts[name]
        try:
            session = call(login(host))
        except failures:
            return name, None
        try:
            for line, pattern in setup(host):
                call(say(session, line, pattern))
            steps = plan(str(host["platform"]))
            command = next(steps)
            try:
                while True:
                    command = steps.send(call(say(session, command, prompt)))
            except StopIteration as done:
                return name, dict(done.value)
        except failures:
            return name, None
        finally:
            loop.call_soon_threadsafe(session[0].close)

    with ThreadPoolExecutor(workers) as pool:
        write_rows(out, dict(pool.map(threaded, list(hosts))))
    loop.call_soon_threadsafe(loop.stop)


def measure(command: list[str]) -> dict[str, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code == 2 or (code and "Traceback" in stderr):
        raise SystemExit(f"{command[2:4]} failed: {stderr.strip()[-400:]}")
    return {
        "wall": time.perf_counter() - started,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss / 1024,
    }


def run_script(flag: str, inventory: Path, out: Path, workers: int) -> dict[str, float]:
    """One of the scripts above (``--plain``, ``--asyncssh``) as a process of its own."""
    here = Path(__file__).resolve()
    got = measure([sys.executable, str(here), flag, str(inventory), str(out), str(workers)])
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    got["incomplete"] = sum(row["status"] != "complete" for row in rows)
    got["sent"] = sum(int(row["sent"]) for row in rows)
    return got


def run_imagesweep(inventory: Path, out: Path, workers: int) -> dict[str, float]:
    settings = argparse.Namespace(
        workers=workers, login_rate=1000.0, max_logins=1000, connect_timeout=20.0
    )
    got = audit(inventory, out, settings)
    result = {key: float(got[key]) for key in ("wall", "cpu", "rss")}
    result["incomplete"] = sum(row["status"] == "incomplete" for row in got["rows"])
    sent = 0
    with (out / "journal.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            sent += len(json.loads(line).get("runs", ()))
    result["sent"] = sent
    return result


def line(name: str, devices: int, got: dict[str, float]) -> str:
    return (
        f"{name:<12} wall {got['wall']:7.1f} s  CPU {got['cpu']:7.1f} s "
        f"({1000 * got['cpu'] / devices:4.0f} ms/device)  peak RSS {got['rss']:5.0f} MiB  "
        f"commands {got['sent']:.0f}  incomplete {got['incomplete']:.0f}"
    )


def main() -> None:
    scripts = {
        "--plain": plain_script,
        "--asyncssh": asyncssh_script,
        "--threads-loop": functools.partial(asyncssh_script, threads=True),
    }
    if len(sys.argv) == 5 and sys.argv[1] in scripts:
        scripts[sys.argv[1]](Path(sys.argv[2]), int(sys.argv[4]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--asyncssh",
        action="store_true",
        help="also run the plan over asyncssh in one event loop, without and with a thread "
        "per device's plan (the proposed collector)",
    )
    args = parser.parse_args()
    print(raise_open_files(3 * args.devices + 100), f"; {os.cpu_count()} CPUs", flush=True)
    runs: dict[str, list[dict[str, float]]] = {"plain script": [], "imagesweep": []}
    if args.asyncssh:
        runs["asyncssh"] = []
        runs["threads+loop"] = []
    with tempfile.TemporaryDirectory(prefix="imagesweep-vs-") as tmp:
        root = Path(tmp)
        fleet, inventory = root / "fleet.yaml", root / "inventory"
        write_fleet(fleet, args.devices, 0.0)
        with LabProcess(fleet, inventory):
            for index in range(args.rounds):
                got = run_script("--plain", inventory, root / f"plain-{index}.csv", args.workers)
                runs["plain script"].append(got)
                print(f"round {index + 1}: " + line("plain", args.devices, got), flush=True)
                got = run_imagesweep(inventory, root / f"run-{index}", args.workers)
                runs["imagesweep"].append(got)
                print(f"round {index + 1}: " + line("imagesweep", args.devices, got), flush=True)
                if args.asyncssh:
                    for side, flag in (
                        ("asyncssh", "--asyncssh"),
                        ("threads+loop", "--threads-loop"),
                    ):
                        out = root / f"{flag[2:]}-{index}.csv"
                        got = run_script(flag, inventory, out, args.workers)
                        runs[side].append(got)
                        print(f"round {index + 1}: " + line(side, args.devices, got), flush=True)
    median = {
        side: {key: statistics.median(r[key] for r in got) for key in got[0]}
        for side, got in runs.items()
    }
    print(f"\nmedians of {args.rounds} rounds, {args.devices} devices, {args.workers} workers:")
    for side, got in median.items():
        print("  " + line(side, args.devices, got))
    base, ours = median["plain script"], median["imagesweep"]
    print(
        f"  imagesweep / plain script: CPU {ours['cpu'] / base['cpu']:.2f}x (target <= 0.7)  "
        f"wall {ours['wall'] / base['wall']:.2f}x (target <= 0.8)  "
        f"RSS {ours['rss'] / base['rss']:.2f}x (target <= 1.0)  "
        f"incomplete {ours['incomplete']:.0f} (target 0)"
    )
    references = {
        "asyncssh": "asyncssh (one event loop)",
        "threads+loop": "asyncssh (one loop, a thread per device's plan)",
    }
    for side, label in references.items():
        if side in median:
            got = median[side]
            print(
                f"  {label} / plain script: CPU {got['cpu'] / base['cpu']:.2f}x  "
                f"wall {got['wall'] / base['wall']:.2f}x  RSS {got['rss'] / base['rss']:.2f}x  "
                f"incomplete {got['incomplete']:.0f}"
            )


if __name__ == "__main__":
    main()
