"""Run directories for the report tests: written by the real writers from made-up results,
with a device whose every field is hostile."""

from __future__ import annotations

from pathlib import Path

from imagesweep.records import (
    CommandRun,
    DeviceCapture,
    DeviceResult,
    DeviceState,
    Finding,
    ImageVerdict,
    VersionInfo,
)
from imagesweep.report.writers import write_raw, write_reports

STAMP = "2026-12-01T02:00:00+00:00"
# Each payload would set window.pwned if the page ran it.
SCRIPT = "<script>window.pwned=1</script>"
HOSTILE_HOST = f'r666"><img src=x onerror="window.pwned=2">{SCRIPT}'
HOSTILE_HOSTNAME = f"EVIL'\"<b>&amp;\x1b[31m{SCRIPT}\u2028|CEF=x\\"
HOSTILE_IMAGE = 'flash:</script><svg onload="window.pwned=3">\x1b]0;t\x07|a=b\\c\nd.bin'
HOSTILE_OUTPUT = f"Cisco IOS Software\n</script>{SCRIPT}\n<!-- -->]]>\x1b[2J\n"


def result(
    host: str,
    *,
    hostname: str,
    image: str,
    severity: str = "critical",
    rule: str = "HASH_MISMATCH",
    output: str = "Cisco IOS Software, Version 15.7(3)M8\n",
    md5: str = "0123456789abcdef0123456789abcdef",
) -> DeviceResult:
    version = VersionInfo(
        version="15.7(3)M8", running_image=image, hostname=hostname, model="C2911", serial="X1"
    )
    capture = DeviceCapture(
        host=host,
        address="127.0.0.1:2201",
        platform="cisco_ios",
        runs=(
            CommandRun("version", "show version", output),
            CommandRun("digest", f"verify /md5 {image}", f"verify /md5 ({image}) = {md5}\n"),
        ),
        started_at=STAMP,
    )
    findings = (
        (
            Finding(
                rule,
                severity,  # type: ignore[arg-type]
                f"{image}: digest differs from the known-good digest",
                (f"verify /md5 {image}: device digest md5 {md5}", f"hostname {hostname}"),
                "Treat the device as compromised.",
                "T1601.001",
            ),
        )
        if rule
        else ()
    )
    return DeviceResult(
        host=host,
        address="127.0.0.1:2201",
        platform="cisco_ios",
        status="findings" if findings else "clean",
        hash_status="mismatch" if findings else "match",
        findings=findings,
        images=(
            ImageVerdict(
                image,
                1234,
                True,
                True,
                md5,
                "",
                "mismatch" if findings else "yes",
                "mismatch" if findings else "match",
            ),
        ),
        state=DeviceState(host=host, platform="cisco_ios", version=version),
        capture=capture,
        audited_at=STAMP,
        integrity="tampered" if findings else "verified",
    )


def hostile() -> DeviceResult:
    return result(
        HOSTILE_HOST, hostname=HOSTILE_HOSTNAME, image=HOSTILE_IMAGE, output=HOSTILE_OUTPUT
    )


def write_run(run_dir: Path, results: list[DeviceResult]) -> Path:
    run_dir.mkdir(parents=True, exist_ok=True)
    for r in results:
        assert r.capture is not None
        write_raw(run_dir, r.capture)
    write_reports(
        run_dir,
        results,
        options={"known_good": None},
        timings={},
        started_at=STAMP,
        finished_at=STAMP,
    )
    return run_dir


def hostile_run(run_dir: Path) -> Path:
    clean = result("r1", hostname="R1", image="flash:c2900.bin", rule="")
    return write_run(run_dir, [hostile(), clean])
