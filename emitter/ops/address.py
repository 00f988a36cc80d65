"""``--http`` values: ``HOST:PORT``, ``:PORT`` or ``PORT`` (loopback unless a host is given)."""

from __future__ import annotations

from emitter.errors import ConfigError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9100
DEFAULT_ADDRESS = f"{DEFAULT_HOST}:{DEFAULT_PORT}"


def parse_http_address(text: str) -> tuple[str, int]:
    """``"0.0.0.0:9100"`` → ``("0.0.0.0", 9100)``; ``"[::1]:9100"`` → ``("::1", 9100)``; ``"9100"`` → loopback."""
    value = text.strip()
    host, sep, port_text = value.rpartition(":")
    if not sep:
        host, port_text = "", value
    host = host.strip("[]") or DEFAULT_HOST
    try:
        port = int(port_text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise ConfigError(f"--http: {text!r} is not HOST:PORT; use e.g. 127.0.0.1:9100, :9100 or 0.0.0.0:9100")
    return host, port
