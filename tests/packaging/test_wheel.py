"""The wheel is the product: built, installed into a fresh venv (not editable), run from an unrelated directory.

Its commands must find everything they need (the scenarios' schemas are package data) without this checkout.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from emitter.scenarios import scenario_class
from emitter.scenarios.registry import BUILT_IN

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMITTER_") and k != "PYTHONPATH"}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ of a fresh venv holding emitter installed from its wheel."""
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(ROOT)], work)
    (wheel,) = dist.glob("emitter-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    _run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "--progress-bar", "off", str(wheel)], work)
    return env_dir / "bin"


def test_the_installed_package_is_not_this_checkout_and_has_every_schema(installed: Path, tmp_path: Path) -> None:
    code = (
        "import emitter, pathlib; from emitter.scenarios import scenario_class; "
        "print(pathlib.Path(emitter.__file__).parent); print(len(scenario_class('retail').catalog().all_avro()))"
    )
    where, schemas = _run([str(installed / "python"), "-c", code], tmp_path).stdout.split()
    assert not where.startswith(str(ROOT)), "the venv imported the checkout, not the wheel"
    assert int(schemas) == len(scenario_class("retail").catalog().tables)
    for name in BUILT_IN:  # every built-in scenario's schemas are package data
        count = f"from emitter.scenarios import scenario_class as s; print(len(s({name!r}).catalog().all_avro()))"
        installed_count = _run([str(installed / "python"), "-c", count], tmp_path).stdout.strip()
        assert int(installed_count) == len(scenario_class(name).catalog().tables), name


def test_backfill_validate_and_tables_run_from_an_unrelated_directory(installed: Path, tmp_path: Path) -> None:
    emitter = str(installed / "emitter")
    _run([emitter, "backfill", "--start", "2024-01-01", "--days", "1", "--preset", "small", "--out", "out"], tmp_path)
    assert (tmp_path / "out" / "facts" / "receipts" / "dt=2024-01-01").is_dir()
    assert "rules hold" in _run([emitter, "validate", "out"], tmp_path).stdout
    assert "receipts" in _run([emitter, "tables"], tmp_path).stdout
    assert "retail" in _run([emitter, "scenarios"], tmp_path).stdout


def test_stream_and_sink_run_from_an_unrelated_directory(installed: Path, tmp_path: Path) -> None:
    emitter = str(installed / "emitter")
    port = _free_port()
    broker = subprocess.Popen([emitter, "broker", "--port", str(port)], cwd=tmp_path, stdout=subprocess.DEVNULL)
    try:
        bootstrap = ["--bootstrap-servers", f"127.0.0.1:{port}"]
        replay = ["--start", "2024-01-01T08:00", "--speed", "max", "--max-events", "2000", "--preset", "small"]
        _run([emitter, "stream", *replay, "--quiet", *bootstrap], tmp_path)
        until = ["--max-events", "2000", "--until-idle", "5s"]
        sunk = _run([emitter, "sink", *until, "--warehouse", "duckdb:///w.duckdb", *bootstrap], tmp_path)
        assert "2,000 rows" in sunk.stdout + sunk.stderr
    finally:
        broker.terminate()
        broker.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
