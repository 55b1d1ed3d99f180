"""Append-only journal of finished devices (``journal.jsonl`` in the run directory).

Each device's capture is appended and fsynced as soon as it finishes, so a sweep killed at
any moment loses at most the devices still in flight: the reports can be rebuilt from the
journal and ``audit --resume`` audits only the hosts it does not hold. A torn last line (the
process died mid-write) is ignored; that host is simply audited again.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from imagesweep.errors import ConfigError
from imagesweep.files import open_append
from imagesweep.records import CommandRun, DeviceCapture, OffboxCopy, ReusedDigest
from imagesweep.report.schema import JOURNAL

NAME = JOURNAL


def to_json(capture: DeviceCapture) -> str:
    return json.dumps(asdict(capture), separators=(",", ":"))


def from_json(data: dict[str, Any]) -> DeviceCapture:
    fields = dict(data)
    fields["runs"] = tuple(CommandRun(**run) for run in fields.get("runs", ()))
    fields["notes"] = tuple(fields.get("notes", ()))
    fields["offbox"] = tuple(OffboxCopy(**copy) for copy in fields.get("offbox", ()))
    fields["reused"] = tuple(ReusedDigest(**r) for r in fields.get("reused", ()))
    return DeviceCapture(**fields)


class Journal:
    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / NAME
        self._lock = threading.Lock()

    def append(self, capture: DeviceCapture) -> None:
        line = to_json(capture) + "\n"
        with self._lock:
            fd = open_append(self.path)  # 0600: every device's raw output is in it
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)

    def read(self) -> dict[str, DeviceCapture]:
        """Host -> capture for every complete line (the last one wins for a host)."""
        if not self.path.exists():
            return {}
        done: dict[str, DeviceCapture] = {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot read the journal: {exc}") from exc
        for line in lines:
            try:
                capture = from_json(json.loads(line))
            except (ValueError, TypeError):
                continue  # a torn write from a killed sweep
            done[capture.host] = capture
        return done
