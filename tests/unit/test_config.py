"""Layered configuration: defaults < config file < EMITTER_* environment < flags, with readable errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emitter.config import Config, load_config
from emitter.errors import ConfigError, EmitterError

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config.json"


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture(autouse=True)
def _empty_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ./config.json unless a test writes one."""
    monkeypatch.chdir(tmp_path)


def test_defaults_without_file_env_or_flags() -> None:
    config = load_config(path=None, overrides=None, environ={})
    assert config == Config()
    assert config.volume.stores == 250 and config.seed == 42


def test_the_shipped_config_json_is_valid_and_matches_the_defaults() -> None:
    assert load_config(path=REPO_CONFIG, environ={}).fingerprint() == Config().fingerprint()


def test_cwd_config_json_is_used_when_no_path_is_given(tmp_path: Path) -> None:
    write(tmp_path, {"volume": {"stores": 30}})
    assert load_config(path=None, environ={}).volume.stores == 30


def test_env_overrides_file_and_flags_override_env(tmp_path: Path) -> None:
    path = write(tmp_path, {"seed": 5, "volume": {"stores": 30, "dcs": 3}})
    env = {"EMITTER_VOLUME__STORES": "7", "EMITTER_SEED": "6"}
    from_env = load_config(path=path, environ=env)
    assert from_env.volume.stores == 7 and from_env.seed == 6
    assert from_env.volume.dcs == 3, "values the env does not set stay from the file"
    from_flags = load_config(path=path, overrides={"volume": {"stores": 9}, "seed": None}, environ=env)
    assert from_flags.volume.stores == 9
    assert from_flags.seed == 6, "a flag left unset (None) does not hide the env value"


def test_env_reads_json_values_and_ignores_other_variables() -> None:
    env = {
        "EMITTER_SHARES__TENDER": json.dumps({"CASH": 0.5, "CREDIT_CARD": 0.5}),
        "EMITTER_TEST_BOOTSTRAP": "127.0.0.1:1",  # test settings are not config
        "EMITTER_NOT_A_SECTION": "x",
        "PATH": "/usr/bin",
    }
    config = load_config(path=None, environ=env)
    assert config.shares.tender == {"CASH": 0.5, "CREDIT_CARD": 0.5}


@pytest.mark.parametrize(
    ("overrides", "line"),
    [
        ({"volume": {"stores": 0}}, "volume.stores: Input should be greater than or equal to 1"),
        ({"volume": {"stores": "many"}}, "volume.stores: Input should be a valid integer"),
        ({"volume": {"stores": 2, "dcs": 3}}, "volume: Value error, dcs must not exceed stores"),
        ({"volume": {"storez": 2}}, "volume.storez: Extra inputs are not permitted"),
        (
            {"shares": {"tender": {"CASH": 0.7}}},
            "shares: Value error, tender shares must be non-negative and sum to 1",
        ),
        ({"shares": {"store_24h": 1.5}}, "shares.store_24h: Input should be less than or equal to 1"),
        ({"seed": -1}, "seed: Input should be greater than or equal to 0"),
    ],
)
def test_invalid_values_give_one_readable_line_each(overrides: dict[str, object], line: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(path=None, overrides=overrides, environ={})
    lines = str(info.value).splitlines()
    assert any(text.startswith(line) for text in lines), lines
    assert len(lines) == 1


def test_several_problems_are_all_listed() -> None:
    with pytest.raises(ConfigError) as info:
        load_config(path=None, overrides={"volume": {"stores": 0, "products": 1}, "seed": -3}, environ={})
    fields = sorted(line.split(":")[0] for line in str(info.value).splitlines())
    assert fields == ["seed", "volume.products", "volume.stores"]
    assert isinstance(info.value, EmitterError)


def test_bad_env_value_names_the_field() -> None:
    with pytest.raises(ConfigError, match=r"^volume\.stores: "):
        load_config(path=None, environ={"EMITTER_VOLUME__STORES": "seven"})


def test_malformed_json_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "seed": 1,\n  "volume": {"stores": 3,}\n}\n')
    with pytest.raises(ConfigError) as info:
        load_config(path=path, environ={})
    message = str(info.value)
    assert str(path) in message and "invalid JSON" in message and "line 3" in message
    assert "\n" not in message
    assert isinstance(info.value.__cause__, json.JSONDecodeError)


def test_missing_file_and_non_object_file_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="can't be read"):
        load_config(path=tmp_path / "nope.json", environ={})
    with pytest.raises(ConfigError, match="top level must be a JSON object"):
        load_config(path=write(tmp_path, [1, 2]), environ={})


def test_fingerprint_tracks_data_shaping_settings_only() -> None:
    base = load_config(path=None, environ={})
    assert (
        load_config(path=None, overrides={"paths": {"out": "/elsewhere"}}, environ={}).fingerprint()
        == base.fingerprint()
    )
    assert load_config(path=None, overrides={"volume": {"stores": 251}}, environ={}).fingerprint() != base.fingerprint()
    assert load_config(path=None, overrides={"seed": 43}, environ={}).fingerprint() != base.fingerprint()
