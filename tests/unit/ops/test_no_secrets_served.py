"""Nothing served over --http carries a secret of the producer's config: not while running, not when failing."""

from __future__ import annotations

import contextlib
import json
import time
import urllib.error
import urllib.request

from emitter.ops.run_ops import serve_run
from emitter.stream.pacing import Lateness
from emitter.stream.runner import StreamSettings
from emitter.stream.targets import TargetError
from emitter.stream.targets.kafka import KafkaTarget

SECRET = "s3cret-sasl-password-xyz"


def _body(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(response.read().decode())
    except urllib.error.HTTPError as exc:
        return str(exc.read().decode())


def test_a_failing_sasl_stream_serves_counts_and_reasons_but_never_its_password() -> None:
    target = KafkaTarget.connect(
        "127.0.0.1:1",  # nothing listens: every event fails once its timeout passes
        {
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": "PLAIN",
            "sasl.username": "emitter",
            "sasl.password": SECRET,
            "message.timeout.ms": 200,
        },
    )
    with serve_run("127.0.0.1:0", stream=True) as ops:
        assert ops.server is not None and ops.control is not None and ops.stream is not None
        ops.control.begin(StreamSettings(tables=("receipts",), topic_prefix="r."), True, Lateness())
        metered = ops.stream.watch(target)
        metered.send("r.receipts", [b"k"] * 3, [b"v"] * 3)
        deadline = time.monotonic() + 30
        while metered.stats().failed < 3 and time.monotonic() < deadline:  # hang guard only
            with contextlib.suppress(TargetError):
                metered.flush(0.1)
        readyz = _body(f"{ops.server.url}/readyz")
        served = [_body(f"{ops.server.url}/{path}") for path in ("metrics", "healthz", "control")] + [readyz]
    target.close(timeout=0)
    assert json.loads(readyz) == {"status": "not ready", "reason": "deliveries failing: 3 events failed"}
    assert "emitter_stream_events_failed_total 3.0" in served[0]
    assert not any(SECRET in body for body in served)


def test_a_stream_whose_events_stay_in_flight_is_not_ready() -> None:
    target = KafkaTarget.connect("127.0.0.1:1")  # nothing listens; events wait out their 5 min timeout
    with serve_run("127.0.0.1:0", stream=True) as ops:
        assert ops.server is not None and ops.control is not None and ops.stream is not None
        ops.control.begin(StreamSettings(tables=("receipts",), topic_prefix="r."), True, Lateness())
        ops.stream.stalled_after_s = 0.3
        metered = ops.stream.watch(target)
        metered.send("r.receipts", [b"k"] * 2, [b"v"] * 2)
        deadline = time.monotonic() + 30
        while "no delivery confirmed" not in (readyz := _body(f"{ops.server.url}/readyz")):
            assert time.monotonic() < deadline, f"hang guard: still {readyz}"
            time.sleep(0.05)
        assert "with 2 in flight" in readyz
    target.close(timeout=0)
