"""B. Image digests against the known-good catalogue (T1601.001)."""

from __future__ import annotations

from imagesweep.analyze.rules.finding import PATCH, Rule
from imagesweep.analyze.rules.images import classify, running_paths, same_file, verdicts
from imagesweep.baseline.context import Context
from imagesweep.paths import basename
from imagesweep.records import DeviceState, Finding
from imagesweep.releases import same_version

HASH_MISMATCH = Rule(
    "HASH_MISMATCH",
    "critical",
    PATCH,
    "Treat the device as compromised: isolate it, collect forensic data (show tech, "
    "verify /md5, off-box copy of the image), then reimage from a known-good source and "
    "rotate credentials.",
    condition=(
        "The on-box digest of an image differs from the known-good digest for that file name."
    ),
)
HASH_UNKNOWN = Rule(
    "HASH_UNKNOWN",
    "medium",
    PATCH,
    "Obtain the vendor's published digest for this file and add it to the catalogue "
    "(imagesweep known-good add), or remove the file if it does not belong.",
    condition=(
        "The image's file name is not in the known-good catalogue, so nothing vouches for it; "
        "high for the running image, medium for other files."
    ),
)
HASH_OTHER_RELEASE = Rule(
    "HASH_OTHER_RELEASE",
    "critical",
    PATCH,
    "The file is a known-good image under another name or release: find out who renamed or "
    "swapped it, compare show version with the image actually booted, and reimage.",
    condition=(
        "The digest is known-good, but for another file name or release than the device "
        "claims (a renamed image, or `show version` lying about what runs)."
    ),
)


def _expected(entry_md5: str, entry_sha512: str) -> str:
    parts = [
        f"md5 {entry_md5}" if entry_md5 else "",
        f"sha512 {entry_sha512}" if entry_sha512 else "",
    ]
    return ", ".join(p for p in parts if p)


def digest_rules(state: DeviceState, ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    running = running_paths(state)
    claimed = state.version.version if state.version else ""
    for image in verdicts(state, ctx.catalogue):
        name = basename(image.path)
        got = f"device digest md5 {image.md5 or '-'}" + (
            f", sha512 {image.sha512}" if image.sha512 else ""
        )
        verdict, entry = classify(ctx.catalogue, name, image.md5, image.sha512)
        listed = ctx.catalogue.get(name)
        if verdict == "mismatch" and entry:
            findings.append(
                HASH_MISMATCH.finding(
                    f"{image.path}: digest differs from the known-good digest",
                    [
                        f"{image.path}: {got}",
                        f"known-good {entry.filename}: {_expected(entry.md5, entry.sha512)}"
                        f" (source {entry.source or 'catalogue'})",
                        f"size {image.size}" if image.size is not None else "",
                    ],
                )
            )
        elif verdict == "other-release" and entry:
            lines = [
                f"{image.path}: {got}",
                f"this digest is known-good for {entry.filename}"
                f" (version {entry.version or '?'}, source {entry.source or 'catalogue'})",
            ]
            if listed:
                lines.append(
                    f"known-good {listed.filename}: {_expected(listed.md5, listed.sha512)}"
                )
            findings.append(
                HASH_OTHER_RELEASE.finding(
                    f"{image.path} is a known-good image of another file: {entry.filename}", lines
                )
            )
        elif verdict == "unknown":
            # The running image unknown means nothing vouches for what the device runs.
            findings.append(
                HASH_UNKNOWN.finding(
                    f"{image.path} is not in the known-good catalogue"
                    + (" (the running image)" if image.running else ""),
                    [f"{image.path}: {got}"],
                    severity="high" if image.running else None,
                )
            )
        elif (
            verdict == "match"
            and entry
            and entry.version
            and claimed
            and any(same_file(image.path, p) for p in running)
            and not same_version(entry.version, claimed)
        ):
            findings.append(
                HASH_OTHER_RELEASE.finding(
                    f"{image.path} is known-good for version {entry.version}, but the device "
                    f"says it runs {claimed}",
                    [
                        f"{image.path}: {got}",
                        f"catalogue: {entry.filename} = version {entry.version}",
                        *(state.version.evidence if state.version else ()),
                    ],
                )
            )
    return findings


RULES = (digest_rules,)
