"""From a device's captured command runs to the typed :class:`DeviceState` the rules read.

The same judgement decides, during collection, which alternative command of a step was
accepted and, afterwards (or offline, from saved captures), what the state is: a run counts
when it completed, the device did not reject it, and its parser understood it.
"""

from __future__ import annotations

from dataclasses import is_dataclass, replace
from datetime import datetime

from imagesweep.parse.interpret import Rejected, digest_scope, flatten, interpret, still_valid
from imagesweep.paths import filesystem
from imagesweep.platforms import Step, profile
from imagesweep.records import (
    AuditGap,
    Authenticity,
    BootInfo,
    Compliance,
    DeviceCapture,
    DeviceState,
    DigestResult,
    FileSystem,
    Measurement,
    Pending,
    ReusedDigest,
    Rommon,
    RunningSet,
    StorageListing,
    SudiChain,
    VersionInfo,
)


def _aliases(accepted: dict[tuple[str, str, str], tuple[object, ...]]) -> dict[str, str]:
    """Filesystem names the device answers under another name: ``dir flash:`` on an ISR G2
    lists ``flash0:``. Boot entries and ``show version`` may use either."""
    found: dict[str, str] = {}
    for (step, target, _), records in accepted.items():
        if step != Step.LISTING or not target.endswith(":"):
            continue
        for record in flatten(records):
            if isinstance(record, StorageListing) and record.filesystem != target:
                found[target] = record.filesystem
    return found


def cite(record: object, command: str) -> object:
    """The record with each evidence line prefixed by the command that printed it, so every
    finding's evidence says where on the device to look (``show version: System image ...``).
    Lines the rules add themselves (``approved: ...``) stay as they are."""
    lines = getattr(record, "evidence", None)
    if not lines or not is_dataclass(record) or isinstance(record, type):
        return record
    prefix = f"{command}: "
    return replace(
        record, evidence=tuple(line if line.startswith(prefix) else prefix + line for line in lines)
    )


def _resolve(record: object, aliases: dict[str, str]) -> object:
    if not aliases:
        return record

    def fix(path: str) -> str:
        fs = filesystem(path)
        return aliases[fs] + path[len(fs) :] if fs in aliases else path

    if isinstance(record, VersionInfo):
        return replace(record, running_image=fix(record.running_image))
    if isinstance(record, BootInfo):
        return replace(
            record,
            next_boot=tuple(map(fix, record.next_boot)),
            current_boot=tuple(map(fix, record.current_boot)),
        )
    if isinstance(record, RunningSet):
        return replace(record, paths=tuple(map(fix, record.paths)))
    return record


