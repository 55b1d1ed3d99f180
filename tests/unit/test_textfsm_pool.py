"""parse/textfsm_run.py: compiled templates are pooled (a few copies shared by the session
threads), parses on many threads at once give the single-threaded answer, and the cache of
which template parses a command stays bounded."""

from __future__ import annotations

import threading
from pathlib import Path

from imagesweep.parse import textfsm_run

CASES = Path(__file__).resolve().parents[1] / "parse" / "cases"


def test_parallel_parses_agree_and_share_few_compiled_copies() -> None:
    raw = (CASES / "cisco_ios" / "filesystems" / "show_file_systems.raw").read_text(
        encoding="utf-8"
    )
    expected = textfsm_run.own("cisco_ios", "show file systems", raw)
    assert expected
    got: list[object] = []

    def parse() -> None:
        for _ in range(20):
            got.append(textfsm_run.own("cisco_ios", "show file systems", raw))

    threads = [threading.Thread(target=parse) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 320 and all(g == expected for g in got)
    copies = sum(len(pool) for path, pool in textfsm_run._IDLE.items() if "file_systems" in path)
    assert 1 <= copies <= 16


def test_the_template_cache_is_bounded() -> None:
    for n in range(textfsm_run._CHOSEN_MAX + 10):
        textfsm_run._templates(str(textfsm_run.own_template_dir()), "cisco_ios", f"dir x{n}:")
    assert len(textfsm_run._CHOSEN) <= textfsm_run._CHOSEN_MAX
