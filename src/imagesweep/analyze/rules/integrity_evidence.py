"""F. Signed boot measurements, image signatures, ROMMON: evidence the OS does not compute.

On IOS-XE the Trust Anchor measures the boot chain and the OS packages and the SUDI
key signs the measurements over the nonce this sweep chose; the rules replay the PCRs, verify
the signature and the SUDI chain, and compare the measurements with Cisco's Known Good
Values. Image signatures (``show software authenticity``) and the ROMMON are judged
against what a production image and the policy allow.

Pure: the roots, the KGV and the policy arrive in the :class:`Context`; the cryptography is
:mod:`imagesweep.signed`."""

from __future__ import annotations

from imagesweep.analyze.rules.finding import PATCH, ROMMONKIT, Rule
from imagesweep.baseline.context import Context
from imagesweep.baseline.kgv import KnownGoodValues
from imagesweep.parse.integrity import DEBUG_VARIABLES, rommon_line
from imagesweep.records import (
    Authenticity,
    DeviceState,
    Finding,
    Measurement,
    Rommon,
    SudiChain,
)
from imagesweep.signed import (
    compliance_signed,
    is_smu,
    measurement_signed,
    replay_pcrs,
    verify_chain,
)

BOOT = "T1542"  # Pre-OS Boot

BOOT_INTEGRITY_MISMATCH = Rule(
    "BOOT_INTEGRITY_MISMATCH",
    "critical",
    PATCH,
    "Treat the device as compromised: the Trust Anchor measured software that Cisco did not "
    "publish for this release, or the OS printed other hashes than were measured. Keep the "
    "outputs, isolate the device, reimage from a known-good source and rotate credentials.",
    condition=(
        "IOS-XE Boot Integrity Visibility: a measured hash (boot 0, boot loader, an OS "
        "package) is not the Known Good Value for that platform and release, or the printed "
        "hashes do not replay to the signed PCR0/PCR8 (the device printed other hashes than "
        "it measured)."
    ),
)
BOOT_INTEGRITY_SIGNATURE_INVALID = Rule(
    "BOOT_INTEGRITY_SIGNATURE_INVALID",
    "critical",
    PATCH,
    "Do not trust anything the device printed: its measurements are not signed by a genuine "
    "Cisco SUDI key over this sweep's nonce (forged, corrupted or replayed). Investigate the "
    "device out of band and open a case with Cisco PSIRT.",
    condition=(
        "The measurement's signature does not verify with the device's SUDI certificate, the "
        "SUDI chain does not lead to a trusted root (Cisco Root CA 2048 / 2099, or "
        "`--integrity-roots`), or it was not made over the nonce this sweep sent (a replayed "
        "answer)."
    ),
)
BOOT_INTEGRITY_UNVERIFIED = Rule(
    "BOOT_INTEGRITY_UNVERIFIED",
    "medium",
    PATCH,
    "Get the Known Good Values for the device's release (Cisco Trust Center, KGV JSON with "
    "its .signature) and sweep again with --kgv; upgrade releases that cannot sign.",
    condition=(
        "The platform offers boot integrity measurements but they could not be judged: no "
        "`--kgv` file, no KGV entry for its release, signature version not supported (TPM "
        "quote), no SUDI chain, `% Error retrieving integrity data`. Says which."
    ),
)
SECURE_BOOT_DISABLED = Rule(
    "SECURE_BOOT_DISABLED",
    "high",
    BOOT,
    "Find out why the device boots without verification; restore secure boot and the "
    "hardware trust anchor, then reimage from a known-good source.",
    condition=(
        "`show system integrity all compliance`: `secure_boot` not `true`, or `tam_service` "
        "not `hardware`."
    ),
)
SIGNATURE_INVALID = Rule(
    "SIGNATURE_INVALID",
    "high",
    PATCH,
    "Replace the image with a production image from Cisco and verify it; a development or "
    "special image on a production device needs an owner and a reason.",
    condition=(
        "`show software authenticity running` / `file <image>`: signer not `CiscoSystems`, "
        "image type not Production/Release (Special, Development), or the running and file "
        "certificate serials differ (critical)."
    ),
)
ROMMON_UNEXPECTED = Rule(
    "ROMMON_UNEXPECTED",
    "high",
    ROMMONKIT,
    "Compare the ROMMON with Cisco's release for the platform; reflash it from a known-good "
    "image (upgrade rom-monitor) and clear debug variables.",
    condition=(
        "`show rom-monitor` / `ROM:` / `BOOTLDR:` / `show romvar`: a development ROMMON, "
        "ROMMON running from the Upgrade region where policy says ReadOnly, a ROMMON version "
        "not in the policy's approved list, or debug ROMMON variables set (DEBUG_CONF, "
        "ROMMON_DEBUG_CONF, BOOT_PARAM)."
    ),
)

