"""User configuration: pydantic models plus layered loading.

Precedence, lowest first: built-in defaults, the config file, ``EMITTER_*`` environment
variables (nested keys joined by ``__``, e.g. ``EMITTER_RETAIL__VOLUME__STORES=40``), then CLI flags.
The shared sections live here; each scenario validates its own section (``emitter.scenarios.registry``).
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

DEFAULT_CONFIG_FILE = Path("config.json")


# What the same seed and settings generate, as a version: raised when the bytes change (2: event ids carry
# the run tag; 3: fitness first names follow the gender), so resume never mixes an earlier release's files
# with this one's.
DATA_VERSION = 3


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Realtime(_Strict):
    emit_interval_ms: int = Field(500, ge=1)
    burst: int = Field(100, ge=1)


class Paths(_Strict):
    out: Path = Path("data")


class Stream(_Strict):
    target: str = "kafka"
    bootstrap_servers: str = "127.0.0.1:9092"
    topic_prefix: str | None = Field(None, description="Default: the scenario's name and a dot (retail.).")
    partitions: int = Field(6, ge=1)
    faults: dict[str, str] = Field(
        default_factory=dict,
        description="Per streamed table id (or * for all): a fault spec such as late=0.02:30s,duplicate=0.005.",
    )


class Sink(_Strict):
    warehouse: str = "duckdb:///warehouse.duckdb"
    topics: str | None = Field(None, description="Default: every topic of the prefix (retail.*).")
    group: str = "emitter-sink"
    batch_size: int = Field(50_000, ge=1)
    max_latency_ms: int = Field(1_000, ge=1)


class Config(BaseModel):
    """Shared sections, plus one section per scenario (``"retail": {...}``) validated by that scenario.

    ``preset`` and ``scale`` shape the selected scenario's settings; see ``emitter.scenarios.registry``.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    seed: int = Field(42, ge=0, lt=2**63)
    scenario: str = "retail"
    preset: str | None = None
    scale: float = Field(1.0, gt=0, le=10_000)
    realtime: Realtime = Realtime()
    paths: Paths = Paths()
    stream: Stream = Stream()
    sink: Sink = Sink()

    @model_validator(mode="after")
    def _sections_are_scenarios(self) -> Config:
        from emitter.scenarios.registry import scenario_names

        known = scenario_names()
        for key in self.model_extra or {}:
            if key not in known:
                raise ValueError(
                    f"unknown section {key!r}: the shared sections are {', '.join(SHARED_SECTIONS)}, "
                    f"and scenario sections are named after a scenario ({', '.join(known)})"
                )
            if not isinstance((self.model_extra or {})[key], dict):
                raise ValueError(f"section {key!r} must be a JSON object")
        return self

    def section(self, scenario: str) -> dict[str, Any]:
        """The raw settings of ``scenario`` (file, environment and flags merged), before its model checks them."""
        value = (self.model_extra or {}).get(scenario, {})
        return dict(value)

    @property
    def topic_prefix(self) -> str:
        return self.stream.topic_prefix if self.stream.topic_prefix is not None else f"{self.scenario}."

    @property
    def sink_topics(self) -> str:
        return self.sink.topics if self.sink.topics is not None else f"{self.topic_prefix}*"

    def fingerprint(self) -> str:
        """A stable digest of everything that shapes generated data (not paths or targets)."""
        import hashlib

        from emitter.scenarios.registry import effective_settings

        shaping = {
            "data": DATA_VERSION,
            "seed": self.seed,
            "scenario": self.scenario,
            "settings": effective_settings(self).model_dump(mode="json"),
        }
        return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode()).hexdigest()[:16]


SHARED_SECTIONS = tuple(Config.model_fields)


def format_validation_error(exc: ValidationError) -> str:
    """One ``field: message`` line per problem."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"]) or "config"
        lines.append(f"{loc}: {err['msg']}")
    return "\n".join(lines)


def deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """``EMITTER_RETAIL__VOLUME__STORES=40`` becomes ``{"retail": {"volume": {"stores": "40"}}}``; pydantic coerces."""
    from emitter.scenarios.registry import scenario_names

    out: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key.startswith(f"{ENV_PREFIX}TEST_"):
            continue
        path = key[len(ENV_PREFIX) :].lower().split("__")
        if path[0] not in Config.model_fields and path[0] not in scenario_names():
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
    data = _file_and_environment(path, environ)
    if overrides:
        data = deep_merge(data, drop_none(overrides))
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc)) from exc
    from emitter.scenarios.registry import effective_settings

    effective_settings(config)  # an unknown scenario or preset, or a bad value, fails here, before any work
    return config


def selected_scenario(path: Path | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The scenario the config file and environment select (the default when neither does), before validation.

    Scenario flags map to settings of the selected scenario, so they are read before the Config is built.
    """
    name = _file_and_environment(path, environ).get("scenario", Config.model_fields["scenario"].default)
    return str(name)


def _file_and_environment(path: Path | None, environ: Mapping[str, str] | None) -> dict[str, Any]:
    """The config file (``./config.json`` when None and present) with ``EMITTER_*`` variables on top."""
    data: dict[str, Any] = {}
    if path is None and DEFAULT_CONFIG_FILE.is_file():
        path = DEFAULT_CONFIG_FILE
    if path is not None:
        data = read_config_file(path)
    return deep_merge(data, _env_overrides(os.environ if environ is None else environ))


def drop_none(mapping: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, Mapping):
            nested = drop_none(value)
            if nested:
                out[key] = nested
        elif value is not None:
            out[key] = value
    return out
