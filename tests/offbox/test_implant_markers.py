"""IMPLANT_MARKERS: published indicators as data, matched over every collected output."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagesweep.analyze.rules import RULE_IDS, Context, analyze
from imagesweep.baseline.indicators import Indicator, load, load_all, packaged_path
from imagesweep.errors import ConfigError
from imagesweep.records import DeviceState

MARK = Indicator("t1", "GET /evil-module", "a test publication")


def state(*outputs: tuple[str, str]) -> DeviceState:
    return DeviceState(host="r1", platform="cisco_ios", outputs=outputs)


def test_marker_fires_with_command_line_and_source() -> None:
    found = analyze(
        state(("show version", "ok"), ("show log", "a\nx GET /evil-module y\nb")),
        Context(indicators=(MARK,)),
    )
    (finding,) = [f for f in found if f.rule == "IMPLANT_MARKERS"]
    assert finding.severity == "critical"
    assert finding.evidence[0] == "'show log': x GET /evil-module y"
    assert "a test publication" in finding.evidence[-1]
    assert "IMPLANT_MARKERS" in RULE_IDS


def test_no_marker_no_finding_and_case_matters() -> None:
    ctx = Context(indicators=(MARK,))
    assert not [
        f
        for f in analyze(state(("show log", "get /EVIL-module")), ctx)
        if f.rule == "IMPLANT_MARKERS"
    ]


def test_packaged_file_loads_and_user_file_is_strict(tmp_path: Path) -> None:
    packaged = load(packaged_path())
    assert "Apache/2.2.17 (Ubuntu)" in {i.text for i in packaged}
    assert all("SYNful Knock" in i.source for i in packaged)
    good = tmp_path / "m.yaml"
    good.write_text("indicators:\n  - {id: a, text: x, source: s}\n", encoding="utf-8")
    assert load_all(good)[-1] == Indicator("a", "x", "s")
    bad = tmp_path / "bad.yaml"
    bad.write_text("indicators:\n  - {id: a, text: x}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="source"):
        load(bad)


def test_packaged_synful_knock_strings_fire_on_collected_output() -> None:
    ctx = Context(indicators=load(packaged_path()))
    reply = "HTTP/1.1 200 OK\r\nServer: Apache/2.2.17 (Ubuntu)\r\n"
    found = [f for f in analyze(state(("more flash:x", reply)), ctx) if f.rule == "IMPLANT_MARKERS"]
    assert [f.summary for f in found] == [
        "published implant indicator synful-knock-server-header in the device's output"
    ]
    clean = state(("show version", "Cisco IOS Software, C2900 Software, Version 15.7(3)M8"))
    assert not [f for f in analyze(clean, ctx) if f.rule == "IMPLANT_MARKERS"]