_KINDS = ("boot 0", "boot loader")
_DTYPES = (("boot0",), ("blr",))


def _chain_for(state: DeviceState, location: str) -> SudiChain | None:
    usable = [c for c in state.sudi if not c.error]
    return next((c for c in usable if c.location == location), None) or (
        usable[0] if len(usable) == 1 else None
    )


def _kgv_problems(m: Measurement, kgv: KnownGoodValues) -> tuple[list[str], list[str]]:
    """(mismatches, unjudged): each measured hash against the KGV of its kind and release."""
    wrong: list[str] = []
    unknown: list[str] = []
    measured: list[tuple[str, tuple[str, ...], str, str]] = [
        (f"{kind} {version}", dtypes, version, value)
        for kind, dtypes, (version, value) in zip(_KINDS, _DTYPES, m.boot, strict=False)
    ]
    measured += [
        (f"OS {name or m.os_version}", ("osimage", "pkg"), m.os_version, value)
        for name, value in m.os_hashes
    ]
    for what, dtypes, version, value in measured:
        found = [e for e in kgv.by_hash(value) if e.dtype in dtypes]
        same = [
            e
            for e in found
            if not version
            or e.version.lower() == version.lower()
            or version.lower() in e.filename.lower()
        ]
        if same or (found and dtypes[0] == "osimage"):
            continue
        if found:
            wrong.append(
                f"{what}: measured {value}; the KGV lists this hash for version "
                f"{found[0].version}, not the {version} the device prints"
            )
        elif kgv.knows_version(dtypes, version):
            known = sorted(
                {
                    e.biv_hash
                    for e in kgv.entries
                    if e.dtype in dtypes
                    and (
                        e.version.lower() == version.lower()
                        or version.lower() in e.filename.lower()
                    )
                }
            )
            wrong.append(
                f"{what}: measured {value}; Known Good Values for {version}: "
                + ", ".join(known[:4])
                + (" ..." if len(known) > 4 else "")
            )
        else:
            unknown.append(f"{what}: {kgv.source} has no Known Good Value for release {version}")
    return wrong, unknown


