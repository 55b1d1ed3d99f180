"""``imagesweep known-good``: manage the known-good digest catalogue."""

from __future__ import annotations

from pathlib import Path

import click

from imagesweep.baseline.catalogue import add, add_entries
from imagesweep.baseline.kgv import catalogue_rows, load_kgv, load_trust
from imagesweep.history.promote import promote
from imagesweep.sanitize import terminal


@click.group("known-good")
def known_good() -> None:
    """Manage the known-good digest catalogue."""


@known_good.command("add")
@click.argument("images", nargs=-1, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--catalogue",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("known-good.csv"),
    show_default=True,
)
@click.option("--platform", default="", help="Platform of the images (e.g. cisco_xe).")
@click.option("--version", "version_", default="", help="Release of the images.")
@click.option(
    "--source",
    default="local",
    show_default=True,
    help="Where the images came from (e.g. cisco.com).",
)
@click.option(
    "--from-run",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Promote the uncatalogued image digests a sweep saw (its run directory); "
    "source names the run.",
)
def known_good_add(
    images: tuple[Path, ...],
    catalogue: Path,
    platform: str,
    version_: str,
    source: str,
    from_run: Path | None,
) -> None:
    """Digest local image files (md5 + sha512) into the catalogue, or promote a sweep's
    digests (--from-run DIR)."""
    if from_run is not None:
        if images:
            raise click.UsageError("give image files or --from-run, not both")
        for entry in promote(catalogue, from_run):
            click.echo(terminal(f"{entry.filename}  md5 {entry.md5}  ({entry.source})"))
        click.echo(f"catalogue: {catalogue}")
        return
    if not images:
        raise click.UsageError("give image files to digest, or --from-run DIR")
    added, kept = add(catalogue, images, platform=platform, version=version_, source=source)
    for entry in added:
        described = " ".join(x for x in (entry.platform, entry.version) if x) or "platform unknown"
        click.echo(f"{entry.filename}  md5 {entry.md5}  ({described})")
    for entry in kept:
        click.echo(f"{entry.filename}  already listed with the same digests; not added again")
    click.echo(f"catalogue: {catalogue}")


@known_good.command("import-kgv")
@click.argument("kgv", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--catalogue",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("known-good.csv"),
    show_default=True,
)
@click.option(
    "--integrity-roots",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="PEM certificates that may sign the KGV beside Cisco's KGV signing certificate.",
)
def known_good_import_kgv(kgv: Path, catalogue: Path, integrity_roots: Path | None) -> None:
    """Fold a Cisco Known Good Values file's whole-file digests (md5, sha512) into the
    catalogue; KGV.signature beside it is verified first (one that fails is an error)."""
    if not catalogue.parent.is_dir():
        raise click.UsageError(f"{catalogue.parent}: no such directory for the catalogue")
    values = load_kgv(kgv, load_trust(integrity_roots))
    rows = catalogue_rows(values)
    if not rows:
        raise click.UsageError(f"{kgv}: the KGV lists no whole-file digests to import")
    fresh = add_entries(catalogue, rows)
    click.echo(terminal(values.describe()))
    click.echo(f"{len(fresh)} row(s) added, {len(rows) - len(fresh)} already listed")
    click.echo(f"catalogue: {catalogue}")
