"""URLs a user hands emitter: never shown with their secrets, and checked before a client sees them."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from emitter.errors import ConfigError

MASK = "***"
# Query parameters that carry a secret (PostgreSQL's ?password=, tokens, Event Hubs keys), lower case.
_SECRET_KEYS = frozenset({"password", "pass", "pwd", "secret", "token", "access_token", "sharedaccesskey"})
# user:password@ inside any scheme://, and key=value secrets inside connection strings and queries.
_USERINFO = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/:@]*):[^\s@/]*@")
_KEY_VALUE = re.compile(r"(?P<key>\b(?:" + "|".join(_SECRET_KEYS) + r"))=(?P<value>[^;&\s]+)", re.IGNORECASE)


def masked(url: str) -> str:
    """``url`` with its password and every secret query value replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return mask_secrets(url)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = f"{parts.username or ''}:{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, MASK if k.lower() in _SECRET_KEYS else v) for k, v in pairs], safe="*")
    if (netloc, query) == (parts.netloc, parts.query):
        return url  # rebuilding would fold an empty authority (duckdb:///file → duckdb:/file)
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def mask_secrets(text: str) -> str:
    """Every URL password and key=secret inside free text (a driver's error message, say) masked."""
    text = _USERINFO.sub(lambda m: f"{m['head']}:{MASK}@", text)
    return _KEY_VALUE.sub(lambda m: f"{m['key']}={MASK}", text)


def registry_url(url: str) -> str:
    """A schema registry URL as given, once it is one: ``http(s)://host[:port][/path]`` (comma-separated for
    several) or ``mock://name`` (confluent-kafka's in-memory registry, for tests).

    Raises:
        ConfigError: anything else, e.g. ``notaurl`` or ``ftp://host``.
    """
    for one in url.split(","):
        try:
            parts = urlsplit(one.strip())
            port_ok = parts.port is None or parts.port > 0
        except ValueError:
            port_ok = False
            parts = urlsplit("")
        if parts.scheme == "mock" and (parts.netloc or parts.path):
            continue
        if parts.scheme in ("http", "https") and parts.hostname and port_ok:
            continue
        raise ConfigError(
            f"schema registry {masked(one.strip())!r} is not a registry URL; "
            "use http://host:8081 (https:// too) or mock://name for an in-memory one"
        )
    return url