def build_state(capture: DeviceCapture) -> DeviceState:
    """Interpret every run of a capture; what is missing becomes an :class:`AuditGap`."""
    prof = profile(capture.platform)
    gaps: list[AuditGap] = []
    if capture.error:
        gaps.append(AuditGap(capture.error_step or "connect", capture.error))

    # Alternatives of a step share a key; digests of one file by several algorithms do not.
    accepted: dict[tuple[str, str, str], tuple[object, ...]] = {}
    failures: dict[tuple[str, str, str], list[str]] = {}
    for run in capture.runs:
        key = (run.step, run.target, run.command if run.step == Step.DIGEST else "")
        if key in accepted:
            continue
        try:
            accepted[key] = tuple(cite(r, run.command) for r in flatten(interpret(prof, run)))
        except Rejected as exc:
            failures.setdefault(key, []).append(f"{run.command!r}: {exc}")

    aliases = _aliases(accepted)
    # The memory text is a digest of no file: kept apart from the images' digests.
    memory = accepted.get((Step.MEMORY_TEXT, "", ""), ())
    records = [
        _resolve(r, aliases)
        for key, found in accepted.items()
        if key[0] != Step.MEMORY_TEXT
        for r in flatten(found)
    ]
    version = next((r for r in records if isinstance(r, VersionInfo)), None)
    boot = next((r for r in records if isinstance(r, BootInfo)), None)
    filesystems = tuple(r for r in records if isinstance(r, FileSystem))
    listings = tuple(r for r in records if isinstance(r, StorageListing))
    digests = tuple(r for r in records if isinstance(r, DigestResult))
    reused = _reused(capture, listings, version)
    digests += tuple(
        DigestResult(
            r.path,
            algorithm,
            digest,
            evidence=(
                f"reused (--rehash-after): the device computed it at {r.digested_at}"
                f"{f' (sweep {r.sweep})' if r.sweep else ''}; size {r.size} and timestamp "
                f"{r.modified} unchanged, no reload since",
            ),
        )
        for r in reused
        for algorithm, digest in (("md5", r.md5), ("sha512", r.sha512))
        if digest
    )
    pending = tuple(r for r in records if isinstance(r, Pending))
    running_set = tuple(p for r in records if isinstance(r, RunningSet) for p in r.paths)
    roms = [r for r in records if isinstance(r, Rommon)]
    rommon = _rommon(roms)

    # Every step is required unless the platform says otherwise: a storage enumeration that
    # failed could hide a second image on a filesystem nobody listed.
    optional = set(prof.optional_steps)
    for key, reasons in failures.items():
        step, target, _ = key
        reasons = [r for r in reasons if r != capture.error]  # already the session's gap
        if not reasons or key in accepted or step == Step.DIGEST or step in optional:
            continue
        about = f" {target}" if target else ""
        gaps.append(AuditGap(f"{step}{about}", "; ".join(reasons)))

    if not capture.error:
        for step in prof.steps:
            ran = any(run.step == step for run in capture.runs)
            if not ran and step not in optional and step in (Step.VERSION, Step.BOOT, Step.LISTING):
                gaps.append(AuditGap(step, "the step did not run"))
        if version and not version.running_image and prof.running_image_required:
            # Without the running image there is nothing to hold a digest against.
            gaps.append(AuditGap("version", "the output names no running image file"))
        if version and version.running_image.endswith(".conf") and not running_set:
            gaps.append(
                AuditGap("packages", f"install mode, but {version.running_image} was not read")
            )

    hashed = {d.path for d in digests if d.digest}
    if not prof.digest_unavailable and not capture.error:
        scope = digest_scope(
            prof, version=version, boot=boot, listings=listings, running_set=running_set
        )
        for path in scope:
            if path not in hashed:
                why = [
                    r
                    for (step, target, _), rs in failures.items()
                    if step == Step.DIGEST and target == path
                    for r in rs
                ]
                reason = "; ".join(why) if why else "no digest command was run for it"
                gaps.append(AuditGap(f"digest {path}", reason))

    for copy in capture.offbox:  # a copy asked for and not made is never a pass
        if copy.error:
            hint = f" (enable it on the device with: {copy.enable})" if copy.enable else ""
            where = f"offbox {copy.path}" if copy.path else "offbox"
            gaps.append(AuditGap(where, f"{copy.error}{hint}"))

    return DeviceState(
        host=capture.host,
        platform=capture.platform,
        address=capture.address,
        version=version,
        boot=boot,
        filesystems=filesystems,
        listings=listings,
        digests=digests,
        running_set=running_set,
        pending=pending,
        gaps=tuple(gaps),
        digest_unavailable=prof.digest_unavailable,
        notes=capture.notes,
        offbox=capture.offbox,
        outputs=tuple((run.command, run.output) for run in capture.runs if run.output),
        memory_text=next((r.digest for r in memory if isinstance(r, DigestResult)), ""),
        reused=reused,
        measurements=tuple(r for r in records if isinstance(r, Measurement)),
        sudi=tuple(r for r in records if isinstance(r, SudiChain)),
        compliance=tuple(r for r in records if isinstance(r, Compliance)),
        authenticity=tuple(r for r in records if isinstance(r, Authenticity)),
        rommon=rommon,
    )


def _reused(
    capture: DeviceCapture, listings: tuple[StorageListing, ...], version: VersionInfo | None
) -> tuple[ReusedDigest, ...]:
    """The collector's reused digests that still hold when judged again from the capture."""
    if not capture.reused or not capture.started_at:
        return ()
    try:
        when = datetime.fromisoformat(capture.started_at)
    except ValueError:
        return ()
    valid = still_valid(capture.reused, listings, version, when)
    return tuple(r for r in capture.reused if valid.get(r.path) == r)


def _rommon(roms: list[Rommon]) -> Rommon | None:
    """``show rom-monitor`` (version, region) and ``show romvar`` (variables) as one record."""
    if not roms:
        return None
    version = next((r for r in roms if r.version), roms[0])
    variables = tuple(v for r in roms for v in r.variables)
    evidence = tuple(e for r in roms for e in r.evidence)
    return replace(version, variables=variables, evidence=evidence)
