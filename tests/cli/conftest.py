"""CLI test helpers: a runner and a small retail config file, so commands finish in about a second."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import write_small_config
from typer.testing import CliRunner


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """The small retail config (``preset: small``) whose paths.out points into tmp_path."""
    return write_small_config(tmp_path / "config.json", paths={"out": str(tmp_path / "from-config")})


@pytest.fixture
def retail(config_file: Path) -> Path:
    """``config_file``, for tests that generate retail data."""
    return config_file
