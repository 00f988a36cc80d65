"""Layered configuration: defaults < config file < EMITTER_* environment < flags, with readable errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emitter.config import Config, load_config, selected_scenario
from emitter.errors import ConfigError, EmitterError
from emitter.scenarios.registry import effective_settings
from emitter.scenarios.retail import RetailSettings

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config.json"


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture(autouse=True)
def _empty_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ./config.json unless a test writes one."""
    monkeypatch.chdir(tmp_path)


def _stores(config: Config) -> int:
    settings = effective_settings(config)
    assert isinstance(settings, RetailSettings)
    return settings.volume.stores


def test_defaults_without_file_env_or_flags() -> None:
    config = load_config(path=None, overrides=None, environ={})
    assert config == Config()
    assert _stores(config) == 250 and config.seed == 42
    assert effective_settings(config) == RetailSettings()


def test_the_shipped_config_json_is_valid_and_matches_the_defaults() -> None:
    assert load_config(path=REPO_CONFIG, environ={}).fingerprint() == Config().fingerprint()


def test_cwd_config_json_is_used_when_no_path_is_given(tmp_path: Path) -> None:
    write(tmp_path, {"retail": {"volume": {"stores": 30}}})
    assert _stores(load_config(path=None, environ={})) == 30


def test_env_overrides_file_and_flags_override_env(tmp_path: Path) -> None:
    path = write(tmp_path, {"seed": 5, "retail": {"volume": {"stores": 30, "dcs": 3}}})
    env = {"EMITTER_RETAIL__VOLUME__STORES": "7", "EMITTER_SEED": "6"}
    from_env = load_config(path=path, environ=env)
    assert _stores(from_env) == 7 and from_env.seed == 6
    assert effective_settings(from_env).volume.dcs == 3, "values the env does not set stay from the file"
    from_flags = load_config(path=path, overrides={"retail": {"volume": {"stores": 9}}, "seed": None}, environ=env)
    assert _stores(from_flags) == 9
    assert from_flags.seed == 6, "a flag left unset (None) does not hide the env value"


def test_the_selected_scenario_comes_from_the_file_then_the_environment(tmp_path: Path) -> None:
    """What scenario flags are read against, before the Config (and that scenario's settings) is validated."""
    assert selected_scenario(None, {}) == "retail"
    path = write(tmp_path, {"scenario": "ecommerce", "ecommerce": {"volume": {"customers": -1}}})
    assert selected_scenario(path, {}) == "ecommerce"
    assert selected_scenario(path, {"EMITTER_SCENARIO": "retail"}) == "retail"


def test_env_reads_json_values_and_ignores_other_variables() -> None:
    env = {
        "EMITTER_RETAIL__SHARES__TENDER": json.dumps({"CASH": 0.5, "CREDIT_CARD": 0.5}),
        "EMITTER_TEST_BOOTSTRAP": "127.0.0.1:1",  # test settings are not config
        "EMITTER_NOT_A_SECTION": "x",
        "PATH": "/usr/bin",
    }
    config = load_config(path=None, environ=env)
    assert effective_settings(config).shares.tender == {"CASH": 0.5, "CREDIT_CARD": 0.5}


@pytest.mark.parametrize(
    ("overrides", "line"),
    [
        ({"retail": {"volume": {"stores": 0}}}, "retail.volume.stores: Input should be greater than or equal to 1"),
        ({"retail": {"volume": {"stores": "many"}}}, "retail.volume.stores: Input should be a valid integer"),
        ({"retail": {"volume": {"stores": 2, "dcs": 3}}}, "retail.volume: Value error, dcs must not exceed stores"),
        ({"retail": {"volume": {"storez": 2}}}, "retail.volume.storez: Extra inputs are not permitted"),
        (
            {"retail": {"shares": {"tender": {"CASH": 0.7}}}},
            "retail.shares: Value error, tender shares must be non-negative and sum to 1",
        ),
        (
            {"retail": {"shares": {"store_24h": 1.5}}},
            "retail.shares.store_24h: Input should be less than or equal to 1",
        ),
        ({"seed": -1}, "seed: Input should be greater than or equal to 0"),
        ({"scale": 0}, "scale: Input should be greater than 0"),
        ({"preset": "tiny"}, "preset: unknown preset 'tiny' for scenario retail; choose one of small, full-scale"),
        ({"scenario": "bakery"}, "scenario: unknown scenario 'bakery'; choose one of retail"),
        ({"volume": {"stores": 30}}, "config: Value error, unknown section 'volume'"),
        ({"retail": 3}, "config: Value error, section 'retail' must be a JSON object"),
    ],
)
def test_invalid_values_give_one_readable_line_each(overrides: dict[str, object], line: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(path=None, overrides=overrides, environ={})
    lines = str(info.value).splitlines()
    assert any(text.startswith(line) for text in lines), lines
    assert len(lines) == 1


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"seed": -3, "scale": 0}, ["scale", "seed"]),
        ({"retail": {"volume": {"stores": 0, "products": 1}}}, ["retail.volume.products", "retail.volume.stores"]),
    ],
    ids=["shared sections", "a scenario section"],
)
def test_several_problems_are_all_listed(overrides: dict[str, object], fields: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(path=None, overrides=overrides, environ={})
    assert sorted(line.split(":")[0] for line in str(info.value).splitlines()) == fields
    assert isinstance(info.value, EmitterError)


def test_bad_env_value_names_the_field() -> None:
    with pytest.raises(ConfigError, match=r"^retail\.volume\.stores: "):
        load_config(path=None, environ={"EMITTER_RETAIL__VOLUME__STORES": "seven"})


def test_malformed_json_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "seed": 1,\n  "retail": {"volume": {"stores": 3,}}\n}\n')
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
    stores = {"retail": {"volume": {"stores": 251}}}
    assert load_config(path=None, overrides=stores, environ={}).fingerprint() != base.fingerprint()
    assert load_config(path=None, overrides={"seed": 43}, environ={}).fingerprint() != base.fingerprint()
    assert load_config(path=None, overrides={"preset": "small"}, environ={}).fingerprint() != base.fingerprint()
    assert load_config(path=None, overrides={"scale": 2}, environ={}).fingerprint() != base.fingerprint()


