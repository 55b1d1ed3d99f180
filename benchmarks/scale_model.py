"""The makespan model of a large sweep (docs/scale.md), from a plan file or the built-in example.

    python benchmarks/scale_model.py [PLAN.yaml]

A plan lists sites (devices, rtt, digest_seconds, commands, login_seconds,
aaa_logins_per_second) and collectors (workers, sites), plus the global logins_per_second.
Printed: the modelled makespan, the lower bound (work / sessions, the longest device, the
login gate) and their ratio, and how many devices each collector takes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from imagesweep.sweep.model import Collector, Site, estimate

EXAMPLE = """
logins_per_second: 50
sites:
  - {name: hq, devices: 20000, rtt: 0.002, digest_seconds: 240}
  - {name: emea, devices: 15000, rtt: 0.04, digest_seconds: 240, aaa_logins_per_second: 20}
  - {name: apac, devices: 10000, rtt: 0.15, digest_seconds: 300, aaa_logins_per_second: 10}
  - {name: branch, devices: 5000, rtt: 0.08, digest_seconds: 90}
collectors:
  - {name: hq-1, workers: 1000, sites: [hq, branch]}
  - {name: hq-2, workers: 1000, sites: [hq, branch]}
  - {name: emea-1, workers: 800, sites: [emea]}
  - {name: apac-1, workers: 500, sites: [apac]}
"""


def main(argv: list[str]) -> int:
    text = Path(argv[0]).read_text(encoding="utf-8") if argv else EXAMPLE
    plan = yaml.safe_load(text)
    sites = [Site(**s) for s in plan["sites"]]
    collectors = [
        Collector(c["name"], c["workers"], frozenset(c.get("sites") or ()))
        for c in plan["collectors"]
    ]
    got = estimate(sites, collectors, logins_per_second=float(plan.get("logins_per_second", 25)))
    print(f"devices            {got.devices}")
    print(f"modelled makespan  {got.makespan:,.0f} s ({got.makespan / 3600:.2f} h)")
    print(f"lower bound        {got.ideal:,.0f} s")
    print(f"ratio              {got.makespan / got.ideal:.3f}")
    for name, count in got.per_collector.items():
        print(f"  {name:<16} {count} devices")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
