"""The terminal summary of a sweep (stderr, rich)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from imagesweep.records import SEVERITIES, DeviceResult
from imagesweep.report import triage
from imagesweep.sanitize import terminal

STATUS_STYLE = {"clean": "green", "findings": "yellow", "incomplete": "red"}
SEVERITY_STYLE = {
    "critical": "bold red",
    "high": "red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}


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
    shown = triage.devices(results)[:limit]
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
    by_severity = triage.severity_counts(results)["devices"]
    if any(by_severity[s] for s in SEVERITIES):
        err.print(
            "devices by worst finding: "
            + ", ".join(f"[{SEVERITY_STYLE[s]}]{by_severity[s]} {s}[/]" for s in SEVERITIES)
        )
    top = triage.top_rules(results)
    if top:
        err.print("top findings: " + ", ".join(f"{rule} ({sev}, {n})" for rule, sev, n in top))
    err.print(f"reports: {run_dir}")
    if (run_dir / "report.html").is_file():
        err.print(f"open: {(run_dir / 'report.html').absolute().as_uri()}", markup=False)
