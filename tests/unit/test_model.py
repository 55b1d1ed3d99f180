"""The makespan model (docs/scale.md): bounds it must respect and cases with known answers."""

from __future__ import annotations

import pytest

from imagesweep.sweep.model import Collector, Site, device_seconds, estimate


def test_one_device_takes_its_own_session() -> None:
    site = Site("a", devices=1, rtt=0.05, digest_seconds=60, commands=8, login_seconds=0.5)
    got = estimate([site], [Collector("c", workers=10)])
    assert got.makespan == pytest.approx(0.5 + 8 * 2 * 0.05 + 60)
    assert got.makespan == pytest.approx(got.ideal)


def test_enough_sessions_make_the_sweep_one_digest_long() -> None:
    site = Site("lab", devices=1000, digest_seconds=60)
    got = estimate([site], [Collector("c", workers=1000)], logins_per_second=1000)
    # the last login starts after 999 ms of gate: within 10 % of one device's session
    assert got.makespan <= 1.1 * device_seconds(site)


def test_too_few_sessions_queue_in_waves() -> None:
    site = Site("lab", devices=100, digest_seconds=10, login_seconds=0)
    got = estimate([site], [Collector("c", workers=10)], logins_per_second=0)
    assert got.makespan == pytest.approx(100.0)  # ten waves of ten devices


def test_the_login_gate_bounds_fast_sweeps() -> None:
    site = Site("lab", devices=500, digest_seconds=0.1, login_seconds=0.1)
    got = estimate([site], [Collector("c", workers=500)], logins_per_second=25)
    assert got.makespan >= 500 / 25
    assert got.ideal == pytest.approx(20.0)


def test_a_site_goes_only_to_its_collectors() -> None:
    sites = [Site("paris", devices=30, digest_seconds=5), Site("oslo", devices=10)]
    collectors = [
        Collector("par1", workers=5, sites=frozenset({"paris"})),
        Collector("any", workers=5),
    ]
    got = estimate(sites, collectors)
    assert got.per_collector["par1"] + got.per_collector["any"] == 40
    with pytest.raises(ValueError, match="no collector serves site 'oslo'"):
        estimate(sites, collectors[:1])


def test_fifty_thousand_devices_never_beat_the_lower_bound() -> None:
    sites = [
        Site(f"s{i}", devices=5000, rtt=0.01 * i, digest_seconds=30 + 30 * i,
             aaa_logins_per_second=10)
        for i in range(10)
    ]  # fmt: skip
    got = estimate(sites, [Collector(f"c{i}", workers=500) for i in range(4)])
    assert got.devices == 50_000
    assert got.makespan >= got.ideal