def test_the_fingerprint_digests_the_effective_settings_however_they_were_given() -> None:
    from_preset = load_config(path=None, overrides={"preset": "small"}, environ={})
    spelled_out = load_config(path=None, overrides={"retail": RetailSettings.PRESETS["small"]}, environ={})
    assert from_preset.fingerprint() == spelled_out.fingerprint()


def test_a_preset_gives_its_settings_over_the_defaults() -> None:
    settings = effective_settings(load_config(path=None, overrides={"preset": "small"}, environ={}))
    assert settings == RetailSettings.model_validate(RetailSettings.PRESETS["small"])
    assert settings.volume.stores < RetailSettings().volume.stores
    assert settings.shares == RetailSettings().shares


def test_explicit_values_win_over_a_preset_from_any_layer(tmp_path: Path) -> None:
    small = RetailSettings.model_validate(RetailSettings.PRESETS["small"]).volume
    from_env = effective_settings(
        load_config(path=None, overrides={"preset": "small"}, environ={"EMITTER_RETAIL__VOLUME__STORES": "40"})
    ).volume
    assert (from_env.stores, from_env.customers) == (40, small.customers)
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"preset": "small", "retail": {"volume": {"customers_per_day": 123}}}))
    from_file = effective_settings(load_config(path=path, environ={})).volume
    assert (from_file.customers_per_day, from_file.stores) == (123, small.stores)
    from_flags = effective_settings(
        load_config(path=None, overrides={"preset": "small", "retail": {"volume": {"dcs": 3}}}, environ={})
    ).volume
    assert (from_flags.dcs, from_flags.stores) == (3, small.stores)


def test_the_shipped_config_file_leaves_room_for_presets() -> None:
    """Every value the shipped config.json spells out would beat a preset: it names no scenario setting."""
    shipped = json.loads((Path(__file__).resolve().parents[2] / "config.json").read_text())
    assert shipped["retail"] == {}
    settings = effective_settings(
        load_config(path=Path(__file__).resolve().parents[2] / "config.json", overrides={"preset": "small"}, environ={})
    )
    assert settings == RetailSettings.model_validate(RetailSettings.PRESETS["small"])


def test_scale_multiplies_the_scalable_counts_and_leaves_fixed_catalogues() -> None:
    base = RetailSettings().volume
    scaled = effective_settings(load_config(path=None, overrides={"scale": 0.1}, environ={})).volume
    assert (scaled.stores, scaled.dcs, scaled.customers) == (25, 1, 10_000)
    assert (scaled.customers_per_day, scaled.online_orders_per_day) == (2_000, 250)
    assert scaled.marketing_impressions_per_day == 5_000
    assert (scaled.products, scaled.geographies) == (base.products, base.geographies)
    assert scaled.items_per_ticket_mean == base.items_per_ticket_mean


def test_scale_applies_on_top_of_a_preset() -> None:
    small = effective_settings(load_config(path=None, overrides={"preset": "small"}, environ={})).volume
    doubled = effective_settings(load_config(path=None, overrides={"preset": "small", "scale": 2}, environ={})).volume
    assert (doubled.stores, doubled.customers) == (2 * small.stores, 2 * small.customers)
    assert doubled.products == small.products


def test_a_count_given_explicitly_is_not_scaled() -> None:
    """``--scale 5 --customers 500``: the customers are 500, the employees five times the default."""
    overrides = {"scenario": "banking", "scale": 5, "banking": {"volume": {"customers": 500}}}
    volume = effective_settings(load_config(path=None, overrides=overrides, environ={})).volume
    default = effective_settings(load_config(path=None, overrides={"scenario": "banking"}, environ={})).volume
    assert (volume.customers, volume.employees) == (500, 5 * default.employees)


def test_topics_default_to_the_scenarios_name() -> None:
    config = load_config(path=None, environ={})
    assert (config.topic_prefix, config.sink_topics) == ("retail.", "retail.*")
    prefixed = load_config(path=None, overrides={"stream": {"topic_prefix": "shop."}}, environ={})
    assert (prefixed.topic_prefix, prefixed.sink_topics) == ("shop.", "shop.*")
    chosen = load_config(path=None, overrides={"sink": {"topics": "a,b"}}, environ={})
    assert (chosen.topic_prefix, chosen.sink_topics) == ("retail.", "a,b")


def test_the_fingerprint_tracks_the_data_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """A release whose generated bytes differ for the same seed must not resume an earlier one's output."""
    import emitter.config

    before = Config().fingerprint()
    monkeypatch.setattr(emitter.config, "DATA_VERSION", emitter.config.DATA_VERSION + 1)
    assert Config().fingerprint() != before
