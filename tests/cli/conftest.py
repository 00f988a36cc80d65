"""CLI test helpers: a runner and a small retail config file, so commands finish in about a second."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emitter.config import SMALL_VOLUME


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A small retail config whose paths.out points into tmp_path."""
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"volume": SMALL_VOLUME, "paths": {"out": str(tmp_path / "from-config")}}))
    return path


@pytest.fixture
def retail(config_file: Path) -> Path:
    """``config_file``, for tests that generate data: skipped until the retail scenario exists."""
    try:
        from emitter.scenarios.retail import RetailScenario  # noqa: F401
    except ImportError:
        pytest.skip("RetailScenario (emitter/scenarios/retail) is not available yet")
    return config_file
