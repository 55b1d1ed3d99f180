"""``imagesweep lab`` and ``imagesweep demo``: the simulated devices, alone or audited."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from imagesweep.baseline.context import Policy
from imagesweep.cli.app import err
from imagesweep.cli.audit import progress_runner, summary
from imagesweep.collect.settings import CollectSettings
from imagesweep.hunt.generate import from_audit as audit_events
from imagesweep.hunt.generate import write as write_syslog
from imagesweep.lab.fleet import demo_fleet_path, load_fleet
from imagesweep.lab.pki import KGV_FILE, ROOTS_FILE
from imagesweep.report import triage
from imagesweep.sweep.run import AuditOptions


@click.command()
@click.option(
    "--fleet",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Fleet file (default: the demo fleet).",
)
@click.option(
    "--inventory-out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("lab-inventory"),
    show_default=True,
)
def lab(fleet: Path | None, inventory_out: Path) -> None:
    """Start simulated devices on 127.0.0.1 and write a Nornir inventory; runs until Ctrl-C."""
    from imagesweep.lab.server import Lab, run_forever

    def ready(devices: Lab) -> None:
        # What a user needs to go on: where each device listens and what to run next.
        click.echo(f"lab: {len(devices.endpoints)} simulated devices on 127.0.0.1")
        width = max((len(d.name) for d in devices.fleet.devices), default=4)
        for device in devices.fleet.devices:
            address, port = devices.endpoints[device.name]
            faults = ", ".join(device.faults.names) or "healthy"
            click.echo(
                f"  {device.name:<{width}}  {address}:{port:<5}  {device.platform:<14}  {faults}"
            )
        click.echo(f"inventory: {inventory_out} (known-good.csv and known_hosts beside it)")
        if (inventory_out / KGV_FILE).exists():
            click.echo(
                f"signed boot measurements: add --kgv {inventory_out / KGV_FILE} "
                f"--integrity-roots {inventory_out / ROOTS_FILE}"
            )
        click.echo(f"next: imagesweep audit --inventory {inventory_out}")
        click.echo("Ctrl-C stops the lab.")

    run_forever(load_fleet(fleet or demo_fleet_path()), inventory_out, on_ready=ready)


@click.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Run directory (default: reports/demo-<UTC timestamp>).",
)
@click.option("--workers", type=click.IntRange(1, 1000), default=20, show_default=True)
def demo(out: Path | None, workers: int) -> None:
    """Lab + audit + summary in one command, nothing to configure."""
    from imagesweep.lab.server import Lab

    run_dir = out or Path("reports") / f"demo-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    fleet = load_fleet(demo_fleet_path())
    with Lab(fleet) as devices:
        inv = run_dir / "lab-inventory"
        devices.write_inventory(inv)
        devices.write_catalogue(inv / "known-good.csv")
        # The lab's IOS-XE devices sign their boot measurements with its own PKI: the demo
        # judges them against the lab's roots and Known Good Values, written beside.
        kgv, roots = inv / KGV_FILE, inv / ROOTS_FILE
        err.print(f"lab: {len(devices.endpoints)} simulated devices on 127.0.0.1")
        options = AuditOptions(
            inventory=inv,
            out=run_dir,
            known_good=inv / "known-good.csv",
            workers=workers,
            settings=CollectSettings(
                command_timeout=20,
                digest_timeout=30,
                connect_timeout=5,
                known_hosts=run_dir / "known_hosts",
            ),
            policy=Policy(accept_unverifiable=frozenset()),
            kgv=kgv if kgv.exists() else None,
            integrity_roots=roots if roots.exists() else None,
        )
        outcome = progress_runner(options, quiet=False)
    summary(outcome)
    # A day of the lab's syslog: its own devices, the seed rule's atomic-test events and the
    # digest commands this sweep ran, at their times, so the suggested hunt correlates.
    users = {d.name: d.credentials.username for d in fleet.devices}
    lab_devices, sweep_events = audit_events(triage.devices(outcome.results), users)
    syslog = write_syslog(
        run_dir / "syslog.log", lines=2000, devices_of=lab_devices, extra=sweep_events
    )
    err.print(
        f"syslog sample ({len(syslog.injected)} planted events): {run_dir / 'syslog.log'}"
        f"\n  try: imagesweep hunt {run_dir / 'syslog.log'} --audit-run {run_dir}"
    )
    click.echo(str(outcome.run_dir / "devices.csv"))
