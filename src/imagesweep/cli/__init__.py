"""The ``imagesweep`` command. A thin layer over the library: errors become one-line messages
(exit status 2) here and only here; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, is_dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from imagesweep import __version__
from imagesweep.analyze.rules import Policy
from imagesweep.baseline.policy import load as load_policy
from imagesweep.cli.hunt import hunt, syslog_sample
from imagesweep.collect.settings import CollectSettings
from imagesweep.errors import ImagesweepError
from imagesweep.hunt.generate import write as write_syslog
from imagesweep.inventory.simple import Credentials
from imagesweep.records import SEVERITIES, DeviceResult
from imagesweep.sanitize import terminal
from imagesweep.sweep.run import AuditOptions, SweepOutcome, resume_options, run_audit

F = TypeVar("F", bound=Callable[..., Any])
# Piped into a log or CI, a terminal's 80 columns would squeeze the rules column to nothing.
err = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 140)


def friendly(func: F) -> F:
    """Turn ImagesweepError into ``imagesweep: error: ...`` and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(click.get_current_context().find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except ImagesweepError as exc:
            if debug:
                raise
            click.echo(f"imagesweep: error: {terminal(str(exc))}", err=True)
            sys.exit(2)

    return cast(F, wrapper)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="imagesweep")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
def main(debug: bool) -> None:
    """Audit routers, switches and firewalls over SSH for tampered OS images."""
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not debug:
        # paramiko logs every failed negotiation as ERROR with a traceback; the device's row
        # already says what happened, in one line.
        logging.getLogger("paramiko").setLevel(logging.CRITICAL)


