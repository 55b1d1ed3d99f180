"""``imagesweep report RUN_DIR``: rebuild a run directory's ``report.html`` from its files,
and (again) send its events to a SIEM or a JSON-lines file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from imagesweep.baseline import catalogue as catalogue_mod
from imagesweep.baseline.catalogue import Catalogue
from imagesweep.cli.app import err
from imagesweep.cli.audit import report_deliveries
from imagesweep.report import html, siem
from imagesweep.report.schema import read_sweep
from imagesweep.sanitize import terminal


def _catalogue(run_dir: Path) -> Catalogue | None:
    """The sweep's catalogue, for the events' expected digests, if it is still there."""
    path = read_sweep(run_dir).options.get("known_good")
    return catalogue_mod.load(Path(path)) if path and Path(path).is_file() else None


@click.command()
@click.argument("run_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--siem", metavar="URL", help="Send the run's events: udp|tcp|tls://HOST:PORT.")
@click.option(
    "--siem-ca",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="CA certificate(s) to verify a tls:// SIEM.",
)
@click.option(
    "--jsonl",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the run's events as JSON lines to this file.",
)
def report(run_dir: Path, **kw: Any) -> None:
    """Rebuild RUN_DIR/report.html (one self-contained page) from sweep.json, changes.csv
    and raw/; with --siem / --jsonl, send the run's events again."""
    url = kw.get("siem")
    target = siem.parse_target(str(url), kw.get("siem_ca")) if url else None  # before writing
    page = html.write(run_dir)
    err.print(
        f"{terminal(str(run_dir / html.REPORT_HTML))}: {page.devices} devices, "
        f"{len(page.text.encode('utf-8')):,} bytes; raw outputs of {page.raw_embedded} "
        "embedded",
        markup=False,
    )
    if target is not None or kw.get("jsonl"):
        done = siem.export(
            run_dir, catalogue=_catalogue(run_dir), target=target, jsonl=kw.get("jsonl")
        )
        report_deliveries(done, run_dir, quiet=False)
    click.echo(str(run_dir / html.REPORT_HTML))