def boot_integrity(state: DeviceState, ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for m in state.measurements:
        where = f" ({m.location})" if m.location else ""
        head = [*m.evidence]
        if m.error:
            findings.append(
                BOOT_INTEGRITY_UNVERIFIED.finding(
                    f"boot integrity{where}: the device offers measurements but printed "
                    f"{m.error!r}",
                    head,
                )
            )
            continue
        problems: list[str] = []
        unjudged: list[str] = []
        chain = _chain_for(state, m.location)
        if not ctx.trust.roots:
            unjudged.append("no trust anchors were loaded: the signature cannot be judged")
        elif chain is None:
            unjudged.append(
                "no SUDI chain was collected for this location: the signature cannot be judged"
            )
        else:
            verdict = verify_chain(chain, ctx.trust.roots)
            if not verdict.ok:
                problems.extend(verdict.reasons)
            if verdict.path_ok and verdict.device is not None:
                # the device key is genuine: its signature on the measurement still counts
                ok, why = measurement_signed(m, verdict.device)
                if not ok and "not supported" in why:
                    unjudged.append(why)
                elif not ok:
                    problems.append(f"measurement: {why}")
                elif verdict.ok:
                    head.append(f"{why}; chain {verdict.reasons[0]}")
        if problems:
            findings.append(
                BOOT_INTEGRITY_SIGNATURE_INVALID.finding(
                    f"boot integrity{where}: the measurements are not signed by a trusted "
                    "SUDI key over this sweep's nonce",
                    [*head, *problems],
                )
            )
            continue  # nothing unsigned is worth comparing
        pcr0, pcr8 = replay_pcrs(m)
        mismatch: list[str] = []
        if pcr0 != m.pcr0:
            mismatch.append(f"PCR0 signed {m.pcr0}; the printed boot hashes replay to {pcr0}")
        if pcr8 != m.pcr8:
            mismatch.append(f"PCR8 signed {m.pcr8}; the printed OS hashes replay to {pcr8}")
        if ctx.kgv is None:
            unjudged.append(
                "no --kgv file: the measurements exist but there is nothing to judge them against"
            )
        else:
            wrong, unknown = _kgv_problems(m, ctx.kgv)
            mismatch += wrong
            unjudged += unknown
        kgv_line = ctx.kgv.describe() if ctx.kgv else ""
        if mismatch:
            findings.append(
                BOOT_INTEGRITY_MISMATCH.finding(
                    f"boot integrity{where}: measured software is not the known-good "
                    "software for its release",
                    [*head, *mismatch, kgv_line],
                )
            )
        if unjudged and not mismatch:
            findings.append(
                BOOT_INTEGRITY_UNVERIFIED.finding(
                    f"boot integrity{where}: the measurements could not be judged",
                    [*head, *unjudged, kgv_line],
                )
            )
    findings += _compliance(state, ctx)
    return findings


def _compliance(state: DeviceState, ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for c in state.compliance:
        where = f" ({c.location})" if c.location else ""
        bad = []
        if (c.get("secure_boot") or "").lower() != "true":
            bad.append(f"secure_boot: {c.get('secure_boot')} (expected true)")
        if (c.get("tam_service") or "").lower() != "hardware":
            bad.append(f"tam_service: {c.get('tam_service')} (expected hardware)")
        chain = _chain_for(state, c.location)
        signed = ""
        if chain is not None and ctx.trust.roots:
            verdict = verify_chain(chain, ctx.trust.roots)
            if verdict.ok and verdict.device is not None:
                if compliance_signed(c, verdict.device):
                    signed = f"compliance signed over nonce {c.nonce} by the SUDI key"
                else:
                    findings.append(
                        BOOT_INTEGRITY_SIGNATURE_INVALID.finding(
                            f"compliance{where}: the signature does not verify over this "
                            "sweep's nonce",
                            c.evidence,
                        )
                    )
        if bad:
            findings.append(
                SECURE_BOOT_DISABLED.finding(
                    f"compliance{where}: the device does not boot with verified software",
                    [*bad, signed],
                )
            )
    return findings


_GOOD_TYPES = ("production", "release")


def _running_serial(running: list[Authenticity]) -> Authenticity | None:
    main = [a for a in running if "IMAGE" in a.subject.upper()] or running
    return main[0] if main else None


def software_authenticity(state: DeviceState, ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for a in state.authenticity:
        bad = []
        if a.signer != "CiscoSystems":
            bad.append(f"signer {a.signer or '(none)'} (expected CiscoSystems)")
        if a.image_type.lower() not in _GOOD_TYPES:
            bad.append(f"Image type {a.image_type or '(none)'} (expected Production or Release)")
        if bad:
            what = a.target or a.subject
            findings.append(
                SIGNATURE_INVALID.finding(
                    f"{what}: not a production image signed by Cisco", [*a.evidence, *bad]
                )
            )
    running = [a for a in state.authenticity if not a.file]
    main = _running_serial(running)
    image = state.version.running_image if state.version else ""
    for a in state.authenticity:
        if not a.file or main is None or not main.serial or not a.serial:
            continue
        if image and a.target != image:
            continue  # only the file the device runs must carry the running image's key
        if a.serial.lower() != main.serial.lower():
            findings.append(
                SIGNATURE_INVALID.finding(
                    f"{a.target}: the running image is signed with certificate {main.serial}, "
                    f"the file it booted from with {a.serial}",
                    [*main.evidence, *a.evidence],
                    severity="critical",
                )
            )
    return findings


def rommon_of(state: DeviceState) -> Rommon | None:
    """The ROMMON as ``show rom-monitor`` / ``show romvar`` say, else the show version line."""
    if state.rommon and state.rommon.version:
        return state.rommon
    line = rommon_line(state.version.rommon) if state.version and state.version.rommon else None
    if state.rommon and line:
        return Rommon(
            line.version,
            line.release_type,
            state.rommon.region,
            state.rommon.variables,
            line.evidence + state.rommon.evidence,
        )
    return line or state.rommon


def rommon_unexpected(state: DeviceState, ctx: Context) -> list[Finding]:
    rom = rommon_of(state)
    if rom is None:
        return []
    bad = []
    if "DEVELOPMENT" in rom.release_type.upper():
        bad.append(f"a development ROMMON: {rom.version}, {rom.release_type}")
    want = ctx.policy.rommon_region
    if want and rom.region and rom.region != want:
        bad.append(f"running from the {rom.region} region (policy: {want})")
    model = state.version.model if state.version else ""
    approved = ctx.policy.approved_rommon.get(model) or ctx.policy.approved_rommon.get(
        state.platform
    )
    if approved and rom.version and rom.version not in approved:
        bad.append(f"ROMMON {rom.version} is not approved (approved: {', '.join(approved)})")
    debug = [f"{k} = {v}" for k, v in rom.variables if k in DEBUG_VARIABLES and v]
    if debug:
        bad.append("debug ROMMON variables set: " + "; ".join(debug))
    if not bad:
        return []
    return [
        ROMMON_UNEXPECTED.finding(
            f"ROMMON {rom.version or '(version not printed)'} is not what policy expects",
            [*rom.evidence, *bad],
        )
    ]


RULES = (boot_integrity, software_authenticity, rommon_unexpected)

__all__ = ["RULES", "is_smu", "rommon_of"]
