"""Benchmark: report.html's size, build time and render time in headless Chromium.

    python benchmarks/report_size.py [--devices 1000 10000] [--run DIR ...] [--no-browser]

First the demo fleet is audited in the lab (real SSH; its own report is measured too). Then
for each ``--devices N`` a synthetic run directory is made from the demo's records: the 42
demo devices repeated under new host names (their findings, evidence, images and raw outputs
as the sweep wrote them), so the mix of clean, tampered and incomplete devices is the demo's.
Printed per run: devices, report.html bytes, devices whose raw outputs are embedded, build
seconds, and with a browser the seconds until the page's table is rendered (navigation to
``body[data-ready]``) and the script's own figure (``performance.now()`` when it finished).
``--run DIR`` measures the page of a real run directory too (e.g. one that
``benchmarks/scale_incomplete.py --keep`` left of a 1,000-device lab sweep).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from imagesweep.baseline.context import Policy
from imagesweep.collect.settings import CollectSettings
from imagesweep.lab.fleet import demo_fleet_path, load_fleet
from imagesweep.lab.server import Lab
from imagesweep.report import html, schema
from imagesweep.sweep.run import AuditOptions, run_audit


def demo_run(root: Path) -> Path:
    run = root / "demo"
    with Lab(load_fleet(demo_fleet_path())) as lab:
        inventory = lab.write_inventory(root / "inventory")
        lab.write_catalogue(inventory / "known-good.csv")
        run_audit(
            AuditOptions(
                inventory=inventory,
                out=run,
                known_good=inventory / "known-good.csv",
                settings=CollectSettings(
                    command_timeout=20, digest_timeout=30, known_hosts=root / "known_hosts"
                ),
                policy=Policy(),
            )
        )
    return run


def synthetic(demo: Path, out: Path, devices: int) -> Path:
    """``devices`` devices made of the demo's, renamed, with their raw outputs."""
    document = json.loads((demo / schema.SWEEP_JSON).read_text(encoding="utf-8"))
    templates = document["devices"]
    made = []
    for n in range(devices):
        entry = dict(templates[n % len(templates)])
        old = entry["host"]
        entry["host"] = f"{old}-{n:05d}"
        made.append(entry)
        outputs = schema.read_raw(demo, old)
        if outputs:
            (out / schema.RAW_DIR).mkdir(parents=True, exist_ok=True)
            target = out / schema.RAW_DIR / schema.raw_name(entry["host"])
            with target.open("w", encoding="utf-8", newline="") as handle:
                handle.writelines(schema.raw_document(entry["host"], outputs))
    order = {h: i for i, h in enumerate(d["host"] for d in templates)}
    made.sort(key=lambda d: (order[d["host"].rsplit("-", 1)[0]], d["host"]))  # worst first
    document["devices"] = made
    out.mkdir(parents=True, exist_ok=True)
    (out / schema.SWEEP_JSON).write_text(json.dumps(document), encoding="utf-8")
    return out


def render_seconds(report: Path) -> tuple[float, int]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "chromium"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        started = time.monotonic()
        page.goto(report.resolve().as_uri(), timeout=300_000)
        page.wait_for_selector("body[data-ready]", timeout=300_000)
        seconds = time.monotonic() - started
        ready = int(page.evaluate("document.body.dataset.ready"))
        browser.close()
    return seconds, ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--run", type=Path, nargs="*", default=[], help="real run directories")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="imagesweep-report-") as tmp:
        root = Path(tmp)
        demo = demo_run(root)
        runs = [("demo (lab sweep)", demo)]
        runs += [(f"synthetic {n}", synthetic(demo, root / f"s{n}", n)) for n in args.devices]
        runs += [(f"lab sweep {run.name}", run) for run in args.run]
        print("| run | devices | report.html | raw embedded | build s | open s | script ms |")
        print("|---|---|---|---|---|---|---|")
        for label, run in runs:
            started = time.monotonic()
            page = html.write(run)
            built = time.monotonic() - started
            size = (run / html.REPORT_HTML).stat().st_size
            opened, ready = (0.0, 0) if args.no_browser else render_seconds(run / "report.html")
            print(
                f"| {label} | {page.devices} | {size / 1e6:.2f} MB | {page.raw_embedded} | "
                f"{built:.2f} | {opened:.2f} | {ready} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
