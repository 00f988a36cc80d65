"""The one place scenarios are registered, and how a Config becomes a running Scenario.

Built-in scenarios are listed in ``BUILT_IN``. Others join through the ``emitter.scenarios`` entry-point
group of an installed package, or ``register()`` at run time (tests do that). A scenario is named by an
import reference (``package.module:Class``), which is also what worker processes receive, so they
rebuild exactly the scenario their parent runs.
"""

from __future__ import annotations

import importlib
from decimal import Decimal
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from emitter.config import Config, deep_merge, format_validation_error
from emitter.errors import ConfigError

if TYPE_CHECKING:
    from emitter.scenarios.contract import Scenario, ScenarioSettings

BUILT_IN = {
    "retail": "emitter.scenarios.retail:RetailScenario",
    "ecommerce": "emitter.scenarios.ecommerce:EcommerceScenario",
    "fitness": "emitter.scenarios.fitness:FitnessScenario",
    "banking": "emitter.scenarios.banking:BankingScenario",
}
ENTRY_POINT_GROUP = "emitter.scenarios"
_registered: dict[str, str] = {}


def register(scenario: type[Scenario[Any]] | str) -> str:
    """Make a scenario class (or its ``module:Class`` reference) available by its name; return the name."""
    reference = scenario if isinstance(scenario, str) else f"{scenario.__module__}:{scenario.__qualname__}"
    name = _import(reference).name
    _registered[name] = reference
    return name


def references() -> dict[str, str]:
    """name → ``module:Class`` of every available scenario: built-in, installed, registered."""
    out = dict(BUILT_IN)
    for point in entry_points(group=ENTRY_POINT_GROUP):
        out.setdefault(point.name, point.value)
    out.update(_registered)
    return out


def scenario_names() -> tuple[str, ...]:
    return tuple(references())


def scenario_class(name: str, reference: str | None = None) -> type[Scenario[Any]]:
    """The class registered as ``name`` (or at ``reference``); an unknown name is one clear line."""
    known = references()
    if reference is None:
        if name not in known:
            raise ConfigError(f"scenario: unknown scenario {name!r}; choose one of {', '.join(known)}")
        reference = known[name]
    return _import(reference)


def effective_settings(config: Config, reference: str | None = None) -> ScenarioSettings:
    """The selected scenario's settings: its defaults, then ``preset``, then its section of the config, then ``scale``.

    A preset is a starting point: every value given explicitly (config file, environment, flags) wins over it,
    and over ``scale`` too: ``--scale 5 --customers 500`` makes 500 customers and scales the rest.
    """
    cls = scenario_class(config.scenario, reference)
    model = cls.settings_model
    data = config.section(cls.name)
    if config.preset is not None:
        if config.preset not in model.PRESETS:
            raise ConfigError(
                f"preset: unknown preset {config.preset!r} for scenario {cls.name}; "
                f"choose one of {', '.join(model.PRESETS)}"
            )
        data = deep_merge(model.PRESETS[config.preset], data)
    try:
        settings = model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_settings_error(cls.name, exc)) from exc
    if config.scale != 1.0:
        try:
            given = config.section(cls.name)
            paths = tuple(p for p in model.SCALABLE if not _has_path(given, p))
            settings = model.model_validate(_scaled(settings.model_dump(), paths, config.scale))
        except ValidationError as exc:
            raise ConfigError(f"{_settings_error(cls.name, exc)} (after --scale {config.scale:g})") from exc
    return settings


def _settings_error(scenario: str, exc: ValidationError) -> str:
    return "\n".join(f"{scenario}.{line}" for line in format_validation_error(exc).splitlines())


def open_scenario(config: Config, reference: str | None = None) -> Scenario[Any]:
    """The scenario the config selects, with its effective settings and the config's seed."""
    cls = scenario_class(config.scenario, reference)
    return cls(config.seed, effective_settings(config, reference))


def reference_of(config: Config) -> str:
    """The import reference of the selected scenario: what a worker process needs to rebuild it."""
    scenario_class(config.scenario)  # an unknown name fails here
    return references()[config.scenario]


def _import(reference: str) -> type[Scenario[Any]]:
    from emitter.scenarios.contract import Scenario

    module, _, attr = reference.partition(":")
    try:
        found = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"scenario: can't import {reference} ({exc})") from exc
    if not (isinstance(found, type) and issubclass(found, Scenario)):
        raise ConfigError(f"scenario: {reference} is not a Scenario subclass")
    return found


def _scaled(data: dict[str, Any], paths: tuple[str, ...], factor: float) -> dict[str, Any]:
    """``data`` with each count at a dotted path multiplied by ``factor`` (at least 1)."""
    for path in paths:
        *parents, leaf = path.split(".")
        node = data
        for part in parents:
            node = node[part]
        node[leaf] = _times(node[leaf], factor)
    return data


def _has_path(data: dict[str, Any], path: str) -> bool:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _times(value: Any, factor: float) -> Any:
    """A count stays a whole number of at least 1; a rate or amount keeps its type."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"--scale can't multiply {value!r}: declare only numbers in SCALABLE")
    if isinstance(value, int):
        return max(1, round(value * factor))
    if isinstance(value, Decimal):
        return value * Decimal(str(factor))
    return value * factor
