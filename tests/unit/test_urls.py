"""URLs are shown with their secrets masked, and a schema registry URL is checked before a client sees it."""

from __future__ import annotations

import pytest

from emitter.errors import ConfigError
from emitter.urls import mask_secrets, masked, registry_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:pw@h:1/db", "postgresql://u:***@h:1/db"),
        ("postgresql://u@h:1/db", "postgresql://u@h:1/db"),
        ("postgresql://u:p%40ss@h/db?schema=s", "postgresql://u:***@h/db?schema=s"),
        ("postgresql://u@h/db?password=pw&sslmode=require", "postgresql://u@h/db?password=***&sslmode=require"),
        ("https://key:secret@registry.example:8081", "https://key:***@registry.example:8081"),
        ("duckdb:///warehouse.duckdb", "duckdb:///warehouse.duckdb"),
    ],
)
def test_masked_hides_passwords_and_secret_parameters(url: str, shown: str) -> None:
    assert masked(url) == shown


def test_secrets_inside_free_text_are_masked() -> None:
    text = (
        "connection to postgresql://app:hunter2@db:5432/x failed; "
        "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=abc123=="
    )
    out = mask_secrets(text)
    assert "hunter2" not in out and "abc123" not in out
    assert "postgresql://app:***@db:5432/x" in out and "SharedAccessKeyName=k" in out


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8081", "https://r.example/sr", "mock://tests", "http://a:1,http://b:2"]
)
def test_registry_urls_that_are_urls_pass(url: str) -> None:
    assert registry_url(url) == url


@pytest.mark.parametrize("url", ["notaurl", "ftp://x", "http://", "http://h:99999", "mock://", "", "http://a:1,nope"])
def test_anything_else_is_refused_in_one_line(url: str) -> None:
    with pytest.raises(ConfigError, match="is not a registry URL") as refused:
        registry_url(url)
    assert "\n" not in str(refused.value)
