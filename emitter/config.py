"""User configuration: pydantic models plus layered loading.

Precedence, lowest first: built-in defaults, the config file, ``EMITTER_*`` environment
variables (nested keys joined by ``__``, e.g. ``EMITTER_VOLUME__STORES=40``), then CLI flags.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from emitter.errors import ConfigError

ENV_PREFIX = "EMITTER_"

# A small retail network that builds in a fraction of a second: for quick tries and the test suite.
SMALL_VOLUME: dict[str, int] = {
    "stores": 12,
    "dcs": 2,
    "products": 200,
    "customers": 3000,
    "geographies": 10,
    "customers_per_day": 2000,
    "online_orders_per_day": 200,
    "marketing_impressions_per_day": 2000,
}
DEFAULT_CONFIG_FILE = Path("config.json")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Volume(_Strict):
    """How big the simulated business is; every fact volume scales from these."""

    stores: int = Field(250, ge=1, le=20_000)
    dcs: int = Field(12, ge=1, le=500)
    trucks_per_store: int = Field(
        2, ge=2, le=10, description="Fleet of a DC per store it serves; trips alternate between trucks."
    )
    products: int = Field(1_000, ge=10, le=200_000)
    customers: int = Field(100_000, ge=100, le=50_000_000)
    geographies: int = Field(60, ge=1, le=10_000)
    customers_per_day: int = Field(20_000, ge=0, description="Loyalty-member store visits on an average day.")
    items_per_ticket_mean: float = Field(4.2, ge=1.0, le=50.0)
    online_orders_per_day: int = Field(2_500, ge=0)
    marketing_impressions_per_day: int = Field(50_000, ge=0)

    @model_validator(mode="after")
    def _dcs_fit(self) -> Volume:
        if self.dcs > self.stores:
            raise ValueError("dcs must not exceed stores")
        return self


class Shares(_Strict):
    """Mixes that generated data reproduces (within ±1 point on large samples)."""

    tender: dict[str, float] = Field(
        default_factory=lambda: {
            "CREDIT_CARD": 0.42,
            "DEBIT_CARD": 0.28,
            "CASH": 0.14,
            "MOBILE_PAY": 0.12,
            "GIFT_CARD": 0.04,
        }
    )
    segment: dict[str, float] = Field(
        default_factory=lambda: {
            "BUDGET_CONSCIOUS": 0.35,
            "CONVENIENCE_FOCUSED": 0.30,
            "QUALITY_SEEKER": 0.20,
            "BRAND_LOYAL": 0.15,
        }
    )
    store_24h: float = Field(0.08, ge=0.0, le=1.0, description="Share of stores open around the clock.")
    pickup_in_store: float = Field(0.3, ge=0.0, le=1.0, description="Share of online orders picked up in store.")

    @model_validator(mode="after")
    def _sum_to_one(self) -> Shares:
        for name in ("tender", "segment"):
            mix: dict[str, float] = getattr(self, name)
            if not mix or any(v < 0 for v in mix.values()) or abs(sum(mix.values()) - 1.0) > 1e-6:
                raise ValueError(f"{name} shares must be non-negative and sum to 1")
        return self


class Realtime(_Strict):
    emit_interval_ms: int = Field(500, ge=1)
    burst: int = Field(100, ge=1)


class Paths(_Strict):
    out: Path = Path("data")


class Stream(_Strict):
    target: str = "kafka"
    bootstrap_servers: str = "127.0.0.1:9092"
    topic_prefix: str = "retail."
    hub: str = "retail-events"
    partitions: int = Field(6, ge=1)


class Sink(_Strict):
    warehouse: str = "duckdb:///warehouse.duckdb"
    topics: str = "retail.*"
    group: str = "emitter-sink"
    batch_size: int = Field(50_000, ge=1)
    max_latency_ms: int = Field(1_000, ge=1)


class Config(_Strict):
    seed: int = Field(42, ge=0, lt=2**63)
    scenario: str = "retail"
    volume: Volume = Volume()
    shares: Shares = Shares()
    realtime: Realtime = Realtime()
    paths: Paths = Paths()
    stream: Stream = Stream()
    sink: Sink = Sink()

    def fingerprint(self) -> str:
        """A stable digest of everything that shapes generated data (not paths or targets)."""
        import hashlib

        shaping = self.model_dump(mode="json", include={"seed", "scenario", "volume", "shares"})
        return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode()).hexdigest()[:16]


def format_validation_error(exc: ValidationError) -> str:
    """One ``field: message`` line per problem."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"]) or "config"
        lines.append(f"{loc}: {err['msg']}")
    return "\n".join(lines)


def _deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """``EMITTER_VOLUME__STORES=40`` becomes ``{"volume": {"stores": "40"}}``; pydantic coerces types."""
    out: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key.startswith(f"{ENV_PREFIX}TEST_"):
            continue
        path = key[len(ENV_PREFIX) :].lower().split("__")
        if path[0] not in Config.model_fields:
            continue
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        raw: Any = value
        if value[:1] in "{[":
            with contextlib.suppress(json.JSONDecodeError):
                raw = json.loads(value)
        node[path[-1]] = raw
    return out


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"config file {path}: can't be read ({exc.strerror})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"config file {path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path}: the top level must be a JSON object")
    return data


def load_config(
    path: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Build the effective Config.

    Args:
        path: config file; when None, ``./config.json`` is used if it exists.
        overrides: values from CLI flags, as a nested mapping; None values are ignored.
        environ: environment to read ``EMITTER_*`` from (defaults to ``os.environ``).
    """
    data: dict[str, Any] = {}
    if path is None and DEFAULT_CONFIG_FILE.is_file():
        path = DEFAULT_CONFIG_FILE
    if path is not None:
        data = read_config_file(path)
    data = _deep_merge(data, _env_overrides(os.environ if environ is None else environ))
    if overrides:
        data = _deep_merge(data, _drop_none(overrides))
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc)) from exc


def _drop_none(mapping: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, Mapping):
            nested = _drop_none(value)
            if nested:
                out[key] = nested
        elif value is not None:
            out[key] = value
    return out
