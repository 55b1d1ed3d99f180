"""report.html in a real browser (headless Chromium): a lab sweep's page shows every device,
the counts and a critical finding's evidence, makes no request outside itself and raises no
script error; a hostile device's text stays text."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import ARTIFACTS, browser_page
from report_support import HOSTILE_HOST, HOSTILE_HOSTNAME, HOSTILE_IMAGE, hostile_run

from imagesweep.lab.fleet import demo_fleet_path, load_fleet
from imagesweep.lab.server import Lab
from imagesweep.report import html
from imagesweep.report.triage import natural_key
from imagesweep.sanitize import terminal


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def lab_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo fleet audited twice through the real CLI, with a history; the second run's
    directory (its page has a previous sweep to compare with)."""
    root = tmp_path_factory.mktemp("browser")
    with Lab(load_fleet(demo_fleet_path())) as lab:
        inventory = lab.write_inventory(root / "inventory")
        lab.write_catalogue(inventory / "known-good.csv")
        for run in ("first", "run"):
            args = [
                *(sys.executable, "-m", "imagesweep", "audit", "--inventory", str(inventory)),
                *("--out", str(root / run), "--known-hosts", str(root / "known_hosts")),
                *("--history", str(root / "history.sqlite"), "--quiet"),
                *("--digest-timeout", "30"),
            ]
            proc = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
            assert proc.returncode == 1, proc.stderr  # the demo fleet has findings
    yield root / "run"


def _open(page: Any, path: Path) -> float:
    started = time.monotonic()
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("body[data-ready]")
    return time.monotonic() - started


def test_lab_sweep_page_in_chromium(lab_run: Path) -> None:
    report = lab_run / html.REPORT_HTML
    assert report.is_file()
    devices = _rows(lab_run / "devices.csv")
    findings = _rows(lab_run / "findings.csv")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with browser_page() as (page, watch):
        seconds = _open(page, report)
        # Every device, once, in the table.
        hosts = page.eval_on_selector_all(
            "#devices tbody tr", "rows => rows.map(r => r.cells[0].textContent)"
        )
        assert sorted(hosts) == sorted(d["host"] for d in devices)
        # The counts.
        status = Counter(d["status"] for d in devices)
        for name in ("clean", "findings", "incomplete"):
            shown = page.text_content(f'[data-count="{name}"] .n')
            assert shown == str(status[name]), name
        tampered = sum(d["integrity"] == "tampered" for d in devices)
        assert page.text_content('[data-count="tampered"] .n') == str(tampered)
        assert page.text_content('[data-count="findings-total"] .n') == str(len(findings))
        # The previous sweep is there to compare with.
        assert page.locator("#changes h2").text_content() == "Changes since the previous sweep"
        changes = _rows(lab_run / "changes.csv")
        assert page.locator("#changes tbody tr").count() == len(changes)
        # Filter and sort.
        page.select_option("#severity-filter", "critical")
        critical_hosts = {d["host"] for d in devices if d["max_severity"] == "critical"}
        assert page.eval_on_selector_all("#devices tbody tr", "r => r.length") == len(
            critical_hosts
        )
        # A critical finding's evidence, through the device's details.
        critical = next(f for f in findings if f["severity"] == "critical")
        page.click(f'#devices tbody tr:has(td:text-is("{critical["host"]}"))')
        page.wait_for_selector(f'#detail[data-host="{critical["host"]}"]')
        box = page.locator(f'#detail .finding:has(strong.rule:text-is("{critical["rule"]}"))')
        evidence = box.first.locator(".evidence li").all_text_contents()
        assert " | ".join(evidence) == critical["evidence"]
        page.wait_for_selector('#detail[data-raw="ready"]')
        assert page.locator("#detail details summary").count() > 0  # raw outputs
        page.screenshot(path=str(ARTIFACTS / "report-lab-device.png"))
        page.select_option("#severity-filter", "")
        page.click('#devices th[data-key="h"]')
        first = page.text_content("#devices tbody tr:first-child td:first-child")
        assert first == sorted(hosts, key=natural_key)[0]
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / "report-lab.png"), full_page=True)
        ready_ms = int(page.evaluate("document.body.dataset.ready"))
    assert watch.errors == []
    assert watch.requests == [report.resolve().as_uri()]  # nothing but the file itself
    (ARTIFACTS / "report-lab.json").write_text(
        json.dumps(
            {
                "devices": len(devices),
                "bytes": report.stat().st_size,
                "open_seconds": round(seconds, 3),
                "script_ready_ms": ready_ms,
            }
        )
        + "\n"
    )


def test_hostile_device_cannot_run_script(tmp_path: Path) -> None:
    run = hostile_run(tmp_path / "run")
    report = run / html.REPORT_HTML
    html.write(run)
    with browser_page() as (page, watch):
        _open(page, report)
        title = page.title()
        page.click("#devices tbody tr:first-child")
        page.wait_for_selector('#detail[data-raw="ready"]')
        for d in page.locator("#detail details").all():
            d.evaluate("e => e.open = true")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-hostile.png"), full_page=True)
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert page.title() == title
        assert page.locator("#detail img, #detail svg, #detail script, #detail b").count() == 0
        assert page.text_content("#detail h2") == terminal(HOSTILE_HOST)
        text = page.text_content("#detail") or ""
        assert terminal(HOSTILE_HOSTNAME) in text and terminal(HOSTILE_IMAGE) in text
        assert "<script>window.pwned=1</script>" in text  # the raw output, as text
    assert watch.errors == []
    assert watch.requests == [report.resolve().as_uri()]
