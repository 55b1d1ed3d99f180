from __future__ import annotations

from pathlib import Path

import pytest

from imagesweep.analyze.rules import RULE_IDS
from imagesweep.baseline import policy
from imagesweep.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_policy_loads(tmp_path: Path) -> None:
    loaded = policy.load(
        write(
            tmp_path,
            """\
severity: {MANUAL_BOOT: low}
approved_versions: {cisco_xe: ["17.9.4a", 17.12]}
accept_unverifiable: [panos]
""",
        ),
        rule_ids=RULE_IDS,
    )
    assert loaded.severity == {"MANUAL_BOOT": "low"}
    assert loaded.approved_versions == {"cisco_xe": ("17.9.4a", "17.12")}
    assert loaded.accept_unverifiable == frozenset({"paloalto_panos"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("severty: {}\n", "unknown key"),
        ("severity: {NOT_A_RULE: low}\n", "unknown rule 'NOT_A_RULE'"),
        ("severity: {MANUAL_BOOT: urgent}\n", "'urgent' is not one of"),
        ("approved_versions: {foo_os: ['1']}\n", "unknown platform 'foo_os'"),
        ("approved_versions: {cisco_ios: '15.1'}\n", "expected a list"),
        ("severity: {MANUAL_BOOT: low\n", r"policy\.yaml:2"),
        ("- a\n", "expected a mapping"),
    ],
)
def test_bad_policies_say_why(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        policy.load(write(tmp_path, text), rule_ids=RULE_IDS)
