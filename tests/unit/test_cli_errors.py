"""Bad input from the user: one line naming the file (and line), exit status 2, no traceback;
``--debug`` shows the traceback instead. The real CLI, as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HOST = "r1:\n  hostname: 127.0.0.1\n  port: 1\n  platform: cisco_ios\n"
CREDS = "username: u\npassword: p\n"
CATALOGUE = "filename,md5,sha512,platform,version,source\n"


def imagesweep(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMAGESWEEP_")}
    return subprocess.run(
        [sys.executable, "-m", "imagesweep", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def inventory(tmp_path: Path, hosts: str, defaults: str = CREDS) -> Path:
    directory = tmp_path / "inv"
    directory.mkdir(exist_ok=True)
    (directory / "hosts.yaml").write_text(hosts, encoding="utf-8")
    (directory / "defaults.yaml").write_text(defaults, encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("hosts", "defaults", "catalogue", "expected"),
    [
        ("r1: [unclosed\n", CREDS, None, "hosts.yaml:2: "),
        (
            "r1: {hostname: a, platform: cisco_ios}\nr1: {hostname: b, platform: cisco_ios}\n",
            CREDS,
            None,
            "hosts.yaml:2: duplicate key 'r1'",
        ),
        ("r1: {hostname: a, platform: foo_os}\n", CREDS, None, "unsupported platform 'foo_os'"),
        (HOST, "", None, "no username/password for r1"),
        (HOST, CREDS, "absent.csv", "absent.csv: cannot read the catalogue"),
        (HOST, CREDS, CATALOGUE + "x.bin,zz,,,,\n", "known-good.csv:2: x.bin: md5 is not a hex"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    tmp_path: Path, hosts: str, defaults: str, catalogue: str | None, expected: str
) -> None:
    args = [
        "audit",
        "--inventory",
        str(inventory(tmp_path, hosts, defaults)),
        "--out",
        str(tmp_path / "run"),
        "--quiet",
    ]
    if catalogue is not None:
        path = tmp_path / "known-good.csv"
        if catalogue != "absent.csv":
            path.write_text(catalogue, encoding="utf-8")
        else:
            path = tmp_path / "absent.csv"
        args += ["--known-good", str(path)]
    proc = imagesweep(*args)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("imagesweep: error: ")
    assert expected in lines[0]
    assert "Traceback" not in proc.stderr


def test_output_directory_not_writable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    proc = imagesweep(
        "audit",
        "--inventory",
        str(inventory(tmp_path, HOST)),
        "--out",
        str(blocker / "run"),
        "--quiet",
    )
    assert proc.returncode == 2
    assert "output directory not writable" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    proc = imagesweep(
        "--debug",
        "audit",
        "--inventory",
        str(inventory(tmp_path, "r1: {hostname: a, platform: foo_os}\n")),
        "--out",
        str(tmp_path / "run"),
    )
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr and "ConfigError" in proc.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    proc = imagesweep("audit", "--workers", "0", "--inventory", str(tmp_path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_a_run_directory_is_not_reused_silently(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "journal.jsonl").write_text("", encoding="utf-8")
    proc = imagesweep(
        "audit", "--inventory", str(inventory(tmp_path, HOST)), "--out", str(run), "--quiet"
    )
    assert proc.returncode == 2
    assert "already holds a sweep; continue it with --resume" in proc.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--accept-unverifiable", "bogus"], "unknown platform 'bogus'"),
        (["--policy", "POLICY"], "accept_unverifiable: unknown platform 'bogus'"),
    ],
)
def test_unknown_platform_names_are_usage_errors(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("accept_unverifiable: [bogus]\n", encoding="utf-8")
    args = [str(policy) if a == "POLICY" else a for a in args]
    inv = inventory(tmp_path, HOST)
    proc = imagesweep("audit", "--inventory", str(inv), "--out", str(tmp_path / "r"), *args)
    assert proc.returncode == 2, proc.stderr
    assert expected in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_platform_aliases_reach_one_canonical_name() -> None:
    from imagesweep.platforms import ALIASES, canonical, profiles

    for alias, key in ALIASES.items():
        assert canonical(alias) == canonical(alias.upper()) == key
    for key in profiles():
        assert canonical(key) == key
    assert canonical("paloalto") == canonical("panos") == "paloalto_panos"
