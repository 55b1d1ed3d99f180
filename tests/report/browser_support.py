"""Headless Chromium (Debian's ``chromium``) driven by playwright: open a page, record every
request and every script error, and keep screenshots as artefacts."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Screenshots and timings the tests keep (gitignored; CI keeps the folder as an artefact).
ARTIFACTS = Path(os.environ.get("IMAGESWEEP_ARTIFACTS") or ROOT / "artifacts")


def chromium() -> str:
    """The system Chromium; in CI its absence is a failure, elsewhere a skip."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    message = "no chromium on PATH (apt-get install chromium; .ci/run does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Watch:
    """What a page did: every request it made and every error it raised or logged."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextmanager
def browser_page(width: int = 1400, height: int = 1000) -> Iterator[tuple[object, Watch]]:
    from playwright.sync_api import sync_playwright

    executable = chromium()
    watch = Watch()
    with sync_playwright() as pw:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            page.on("request", lambda r: watch.requests.append(r.url))
            page.on("pageerror", lambda e: watch.errors.append(f"pageerror: {e}"))
            page.on(
                "console",
                lambda m: watch.errors.append(f"console: {m.text}") if m.type == "error" else None,
            )
            yield page, watch
        finally:
            browser.close()
