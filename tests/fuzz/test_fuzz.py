"""Property tests: random and mutated real output never crashes a parser or the rules, and
output that is not understood becomes an explicit incomplete result, never a clean one."""

from __future__ import annotations

import contextlib
import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imagesweep.analyze.rules import Context, analyze
from imagesweep.analyze.state import build_state
from imagesweep.baseline.catalogue import Catalogue
from imagesweep.errors import ParseError
from imagesweep.parse import parse_step, steps
from imagesweep.platforms import profiles
from imagesweep.records import CommandRun, DeviceCapture

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
PLATFORMS = sorted(profiles())
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@cache
def corpus_texts() -> tuple[str, ...]:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    texts = []
    for entry in manifest:
        path = CORPUS / entry["raw"]
        if path.is_file():
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    cases = Path(__file__).resolve().parents[1] / "parse" / "cases"
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in cases.rglob("*.raw")]
    return tuple(texts)


@st.composite
def mutated_output(draw: st.DrawFn) -> str:
    """A real output, cut, spliced, shuffled or sprinkled with junk."""
    texts = corpus_texts()
    text = texts[draw(st.integers(0, len(texts) - 1))]
    lines = text.splitlines()
    for _ in range(draw(st.integers(0, 4))):
        if not lines:
            break
        op = draw(st.sampled_from(("drop", "dup", "junk", "cut", "swap")))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "junk":
            lines.insert(i, draw(st.text(max_size=80)))
        elif op == "cut":
            lines[i] = lines[i][: draw(st.integers(0, max(0, len(lines[i]))))]
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


any_output = st.one_of(mutated_output(), st.text(max_size=400))


@pytest.mark.parametrize("platform", PLATFORMS)
@FUZZ
@given(text=any_output, data=st.data())
def test_parsers_raise_only_parse_error(platform: str, text: str, data: st.DataObject) -> None:
    step = data.draw(st.sampled_from(sorted(steps(platform))))
    target = data.draw(st.sampled_from(("", "flash:", "bootflash:x.bin", "/var/tmp")))
    with contextlib.suppress(ParseError):
        parse_step(platform, step, text, target)


@pytest.mark.parametrize("platform", PLATFORMS)
@FUZZ
@given(outputs=st.lists(any_output, min_size=1, max_size=6), data=st.data())
def test_garbage_plans_are_never_clean(
    platform: str, outputs: list[str], data: st.DataObject
) -> None:
    prof = profiles()[platform]
    runs = []
    for text in outputs:
        step = data.draw(st.sampled_from(sorted(prof.steps)))
        runs.append(CommandRun(step, f"{step} command", text, target="flash:"))
    capture = DeviceCapture(host="fuzz", address="127.0.0.1", platform=platform, runs=tuple(runs))
    state = build_state(capture)
    findings = analyze(state, Context(catalogue=Catalogue()))
    rules = {f.rule for f in findings}
    if state.gaps:
        assert "AUDIT_INCOMPLETE" in rules
    # Without a version and a boot record the audit cannot have been complete.
    if state.version is None or (state.boot is None and "boot" in prof.steps):
        assert "AUDIT_INCOMPLETE" in rules
