"""The ops HTTP server: /metrics, /healthz, /readyz and /control, in its own thread and event loop.

It runs beside a stream, sink or demo in the same process and only reads what their loops record, so
a scrape never slows the pacing loop. The server is started before the run and closed after it by
the caller (``ops_server``), so the final counts stay readable until then.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.registry import Collector

from emitter.errors import ConfigError
from emitter.ops.address import parse_http_address
from emitter.ops.control import ControlError, StreamControl

_LOG = logging.getLogger("emitter.ops")
_START_TIMEOUT_S = 10.0

Readiness = Callable[[], str | None]  # None when ready, else the reason


class OpsServer:
    """Serves one run's metrics, health and (for a stream) control on ``host:port``.

    Args:
        collectors: registered in a registry of this run's own, so nothing else leaks into /metrics.
        readiness: each says why the run is not ready, or None; /readyz is 200 only when all say None.
        control: the stream's control; without it there is no /control.
        token: when set, /control wants ``Authorization: Bearer <token>``.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        collectors: Sequence[Collector] = (),
        readiness: Sequence[Readiness] = (),
        control: StreamControl | None = None,
        token: str | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.registry = CollectorRegistry(auto_describe=True)
        for collector in collectors:
            self.registry.register(collector)
        self.readiness = list(readiness)
        self.control = control
        self.token = token
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._failure: OSError | None = None
        self.bound: list[tuple[str, int]] = []  # the (host, port) pairs listened on

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        if self.control is not None:
            app.router.add_get("/control", self._get_control)
            app.router.add_post("/control", self._post_control)
        return app

    def start(self) -> OpsServer:
        """Listen, or raise a one-line ``ConfigError`` (port taken, host not local...)."""
        started = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(started,), name="emitter-http", daemon=True)
        self._thread.start()
        if not started.wait(_START_TIMEOUT_S):
            raise ConfigError(f"--http: the server on {self.host}:{self.port} did not start")
        if self._failure is not None:
            raise ConfigError(
                f"--http: can't listen on {self.host}:{self.port} ({self._failure.strerror or self._failure}); "
                "pick another port, e.g. --http 127.0.0.1:9101"
            ) from self._failure
        _LOG.info("serving /metrics, /healthz, /readyz%s on %s", ", /control" if self.control else "", self.url)
        return self

    def close(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(_START_TIMEOUT_S)
        self._thread = None

    def __enter__(self) -> OpsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self, started: threading.Event) -> None:
        loop = self._loop = asyncio.new_event_loop()
        runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        try:
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, self.host, self.port)
            loop.run_until_complete(site.start())
            self.bound = [(str(a[0]), int(a[1])) for a in runner.addresses]
            self.port = self.bound[0][1]  # the port chosen, when asked for port 0
        except OSError as exc:
            self._failure = exc
            started.set()
            loop.run_until_complete(runner.cleanup())
            loop.close()
            return
        started.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.close()

    # --- handlers (they read what the loops record; nothing here blocks) ------------------------
    async def _metrics(self, request: web.Request) -> web.Response:
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _readyz(self, request: web.Request) -> web.Response:
        reasons = [reason for ready in self.readiness if (reason := ready()) is not None]
        if reasons:
            return web.json_response({"status": "not ready", "reason": "; ".join(reasons)}, status=503)
        return web.json_response({"status": "ready"})

    async def _get_control(self, request: web.Request) -> web.Response:
        assert self.control is not None
        return self._refused(request) or web.json_response(self.control.state())

    async def _post_control(self, request: web.Request) -> web.Response:
        assert self.control is not None
        refused = self._refused(request)
        if refused is not None:
            return refused
        try:
            body: Any = json.loads(await request.read() or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return _error(f"the body is not JSON ({exc})", 400)
        try:
            return web.json_response(self.control.request(body))
        except ControlError as exc:
            return _error(str(exc), exc.status)

    def _refused(self, request: web.Request) -> web.Response | None:
        if self.token is None:
            return None
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
            return None
        response = _error("/control needs 'Authorization: Bearer <token>' (the --http-token)", 401)
        response.headers["WWW-Authenticate"] = "Bearer"
        return response


def _error(message: str, status: int) -> web.Response:
    return web.json_response({"error": message}, status=status)


@contextlib.contextmanager
def ops_server(
    address: str | None,
    token: str | None = None,
    *,
    collectors: Sequence[Collector] = (),
    readiness: Sequence[Readiness] = (),
    control: StreamControl | None = None,
    announce: Callable[[str], None] | None = None,
) -> Iterator[OpsServer | None]:
    """An ``OpsServer`` on ``address`` (``--http``) for the duration of the block; nothing when it is None."""
    if address is None:
        yield None
        return
    host, port = parse_http_address(address)
    with OpsServer(host, port, collectors=collectors, readiness=readiness, control=control, token=token) as server:
        if announce is not None:
            announce(f"http: {server.url}/metrics, /healthz, /readyz" + (", /control" if control else ""))
        yield server
