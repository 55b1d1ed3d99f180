"""Every bad input of issue 14 item 5, through the real command line: one line, exit 2.

Tests run as root, which ignores file modes; an output path under a regular file
(``afile/sub``) fails for root too (ENOTDIR), so that is the unwritable place used here.
"""

from __future__ import annotations

import csv
import gzip
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

MD5 = "a" * 32


def run(
    *args: str, cwd: Path, stdin: int | None = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imagesweep", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
        stdin=stdin,
        env={**os.environ, "IMAGESWEEP_USERNAME": "", "IMAGESWEEP_PASSWORD": ""},
    )


def one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    """The single error line; asserts exit 2 and no traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("imagesweep: error:")]
    assert len(errors) == 1, proc.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


@pytest.fixture
def blocker(tmp_path: Path) -> Path:
    """A regular file: anything under it cannot be created, even by root."""
    path = tmp_path / "afile"
    path.write_text("not a directory\n")
    return path


# --- catalogue encodings -------------------------------------------------------------------

HEADER = "filename,md5,sha512,platform,version,source\n"


def test_cp1252_catalogue_names_line_and_byte(tmp_path: Path) -> None:
    body = HEADER + f"x.bin,{MD5},,cisco_xe,17.3,Zürich\n"
    (tmp_path / "kg.csv").write_bytes(body.encode("cp1252"))
    offset = body.encode("cp1252").index("ü".encode("cp1252"))
    image = tmp_path / "y.bin"
    image.write_bytes(b"y")
    proc = run("known-good", "add", "--catalogue", "kg.csv", "y.bin", cwd=tmp_path)
    one_line_error(proc, "kg.csv:2:", f"byte {offset} (0xfc)", "UTF-8")


def test_utf16_and_binary_catalogues(tmp_path: Path) -> None:
    (tmp_path / "u16.csv").write_text(HEADER, encoding="utf-16")
    (tmp_path / "bin.csv").write_bytes(random.Random(1).randbytes(4000))
    (tmp_path / "y.bin").write_bytes(b"y")
    one_line_error(
        run("known-good", "add", "--catalogue", "u16.csv", "y.bin", cwd=tmp_path),
        "u16.csv:1:",
        "UTF-16",
    )
    one_line_error(
        run("known-good", "add", "--catalogue", "bin.csv", "y.bin", cwd=tmp_path), "bin.csv:"
    )


def test_utf8_with_bom_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "kg.csv").write_bytes(("\ufeff" + HEADER + f"x.bin,{MD5},,,,Zürich\n").encode())
    (tmp_path / "y.bin").write_bytes(b"y")
    proc = run("known-good", "add", "--catalogue", "kg.csv", "y.bin", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader((tmp_path / "kg.csv").open(encoding="utf-8")))
    assert [r["filename"] for r in rows] == ["x.bin", "y.bin"]
    assert rows[0]["source"] == "Zürich"


# --- known-good add --------------------------------------------------------------------------


def test_known_good_add_dedupes_and_reads_the_name(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    image = tmp_path / "cat9k_iosxe.17.09.04a.SPA.bin"
    image.write_bytes(b"image" * 100)
    nxos = tmp_path / "nxos.9.3.8.bin"
    nxos.write_bytes(b"nx")
    for _ in range(2):
        proc = run(
            "known-good", "add", "--catalogue", "kg.csv", image.name, nxos.name, cwd=tmp_path
        )
        assert proc.returncode == 0, proc.stderr
    assert "already listed with the same digests" in proc.stdout
    rows = list(csv.DictReader((tmp_path / "kg.csv").open(encoding="utf-8")))
    assert [(r["filename"], r["platform"], r["version"]) for r in rows] == [
        (image.name, "cisco_xe", "17.9.4a"),
        (nxos.name, "cisco_nxos", "9.3(8)"),
    ]
    assert (tmp_path / "kg.csv").stat().st_mode & 0o777 == 0o600
    # The user's own directory is left as it was; only what imagesweep creates is private.
    assert tmp_path.stat().st_mode & 0o777 == 0o755
    # An alias is stored under its canonical key.
    other = tmp_path / "c2900-universalk9-mz.SPA.157-3.M4.bin"
    other.write_bytes(b"ios")
    proc = run(
        "known-good", "add", "--catalogue", "kg.csv", "--platform", "ios", other.name, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader((tmp_path / "kg.csv").open(encoding="utf-8")))
    assert rows[-1]["platform"] == "cisco_ios"
    assert rows[-1]["version"] == "15.7(3)M4"


def test_known_good_add_refuses_bad_platform_and_missing_directory(tmp_path: Path) -> None:
    (tmp_path / "y.bin").write_bytes(b"y")
    one_line_error(
        run(
            "known-good",
            "add",
            "--platform",
            "bogus_os",
            "--catalogue",
            "kg.csv",
            "y.bin",
            cwd=tmp_path,
        ),
        "unknown platform 'bogus_os'",
    )
    assert not (tmp_path / "kg.csv").exists()
    one_line_error(
        run("known-good", "add", "--catalogue", "no/such/kg.csv", "y.bin", cwd=tmp_path),
        "no/such",
        "no such directory",
    )
    assert not (tmp_path / "no").exists()


def test_ask_pass_without_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "inv").mkdir()
    proc = run("audit", "--inventory", "inv", "--ask-pass", cwd=tmp_path)
    one_line_error(proc, "--ask-pass needs a terminal")


# --- unwritable outputs, every subcommand -------------------------------------------------------


def test_unwritable_outputs(tmp_path: Path, blocker: Path) -> None:
    log = tmp_path / "ok.log"
    log.write_text("Mar  3 14:02:11 r1 %SYS-5-CONFIG_I: Configured from console\n")
    (tmp_path / "y.bin").write_bytes(b"y")
    cases = [
        ("hunt", "--out", "afile/sub", str(log)),
        ("known-good", "add", "--catalogue", "afile/kg.csv", "y.bin"),
        ("syslog-sample", "afile/x.log", "--lines", "10"),
        ("demo", "--out", "afile/sub"),
        ("lab", "--inventory-out", "afile/sub"),
    ]
    for args in cases:
        one_line_error(run(*args, cwd=tmp_path), "afile")


# --- hunt inputs -------------------------------------------------------------------------------


def _log_lines(n: int) -> bytes:
    return "".join(
        f"Mar  3 14:{i // 60 % 60:02d}:{i % 60:02d} r{i % 7} %SYS-5-CONFIG_I: line {i}\n"
        for i in range(n)
    ).encode()


def test_truncated_and_garbage_hunt_inputs(tmp_path: Path) -> None:
    packed = gzip.compress(_log_lines(100_000))
    (tmp_path / "cut.gz").write_bytes(packed[: len(packed) // 2])
    (tmp_path / "small.gz").write_bytes(packed[:1536])
    (tmp_path / "garbage.bin").write_bytes(random.Random(7).randbytes(20_000))
    for name in ("cut.gz", "small.gz"):
        proc = run("hunt", "--out", "out", name, cwd=tmp_path)
        line = one_line_error(proc, name, "truncated", "after line")
        read = int(line.split("after line ")[1].split()[0].replace(",", ""))
        assert 0 < read < 100_000
        # The summary counts the lines really read, not 0.
        assert proc.stdout.startswith(f"{read:,} lines in 1 file")
    one_line_error(
        run("hunt", "--out", "out", "garbage.bin", cwd=tmp_path), "garbage.bin", "binary"
    )
    whole = tmp_path / "whole.gz"
    whole.write_bytes(packed)
    proc = run("hunt", "--out", "out", "whole.gz", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("100,000 lines in 1 file")


def test_maintenance_typo_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "ok.log").write_text("Mar  3 14:02:11 r1 %SYS-5-CONFIG_I: Configured\n")
    (tmp_path / "m.yaml").write_text(
        "window:\n  - {group: '*', start: 2024-01-01T00:00:00Z, end: 2024-01-02T00:00:00Z}\n"
    )
    proc = run("hunt", "--maintenance", "m.yaml", "--out", "o", "ok.log", cwd=tmp_path)
    one_line_error(proc, "m.yaml", "unknown key(s) window")


def test_exports_carry_the_suppressions_or_say_so(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        "windows:\n  - {group: '*', start: 2024-01-01T00:00:00Z, end: 2024-01-02T00:00:00Z}\n"
        "automation_users: [svc-ansible]\n"
    )
    args = (
        "hunt",
        "--automation-user",
        "svc-Bot",
        "--audit-user",
        "auditor",
        "--maintenance",
        "m.yaml",
    )
    kql = run(*args, "--export", "kql", cwd=tmp_path)
    assert kql.returncode == 0, kql.stderr
    assert '| where not(ExtractedUser in~ ("svc-ansible", "svc-bot"))' in kql.stdout
    assert 'ExtractedUser =~ "auditor" and ExtractedCommand matches regex' in kql.stdout
    assert "NOT carried into this query" in kql.stdout and "1 maintenance window" in kql.stdout
    # The suppressions come before the projection, so they act on the extracted columns.
    assert kql.stdout.index("not(ExtractedUser") < kql.stdout.index("| project")
    sigma = run(*args, "--export", "sigma", cwd=tmp_path)
    assert sigma.returncode == 0, sigma.stderr
    text = " ".join(sigma.stdout.split())
    assert "NOT carried into this rule" in text and "svc-bot" in text and "auditor" in text
    plain = run("hunt", "--export", "kql", cwd=tmp_path)
    assert "not(ExtractedUser" not in plain.stdout and "NOT carried" not in plain.stdout


# --- inventory keys -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        (
            "hosts.yaml",
            "r1:\n  hostname: 127.0.0.1\n  plaform: cisco_ios\n",
            "unknown key(s) plaform",
        ),
        (
            "hosts.yaml",
            "r1:\n  hostname: 127.0.0.1\n  platform: cisco_ios\n"
            "  connection_options:\n    netmiko:\n      extra: {secret: x}\n",
            "unknown key(s) extra",
        ),
        ("groups.yaml", "core:\n  plataform: cisco_ios\n", "unknown key(s) plataform"),
        ("defaults.yaml", "usename: admin\n", "unknown key(s) usename"),
    ],
)
def test_inventory_unknown_keys(tmp_path: Path, name: str, text: str, needle: str) -> None:
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "hosts.yaml").write_text("r1:\n  hostname: 127.0.0.1\n  platform: cisco_ios\n")
    (inv / "known-good.csv").write_text(HEADER + f"x.bin,{MD5},,cisco_ios,15.7,t\n")
    (inv / name).write_text(text)
    proc = run("audit", "--inventory", "inv", "--out", "run", cwd=tmp_path)
    one_line_error(proc, name, needle)
