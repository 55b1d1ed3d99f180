"""One sweep end to end: inventory -> collect (Nornir) -> state -> rules -> reports.

This is the library entry point the CLI, the demo, the tests and the benchmarks share.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shlex
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nornir.core import Nornir
from nornir.core.inventory import Host, Hosts
from nornir.core.task import AggregatedResult, MultiResult, Task

from imagesweep.analyze.integrity import integrity
from imagesweep.analyze.rules import Context, Policy, analyze
from imagesweep.analyze.rules.completeness import AUDIT_INCOMPLETE
from imagesweep.analyze.rules.images import hash_status, verdicts
from imagesweep.analyze.rules.offbox import OFFBOX_HASH_MISMATCH
from imagesweep.analyze.state import build_state
from imagesweep.baseline import catalogue as catalogue_mod
from imagesweep.baseline import indicators
from imagesweep.baseline.catalogue import Catalogue
from imagesweep.baseline.kgv import load_kgv, load_trust
from imagesweep.collect.caps import KEY as CAPS_KEY
from imagesweep.collect.caps import SessionCaps
from imagesweep.collect.login import LoginGate, login_timed_out
from imagesweep.collect.offbox import OffboxGate
from imagesweep.collect.settings import CollectSettings
from imagesweep.collect.stop import INTERRUPTED_STEP, NOT_STARTED, Stop
from imagesweep.collect.task import capture_from, collect_task
from imagesweep.errors import ConfigError
from imagesweep.files import make_dir, write_atomic
from imagesweep.history.hook import SweepHistory, open_for_sweep
from imagesweep.history.reuse import offers
from imagesweep.inventory import simple as inventory
from imagesweep.inventory.simple import Credentials
from imagesweep.records import DeviceCapture, DeviceResult, Severity, Status, severity_rank
from imagesweep.report import html as html_report
from imagesweep.report import siem
from imagesweep.report.schema import JOURNAL, RUN_JSON
from imagesweep.report.writers import write_raw, write_reports
from imagesweep.sweep.consensus import apply_fleet
from imagesweep.sweep.interrupt import GRACE_SECONDS, exit_status, handling
from imagesweep.sweep.journal import Journal
from imagesweep.sweep.schedule import longest_first

log = logging.getLogger(__name__)

Progress = Callable[[DeviceResult], None]


@dataclass(frozen=True)
class AuditOptions:
    inventory: Path
    out: Path
    known_good: Path | None = None
    hosts: tuple[str, ...] = ()
    group: str | None = None
    workers: int = 20
    fail_on: Severity = "high"
    resume: bool = False
    settings: CollectSettings = field(default_factory=CollectSettings)
    policy: Policy = field(default_factory=Policy)
    credentials: Credentials | None = None
    ssh_config: Path | None = None
    dask: str | None = None  # a Dask scheduler address, or local:N; None: this process only
    no_catalogue: bool = False  # audit without a known-good catalogue, said explicitly
    grace: float = GRACE_SECONDS  # after SIGINT/SIGTERM: seconds sessions in flight may finish
    implant_markers: Path | None = None  # user indicators beside the packaged ones
    history: Path | None = None  # the history store; None: the sweep keeps no history
    windows: Path | None = None  # maintenance windows / approved changes YAML
    siem: str | None = None  # udp://|tcp://|tls://host:port: CEF over syslog, after the reports
    siem_ca: Path | None = None  # CA file for a tls:// SIEM
    jsonl: Path | None = None  # the same events as JSON lines
    rehash_after: float | None = None  # days: reuse unchanged files' digests (needs history)
    kgv: Path | None = None  # Cisco Known Good Values JSON (--kgv); FILE.signature verified
    integrity_roots: Path | None = None  # PEM roots beside Cisco's (--integrity-roots)


@dataclass(frozen=True)
class SweepOutcome:
    run_dir: Path
    results: tuple[DeviceResult, ...]
    exit_code: int
    elapsed: float
    interrupted: str = ""  # "SIGINT" / "SIGTERM" when a signal stopped the sweep
    resume_command: str = ""  # the exact command that continues an interrupted sweep
    changes: tuple[object, ...] = ()  # history.diff.Change: what changed since the last sweep
    deliveries: tuple[siem.Delivery, ...] = ()  # --siem / --jsonl: what was sent, or why not


def judge(capture: DeviceCapture, ctx: Context) -> DeviceResult:
    """Verdict for one device from what its session captured. Pure."""
    state = build_state(capture)
    findings = analyze(state, ctx)
    images = verdicts(state, ctx.catalogue)
    incomplete = any(f.rule == AUDIT_INCOMPLETE.id for f in findings)
    status: Status = "incomplete" if incomplete else ("findings" if findings else "clean")
    error = capture.error or (f"{state.gaps[0].step}: {state.gaps[0].reason}" if state.gaps else "")
    if not error and incomplete:  # no gap, yet incomplete: what the rule says (PAN-OS, XR...)
        error = next(f.evidence[0] for f in findings if f.rule == AUDIT_INCOMPLETE.id)
    digest_status = hash_status(state, images)
    return DeviceResult(
        host=capture.host,
        address=capture.address,
        platform=capture.platform,
        status=status,
        # The bytes outrank the device's word: a lying verify must not read as "match".
        hash_status=(
            "mismatch"
            if any(f.rule == OFFBOX_HASH_MISMATCH.id for f in findings)
            else digest_status
        ),
        findings=findings,
        images=images,
        state=state,
        capture=capture,
        error=error,
        audited_at=capture.started_at,
        integrity=integrity(
            state,
            images,
            findings,
            hash_status=digest_status,
            complete=not incomplete,
            catalogue=ctx.catalogue,
        ),
    )


def exit_code(results: tuple[DeviceResult, ...], fail_on: Severity) -> int:
    threshold = severity_rank(fail_on)
    failing = any(
        r.status == "incomplete" or any(severity_rank(f.severity) <= threshold for f in r.findings)
        for r in results
    )
    return 1 if failing else 0


def load_catalogue(path: Path | None, inventory_dir: Path, *, none: bool = False) -> Catalogue:
    """The known-good catalogue; without a usable one (missing, no entries) the sweep is a
    usage error unless ``none`` (``--no-catalogue``) says the user audits without one."""
    if none:
        if path is not None:
            raise ConfigError("--no-catalogue and --known-good exclude each other")
        return Catalogue()
    if path is None:
        path = inventory_dir / "known-good.csv"
        if not path.is_file():
            raise ConfigError(
                f"no known-good catalogue: give --known-good FILE (or put known-good.csv in "
                f"{inventory_dir}), or audit without one with --no-catalogue"
            )
    cat = catalogue_mod.load(path)
    if not len(cat):
        raise ConfigError(
            f"{path}: the catalogue holds no entries; add known-good digests "
            "(imagesweep known-good add), or audit without one with --no-catalogue"
        )
    return cat


class _Recorder:
    """Nornir processor: each finished host reaches the journal and raw/ at once."""

    def __init__(
        self,
        run_dir: Path,
        journal: Journal,
        ctx: Context,
        progress: Progress | None,
        stop: Stop | None = None,
    ) -> None:
        self.run_dir, self.journal, self.ctx, self.progress = run_dir, journal, ctx, progress
        self.stop = stop
        self.results: dict[str, DeviceResult] = {}
        self.retried: dict[str, str] = {}  # host -> why its first login was tried again

    def task_started(self, task: Task) -> None: ...
    def task_completed(self, task: Task, result: AggregatedResult) -> None: ...
    def task_instance_started(self, task: Task, host: Host) -> None: ...
    def subtask_instance_started(self, task: Task, host: Host) -> None: ...
    def subtask_instance_completed(self, task: Task, host: Host, result: MultiResult) -> None: ...

    def task_instance_completed(self, task: Task, host: Host, result: MultiResult) -> None:
        self.record(capture_from(host, result))
        # Nornir's runner holds every host's result to the end of the run: without this,
        # every capture with all its outputs (40 KiB a device here) until the sweep ends.
        for done in result:
            done.result = None

    def record(self, capture: DeviceCapture) -> None:
        if capture.host in self.retried:
            first = self.retried[capture.host]
            note = f"login tried again after the sweep's first pass; the first try: {first}"
            capture = replace(capture, notes=(*capture.notes, note))
        # A host the stop cut short (or failed once the stop came, its session perhaps cut)
        # stays out of the journal, so --resume audits it again.
        stopped = capture.error_step == INTERRUPTED_STEP or bool(
            self.stop and self.stop.requested and capture.error
        )
        if not stopped:
            self.journal.append(capture)
        write_raw(self.run_dir, capture)
        outcome = judge(capture, self.ctx)
        self.results[capture.host] = kept(outcome)
        if self.progress:
            self.progress(outcome)


def kept(result: DeviceResult) -> DeviceResult:
    """What the sweep holds of a judged device until its reports: all but the raw outputs,
    which the journal and raw/ hold by then and no later stage reads (a sweep of 10,000
    devices would otherwise carry every output in memory to its end)."""
    capture, state = result.capture, result.state
    if capture is None:
        return result
    return replace(
        result,
        capture=replace(capture, runs=tuple(replace(r, output="") for r in capture.runs)),
        state=replace(state, outputs=()) if state is not None else None,
    )


def _busy_login(result: DeviceResult) -> bool:
    """A login that timed out before any command ran: the device may only have been slow
    because the sweep was busy (never an authentication failure: that is not retried)."""
    capture = result.capture
    return (
        capture is not None
        and not capture.runs
        and login_timed_out(capture.error, capture.error_step)
    )


def run_audit(
    options: AuditOptions,
    *,
    progress: Progress | None = None,
    on_start: Callable[[int], None] | None = None,
) -> SweepOutcome:
    started = time.monotonic()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    run_dir = options.out
    _check_writable(run_dir)
    target = siem.parse_target(options.siem, options.siem_ca) if options.siem else None
    if options.jsonl is not None:
        _check_writable(options.jsonl.parent)
    if not options.resume and (run_dir / JOURNAL).exists():
        raise ConfigError(
            f"{run_dir}: already holds a sweep; continue it with --resume {run_dir}, "
            "or choose another --out"
        )
    nr = inventory.load(
        options.inventory,
        workers=options.workers,
        hosts=list(options.hosts) or None,
        group=options.group,
        credentials=options.credentials,
        ssh_config=options.ssh_config,
    )
    missing = inventory.missing_credentials(nr)
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise ConfigError(
            f"{options.inventory}: no username/password for {shown}; set them in "
            f"the inventory, {inventory.ENV_USERNAME}/{inventory.ENV_PASSWORD}, "
            "or use --ask-pass"
        )
    # Beside the inventory: in its directory, or beside a CSV inventory file.
    beside = options.inventory if options.inventory.is_dir() else options.inventory.parent
    cat = load_catalogue(options.known_good, beside, none=options.no_catalogue)
    settings = options.settings
    if not settings.algorithms:
        settings = replace(settings, algorithms=cat.algorithms_needed())
    # Hosts the inventory marks as emulators (data: emulator: true) boot from a placeholder
    # TFTP URL by design; BOOT_NETWORK is info for them.
    emulators = frozenset(h.name for h in nr.inventory.hosts.values() if h.get("emulator"))
    trust = load_trust(options.integrity_roots)
    ctx = Context(
        catalogue=cat,
        policy=replace(options.policy, emulators=emulators),
        indicators=indicators.load_all(options.implant_markers),
        trust=trust,
        kgv=load_kgv(options.kgv, trust) if options.kgv else None,
    )
    hist: SweepHistory | None = None
    caps = SessionCaps.from_groups(  # a bad cap is refused before anything is written
        (name, group.data.get(CAPS_KEY)) for name, group in nr.inventory.groups.items()
    )
    if options.history is not None:  # locked before any device is contacted
        hist = open_for_sweep(
            options.history,
            windows=options.windows,
            groups={h.name: tuple(g.name for g in h.groups) for h in nr.inventory.hosts.values()},
            now=datetime.fromisoformat(started_at),
        )
        ctx = replace(ctx, history=hist.context)

    make_dir(run_dir)
    if not options.resume:
        write_atomic(run_dir / RUN_FILE, json.dumps(options_record(options), indent=2) + "\n")
    journal = Journal(run_dir)
    stop = Stop()
    recorder = _Recorder(run_dir, journal, ctx, progress, stop)
    done = journal.read() if options.resume else {}
    for host in nr.inventory.hosts:
        if host in done:
            recorder.results[host] = kept(judge(done[host], ctx))
    todo = nr.filter(filter_func=lambda h: h.name not in done)
    reuse = {}
    if options.rehash_after is not None and hist is not None:
        now = datetime.fromisoformat(started_at)
        reuse = {
            host: offers(prior, now, options.rehash_after)
            for host, prior in hist.context.previous.items()
        }
    order = longest_first(
        ((h.name, str(h.platform)) for h in todo.inventory.hosts.values()),
        ctx.history.previous,
    )
    todo.inventory.hosts = Hosts({name: todo.inventory.hosts[name] for name in order})
    if on_start:
        on_start(len(todo.inventory.hosts))
    gate = LoginGate(
        concurrent=settings.max_concurrent_logins, per_second=settings.logins_per_second
    )
    run_kwargs: dict[str, Any] = {
        "task": collect_task,
        "settings": settings,
        "gate": gate,
        "stop": stop,
        "offbox_gate": OffboxGate(settings.offbox_workers),
        "caps": caps,
        "reuse": reuse,
        "on_failed": True,
    }

    dask_client: Any = None  # one Dask client for both passes of the sweep

    def collect(hosts: Nornir, *, again: bool = False) -> None:
        """Audit ``hosts`` here, or on Dask; every capture reaches the recorder."""
        if dask_client is None:
            hosts.with_processors([recorder]).run(**run_kwargs)
            return
        from imagesweep.sweep.distributed import run_on_dask

        run_on_dask(
            list(hosts.inventory.hosts.values()),
            client=dask_client,
            settings=settings,
            ssh_config=str(options.ssh_config) if options.ssh_config else None,
            record=recorder.record,
            stop=lambda: stop.requested,
            caps=caps.limits,
            reuse=reuse,
            again=again,
        )

    if todo.inventory.hosts:
        with handling(stop, options.grace) as run, contextlib.ExitStack() as cluster:
            if options.dask:
                from imagesweep.sweep.distributed import client_for

                dask_client = cluster.enter_context(
                    client_for(options.dask, sessions=options.workers)
                )
            run(lambda: collect(todo))
            timed_out = {n: r.error for n, r in recorder.results.items() if _busy_login(r)}
            if timed_out and not stop.requested:
                # A login that saw no prompt in time while the sweep was at its busiest (a
                # loaded collector or AAA server) is tried once more, now that it is quiet.
                log.info("retrying %d login(s) that timed out", len(timed_out))
                recorder.retried = timed_out
                if on_start:
                    on_start(len(todo.inventory.hosts) + len(timed_out))
                retry = todo.filter(filter_func=lambda h: h.name in timed_out)
                run(lambda: collect(retry, again=True))
    for name, entry in nr.inventory.hosts.items():  # one row per inventory host, always
        if name not in recorder.results:
            recorder.results[name] = judge(_not_started(name, entry), ctx)
    results = tuple(recorder.results[h] for h in sorted(nr.inventory.hosts))
    results = apply_fleet(results, ctx.policy)  # needs every device: after the sweep
    elapsed = time.monotonic() - started
    interrupted = stop.reason
    write_reports(
        run_dir,
        results,
        options={
            **options_record(options),
            "catalogue_entries": len(cat),
            "resume": options.resume,
            # what signed boot measurements were judged against (issue 10)
            "kgv_file": ctx.kgv.describe() if ctx.kgv else None,
            "kgv_signed": ctx.kgv.signed if ctx.kgv else None,
            "trusted_roots": len(ctx.trust.roots),
        },
        timings={
            "elapsed_seconds": round(elapsed, 3),
            "devices": len(results),
            "resumed_devices": len(done),
        },
        started_at=started_at,
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        interrupted=interrupted,
    )
    changes: tuple[object, ...] = ()
    if hist is not None:
        try:
            changes = tuple(
                hist.finish(
                    run_dir,
                    results,
                    started_at=datetime.fromisoformat(started_at),
                    finished_at=datetime.now(UTC),
                )
            )
        finally:
            hist.close()
    html_report.write(run_dir)  # last: it shows changes.csv, which the history writes
    deliveries: tuple[siem.Delivery, ...] = ()
    if target is not None or options.jsonl is not None:
        # After every file is written and every verdict given: a SIEM that fails changes
        # neither; the Delivery says what was sent.
        deliveries = siem.export(run_dir, catalogue=cat, target=target, jsonl=options.jsonl)
    code = exit_code(results, options.fail_on)
    if options.no_catalogue and code == 0 and results:
        # Nothing was compared with known-good digests: the sweep cannot pass.
        code = 1
    return SweepOutcome(
        run_dir,
        results,
        exit_status(interrupted) if interrupted else code,
        elapsed,
        interrupted=interrupted,
        resume_command=resume_command(run_dir) if interrupted else "",
        changes=changes,
        deliveries=deliveries,
    )


def resume_command(run_dir: Path) -> str:
    """The command that continues the sweep in ``run_dir`` (absolute: works from anywhere)."""
    return f"imagesweep audit --resume {shlex.quote(str(run_dir.absolute()))}"


def _not_started(name: str, host: Host) -> DeviceCapture:
    return DeviceCapture(
        host=name,
        address=f"{host.hostname}:{host.port}" if host.port else str(host.hostname or name),
        platform=str(host.platform or ""),
        error=NOT_STARTED,
        error_step=INTERRUPTED_STEP,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _check_writable(run_dir: Path) -> None:
    """Fail before any device is contacted if the reports could not be written."""
    existing = run_dir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        reason = "not a directory" if not existing.is_dir() else "permission denied"
        raise ConfigError(f"{run_dir}: output directory not writable: {existing}: {reason}")


RUN_FILE = RUN_JSON


def options_record(options: AuditOptions) -> dict[str, Any]:
    """The options as JSON: in sweep.json, and in run.json so ``--resume DIR`` can continue.
    Credentials are never part of it."""
    settings = {
        k: (str(v.absolute()) if isinstance(v, Path) else v)
        for k, v in asdict(options.settings).items()
        if k != "algorithms"
    }
    return {
        # Absolute, so that ``--resume DIR`` works from any directory.
        "inventory": str(options.inventory.absolute()),
        "known_good": str(options.known_good.absolute()) if options.known_good else None,
        "hosts": list(options.hosts),
        "group": options.group,
        "workers": options.workers,
        "fail_on": options.fail_on,
        "settings": settings,
        "accept_unverifiable": sorted(options.policy.accept_unverifiable),
        "severity": dict(options.policy.severity),
        "approved_versions": {k: list(v) for k, v in options.policy.approved_versions.items()},
        "ssh_config": str(options.ssh_config.absolute()) if options.ssh_config else None,
        "dask": options.dask,
        "no_catalogue": options.no_catalogue,
        "grace": options.grace,
        "implant_markers": str(options.implant_markers.absolute())
        if options.implant_markers
        else None,
        "history": str(options.history.absolute()) if options.history else None,
        "windows": str(options.windows.absolute()) if options.windows else None,
        "siem": options.siem,
        "siem_ca": str(options.siem_ca.absolute()) if options.siem_ca else None,
        "jsonl": str(options.jsonl.absolute()) if options.jsonl else None,
        "rehash_after": options.rehash_after,
        "kgv": str(options.kgv.absolute()) if options.kgv else None,
        "integrity_roots": str(options.integrity_roots.absolute())
        if options.integrity_roots
        else None,
        "approved_rommon": {k: list(v) for k, v in options.policy.approved_rommon.items()},
        "rommon_region": options.policy.rommon_region,
    }


def resume_options(run_dir: Path, credentials: Credentials | None = None) -> AuditOptions:
    """The options of the sweep that ``run_dir`` holds, set to resume it."""
    path = run_dir / RUN_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        settings = dict(data["settings"])
        if settings.get("known_hosts"):
            settings["known_hosts"] = Path(settings["known_hosts"])
        return AuditOptions(
            inventory=Path(data["inventory"]),
            out=run_dir,
            known_good=Path(data["known_good"]) if data.get("known_good") else None,
            hosts=tuple(data.get("hosts") or ()),
            group=data.get("group"),
            workers=int(data["workers"]),
            fail_on=data["fail_on"],
            resume=True,
            settings=CollectSettings(**settings),
            policy=Policy(
                severity=dict(data.get("severity") or {}),
                approved_versions={
                    k: tuple(v) for k, v in (data.get("approved_versions") or {}).items()
                },
                accept_unverifiable=frozenset(data.get("accept_unverifiable") or ()),
                approved_rommon={
                    k: tuple(v) for k, v in (data.get("approved_rommon") or {}).items()
                },
                rommon_region=str(data.get("rommon_region") or ""),
            ),
            credentials=credentials,
            ssh_config=Path(data["ssh_config"]) if data.get("ssh_config") else None,
            dask=data.get("dask"),
            no_catalogue=bool(data.get("no_catalogue")),
            grace=float(data.get("grace", GRACE_SECONDS)),
            implant_markers=(
                Path(data["implant_markers"]) if data.get("implant_markers") else None
            ),
            history=Path(data["history"]) if data.get("history") else None,
            windows=Path(data["windows"]) if data.get("windows") else None,
            siem=data.get("siem"),
            siem_ca=Path(data["siem_ca"]) if data.get("siem_ca") else None,
            jsonl=Path(data["jsonl"]) if data.get("jsonl") else None,
            rehash_after=(
                float(data["rehash_after"]) if data.get("rehash_after") is not None else None
            ),
            kgv=Path(data["kgv"]) if data.get("kgv") else None,
            integrity_roots=Path(data["integrity_roots"]) if data.get("integrity_roots") else None,
        )
    except OSError as exc:
        raise ConfigError(f"{path}: cannot resume: {exc.strerror or exc}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a run file imagesweep wrote: {exc}") from exc
