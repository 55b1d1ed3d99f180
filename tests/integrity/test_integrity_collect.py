"""The collector's side of signed evidence: one fresh nonce per device in every signed
command (and in the run's target), busy answers resent a bounded number of times, and the
platform without the commands left as data."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from imagesweep.analyze.state import build_state
from imagesweep.collect import task
from imagesweep.collect.channel import Reply
from imagesweep.collect.settings import CollectSettings
from imagesweep.platforms import Step, profile
from imagesweep.records import DeviceCapture

BUSY = "% Please Try After Few Seconds\n"


class Script:
    """A device that answers each command from a function; records what it was sent."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.sent: list[str] = []

    def __call__(self, conn: Any, command: str, *, timeout: float, max_chars: int) -> Reply:
        self.sent.append(command)
        return Reply(self.answer(command, len([c for c in self.sent if c == command])))


def _plan_only(prof: Any, steps: tuple[Step, ...]) -> Any:
    return replace(prof, steps={s: prof.steps[s] for s in steps}, digest={})


def run(monkeypatch: pytest.MonkeyPatch, answer: Any, **settings: Any) -> Script:
    script = Script(answer)
    monkeypatch.setattr(task, "exchange", script)
    monkeypatch.setattr(task.time, "sleep", lambda s: None)
    prof = _plan_only(profile("cisco_xe"), (Step.INTEGRITY, Step.SUDI, Step.COMPLIANCE))
    runs, error, _ = task.run_plan(object(), prof, CollectSettings(**settings))
    assert not error
    script.runs = runs  # type: ignore[attr-defined]
    return script


def _signed_gaps(state: Any) -> list[Any]:
    return [g for g in state.gaps if g.step in ("integrity", "sudi", "compliance")]


def test_one_fresh_nonce_per_device_in_every_signed_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = run(monkeypatch, lambda c, n: "% Invalid input detected at '^' marker.\n")
    second = run(monkeypatch, lambda c, n: "% Invalid input detected at '^' marker.\n")
    nonces = {re.search(r"nonce (\d+)$", c).group(1) for c in first.sent}  # type: ignore[union-attr]
    assert len(nonces) == 1
    (nonce,) = nonces
    assert 0 <= int(nonce) < 1 << 64
    assert all(r.target == nonce for r in first.runs)  # type: ignore[attr-defined]
    assert nonce not in " ".join(second.sent)
    # both alternatives of each step were tried
    assert any(c.startswith("show platform integrity sign nonce") for c in first.sent)
    assert any(c.startswith("show system integrity all measurement nonce") for c in first.sent)


def test_busy_is_resent_then_kept_as_evidence(monkeypatch: pytest.MonkeyPatch) -> None:
    script = run(monkeypatch, lambda c, n: BUSY, busy_retries=2)
    measured = [c for c in script.sent if c.startswith("show platform integrity")]
    assert len(measured) == 3  # the first try and two more
    capture = DeviceCapture("r1", "r1", "cisco_xe", runs=tuple(script.runs))  # type: ignore[attr-defined]
    state = build_state(capture)
    assert state.measurements and "Please Try After Few Seconds" in state.measurements[0].error
    assert not _signed_gaps(state)  # optional steps: data, not a gap


def test_busy_once_then_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    corpus = Path(__file__).resolve().parents[2].parent / "shared/corpus/bootintegrity"
    output = (corpus / "device-output/isr4k_show_plat_int_sign_nonce.txt").read_text()
    body = output.split("\n", 1)[1]

    def answer(command: str, n: int) -> str:
        if command.startswith("show platform integrity"):
            return BUSY if n == 1 else body
        return "% Invalid input detected at '^' marker.\n"

    script = run(monkeypatch, answer)
    capture = DeviceCapture("r1", "r1", "cisco_xe", runs=tuple(script.runs))  # type: ignore[attr-defined]
    (m,) = build_state(capture).measurements
    assert m.platform == "ISR4321/K9" and not m.error
    assert m.nonce is not None and f"nonce {m.nonce}" in script.sent[0]


def test_a_release_without_the_commands_is_data(monkeypatch: pytest.MonkeyPatch) -> None:
    script = run(monkeypatch, lambda c, n: "% Invalid input detected at '^' marker.\n")
    capture = DeviceCapture("r1", "r1", "cisco_xe", runs=tuple(script.runs))  # type: ignore[attr-defined]
    state = build_state(capture)
    assert not state.measurements and not _signed_gaps(state)
