"""pytest's default import mode puts each test directory on sys.path and imports test modules
by basename, so two test files with one name in different directories break collection on a
clean checkout (a stale __pycache__ hides it locally)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_test_module_basenames_are_unique() -> None:
    names = Counter(p.name for p in TESTS.rglob("*.py") if p.name != "conftest.py")
    assert [name for name, count in names.items() if count > 1] == []
