"""The terminal summary of a sweep (stderr, rich)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from imagesweep.records import SEVERITIES, DeviceResult
from imagesweep.sanitize import terminal

STATUS_STYLE = {"clean": "green", "findings": "yellow", "incomplete": "red"}


def print_summary(
    err: Console,
    results: Sequence[DeviceResult],
    *,
    run_dir: Path,
    elapsed: float,
    limit: int = 40,
) -> None:
    table = Table(title="imagesweep: devices", show_lines=False)
    for column in ("host", "platform", "status", "hash", "max severity"):
        table.add_column(column, no_wrap=True)
    table.add_column("rules", overflow="fold")
    shown = sorted(results, key=lambda r: (r.status == "clean", r.host))[:limit]
    for r in shown:
        worst = min((f.severity for f in r.findings), key=SEVERITIES.index, default="")
        table.add_row(
            terminal(r.host),
            r.platform,
            f"[{STATUS_STYLE[r.status]}]{r.status}[/]",
            r.hash_status,
            worst,
            terminal(" ".join(dict.fromkeys(f.rule for f in r.findings))),
        )
    err.print(table)
    if len(results) > limit:
        err.print(f"... {len(results) - limit} more devices in devices.csv")
    counts = {s: sum(1 for r in results if r.status == s) for s in STATUS_STYLE}
    err.print(
        f"{len(results)} devices: [green]{counts['clean']} clean[/], "
        f"[yellow]{counts['findings']} with findings[/], "
        f"[red]{counts['incomplete']} incomplete[/] ({elapsed:.1f} s)"
    )
    top: dict[str, int] = {}
    for r in results:
        for rule in dict.fromkeys(f.rule for f in r.findings):
            top[rule] = top.get(rule, 0) + 1
    if top:
        ranked = sorted(top.items(), key=lambda kv: -kv[1])[:8]
        err.print("top findings: " + ", ".join(f"{rule} ({n})" for rule, n in ranked))
    err.print(f"reports: {run_dir}")
