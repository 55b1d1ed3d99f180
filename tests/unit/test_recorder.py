"""The sweep's recorder (sweep/run.py) on Nornir's real result objects: what it keeps of a
finished host, and what it leaves to Nornir's runner."""

from __future__ import annotations

import json
from pathlib import Path

from nornir.core.inventory import Host
from nornir.core.task import MultiResult, Result

from imagesweep.analyze.rules import Context
from imagesweep.records import CommandRun, DeviceCapture
from imagesweep.sweep.journal import Journal
from imagesweep.sweep.run import _Recorder

VERSION = (
    Path(__file__).resolve().parents[1] / "parse/cases/cisco_ios/version/cisco_ios_show_version.raw"
)


def test_a_recorded_host_leaves_no_capture_in_nornir_s_results(tmp_path: Path) -> None:
    """Nornir's threaded runner holds every host's result until the whole run ends; a
    capture left there carries all of the device's outputs to the end of the sweep."""
    version = VERSION.read_text(encoding="utf-8")
    capture = DeviceCapture(
        host="r1",
        address="127.0.0.1",
        platform="cisco_ios",
        runs=(CommandRun("version", "show version", version),),
        error="the device closed the session",
        error_step="boot",
    )
    host = Host(name="r1", hostname="127.0.0.1", platform="cisco_ios")
    result = MultiResult("collect_task")
    result.append(Result(host=host, result=capture))
    recorder = _Recorder(tmp_path, Journal(tmp_path), Context(), None)

    recorder.task_instance_completed(None, host, result)  # type: ignore[arg-type]

    assert [r.result for r in result] == [None]
    (line,) = (tmp_path / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["runs"][0]["output"] == version  # recorded whole first
    assert recorder.results["r1"].status == "incomplete"
    assert recorder.results["r1"].state is not None
    assert recorder.results["r1"].state.version is not None  # judged from the output
