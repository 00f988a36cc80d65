"""What a command serves with ``--http``: the control and metrics of its stream and/or sink, and the server."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client.registry import Collector

from emitter.ops.control import StreamControl
from emitter.ops.http_server import OpsServer, Readiness, ops_server
from emitter.ops.sink_metrics import SinkMetrics
from emitter.ops.stream_metrics import StreamMetrics


@dataclass(frozen=True)
class RunOps:
    """Hand ``control`` and ``stream`` to ``stream()``, ``sink`` to ``sink()``; all None without ``--http``."""

    control: StreamControl | None = None
    stream: StreamMetrics | None = None
    sink: SinkMetrics | None = None
    server: OpsServer | None = None


@contextlib.contextmanager
def serve_run(
    address: str | None,
    token: str | None = None,
    *,
    stream: bool = False,
    sink: bool = False,
    announce: Callable[[str], None] | None = None,
) -> Iterator[RunOps]:
    """Serve a run's metrics, health (and control, with a stream) on ``address`` until the block ends."""
    if address is None:
        yield RunOps()
        return
    control = StreamControl() if stream else None
    stream_metrics = StreamMetrics(control) if control is not None else None
    sink_metrics = SinkMetrics() if sink else None
    collectors: list[Collector] = [c for c in (stream_metrics, sink_metrics) if c is not None]
    readiness: list[Readiness] = [c.ready for c in (stream_metrics, sink_metrics) if c is not None]
    with ops_server(
        address, token, collectors=collectors, readiness=readiness, control=control, announce=announce
    ) as server:
        yield RunOps(control, stream_metrics, sink_metrics, server)
