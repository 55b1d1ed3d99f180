"""``imagesweep report RUN_DIR``: rebuild a run directory's ``report.html`` from its files."""

from __future__ import annotations

from pathlib import Path

import click

from imagesweep.cli.app import err
from imagesweep.report import html
from imagesweep.sanitize import terminal


@click.command()
@click.argument("run_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
def report(run_dir: Path) -> None:
    """Rebuild RUN_DIR/report.html (one self-contained page) from sweep.json, changes.csv
    and raw/."""
    page = html.write(run_dir)
    err.print(
        f"{terminal(str(run_dir / html.REPORT_HTML))}: {page.devices} devices, "
        f"{len(page.text.encode('utf-8')):,} bytes; raw outputs of {page.raw_embedded} "
        "embedded",
        markup=False,
    )
    click.echo(str(run_dir / html.REPORT_HTML))
