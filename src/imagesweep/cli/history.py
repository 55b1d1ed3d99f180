"""``imagesweep history`` (timeline, import, prune) and ``imagesweep diff``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from imagesweep.errors import ConfigError
from imagesweep.history.diff import Change, diff
from imagesweep.history.snapshot import default_path, from_run_dir
from imagesweep.history.store import SQLiteHistory
from imagesweep.sanitize import terminal

_RELATIVE = re.compile(r"(\d+)\s*([dhw])")


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """``7d``, ``24h``, ``2w`` (ago), or an ISO 8601 date or time (UTC unless it says)."""
    now = now or datetime.now(UTC)
    rel = _RELATIVE.fullmatch(text.strip())
    if rel:
        n, unit = int(rel.group(1)), rel.group(2)
        return now - timedelta(**{{"d": "days", "h": "hours", "w": "weeks"}[unit]: n})
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"--since: not a time: {text!r} (7d, 24h, 2026-11-30, ...)") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _store(path: Path | None) -> SQLiteHistory:
    path = path or default_path()
    if not path.exists():
        raise ConfigError(f"{path}: no history yet (run a sweep, or history import DIR)")
    return SQLiteHistory(path)


def history_option(func: Any) -> Any:
    return click.option(
        "--history",
        "history_path",
        type=click.Path(path_type=Path, dir_okay=False),
        help="History file (default: $XDG_DATA_HOME/imagesweep/history.sqlite).",
    )(func)


def _t(stamp: datetime | None) -> str:
    return stamp.astimezone(UTC).isoformat(timespec="minutes") if stamp else "-"


@click.group("history", invoke_without_command=True)
@click.option("--host", help="One device's timeline.")
@click.option("--since", help="Only sweeps since WHEN (7d, 24h, 2026-11-30).")
@history_option
@click.pass_context
def history(
    ctx: click.Context, host: str | None, since: str | None, history_path: Path | None
) -> None:
    """The fleet's sweeps, or one device's timeline (--host)."""
    if ctx.invoked_subcommand is not None:
        return
    start = parse_when(since) if since else None
    store = _store(history_path)
    try:
        if host:
            rows = store.timeline(host, start)
            if not rows:
                raise ConfigError(f"{host}: not in the history")
            click.echo("audited_at        status      version       running_image  boot  confreg")
            for d in rows:
                boot = ";".join(d.boot_entries) if d.boot_entries is not None else "?"
                click.echo(
                    terminal(
                        f"{_t(d.audited_at)}  {d.status:<10}  {d.version or '?':<12}  "
                        f"{d.running_image or '?'}  {boot}  {d.config_register or '?'}"
                        f"  images={len(d.images)} findings={len(d.findings)}"
                        + (f" reload={_t(d.reload_at)}" if d.reload_at else "")
                    )
                )
            return
        sweeps = store.sweeps(start)
        click.echo(f"{'sweep':<25}  {'started':<17}  devices  clean findings incomplete  source")
        for s in sweeps:
            c = s.counts
            click.echo(
                terminal(
                    f"{s.id:<25}  {_t(s.started_at)}  {s.devices:>7}  {c.get('clean', 0):>5} "
                    f"{c.get('findings', 0):>8} {c.get('incomplete', 0):>10}  {s.source}"
                )
            )
    finally:
        store.close()


@history.command("import")
@click.argument(
    "dirs", nargs=-1, required=True, type=click.Path(path_type=Path, file_okay=False, exists=True)
)
@history_option
def history_import(dirs: tuple[Path, ...], history_path: Path | None) -> None:
    """Import past run directories (oldest first is not required)."""
    store = SQLiteHistory(history_path or default_path())
    try:
        for run_dir in dirs:
            sweep = from_run_dir(run_dir)
            added = store.record(sweep)
            what = "imported" if added else "already held"
            click.echo(terminal(f"{run_dir}: {what} as {sweep.id} ({len(sweep.devices)} devices)"))
    finally:
        store.close()


@history.command("prune")
@click.option("--keep-days", type=click.IntRange(0), required=True, help="Keep this many days.")
@history_option
def history_prune(keep_days: int, history_path: Path | None) -> None:
    """Delete sweeps older than --keep-days."""
    store = _store(history_path)
    try:
        gone = store.prune(keep_days)
        store.db.execute("VACUUM")
    finally:
        store.close()
    click.echo(f"pruned {gone} sweep(s) older than {keep_days} days")


def _resolve(store: SQLiteHistory, ref: str) -> str:
    """A sweep id, or the run directory a sweep was written to or imported from."""
    sweeps = store.sweeps()
    for s in sweeps:
        if s.id == ref:
            return s.id
    path = str(Path(ref).resolve())
    for s in reversed(sweeps):
        if s.source == path:
            return s.id
    raise ConfigError(f"{ref}: no such sweep in the history (see imagesweep history)")


@click.command("diff")
@click.argument("run_a", required=False)
@click.argument("run_b", required=False)
@history_option
def diff_command(run_a: str | None, run_b: str | None, history_path: Path | None) -> None:
    """What changed from sweep RUN_A to RUN_B (ids or run directories; default: the last two
    sweeps): devices, images, boot, release, findings added and resolved."""
    store = _store(history_path)
    try:
        if run_a and run_b:
            a, b = _resolve(store, run_a), _resolve(store, run_b)
        elif run_a:
            raise click.UsageError("give two sweeps, or none for the last two")
        else:
            done = [s.id for s in store.sweeps() if s.finished]
            if len(done) < 2:
                raise ConfigError("the history holds fewer than two sweeps")
            a, b = done[-2], done[-1]
        changes = diff(store.snapshot(a), store.snapshot(b))
    finally:
        store.close()
    click.echo(f"{a} -> {b}: {len(changes)} change(s)")
    for c in changes:
        click.echo(terminal(_line(c)))


def _line(c: Change) -> str:
    arrow = f"{c.before or '-'} -> {c.after or '-'}"
    return f"{c.host}  {c.change}  {c.item}  {arrow}"


def print_changes(err: Console, changes: Sequence[object], run_dir: Path, limit: int = 20) -> None:
    shown = [c for c in changes if isinstance(c, Change)]
    err.print(f"changes since the last sweep: {len(shown)} (see {run_dir / 'changes.csv'})")
    for c in shown[:limit]:
        err.print(terminal(_line(c)), markup=False)
    if len(shown) > limit:
        err.print(f"... and {len(shown) - limit} more")
