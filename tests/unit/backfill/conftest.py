"""A small retail config, so backfill tests generate real data in well under a second per day."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emitter.config import SMALL_VOLUME, Config, load_config


def _retail_available() -> bool:
    try:
        from emitter.scenarios.retail import RetailScenario  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Config]:
    """Build a small retail Config from a file, ignoring ./config.json and EMITTER_* variables."""
    if not _retail_available():
        pytest.skip("RetailScenario (emitter/scenarios/retail) is not available yet")

    def build(**overrides: Any) -> Config:
        path = tmp_path / "config.json"
        path.write_text(json.dumps({"volume": SMALL_VOLUME}))
        return load_config(path, overrides=overrides, environ={})

    return build


@pytest.fixture
def small_config(make_config: Callable[..., Config]) -> Config:
    return make_config()
