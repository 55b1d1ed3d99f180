"""Docs that list what the code does are generated from it: the rule tables and lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagesweep.analyze.rules import REGISTRY, markdown_rule_list, markdown_rules

ROOT = Path(__file__).resolve().parents[2]
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


@pytest.mark.parametrize(
    ("doc", "generate"),
    [("docs/checks.md", markdown_rules), ("README.md", markdown_rule_list)],
)
def test_rule_docs_are_generated_from_the_registry(doc: str, generate: object) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1, f"{doc} needs one {START} block"
    inside = text.split(START, 1)[1].split(END, 1)[0]
    assert callable(generate)
    assert inside.strip("\n") == generate().strip("\n"), (
        f"{doc}'s rule list is stale: paste imagesweep.analyze.rules.{generate.__name__}() "
        f"between {START} and {END}"
    )


def test_every_rule_says_when_it_fires() -> None:
    for _, rule in REGISTRY:
        assert rule.condition, f"{rule.id} has no condition text for docs/checks.md"
        assert rule.recommendation, f"{rule.id} has no recommendation"


def test_no_rule_is_documented_that_the_code_does_not_implement() -> None:
    ids = {rule.id for _, rule in REGISTRY}
    for doc in ("docs/checks.md", "README.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        inside = text.split(START, 1)[1].split(END, 1)[0]
        # Rule IDs stand first in a table row or in a list: `| `ID` |` and `` `ID`, ``.
        named = {w.strip("`|,.") for w in inside.split() if w.startswith("`") and w[1:2].isupper()}
        named = {w for w in named if w.isupper() and "_" in w and not w.endswith("_")}
        assert named <= ids, f"{doc} names rules no code implements: {sorted(named - ids)}"
