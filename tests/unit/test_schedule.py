"""Sweep order (sweep/schedule.py) and per-group session caps (collect/caps.py)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from imagesweep.baseline.prior import PriorImage, PriorState
from imagesweep.collect.caps import SessionCaps
from imagesweep.errors import ConfigError
from imagesweep.platforms import profile
from imagesweep.sweep.schedule import expected_seconds, longest_first

THEN = datetime(2026, 11, 30, tzinfo=UTC)


def prior(host: str, *sizes: int, name: str = "x.bin") -> PriorState:
    images = tuple(PriorImage(f"flash:{i}{name}", size) for i, size in enumerate(sizes))
    return PriorState(host=host, sweep="s", swept_at=THEN, images=images)


def test_longest_expected_session_goes_first_and_the_rest_keep_inventory_order() -> None:
    hosts = [("a", "cisco_ios"), ("b", "cisco_xe"), ("c", "cisco_ios"), ("d", "cisco_ios")]
    previous = {
        "b": prior("b", 400_000_000),  # 100 s at IOS-XE's 4 MB/s
        "c": prior("c", 100_000_000, 100_000_000),  # 25 s at IOS's 8 MB/s
    }
    assert longest_first(hosts, previous) == ["b", "c", "a", "d"]
    assert longest_first(hosts, {}) == ["a", "b", "c", "d"]  # no history: inventory order


def test_expected_time_counts_only_images_and_nothing_without_history() -> None:
    assert expected_seconds("cisco_ios", None) == 0.0
    big_text = prior("r", 900_000_000, name="notes.txt")
    image = prior("r", 80_000_000)
    assert expected_seconds("cisco_ios", image) > expected_seconds("cisco_ios", big_text)
    steps = len(profile("cisco_ios").steps)  # each command about 0.5 s, plus 10 s of digest
    assert expected_seconds("cisco_ios", image) == pytest.approx(10 + 0.5 * (steps + 1))


def test_caps_bound_sessions_per_group() -> None:
    caps = SessionCaps.from_groups([("thin", 2), ("other", None)])
    inside, peak, lock = 0, 0, threading.Lock()

    def session() -> None:
        nonlocal inside, peak
        with caps.hold(["thin", "other"]):
            with lock:
                inside += 1
                peak = max(peak, inside)
            time.sleep(0.05)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=session) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 2


def test_two_capped_groups_never_deadlock() -> None:
    caps = SessionCaps.from_groups([("a", 1), ("b", 1)])
    done = []

    def session(groups: list[str]) -> None:
        for _ in range(20):
            with caps.hold(groups):
                time.sleep(0.001)
        done.append(groups)

    threads = [threading.Thread(target=session, args=(g,)) for g in (["a", "b"], ["b", "a"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(done) == 2


@pytest.mark.parametrize("bad", [0, -1, "2", 1.5, True])
def test_a_bad_cap_is_a_one_line_error(bad: object) -> None:
    with pytest.raises(ConfigError, match="group 'site-a': max_sessions must be a whole number"):
        SessionCaps.from_groups([("site-a", bad)])
