"""A lab device whose file names carry markup, quotes, CEF and syslog metacharacters and
terminal escapes, audited over SSH through the CLI with --siem: the page keeps them as text
(in Chromium) and rsyslog receives well-framed CEF. (The lab refuses invalid IOS hostnames;
a hostile hostname is covered by report_support's run directories, which the real writers
write.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from browser_support import ARTIFACTS, browser_page
from syslog_support import parse_cef, rsyslog

from imagesweep.lab.fleet import demo_fleet_path, load_fleet
from imagesweep.lab.server import Lab
from imagesweep.report import html

IMAGE = "c2900-universalk9-mz.SPA.157-3.M8.bin"
HOSTILE = 'flash:</script><svg_onload="window.pwned=1">\'x=y\\z\x1b[31m.bin'
SHOWN = HOSTILE.replace("\x1b[31m", "")  # what the collector keeps: escapes stripped


def _fleet(path: Path) -> Path:
    demo = yaml.safe_load(demo_fleet_path().read_text(encoding="utf-8"))
    device = {
        "name": "evil",
        "persona": "ios_router",
        "hostname": "EVIL",
        "version": "15.7(3)M8",
        "running_image": f"flash:{IMAGE}",
        "boot": [f"flash:{IMAGE}"],
        "files": [
            {"path": f"flash:{IMAGE}", "image": IMAGE, "patched": True},
            {"path": HOSTILE, "image": IMAGE},
        ],
    }
    fleet = {"defaults": demo["defaults"], "images": {IMAGE: demo["images"][IMAGE]}}
    path.write_text(yaml.safe_dump({**fleet, "devices": [device]}), encoding="utf-8")
    return path


def test_hostile_file_names_from_a_lab_device(tmp_path: Path) -> None:
    run = tmp_path / "run"
    with (
        rsyslog(tmp_path / "rsyslog") as receiver,
        Lab(load_fleet(_fleet(tmp_path / "f.yaml"))) as lab,
    ):
        inventory = lab.write_inventory(tmp_path / "inventory")
        lab.write_catalogue(inventory / "known-good.csv")
        args = [
            *("audit", "--inventory", str(inventory), "--out", str(run), "--no-history"),
            *("--known-hosts", str(tmp_path / "kh"), "--quiet"),
            *("--siem", f"udp://127.0.0.1:{receiver.udp}"),
        ]
        proc = subprocess.run(
            [sys.executable, "-m", "imagesweep", *args],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 1, proc.stderr
        sweep = (run / "sweep.json").read_text(encoding="utf-8")
        findings = sweep.count('"rule":')
        got = receiver.wait_for(findings + 1)
    assert len(got) == findings + 1  # nothing split, nothing joined
    names = set()
    for message in got:
        header, ext = parse_cef(message["msg"])
        assert header[0] == "CEF:0" and ext["deviceExternalId"] == "evil"
        names.add(ext.get("fname", ""))
    assert SHOWN in names  # the hostile file name, whole, as one value

    report = run / html.REPORT_HTML
    with browser_page() as (page, watch):
        page.goto(report.resolve().as_uri())
        page.wait_for_selector("body[data-ready]")
        page.click("#devices tbody tr:first-child")
        page.wait_for_selector('#detail[data-raw="ready"]')
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-hostile-lab.png"), full_page=True)
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert page.locator("svg[onload], #detail svg, #detail script").count() == 0
        paths = page.locator("#detail table.images td.mono").all_text_contents()
        assert SHOWN in paths
    assert watch.errors == []
    assert watch.requests == [report.resolve().as_uri()]
