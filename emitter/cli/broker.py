"""``emitter broker``: run the bundled Kafka-compatible broker in the foreground, for trying streams locally."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer

from emitter.stream.embedded_broker import EmbeddedBroker


def broker(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 to listen on.")] = 9092,
) -> None:
    """Run the bundled in-memory Kafka-compatible broker (Tansu) on 127.0.0.1 until Ctrl-C.

    Data lives in memory only and is gone when the broker stops.
    """
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with EmbeddedBroker(port=port) as running:
        typer.echo(f"broker listening on {running.bootstrap} (in memory); Ctrl-C stops it")
        typer.echo(f"try: emitter stream --bootstrap-servers {running.bootstrap} --duration 30s")
        stop.wait()
    typer.echo("broker stopped")
