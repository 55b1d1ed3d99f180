"""``imagesweep hunt`` and ``imagesweep syslog-sample``: thin click commands over the package.

The lead registers both under the main ``imagesweep`` group. Exit status as the audit's:
0 no standing hit, 1 standing hits (suppressed ones do not count), 2 usage or configuration
error with a one-line message.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from imagesweep.cli.app import fail
from imagesweep.hunt import export as export_mod
from imagesweep.hunt import generate as generate_mod
from imagesweep.hunt import indicators as indicators_mod
from imagesweep.hunt import report, timestamps, tuning
from imagesweep.hunt.correlate import correlate, load_audit
from imagesweep.hunt.hits import HuntResult, find_hits
from imagesweep.hunt.readers import FORMATS

log = logging.getLogger(__name__)


def _default_out(now: datetime) -> Path:
    return Path("reports") / f"hunt-{now:%Y%m%dT%H%M%SZ}"


@click.command("hunt")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--since", help="Only hits newer than this: 24h, 90m, 7d, 2w or an ISO time.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for hunt.csv and friends [default: reports/hunt-<UTC time>].",
)
@click.option(
    "--maintenance",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML file of device groups, maintenance windows, automation users.",
)
@click.option(
    "--automation-user",
    "automation_users",
    multiple=True,
    metavar="USER",
    help="Set aside hits by this user (repeatable).",
)
@click.option(
    "--audit-run",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="An imagesweep audit run directory: set its own commands aside and "
    "correlate hits with its findings (correlated.csv).",
)
@click.option(
    "--audit-user",
    metavar="USER",
    help="The account imagesweep sweeps log in with (read-only commands set aside).",
)
@click.option(
    "--export",
    "export_as",
    type=click.Choice(["kql", "sigma"]),
    help="Print the detection as a Sentinel KQL query or a Sigma rule, and exit.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Input format (auto sniffs each file).",
)
@click.option(
    "--tz",
    default="UTC",
    show_default=True,
    help="Time zone of timestamps that carry none (RFC 3164, PAN-OS).",
)
@click.option("--year", type=int, help="Year of RFC 3164 timestamps [default: inferred].")
@click.option(
    "--indicators",
    "indicators_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Another indicators file [default: the packaged one].",
)
def hunt(
    files: tuple[str, ...],
    since: str | None,
    out_dir: Path | None,
    maintenance: Path | None,
    automation_users: tuple[str, ...],
    audit_run: Path | None,
    audit_user: str | None,
    export_as: str | None,
    fmt: str,
    tz: str,
    year: int | None,
    indicators_file: Path | None,
) -> None:
    """Hunt syslog files (or Sentinel Syslog exports) for network device image tampering:
    the seed's Sentinel rule, run locally with the same has-semantics and columns."""
    ind = indicators_mod.load(indicators_file)
    settings = _tuning(maintenance, automation_users, audit_run, audit_user)
    if export_as:
        if export_as == "kql":
            text = export_mod.kql(ind, since=since, tuning=settings)
        else:
            text = export_mod.sigma(ind, settings)
        click.echo(text, nl=False)
        return
    if not files:
        fail("give at least one FILE to hunt (or --export kql|sigma)")
    now = datetime.now(UTC)
    ctx = timestamps.TimeContext(tz=timestamps.zone(tz), year=year, now=now)
    cutoff = timestamps.parse_since(since, now=now) if since else None
    result = find_hits(files, indicators=ind, ctx=ctx, since=cutoff, fmt=fmt)
    matcher = indicators_mod.matcher_for(ind)
    result = HuntResult(
        hits=tuning.apply(result.hits, settings, matcher),
        files=result.files,
        indicators=ind,
        since=cutoff,
        outside_window=result.outside_window,
    )
    out = out_dir or _default_out(now)
    written = [report.write_hunt(result, out), report.write_summary(result, out)]
    unparsed = report.write_unparsed(result, out)
    if unparsed:
        written.append(unparsed)
    both: list[str] = []
    if audit_run is not None:
        rows = correlate(result.hits, load_audit(audit_run), ind)
        written.append(report.write_correlated(rows, out))
        both = [r.device.host for r in rows if r.both and r.device]
    click.echo(report.terminal(result), nl=False)
    if audit_run is not None:
        listed = ", ".join(both) if both else "none"
        click.echo(f"devices with both log indicators and audit findings: {listed}")
    for path in written:
        click.echo(f"wrote {path}")
    broken = report.unreadable(result)
    if broken:
        # What was read is reported above; a hunt that did not read its input is not a pass.
        fail("; ".join(broken))
    standing = sum(not h.is_suppressed for h in result.hits)
    raise SystemExit(1 if standing else 0)


def _tuning(
    maintenance: Path | None,
    automation_users: tuple[str, ...],
    audit_run: Path | None,
    audit_user: str | None,
) -> tuning.Tuning:
    parts = [tuning.Tuning(automation_users=frozenset(u.lower() for u in automation_users))]
    if maintenance is not None:
        parts.append(tuning.load_maintenance(maintenance))
    if audit_run is not None:
        parts.append(
            tuning.Tuning(audit_runs=(tuning.load_audit_run(audit_run, user=audit_user or ""),))
        )
    if audit_user:
        parts.append(tuning.Tuning(audit_user=audit_user))
    return tuning.combine(*parts)


@click.command("syslog-sample")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lines", default=100_000, show_default=True, help="Lines to write.")
@click.option("--devices", default=24, show_default=True, help="Devices in the fleet.")
@click.option("--seed", default=7, show_default=True, help="Random seed (same seed, same file).")
@click.option(
    "--syslog-format",
    "fmt",
    type=click.Choice(["rfc3164", "rfc5424"]),
    default="rfc3164",
    show_default=True,
)
@click.option("--span", default="24h", show_default=True, help="Time the file covers, ending now.")
@click.option("--malformed", default=0, show_default=True, help="Cut-off lines to mix in.")
@click.option(
    "--maintenance-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a maintenance file that covers the sample's planned upgrade.",
)
def syslog_sample(
    out: Path,
    lines: int,
    devices: int,
    seed: int,
    fmt: str,
    span: str,
    malformed: int,
    maintenance_out: Path | None,
) -> None:
    """Write a realistic syslog file of a fleet (gzip if OUT ends in .gz), with the seed's
    atomic-test events, a planned upgrade, automation and imagesweep's own audits."""
    now = datetime.now(UTC).replace(microsecond=0)
    length: timedelta = now - timestamps.parse_since(span, now=now)
    if lines < 0 or devices < 1:
        fail("--lines must be >= 0 and --devices >= 1")
    made = generate_mod.write(
        out,
        lines=lines,
        devices=devices,
        start=now - length,
        span=length,
        seed=seed,
        fmt=fmt,
        malformed=malformed,
    )
    if maintenance_out is not None:
        report.write_text(maintenance_out, generate_mod.maintenance_yaml(made))
    click.echo(f"wrote {out}: {made.lines} lines from {len(made.devices)} devices")
    for event in made.injected:
        click.echo(f"  line {event.line}: {event.label} on {event.device}")
    if maintenance_out is not None:
        click.echo(f"wrote {maintenance_out}")