def default_run_dir() -> Path:
    return Path("reports") / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _progress_runner(options: AuditOptions, quiet: bool) -> SweepOutcome:
    if quiet or not err.is_terminal:
        return run_audit(options)
    with Progress(
        TextColumn("auditing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def started(total: int) -> None:
            bar.update(task, total=total)

        def advance(result: DeviceResult) -> None:
            bar.update(task, advance=1, description=terminal(result.host)[:40])

        return run_audit(options, progress=advance, on_start=started)


STATUS_STYLE = {"clean": "green", "findings": "yellow", "incomplete": "red"}


def print_summary(outcome: SweepOutcome, *, limit: int = 40) -> None:
    results = outcome.results
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
        f"[red]{counts['incomplete']} incomplete[/] ({outcome.elapsed:.1f} s)"
    )
    top: dict[str, int] = {}
    for r in results:
        for rule in dict.fromkeys(f.rule for f in r.findings):
            top[rule] = top.get(rule, 0) + 1
    if top:
        ranked = sorted(top.items(), key=lambda kv: -kv[1])[:8]
        err.print("top findings: " + ", ".join(f"{rule} ({n})" for rule, n in ranked))
    err.print(f"reports: {outcome.run_dir}")


def _credentials(ask_pass: bool) -> Credentials:
    creds = Credentials.from_env()
    if not ask_pass:
        return creds
    return Credentials(
        username=creds.username or click.prompt("Username"),
        password=click.prompt("Password", hide_input=True),
        secret=click.prompt(
            "Enable secret (empty for none)", hide_input=True, default="", show_default=False
        )
        or creds.secret,
    )


def default_known_hosts() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "imagesweep" / "known_hosts"


def _audit_options(**kw: Any) -> AuditOptions:
    creds = _credentials(kw["ask_pass"])
    if kw["resume"]:
        return resume_options(kw["resume"], creds)
    if not kw["inventory"]:
        raise click.UsageError("--inventory is required (or --resume DIR)")
    accept = frozenset(_platform_alias(p) for p in kw["accept_unverifiable"])
    policy = load_policy(kw["policy"]) if kw["policy"] else Policy()
    policy = replace(policy, accept_unverifiable=policy.accept_unverifiable | accept)
    return AuditOptions(
        inventory=kw["inventory"],
        out=kw["out"] or default_run_dir(),
        known_good=kw["known_good"],
        hosts=tuple(h.strip() for h in (kw["hosts"] or "").split(",") if h.strip()),
        group=kw["group"],
        workers=kw["workers"],
        fail_on=kw["fail_on"],
        settings=CollectSettings(
            command_timeout=kw["command_timeout"],
            digest_timeout=kw["digest_timeout"],
            connect_timeout=kw["connect_timeout"],
            device_timeout=kw["device_timeout"],
            max_output_chars=kw["max_output"],
            known_hosts=kw["known_hosts"] or default_known_hosts(),
            strict_host_keys=kw["strict_host_keys"],
            max_concurrent_logins=kw["max_logins"],
            logins_per_second=kw["login_rate"],
        ),
        policy=policy,
        credentials=creds,
        ssh_config=kw["ssh_config"],
    )


def _platform_alias(name: str) -> str:
    aliases = {
        "panos": "paloalto_panos",
        "junos": "juniper_junos",
        "nxos": "cisco_nxos",
        "xr": "cisco_xr",
        "ios": "cisco_ios",
        "xe": "cisco_xe",
    }
    return aliases.get(name, name)


def audit_options(func: F) -> F:
    opts = [
        click.option(
            "--known-good",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Known-good digest catalogue CSV (default: <inventory>/known-good.csv).",
        ),
        click.option(
            "--out",
            type=click.Path(path_type=Path, file_okay=False),
            help="Run directory for the reports (default: reports/<UTC timestamp>).",
        ),
        click.option("--hosts", help="Only these hosts (comma-separated)."),
        click.option("--group", help="Only hosts of this inventory group."),
        click.option(
            "--workers",
            type=click.IntRange(1, 1000),
            default=20,
            show_default=True,
            help="Devices audited at once.",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(SEVERITIES),
            default="high",
            show_default=True,
            help="Exit 1 when a finding is at or above this.",
        ),
        click.option(
            "--command-timeout",
            type=click.FloatRange(1),
            default=120.0,
            show_default=True,
            help="Seconds one ordinary command may take.",
        ),
        click.option(
            "--digest-timeout",
            type=click.FloatRange(1),
            default=900.0,
            show_default=True,
            help="Seconds one digest command may take.",
        ),
        click.option(
            "--connect-timeout",
            type=click.FloatRange(1),
            default=20.0,
            show_default=True,
            help="Seconds to connect and log in.",
        ),
        click.option("--ask-pass", is_flag=True, help="Prompt for username, password, secret."),
        click.option(
            "--accept-unverifiable",
            multiple=True,
            metavar="PLATFORM",
            help="Accept that PLATFORM (e.g. panos) has no on-box digest.",
        ),
        click.option(
            "--policy",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Policy YAML: severity overrides, approved versions, accepted platforms.",
        ),
        click.option(
            "--ssh-config",
            type=click.Path(path_type=Path, dir_okay=False),
            help="OpenSSH client config to honour (ProxyJump etc.).",
        ),
        click.option(
            "--device-timeout",
            type=click.FloatRange(1),
            default=3600.0,
            show_default=True,
            help="Seconds the whole plan may take on one device.",
        ),
        click.option(
            "--max-output",
            type=click.IntRange(1000),
            default=16 * 1024 * 1024,
            show_default=True,
            help="Characters one command may print; more makes the audit incomplete.",
        ),
        click.option(
            "--known-hosts",
            type=click.Path(path_type=Path, dir_okay=False),
            help="imagesweep's own known_hosts (default: ~/.config/imagesweep/"
            "known_hosts); unknown keys are trusted on first use.",
        ),
        click.option(
            "--strict-host-keys",
            is_flag=True,
            help="Refuse devices whose host key is not in known_hosts.",
        ),
        click.option(
            "--max-logins",
            type=click.IntRange(1),
            default=50,
            show_default=True,
            help="Logins in progress at once (spares TACACS+/RADIUS).",
        ),
        click.option(
            "--login-rate",
            type=click.FloatRange(0.1),
            default=25.0,
            show_default=True,
            help="New logins per second at most.",
        ),
        click.option(
            "--resume",
            type=click.Path(path_type=Path, file_okay=False, exists=True),
            help="Continue the sweep in this run directory: audit only the hosts "
            "its journal does not hold.",
        ),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary."),
    ]
    for opt in reversed(opts):
        func = opt(func)
    return func


@main.command()
@click.option(
    "--inventory",
    type=click.Path(path_type=Path, file_okay=False),
    help="Nornir SimpleInventory directory (hosts.yaml, groups.yaml, defaults.yaml).",
)
@audit_options
@friendly
def audit(quiet: bool, **kw: Any) -> None:
    """Audit every inventory host; write devices/findings/images CSV, sweep.json and raw/."""
    outcome = _progress_runner(_audit_options(**kw), quiet)
    if not quiet:
        print_summary(outcome)
    sys.exit(outcome.exit_code)


@main.command()
@click.argument("platform")
@click.argument("command")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--target", default="", help="Filesystem or path the command was about.")
@friendly
def parse(platform: str, command: str, file: Path, target: str) -> None:
    """Print the parsed record of one saved output as JSON."""
    from imagesweep.parse import command_step, parse_step
    from imagesweep.platforms import profile

    profile(platform)
    step = command_step(platform, command)
    text = file.read_text(encoding="utf-8", errors="replace")
    record = parse_step(platform, step, text, target or _target_of(command))
    click.echo(
        json.dumps(
            {"platform": platform, "command": command, "step": step, "record": _jsonable(record)},
            indent=2,
        )
    )


def _target_of(command: str) -> str:
    """The filesystem or path a typed command names; ``sh fla`` means ``flash:``."""
    words = command.split("|")[0].split()
    if len(words) > 1 and ":" in words[-1]:
        return words[-1]
    if len(words) == 2 and "flash".startswith(words[1].lower()) and len(words[1]) >= 3:
        return "flash:"
    return ""


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {"type": type(value).__name__, **asdict(value)}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


@main.group("known-good")
def known_good() -> None:
    """Manage the known-good digest catalogue."""


@known_good.command("add")
@click.argument(
    "images", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
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
@friendly
def known_good_add(
    images: tuple[Path, ...], catalogue: Path, platform: str, version_: str, source: str
) -> None:
    """Digest local image files (md5 + sha512) into the catalogue."""
    from imagesweep.baseline.catalogue import add

    for entry in add(catalogue, images, platform=platform, version=version_, source=source):
        click.echo(f"{entry.filename}  md5 {entry.md5}")
    click.echo(f"catalogue: {catalogue}")


@main.command()
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
@friendly
def lab(fleet: Path | None, inventory_out: Path) -> None:
    """Start simulated devices on 127.0.0.1 and write a Nornir inventory; runs until Ctrl-C."""
    from imagesweep.lab.fleet import demo_fleet_path, load_fleet
    from imagesweep.lab.server import run_forever

    run_forever(load_fleet(fleet or demo_fleet_path()), inventory_out)


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Run directory (default: reports/demo-<UTC timestamp>).",
)
@click.option("--workers", type=click.IntRange(1, 1000), default=20, show_default=True)
@friendly
def demo(out: Path | None, workers: int) -> None:
    """Lab + audit + summary in one command, nothing to configure."""
    from imagesweep.lab.fleet import demo_fleet_path, load_fleet
    from imagesweep.lab.server import Lab

    run_dir = out or Path("reports") / f"demo-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    fleet = load_fleet(demo_fleet_path())
    with Lab(fleet) as devices:
        inv = run_dir / "lab-inventory"
        devices.write_inventory(inv)
        devices.write_catalogue(inv / "known-good.csv")
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
        )
        outcome = _progress_runner(options, quiet=False)
    print_summary(outcome)
    # A day of the fleet's syslog, with the seed rule's atomic-test events, for the hunt.
    syslog = write_syslog(run_dir / "syslog.log", lines=2000, devices=24)
    err.print(
        f"syslog sample ({len(syslog.injected)} planted events): {run_dir / 'syslog.log'}"
        f"\n  try: imagesweep hunt {run_dir / 'syslog.log'} --audit-run {run_dir}"
    )
    click.echo(str(outcome.run_dir / "devices.csv"))


main.add_command(hunt)
main.add_command(syslog_sample)


__all__ = ["main"]
