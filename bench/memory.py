"""Memory: the scenario's ``memory_estimate()`` (what commands check before starting) against the real peak.

Each configuration runs in its own process: build the world, generate one day of every table (retail: an
ordinary Tuesday; ecommerce: Cyber Monday, its busiest; fitness: a January Monday), and report peak RSS
next to the estimate. The estimate should sit a little above the peak: below it, the check lets through
runs that then run out of memory; far above, it refuses runs that would fit.

    python bench/memory.py
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

GIB = 2**30
# (scenario, volume settings) per configuration
CONFIGS = {
    "retail defaults (20k visits/day)": ("retail", {}),
    "retail 100k visits/day": ("retail", {"customers_per_day": 100_000, "online_orders_per_day": 12_500}),
    "retail 400k visits/day": (
        "retail",
        {"customers_per_day": 400_000, "online_orders_per_day": 50_000, "marketing_impressions_per_day": 800_000},
    ),
    "retail 2,000 stores × 5,000 products": ("retail", {"stores": 2_000, "products": 5_000}),
    "ecommerce defaults (1k sessions/day)": ("ecommerce", {}),
    "ecommerce 50k sessions/day": ("ecommerce", {"sessions_per_day": 50_000, "customers": 500_000}),
    "ecommerce 200k sessions/day": ("ecommerce", {"sessions_per_day": 200_000, "customers": 2_000_000}),
    "fitness defaults (10 clubs, 10k members)": ("fitness", {}),
    "fitness 50 clubs, 50k members": ("fitness", {"facilities": 50, "members": 50_000, "staff": 1_250}),
    "fitness 200 clubs, 500k members": ("fitness", {"facilities": 200, "members": 500_000, "staff": 5_000}),
}
CHILD = """
import json, resource, sys
from datetime import date
from emitter.config import load_config
from emitter.scenarios import open_scenario
name = sys.argv[1]
s = open_scenario(load_config(None, {"scenario": name, name: {"volume": json.loads(sys.argv[2])}}, {}))
s.reference()
# each scenario's busiest kind of day: Cyber Monday, a January Monday; retail: an ordinary Tuesday
day = {"ecommerce": date(2024, 12, 2), "fitness": date(2025, 1, 13)}.get(name, date(2024, 3, 5))
for _ in s.days([day], None):
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, s.memory_estimate())
"""


def main() -> None:
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'volume':38} {'peak RSS':>10} {'estimate':>10} {'estimate/peak':>14}")
    for name, (scenario, volume) in CONFIGS.items():
        run = subprocess.run(
            [sys.executable, "-c", CHILD, scenario, json.dumps(volume)], capture_output=True, text=True, check=True
        )
        peak, estimate = (int(x) for x in run.stdout.split())
        print(f"{name:38} {peak / GIB:>8.2f} G {estimate / GIB:>8.2f} G {estimate / peak:>14.2f}")


if __name__ == "__main__":
    main()
