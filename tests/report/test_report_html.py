"""report.html: one self-contained page, device text escaped, size bounded."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from report_support import (
    HOSTILE_HOST,
    HOSTILE_HOSTNAME,
    HOSTILE_IMAGE,
    hostile_run,
    result,
    write_run,
)

from imagesweep.report import html, schema
from imagesweep.sanitize import safe_name, terminal


def _data(page: str) -> dict[str, object]:
    block = re.search(
        r'<script type="application/json" id="imagesweep-data">(.*?)</script>', page, re.S
    )
    assert block
    data: dict[str, object] = json.loads(block.group(1))
    return data


def test_hostile_text_cannot_become_markup(tmp_path: Path) -> None:
    page = html.build(hostile_run(tmp_path / "run")).text
    # Only the page's own two script elements; no element or attribute from a device.
    assert len(re.findall(r"<script", page, re.I)) == 2
    assert page.count("</script>") == 2
    block = re.search(r'id="imagesweep-data">(.*?)</script>', page, re.S)
    assert block
    # The data block holds no character that could end it or start markup...
    assert not set("<>&\u2028\u2029") & set(block.group(1))
    # ...and outside it no device text became an element or an attribute.
    markup = page.replace(block.group(1), "")
    for bad in ("<img", "<svg", "<b>", "\x1b", "\x07"):
        assert bad not in markup.replace("<svg xmlns", ""), bad  # pygal's charts aside
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+\s*=", markup, re.I)  # no event handler
    # ...yet the text is all there, to be read as text.
    data = _data(page)
    devices = data["devices"]
    assert isinstance(devices, list)
    hostile = next(d for d in devices if d["h"] == terminal(HOSTILE_HOST))
    assert hostile["n"] == terminal(HOSTILE_HOSTNAME)
    assert hostile["g"][0][0] == terminal(HOSTILE_IMAGE)
    assert any("</script>" in text for _cmd, text in html.unpack(hostile["o"]))


def test_page_allows_no_request_and_only_its_own_script(tmp_path: Path) -> None:
    page = html.build(hostile_run(tmp_path / "run")).text
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp and "default-src 'none'" in csp.group(1)
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", csp.group(1))
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//)""", page)
    assert "@import" not in page and "url(" not in page


def test_run_directory_gets_the_page_and_charts(tmp_path: Path) -> None:
    run = hostile_run(tmp_path / "run")
    page = html.write(run)
    text = (run / html.REPORT_HTML).read_text(encoding="utf-8")
    assert text == page.text and page.devices == 2 and page.raw_embedded == 2
    assert text.count("<svg") >= 4  # pygal's charts, inline
    assert "Devices by verdict" in text and "HASH_MISMATCH" in text
    assert 'data-count="tampered"><span class="n">1<' in text


def test_raw_budget_links_the_rest(tmp_path: Path) -> None:
    results = [result(f"r{i}", hostname=f"R{i}", image=f"flash:i{i}.bin") for i in range(5)]
    run = write_run(tmp_path / "run", results)
    page = html.build(run, raw_budget=600)
    assert 0 < page.raw_embedded < 5
    devices = _data(page.text)["devices"]
    assert isinstance(devices, list)
    assert [d["o"] is None for d in devices].count(True) == 5 - page.raw_embedded
    assert all((run / str(d["rd"])).is_file() for d in devices)  # the link goes to a file


def _device(page: html.Page, host: str) -> dict[str, Any]:
    devices = _data(page.text)["devices"]
    assert isinstance(devices, list)
    (device,) = [d for d in devices if d["h"] == host]
    assert isinstance(device, dict)
    return device


def _outputs(page: html.Page, host: str) -> list[list[str]]:
    return html.unpack(_device(page, host)["o"])


def test_raw_outputs_of_a_run_before_schema_2_are_still_shown(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", [result("r0", hostname="R0", image="flash:a.bin")])
    # What an older imagesweep wrote: raw/<host>/<command>.txt, a file per command.
    outputs = schema.read_raw(run, "r0")
    assert outputs
    (run / "raw" / "r0.txt").unlink()
    (run / "raw" / "r0").mkdir()
    for o in outputs:
        (run / "raw" / "r0" / f"{safe_name(o.command, limit=100)}.txt").write_text(o.text)
    document = json.loads((run / "sweep.json").read_text(encoding="utf-8"))
    (run / "sweep.json").write_text(json.dumps({**document, "schema": 1}), encoding="utf-8")
    page = html.build(run)
    assert _outputs(page, "r0") == [[o.command, terminal(o.text)] for o in outputs]
    assert _device(page, "r0")["rd"] == "raw/r0/"


def test_a_damaged_raw_file_is_said_where_its_outputs_would_be(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", [result("r0", hostname="R0", image="flash:a.bin")])
    path = run / "raw" / "r0.txt"
    path.write_text(path.read_text(encoding="utf-8")[:-5], encoding="utf-8")
    ((command, text),) = _outputs(html.build(run), "r0")
    assert command == "[imagesweep]" and text.startswith("raw outputs not shown: ")
    assert "r0.txt: damaged at character " in text


def test_changes_since_the_previous_sweep(tmp_path: Path) -> None:
    run = hostile_run(tmp_path / "run")
    assert 'id="changes"' not in html.build(run).text  # no history: no section
    (run / "changes.csv").write_text(
        "host,change,item,before,after\n"
        f'"{HOSTILE_HOST.replace(chr(34), chr(34) * 2)}",image-changed,flash:x.bin,md5:a,md5:b\n',
        encoding="utf-8",
    )
    page = html.build(run).text
    assert "Changes since the previous sweep" in page and "1 changes: image-changed 1" in page
    assert "<img" not in page.replace(_data_block(page), "")
    (run / "changes.csv").write_text("host,change,item,before,after\n", encoding="utf-8")
    assert "Nothing changed since the previous sweep." in html.build(run).text


def _data_block(page: str) -> str:
    block = re.search(r'id="imagesweep-data">(.*?)</script>', page, re.S)
    assert block
    return block.group(1)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imagesweep", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_report_command_rebuilds_and_exports(tmp_path: Path) -> None:
    run = hostile_run(tmp_path / "run")
    proc = _cli("report", str(run), "--jsonl", str(tmp_path / "events.jsonl"))
    assert proc.returncode == 0, proc.stderr
    assert (run / html.REPORT_HTML).is_file()
    assert len((tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    assert "events: 3 to" in proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "not an imagesweep run directory (no sweep.json)"),
        (("--siem", "http://h:1"), "scheme must be one of udp://, tcp://, tls://"),
        (("--siem", "udp://h:1", "--siem-ca", __file__), "--siem-ca is for tls:// targets only"),
    ],
)
def test_report_command_errors_are_one_line(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    run = tmp_path / "run"
    run.mkdir()
    if args:
        hostile_run(run)
    proc = _cli("report", str(run), *args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("imagesweep: error: ") and message in lines[0]
    assert not (run / html.REPORT_HTML).exists()


def test_a_missing_raw_file_is_said_where_its_outputs_would_be(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", [result("r0", hostname="R0", image="flash:a.bin")])
    (run / "raw" / "r0.txt").unlink()
    ((command, text),) = _outputs(html.build(run), "r0")
    assert command == "[imagesweep]"
    assert text == "raw outputs not shown: raw/r0.txt is missing, yet commands ran"
