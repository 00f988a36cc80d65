"""The stream's one-line live status and its final summary."""

from __future__ import annotations

import time

from rich.console import Console
from rich.live import Live
from rich.text import Text

from emitter.cli.output import result_table
from emitter.stream.runner import StreamStatus
from emitter.stream.session import StreamResult
from emitter.stream.targets import TargetStats


def _si(value: float) -> str:
    for unit, size in (("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"{value / size:.1f}{unit}"
    return f"{value:.0f}"


class StatusLine:
    """events/s overall and per table, delivered, errors, and lag behind the clock, redrawn in place."""

    def __init__(self, console: Console) -> None:
        self._live = Live(Text("starting…"), console=console, refresh_per_second=4, transient=True)
        self._live.start()
        self._last: tuple[float, dict[str, int]] | None = None

    def update(self, status: StreamStatus, delivery: TargetStats) -> None:
        now = time.perf_counter()
        rates: dict[str, float] = {}
        if self._last is not None:
            then, before = self._last
            span = max(now - then, 1e-6)
            rates = {t: (n - before.get(t, 0)) / span for t, n in status.sent.items()}
        self._last = (now, dict(status.sent))
        total_rate = sum(rates.values())
        per_table = " ".join(f"{t} {_si(r)}/s" for t, r in sorted(rates.items(), key=lambda kv: -kv[1]) if r > 0)
        line = (
            f"{_si(total_rate)} ev/s | sent {status.total:,} | delivered {delivery.delivered:,} | "
            f"errors {delivery.failed} | lag {status.lag_s:.1f}s | {per_table}"
        )
        self._live.update(Text(line, overflow="ellipsis", no_wrap=True))

    def close(self) -> None:
        self._live.stop()


def print_stream_summary(result: StreamResult, console: Console) -> None:
    s, t = result.summary, result.target
    table = result_table(f"stream summary ({result.framing} framing, stopped by {s.stopped_by})")
    for column in ("topic", "events", "delivered", "events/s"):
        table.add_column(column, justify="left" if column == "topic" else "right")
    for name, sent in s.sent.items():
        if sent:
            topic = result.topics[name]
            rate = sent / s.elapsed_s if s.elapsed_s else 0.0
            table.add_row(topic, f"{sent:,}", f"{t.delivered_by_topic.get(topic, 0):,}", f"{rate:,.0f}")
    table.add_row("total", f"{s.total:,}", f"{t.delivered:,}", f"{s.achieved_rate:,.0f}", style="bold")
    console.print(table)
    copies = sum(kinds["duplicate"] + kinds["malformed"] for kinds in result.faults.values())
    console.print(
        f"sent {s.total:,}"
        + (f" + {copies:,} injected copies" if copies else "")
        + f" = delivered {t.delivered:,} + failed {t.failed:,} + never confirmed {t.unconfirmed:,}"
        + (f" + still in flight {t.in_flight:,}" if t.in_flight else ""),
        style="bold red" if t.undelivered or t.in_flight else "bold",
    )
    for name, kinds in result.faults.items():
        shown = ", ".join(f"{kind.replace('_', ' ')} {n:,}" for kind, n in kinds.items())
        console.print(f"faults in {result.topics[name]}: {shown}", style="yellow")
    lat = s.lateness.percentiles_ms()
    asked = f"asked {s.target_rate:,.0f}/s, " if s.target_rate else ""
    console.print(
        f"{asked}achieved {s.achieved_rate:,.0f} events/s over {s.elapsed_s:.1f}s; "
        f"tick lateness p50 {lat['p50']:.2f} ms, p99 {lat['p99']:.2f} ms, max {lat['max']:.2f} ms; "
        f"{s.lateness.behind} ticks ran behind (caught up, nothing dropped); {s.bytes / 1e6:.1f} MB of values",
        style="dim",
    )
