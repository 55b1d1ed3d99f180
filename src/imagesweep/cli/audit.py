"""``imagesweep audit``: the sweep's options and the command."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from imagesweep.analyze.rules import RULE_IDS
from imagesweep.baseline.context import Policy
from imagesweep.baseline.policy import load as load_policy
from imagesweep.cli.app import err
from imagesweep.cli.history import print_changes
from imagesweep.collect.process import prepare_for_sessions
from imagesweep.collect.settings import CollectSettings
from imagesweep.errors import ConfigError
from imagesweep.history.snapshot import default_path as default_history
from imagesweep.inventory.simple import Credentials, known_hosts_of
from imagesweep.platforms import canonical
from imagesweep.records import SEVERITIES, DeviceResult
from imagesweep.report.siem import Delivery
from imagesweep.report.summary import print_summary
from imagesweep.sanitize import terminal
from imagesweep.sweep.interrupt import GRACE_SECONDS
from imagesweep.sweep.run import (
    AuditOptions,
    SweepOutcome,
    resume_command,
    resume_options,
    run_audit,
)

F = TypeVar("F", bound=Callable[..., Any])
DEFAULTS = CollectSettings()  # the one source of the collector's defaults


def default_run_dir() -> Path:
    return Path("reports") / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def progress_runner(options: AuditOptions, quiet: bool) -> SweepOutcome:
    prepare_for_sessions()
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


def _credentials(ask_pass: bool) -> Credentials:
    creds = Credentials.from_env()
    if not ask_pass:
        return creds
    if not sys.stdin.isatty():
        # click would read the answers from a pipe, or end in "Aborted!" with exit 1.
        raise ConfigError(
            "--ask-pass needs a terminal; without one set IMAGESWEEP_USERNAME, "
            "IMAGESWEEP_PASSWORD and IMAGESWEEP_SECRET"
        )
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
        return _resumed(resume_options(kw["resume"], creds), kw)
    if not kw["inventory"]:
        raise click.UsageError("--inventory is required (or --resume DIR)")
    accept = frozenset(canonical(p) for p in kw["accept_unverifiable"])
    policy = load_policy(kw["policy"], rule_ids=RULE_IDS) if kw["policy"] else Policy()
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
            known_hosts=kw["known_hosts"]
            or known_hosts_of(kw["inventory"])
            or default_known_hosts(),
            strict_host_keys=kw["strict_host_keys"],
            max_concurrent_logins=kw["max_logins"],
            logins_per_second=kw["login_rate"],
            login_jitter=kw["login_jitter"],
            memory_text=kw["memory_text"],
            offbox=kw["offbox"] or "",
            offbox_workers=kw["offbox_workers"],
            offbox_rate=kw["offbox_rate"] * 1_000_000,
            offbox_max_bytes=kw["offbox_max_mb"] * 1_000_000,
            offbox_timeout=kw["offbox_timeout"],
            keep_images=str(kw["keep_images"]) if kw["keep_images"] else "",
        ),
        policy=policy,
        credentials=creds,
        ssh_config=kw["ssh_config"],
        dask=kw["dask"],
        no_catalogue=kw["no_catalogue"],
        grace=kw["grace"],
        implant_markers=kw["implant_markers"],
        history=None if kw["no_history"] else (kw["history"] or default_history()),
        windows=kw["windows"],
        siem=kw["siem"],
        siem_ca=kw["siem_ca"],
        jsonl=kw["jsonl"],
        rehash_after=_rehash_after(kw),
        kgv=kw["kgv"],
        integrity_roots=kw["integrity_roots"],
    )


def _rehash_after(kw: dict[str, Any]) -> float | None:
    days: float | None = kw["rehash_after"]
    if days is not None and kw["no_history"]:
        raise click.UsageError(
            "--rehash-after reuses digests from the history: not with --no-history"
        )
    return days


# Options --resume takes from the command line; every other one comes from the run.
RESUME_OWN = ("workers", "grace")


def _resumed(options: AuditOptions, kw: dict[str, Any]) -> AuditOptions:
    """The run's options, with the ones a resume may change from the command line; says
    on stderr which come from where, and that the others given are ignored."""
    ctx = click.get_current_context()
    given = {
        name
        for name in kw
        if ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE
    } - {"resume", "ask_pass", "quiet"}
    changes = {name: kw[name] for name in RESUME_OWN if name in given}
    options = replace(options, **changes)
    ignored = sorted(given - set(RESUME_OWN))
    taken = f"workers {options.workers}" + (" (--workers)" if "workers" in changes else "")
    err.print(
        f"resuming {terminal(str(options.out))}: {taken}, grace {options.grace:g} s; "
        "inventory, catalogue, hosts, timeouts, known_hosts and policy from its run.json"
        + (
            f"; ignored: {', '.join('--' + n.replace('_', '-') for n in ignored)}"
            if ignored
            else ""
        ),
        markup=False,
    )
    return options


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
            type=click.IntRange(1, 10_000),
            default=20,
            show_default=True,
            help="Devices audited at once (sessions held; logins are gated by --max-logins "
            "and --login-rate). About two threads and two sockets each: see docs/scale.md.",
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
            default=DEFAULTS.command_timeout,
            show_default=True,
            help="Seconds one ordinary command may take.",
        ),
        click.option(
            "--digest-timeout",
            type=click.FloatRange(1),
            default=DEFAULTS.digest_timeout,
            show_default=True,
            help="Seconds one digest command may take.",
        ),
        click.option(
            "--connect-timeout",
            type=click.FloatRange(1),
            default=DEFAULTS.connect_timeout,
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
            default=DEFAULTS.device_timeout,
            show_default=True,
            help="Seconds the whole plan may take on one device.",
        ),
        click.option(
            "--max-output",
            type=click.IntRange(1000),
            default=DEFAULTS.max_output_chars,
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
            default=DEFAULTS.max_concurrent_logins,
            show_default=True,
            help="Logins in progress at once (spares TACACS+/RADIUS).",
        ),
        click.option(
            "--login-rate",
            type=click.FloatRange(0.1),
            default=DEFAULTS.logins_per_second,
            show_default=True,
            help="New logins per second at most.",
        ),
        click.option(
            "--login-jitter",
            type=click.FloatRange(0, 600),
            default=DEFAULTS.login_jitter,
            show_default=True,
            metavar="SECONDS",
            help="Each login first waits a random time up to this: scheduled sweeps on many "
            "collectors do not all knock at once. Per-site caps: max_sessions on a group.",
        ),
        click.option(
            "--dask",
            metavar="ADDRESS|local:N",
            help="Run the sweep on Dask distributed workers: a scheduler address "
            "(tcp://host:8786, tls://...), or local:N for N worker processes on this machine.",
        ),
        click.option(
            "--resume",
            type=click.Path(path_type=Path, file_okay=False, exists=True),
            help="Continue the sweep in this run directory: audit only the hosts "
            "its journal does not hold.",
        ),
        click.option("--quiet", "-q", is_flag=True, help="Print only errors (for cron)."),
        click.option(
            "--no-catalogue",
            is_flag=True,
            help="Audit without a known-good catalogue: digests are only recorded, and the "
            "sweep cannot pass.",
        ),
        click.option(
            "--grace",
            type=click.FloatRange(0),
            default=GRACE_SECONDS,
            show_default=True,
            help="After Ctrl-C/SIGTERM: seconds the sessions in flight may take to finish "
            "before they are cut.",
        ),
        click.option(
            "--memory-text",
            is_flag=True,
            help="Also digest the code running in memory (IOS: verify /md5 "
            "system:memory/text, Cisco's forensic procedure) and report a change without a "
            "reload (MEMORY_TEXT_CHANGED, needs the history). Opt-in: it has crashed at least "
            "one router model in the field; try it on one device of each model first.",
        ),
        click.option(
            "--offbox",
            type=click.Choice(("running", "all")),
            help="Also copy the running image (or every image in the digest scope) off the "
            "device over SCP/SFTP and hash it here: the device's own verify can lie.",
        ),
        click.option(
            "--offbox-workers",
            type=click.IntRange(1, 100),
            default=DEFAULTS.offbox_workers,
            show_default=True,
            help="Off-box copies at once across the sweep.",
        ),
        click.option(
            "--offbox-rate",
            type=click.FloatRange(0),
            default=0.0,
            show_default=True,
            help="MB/s per off-box copy at most (0: no cap).",
        ),
        click.option(
            "--offbox-max-mb",
            type=click.IntRange(1),
            default=DEFAULTS.offbox_max_bytes // 1_000_000,
            show_default=True,
            help="Refuse to copy an image larger than this (MB).",
        ),
        click.option(
            "--offbox-timeout",
            type=click.FloatRange(1),
            default=DEFAULTS.offbox_timeout,
            show_default=True,
            help="Seconds one off-box copy may take.",
        ),
        click.option(
            "--keep-images",
            type=click.Path(path_type=Path, file_okay=False),
            help="Keep the copied images here (0600), one directory per host; by default "
            "they are hashed as they stream and never written to disk.",
        ),
        click.option(
            "--implant-markers",
            type=click.Path(path_type=Path, dir_okay=False, exists=True),
            help="More published implant indicators (YAML: indicators: [{id, text, "
            "source}]) to look for in every output (IMPLANT_MARKERS).",
        ),
        click.option(
            "--history",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Sweep history (SQLite) for drift between sweeps (default: "
            "$XDG_DATA_HOME/imagesweep/history.sqlite, ~/.local/share/... without it).",
        ),
        click.option("--no-history", is_flag=True, help="Keep no history: no drift findings."),
        click.option(
            "--siem",
            metavar="URL",
            help="Send one CEF event per finding and per device verdict over RFC 5424 syslog "
            "to udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT (Sentinel "
            "CommonSecurityLog fields).",
        ),
        click.option(
            "--siem-ca",
            type=click.Path(path_type=Path, dir_okay=False, exists=True),
            help="CA certificate(s) to verify a tls:// SIEM (default: the system's).",
        ),
        click.option(
            "--jsonl",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Write the same events as JSON lines to this file.",
        ),
        click.option(
            "--windows",
            type=click.Path(path_type=Path, dir_okay=False, exists=True),
            help="Maintenance windows / approved changes YAML: matching drift becomes info.",
        ),
        click.option(
            "--rehash-after",
            type=click.FloatRange(0, 3650),
            metavar="DAYS",
            help="Opt-in digest reuse: do not ask the device again for the digest of a file "
            "whose path, size and timestamp are unchanged since a sweep that digested it "
            "within DAYS, on a device with no reload and no finding since; images.csv marks "
            "each reused digest (digest_reused_from). Default: always digest.",
        ),
        click.option(
            "--kgv",
            type=click.Path(path_type=Path, dir_okay=False, exists=True),
            help="Cisco Known Good Values JSON to judge IOS-XE boot integrity measurements "
            "against; FILE.signature beside it is verified (a bad one is an error).",
        ),
        click.option(
            "--integrity-roots",
            type=click.Path(path_type=Path, dir_okay=False, exists=True),
            help="PEM certificates trusted beside Cisco's roots for SUDI chains and KGV "
            "signatures (a private PKI, a test lab).",
        ),
    ]
    for opt in reversed(opts):
        func = opt(func)
    return func


@click.command()
@click.option(
    "--inventory",
    type=click.Path(path_type=Path),
    help="Nornir SimpleInventory directory (hosts.yaml, groups.yaml, defaults.yaml), or a "
    "CSV file (name, address, platform, port, groups, site, more columns as host data).",
)
@audit_options
def audit(quiet: bool, **kw: Any) -> None:
    """Audit every inventory host; write devices/findings/images CSV, sweep.json and raw/."""
    if quiet:
        logging.getLogger().setLevel(logging.ERROR)
    options = _audit_options(**kw)
    try:
        outcome = progress_runner(options, quiet)
    except KeyboardInterrupt:  # outside the sweep's own handling: before or after the run
        err.print("imagesweep: interrupted (SIGINT) outside the device sessions", markup=False)
        if (options.out / "journal.jsonl").exists():
            err.print(f"continue with:\n  {terminal(resume_command(options.out))}", markup=False)
        sys.exit(130)
    if not quiet:
        summary(outcome)
    report_deliveries(outcome.deliveries, outcome.run_dir, quiet=quiet)
    if options.no_catalogue:
        err.print(
            "no catalogue was used (--no-catalogue): digests were recorded, none was "
            "compared with a known-good digest; the sweep cannot pass",
            markup=False,
        )
    if outcome.interrupted:
        audited = sum(1 for r in outcome.results if r.status != "incomplete")
        again = " --ask-pass" if kw["ask_pass"] else ""
        # Printed even with --quiet: it is what the user needs next.
        err.print(
            f"INTERRUPTED by {outcome.interrupted}: reports written for what finished "
            f"({audited} of {len(outcome.results)} devices fully audited); continue with:\n"
            f"  {terminal(outcome.resume_command)}{again}",
            markup=False,
        )
    sys.exit(outcome.exit_code)


def report_deliveries(deliveries: Iterable[Delivery], run_dir: Path, *, quiet: bool) -> None:
    """One line per --siem / --jsonl target; a failure is printed even with --quiet."""
    for d in deliveries:
        if d.ok:
            if not quiet:
                err.print(f"events: {d.sent} to {terminal(d.target)}", markup=False)
            continue
        err.print(
            f"imagesweep: warning: events to {terminal(d.target)}: {d.sent} of {d.total} sent: "
            f"{terminal(d.error)}; the run's files and verdicts are complete; send again with "
            f"imagesweep report {terminal(str(run_dir))} --siem/--jsonl ...",
            markup=False,
        )


def summary(outcome: SweepOutcome) -> None:
    print_summary(err, outcome.results, run_dir=outcome.run_dir, elapsed=outcome.elapsed)
    if outcome.changes:
        print_changes(err, outcome.changes, outcome.run_dir)
