"""SchemaResolver against a real HTTP server: only a registry's "no such id" is a message's fault.

Whatever else fails (nothing listening, a server error, a server that is no registry) is the registry's
fault, so it must not turn valid messages into dead letters.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from support import http_server

from emitter.avro.decode_framed import RegistryUnavailableError, SchemaResolver
from emitter.avro.framing import FramingError

NO_RETRIES = {"max.retries": 0}
SCHEMA = {"type": "record", "name": "r", "namespace": "emitter.test", "fields": [{"name": "a", "type": "long"}]}


def _server(status: int, body: bytes) -> Iterator[str]:
    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with http_server(Answer) as url:
        yield url


@pytest.fixture
def not_found() -> Iterator[str]:
    yield from _server(404, json.dumps({"error_code": 40403, "message": "Schema not found"}).encode())


@pytest.fixture
def found() -> Iterator[str]:
    yield from _server(200, json.dumps({"schema": json.dumps(SCHEMA)}).encode())


@pytest.fixture(params=[(500, b'{"error_code": 50001, "message": "store error"}'), (404, b"<html>no</html>")])
def no_answer(request: pytest.FixtureRequest) -> Iterator[str]:
    """A registry failing (500), or a web server that is no registry (a 404 page)."""
    yield from _server(*request.param)


def test_a_registry_answering_no_such_id_rejects_the_messages(not_found: str) -> None:
    with pytest.raises(FramingError, match="no schema with id 7"):
        SchemaResolver([], not_found, NO_RETRIES).by_id(7)


def test_a_schema_the_registry_has_is_returned(found: str) -> None:
    assert SchemaResolver([], found, NO_RETRIES).by_id(7) == SCHEMA


def test_nothing_listening_is_the_registry_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RegistryUnavailableError, match="can't look up schema id 7") as raised:
        SchemaResolver([], f"http://127.0.0.1:{port}", NO_RETRIES).by_id(7)
    assert not isinstance(raised.value, FramingError), "must not become a dead letter"


def test_a_failing_or_foreign_server_is_the_registry_unavailable(no_answer: str) -> None:
    with pytest.raises(RegistryUnavailableError, match="can't look up schema id 7"):
        SchemaResolver([], no_answer, NO_RETRIES).by_id(7)
