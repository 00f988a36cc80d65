"""Tick lateness of a live stream with and without the --http server, and with a scraper on /metrics.

Three live runs against the bundled broker, each ``--seconds`` long with the same interval and burst:
1. no HTTP server;
2. the server on (metrics collected, a delivery report per event to time deliveries), nobody asking;
3. the server on and a scraper reading /metrics every 100 ms.
Prints p50, p99 and max tick lateness, the achieved rate and the scrapes served.

    python bench/http_pacing.py                       # 20 s per run, 10 ms ticks of 100 events
    python bench/http_pacing.py --seconds 5 --interval-ms 20 --burst 50
"""

from __future__ import annotations

import argparse
import os
import platform
import threading
import urllib.request
import uuid
from contextlib import nullcontext

from emitter.config import load_config
from emitter.ops.run_ops import RunOps, serve_run
from emitter.stream.embedded_broker import EmbeddedBroker
from emitter.stream.runner import StreamSettings, StreamSummary
from emitter.stream.session import Delivery, stream
from emitter.stream.targets import TargetOptions


def scrape_every(url: str, every_s: float, stop: threading.Event, served: list[int]) -> None:
    while not stop.wait(every_s):
        with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
            response.read()
        served[0] += 1


def run(bootstrap: str, args: argparse.Namespace, http: bool, scrape: bool) -> tuple[StreamSummary, int]:
    config = load_config(overrides={"preset": args.preset}, environ={})
    settings = StreamSettings(
        tables=("receipts", "receipt_lines"),
        topic_prefix=f"b{uuid.uuid4().hex[:6]}.",
        interval_ms=args.interval_ms,
        burst=args.burst,
        duration_s=args.seconds,
    )
    delivery = Delivery(options=TargetOptions(bootstrap_servers=bootstrap), partitions=3)
    served = [0]
    stop = threading.Event()
    with serve_run("127.0.0.1:0", stream=True) if http else nullcontext(RunOps()) as ops:
        scraper = None
        if scrape and ops.server is not None:
            scraper = threading.Thread(target=scrape_every, args=(ops.server.url, 0.1, stop, served), daemon=True)
            scraper.start()
        try:
            result = stream(config, settings, delivery, control=ops.control, metrics=ops.stream)
        finally:
            stop.set()
            if scraper is not None:
                scraper.join()
    return result.summary, served[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each run")
    parser.add_argument("--interval-ms", type=int, default=10, help="tick length")
    parser.add_argument("--burst", type=int, default=100, help="events per tick")
    parser.add_argument("--preset", default="small", help="the retail preset (default small)")
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; live, {args.burst} events every "
        f"{args.interval_ms} ms ({args.burst * 1000 / args.interval_ms:,.0f}/s), {args.seconds:g} s per run"
    )
    rows = []
    with EmbeddedBroker() as broker:
        for name, http, scrape in (
            ("no --http", False, False),
            ("--http, idle", True, False),
            ("--http, scraped every 100 ms", True, True),
        ):
            summary, scrapes = run(broker.bootstrap, args, http, scrape)
            q = summary.lateness.percentiles_ms()
            rows.append((name, q["p50"], q["p99"], q["max"], summary.achieved_rate, summary.lateness.behind, scrapes))
    print(f"{'run':<30} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'events/s':>10} {'behind':>7} {'scrapes':>8}")
    for name, p50, p99, top, rate, behind, scrapes in rows:
        print(f"{name:<30} {p50:>8.3f} {p99:>8.3f} {top:>8.2f} {rate:>10,.0f} {behind:>7} {scrapes:>8}")


if __name__ == "__main__":
    main()
