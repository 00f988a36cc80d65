"""Stream throughput and pacing against the bundled Kafka-compatible broker (Tansu, in memory).

One run measures, for one scenario (retail unless ``--scenario``), every table it streams by default:
1. the raw ceiling: produce_batch of the scenario's pre-encoded messages (the same sizes) with the same
   producer settings, nothing else;
2. full speed: `emitter stream` replaying the model with no pacing, in delivered events/s;
3. pacing accuracy in live mode: 500 ms / burst 100 and 10 ms / burst 1000, achieved rate and tick lateness.

    python bench/stream.py                      # 2M events at full speed, 60 s per pacing run
    python bench/stream.py --pacing-seconds 10  # quicker
    python bench/stream.py --preset small --events 20000 --pacing-seconds 2   # a quick try
    python bench/stream.py --scenario ecommerce --pacing-seconds 10
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import uuid
from datetime import date, datetime

from confluent_kafka import Producer

from emitter.avro.framing import SingleObjectFraming
from emitter.config import Config, load_config
from emitter.scenarios import open_scenario, scenario_class
from emitter.stream.embedded_broker import EmbeddedBroker
from emitter.stream.runner import StreamSettings
from emitter.stream.session import Delivery, stream
from emitter.stream.targets import TargetOptions
from emitter.stream.targets.kafka import producer_config

DAY = date(2024, 3, 5)


def streamed(config: Config) -> tuple[str, ...]:
    return tuple(t.id for t in scenario_class(config.scenario).catalog().streamed)


def raw_ceiling(config: Config, bootstrap: str, events: int) -> tuple[float, int]:
    """Pre-encode one model day (repeated up to ``events``), then time produce_batch + flush only."""
    scenario = open_scenario(config)
    catalog = scenario.catalog()
    ((_, tables),) = scenario.days([DAY], streamed(config))
    framing = SingleObjectFraming()
    batches = []
    for name, table in tables.items():
        values = framing.encode(table, catalog.avro(catalog.get(name)), "").messages()
        keys = [k.encode() for k in scenario.stream_keys(name, table).to_pylist()]
        batches.append((name, [{"key": k, "value": v} for k, v in zip(keys, values, strict=True)]))
    producer = Producer(producer_config(bootstrap))
    prefix = f"raw{uuid.uuid4().hex[:6]}."
    sent = 0
    started = time.perf_counter()
    while sent < events:
        for name, messages in batches:
            for i in range(0, len(messages), 10_000):
                chunk = messages[i : i + 10_000][: events - sent]
                if not chunk:
                    break
                while True:
                    producer.produce_batch(prefix + name, chunk)
                    failed = [m for m in chunk if m.get("error") is not None]
                    producer.poll(0)
                    if not failed:
                        break
                    producer.poll(0.05)  # queue full: let deliveries drain, resend the rest
                    chunk = [{"key": m["key"], "value": m["value"]} for m in failed]
                sent += len(chunk) if not failed else 0
                sent = min(sent, events)
            if sent >= events:
                break
    producer.flush()
    elapsed = time.perf_counter() - started
    return sent / elapsed, sent


def full_speed(config: Config, bootstrap: str, events: int) -> tuple[float, int]:
    settings = StreamSettings(
        tables=streamed(config),
        topic_prefix=f"full{uuid.uuid4().hex[:6]}.",
        start=datetime(2024, 3, 4),
        speed=float("inf"),
        max_events=events,
    )
    result = stream(config, settings, Delivery(options=TargetOptions(bootstrap_servers=bootstrap)))
    return result.summary.achieved_rate, result.target.delivered


def pacing(config: Config, bootstrap: str, interval_ms: int, burst: int, seconds: float) -> dict[str, float]:
    settings = StreamSettings(
        tables=streamed(config),
        topic_prefix=f"pace{uuid.uuid4().hex[:6]}.",
        interval_ms=interval_ms,
        burst=burst,
        duration_s=seconds,
    )
    result = stream(config, settings, Delivery(options=TargetOptions(bootstrap_servers=bootstrap)))
    s = result.summary
    asked = burst * 1000 / interval_ms
    return {
        "asked": asked,
        "achieved": s.achieved_rate,
        "error_pct": 100 * (s.achieved_rate - asked) / asked,
        **s.lateness.percentiles_ms(),
        "behind": s.lateness.behind,
        "delivered": result.target.delivered,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2_000_000, help="events for the ceiling and full-speed runs")
    parser.add_argument("--pacing-seconds", type=float, default=60.0)
    parser.add_argument("--preset", help="the scenario's named settings, e.g. small (default: config.json volumes)")
    parser.add_argument("--scenario", default="retail")
    args = parser.parse_args()
    config = load_config(overrides={"preset": args.preset, "scenario": args.scenario}, environ={})
    volumes = f"preset {args.preset}" if args.preset else "config.json volumes"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with EmbeddedBroker() as broker:
        where = f"bundled Tansu at {broker.bootstrap} (in memory)"
        print(f"broker: {where}, {volumes}, every table {args.scenario} streams")
        ceiling, n = raw_ceiling(config, broker.bootstrap, args.events)
        print(f"\n1. raw ceiling (produce_batch of pre-encoded messages): {ceiling:>12,.0f} msg/s  ({n:,} messages)")
        rate, delivered = full_speed(config, broker.bootstrap, args.events)
        print(
            f"2. emitter stream, no pacing (delivered):               {rate:>12,.0f} events/s  ({delivered:,} events)"
        )
        print(f"   = {rate / ceiling:.2f} x the raw ceiling")
        print(f"\n3. pacing, live mode, {args.pacing_seconds:.0f} s each")
        print(
            f"   {'interval':>9} {'burst':>6} {'asked/s':>10} {'achieved/s':>11} {'error':>7} {'p50 ms':>7} "
            f"{'p99 ms':>7} {'max ms':>7} {'behind':>6}"
        )
        for interval_ms, burst in ((500, 100), (10, 1000)):
            r = pacing(config, broker.bootstrap, interval_ms, burst, args.pacing_seconds)
            head = f"   {interval_ms:>7}ms {burst:>6} {r['asked']:>10,.0f} {r['achieved']:>11,.0f}"
            print(
                f"{head} {r['error_pct']:>6.2f}% {r['p50']:>7.2f} {r['p99']:>7.2f} {r['max']:>7.2f} {r['behind']:>6.0f}"
            )


if __name__ == "__main__":
    main()
