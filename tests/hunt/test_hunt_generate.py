"""The fleet log generator: deterministic, parseable, and its injected events are found."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from imagesweep.hunt import generate, tuning
from imagesweep.hunt.hits import find_hits
from imagesweep.hunt.indicators import Indicators, matcher_for
from imagesweep.hunt.readers import FileStats, read
from imagesweep.hunt.timestamps import TimeContext

START = datetime(2024, 3, 3, tzinfo=UTC)


def _text(**kw: object) -> str:
    buf = io.StringIO()
    generate.generate(buf, lines=2000, start=START, **kw)  # type: ignore[arg-type]
    return buf.getvalue()


def test_same_seed_same_file() -> None:
    assert _text(seed=3) == _text(seed=3)
    assert _text(seed=3) != _text(seed=4)


@pytest.mark.parametrize("fmt", ["rfc3164", "rfc5424"])
def test_every_line_parses(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "f.log"
    path.write_text(_text(fmt=fmt), encoding="utf-8")
    stats = FileStats(source=str(path))
    events = list(read(path, stats=stats, ctx=TimeContext(year=2024)))
    assert (stats.lines, stats.unparsed, len(events)) == (2000, 0, 2000)
    assert {e.device[:2] for e in events} >= {"rt", "sw", "nx", "xr", "mx", "fw"}
    assert events[-1].time is not None and events[-1].time < START + timedelta(hours=24)


def test_injected_events_are_found_and_tuned(tmp_path: Path, ind: Indicators) -> None:
    log = generate.write(tmp_path / "fleet.log.gz", lines=5000, start=START, malformed=3)
    labels = [i.label for i in log.injected]
    assert labels.count("atomic-transfer") == labels.count("atomic-boot") == 1
    result = find_hits([log.path], indicators=ind, ctx=TimeContext(year=2024))
    assert result.unparsed == 3
    hit_lines = {h.event.line for h in result.hits}
    assert {i.line for i in log.injected} == hit_lines  # noise alone never matches
    maint = tmp_path / "maint.yaml"
    maint.write_text(generate.maintenance_yaml(log), encoding="utf-8")
    settings = tuning.combine(
        tuning.load_maintenance(maint), tuning.Tuning(audit_user="imagesweep")
    )
    tuned = tuning.apply(result.hits, settings, matcher_for(ind))
    standing = {h.event.line for h in tuned if not h.is_suppressed}
    expected = {
        i.line
        for i in log.injected
        if i.label in ("atomic-transfer", "atomic-boot", "resilience", "junos-add")
    }
    assert standing == expected


def test_small_files_keep_the_atomic_events() -> None:
    buf = io.StringIO()
    _, injected, _ = generate.generate(buf, lines=20, start=START)
    assert {"atomic-transfer", "atomic-boot"} <= {i.label for i in injected}
    assert len(buf.getvalue().splitlines()) == 20
