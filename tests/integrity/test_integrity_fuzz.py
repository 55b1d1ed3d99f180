"""Hostile output: mutated real Boot Integrity Visibility, SUDI, authenticity and ROMMON
output never crashes a parser (ParseError or a record) nor the rules verifying it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imagesweep.analyze.rules.integrity_evidence import RULES
from imagesweep.baseline.context import Context
from imagesweep.baseline.kgv import cisco_trust
from imagesweep.errors import ParseError
from imagesweep.parse.integrity import STEPS
from imagesweep.records import Authenticity, Compliance, DeviceState, Measurement, Rommon, SudiChain

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CTX = Context(trust=cisco_trust())


@cache
def texts() -> tuple[str, ...]:
    found = list((CORPUS / "bootintegrity").rglob("*.txt"))
    found += list((CORPUS / "genieparser").rglob("*.raw"))
    return tuple(p.read_text(encoding="utf-8", errors="replace") for p in sorted(found))


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = texts()[draw(st.integers(0, len(texts()) - 1))].splitlines()
    for _ in range(draw(st.integers(0, 5))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(("drop", "dup", "junk", "cut", "flip")))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "junk":
            lines.insert(i, draw(st.text(max_size=80)))
        elif op == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        else:
            line = lines[i]
            if line:
                j = draw(st.integers(0, len(line) - 1))
                lines[i] = line[:j] + draw(st.sampled_from("0A:F \t")) + line[j + 1 :]
    return "\n".join(lines)


def _state(records: list[object]) -> DeviceState:
    return DeviceState(
        host="x",
        platform="cisco_xe",
        measurements=tuple(r for r in records if isinstance(r, Measurement)),
        sudi=tuple(r for r in records if isinstance(r, SudiChain)),
        compliance=tuple(r for r in records if isinstance(r, Compliance)),
        authenticity=tuple(r for r in records if isinstance(r, Authenticity)),
        rommon=next((r for r in records if isinstance(r, Rommon)), None),
    )


@FUZZ
@given(mutated(), st.sampled_from(sorted(STEPS)), st.sampled_from(["1", "12345", "", "x"]))
def test_parsers_and_rules_never_crash(text: str, step: str, target: str) -> None:
    records: list[object] = []
    try:
        got = STEPS[step](text, target)
    except ParseError:
        return
    records.extend(got if isinstance(got, tuple) else (got,))
    # pair every parsed measurement with every parsed chain of another mutated text too
    state = _state(records)
    for rule in RULES:
        for finding in rule(state, CTX):
            assert finding.rule and finding.summary


PAIR = (
    CORPUS / "bootintegrity/device-output/isr4k_show_plat_int_sign_nonce.txt",
    CORPUS / "bootintegrity/device-output/isr4k_show_plat_sudi_sign_nonce.txt",
)


@st.composite
def damaged(draw: st.DrawFn, path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text) - 1))
        text = text[:i] + draw(st.sampled_from(["0", "F", "", "\n", "A"])) + text[i + 1 :]
    return text


@FUZZ
@given(damaged(PAIR[0]), damaged(PAIR[1]))
def test_a_damaged_real_pair_never_passes_silently(measure: str, chain: str) -> None:
    try:
        m = STEPS["integrity"](measure, "1")
        c = STEPS["sudi"](chain, "1")
    except ParseError:
        return
    state = _state([*m, *c])  # type: ignore[misc]
    findings = [f for rule in RULES for f in rule(state, CTX)]
    genuine = measure == PAIR[0].read_text(encoding="utf-8") and chain == PAIR[1].read_text(
        encoding="utf-8"
    )
    # without a KGV the best a device gets is unverified; damage never makes it pass
    assert findings, "a damaged pair produced no finding"
    if not genuine:
        assert all(f.rule.startswith(("BOOT_INTEGRITY", "SECURE_BOOT")) for f in findings)
