"""Shared test helpers: where the real-output corpus and the project's parser cases live."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "parse" / "cases"  # parser cases: raw output + expected records
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.fail(f"the real-output corpus is missing: expected it at {CORPUS}")
    return CORPUS


@pytest.fixture(autouse=True)
def _private_history(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sweep history of its own for every test: never the real home's, never shared
    between tests (a shared one would turn one test's sweep into another's drift)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    monkeypatch.delenv("IMAGESWEEP_HISTORY", raising=False)


@pytest.fixture(autouse=True, scope="session")
def _session_history(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The same for what runs outside a test (module fixtures)."""
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("xdg-data-session"))
    os.environ.pop("IMAGESWEEP_HISTORY", None)
