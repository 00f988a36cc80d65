"""How closely the Ticker keeps time on the system clock: tick lateness, drift, and catching up after a stall.

The tests check the schedule on a ManualClock, exactly; what the real clock and scheduler add on this
machine is measured here, never asserted.

    python bench/pacing.py               # 5 s per interval
    python bench/pacing.py --seconds 1   # quicker
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from emitter.stream.pacing import Ticker

MS = 1_000_000


def steady(interval_ms: float, seconds: float, work_ms: float) -> dict[str, float]:
    """Ticks of ``interval_ms`` for ``seconds``, each doing ``work_ms`` of spun work."""
    ticker = Ticker(round(interval_ms * MS))
    ticks = max(2, round(seconds * 1000 / interval_ms))
    started = 0
    for _ in range(ticks):
        ticker.wait()
        started = time.perf_counter_ns()
        end = started + round(work_ms * MS)
        while time.perf_counter_ns() < end:
            pass
    drift_ms = (started - ticker.deadline(ticks - 1)) / MS
    return {"ticks": ticks, **ticker.lateness.percentiles_ms(), "behind": ticker.lateness.behind, "drift": drift_ms}


def stall(interval_ms: float, stall_ms: float) -> dict[str, float]:
    """One tick overruns by ``stall_ms``: how many ticks run late, and how late the first on-time one is."""
    ticker = Ticker(round(interval_ms * MS))
    for k in range(20):
        ticker.wait()
        if k == 3:
            time.sleep(stall_ms / 1000)
    late = ticker.lateness.samples
    caught_up = next((k for k in range(4, len(late)) if late[k] < interval_ms * MS / 2), -1)
    return {"behind": ticker.lateness.behind, "caught_up_at": caught_up, "after_ms": late[caught_up] / MS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per steady run")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"\n1. steady ticks, {args.seconds:g} s each (lateness per tick; drift = last tick vs its deadline)")
    head = f"   {'interval':>9} {'work':>7} {'ticks':>6} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    print(f"{head} {'behind':>6} {'drift':>8}")
    for interval_ms, work_ms in ((2, 0), (10, 4), (100, 20), (500, 50)):
        r = steady(interval_ms, args.seconds, work_ms)
        print(
            f"   {interval_ms:>7}ms {work_ms:>5}ms {r['ticks']:>6.0f} {r['p50']:>7.3f} {r['p99']:>7.3f} "
            f"{r['max']:>7.3f} {r['behind']:>6.0f} {r['drift']:>6.3f}ms"
        )
    print("\n2. a stall in tick 3, then catching up back to back (no sleeping)")
    for interval_ms, stall_ms in ((10, 35), (100, 350)):
        r = stall(interval_ms, stall_ms)
        print(
            f"   {interval_ms:>4}ms ticks, {stall_ms:>4}ms stall: {r['behind']:.0f} ticks behind, "
            f"on time again at tick {r['caught_up_at']:.0f} ({r['after_ms']:.3f} ms late)"
        )


if __name__ == "__main__":
    main()
