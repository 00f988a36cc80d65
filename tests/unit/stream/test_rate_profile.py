"""Rate profiles and durations: the load shapes ``emitter stream --rate-profile`` accepts, and their mistakes."""

from __future__ import annotations

import pytest

from emitter.errors import ConfigError
from emitter.stream.rate_profile import parse_duration, parse_rate_profile

USAGE = {
    "constant": "constant:R",
    "ramp": "ramp:A:B:DURATION",
    "steps": "steps:R1,R2,...:DURATION",
    "spike": "spike:BASE:PEAK:EVERY:LENGTH",
    "diurnal": "diurnal:LOW:HIGH[:PERIOD]",
}


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("500ms", 0.5),
        ("30s", 30.0),
        ("10m", 600.0),
        ("2h", 7200.0),
        ("45", 45.0),
        ("1.5s", 1.5),
        (" 250ms ", 0.25),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds, rel=1e-12)


@pytest.mark.parametrize("text", ["", "abc", "10x", "-5s", "s", "1h30m", "5 s"])
def test_bad_duration_is_a_readable_config_error(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_duration(text, "--duration")
    message = str(caught.value)
    assert message.startswith("--duration: ")
    assert repr(text) in message
    assert "500ms" in message and "30s" in message  # says what a duration looks like


def test_constant() -> None:
    profile = parse_rate_profile("constant:250")
    assert [profile.rate(t) for t in (0.0, 1.0, 3600.0)] == [250.0, 250.0, 250.0]


def test_ramp_reaches_b_at_d_and_holds() -> None:
    profile = parse_rate_profile("ramp:100:500:10s")
    assert profile.rate(0.0) == 100.0
    assert profile.rate(2.5) == pytest.approx(200.0)
    assert profile.rate(5.0) == pytest.approx(300.0)
    assert profile.rate(10.0) == 500.0
    assert profile.rate(11.0) == 500.0
    assert profile.rate(1e6) == 500.0


def test_ramp_down() -> None:
    profile = parse_rate_profile("ramp:1000:0:2m")
    assert profile.rate(60.0) == pytest.approx(500.0)
    assert profile.rate(120.0) == 0.0
    assert profile.rate(500.0) == 0.0


def test_steps_hold_the_last_rate() -> None:
    profile = parse_rate_profile("steps:10,20,30:5s")
    assert profile.rate(0.0) == 10.0
    assert profile.rate(4.999) == 10.0
    assert profile.rate(5.0) == 20.0
    assert profile.rate(9.999) == 20.0
    assert profile.rate(10.0) == 30.0
    assert profile.rate(15.0) == 30.0
    assert profile.rate(1e6) == 30.0


def test_single_step_is_constant() -> None:
    profile = parse_rate_profile("steps:7:1s")
    assert {profile.rate(t) for t in (0.0, 0.5, 3.0, 100.0)} == {7.0}


def test_spike_window_at_the_start_of_every_period() -> None:
    profile = parse_rate_profile("spike:100:1000:60s:5s")
    assert profile.rate(0.0) == 1000.0
    assert profile.rate(4.999) == 1000.0
    assert profile.rate(5.0) == 100.0
    assert profile.rate(59.999) == 100.0
    assert profile.rate(60.0) == 1000.0
    assert profile.rate(64.0) == 1000.0
    assert profile.rate(65.0) == 100.0
    assert profile.rate(125.0) == 100.0


def test_diurnal_min_at_zero_max_at_half_period() -> None:
    profile = parse_rate_profile("diurnal:10:110:1m")
    assert profile.rate(0.0) == pytest.approx(10.0)
    assert profile.rate(15.0) == pytest.approx(60.0)
    assert profile.rate(30.0) == pytest.approx(110.0)
    assert profile.rate(45.0) == pytest.approx(60.0)
    assert profile.rate(60.0) == pytest.approx(10.0)
    assert profile.rate(90.0) == pytest.approx(110.0)
    assert all(10.0 - 1e-9 <= profile.rate(t / 7) <= 110.0 + 1e-9 for t in range(1000))


def test_diurnal_period_defaults_to_a_day() -> None:
    profile = parse_rate_profile("diurnal:0:100")
    assert profile.params == (0.0, 100.0, 86_400.0)
    assert profile.rate(43_200.0) == pytest.approx(100.0)
    assert profile.rate(0.0) == pytest.approx(0.0)


def test_kind_is_case_insensitive_and_text_is_kept() -> None:
    profile = parse_rate_profile("Ramp:1:2:1s")
    assert profile.kind == "ramp"
    assert profile.text == "Ramp:1:2:1s"


def test_unknown_profile_lists_every_syntax() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_rate_profile("sawtooth:1:2")
    message = str(caught.value)
    assert "'sawtooth'" in message
    for usage in USAGE.values():
        assert usage in message


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # wrong number of parts
        ("constant", "constant"),
        ("constant:1:2", "constant"),
        ("ramp:1:2", "ramp"),
        ("ramp:1:2:3s:4", "ramp"),
        ("steps:1,2", "steps"),
        ("steps:1,2:3s:4s", "steps"),
        ("spike:1:2:3s", "spike"),
        ("spike:1:2:3s:1s:9", "spike"),
        ("diurnal:1", "diurnal"),
        ("diurnal:1:2:3h:4", "diurnal"),
    ],
)
def test_wrong_number_of_parts_names_the_expected_syntax(text: str, kind: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_rate_profile(text)
    message = str(caught.value)
    assert message.startswith("rate-profile: ")
    assert repr(text) in message
    assert USAGE[kind] in message, message


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a part that is not a number, negative, not a duration, or zero where a length is needed
        ("constant:fast", "constant"),
        ("constant:-5", "constant"),
        ("spike:1:peak:60s:5s", "spike"),
        ("steps:1,,3:10s", "steps"),
        ("ramp:1:2:soon", "ramp"),
        ("ramp:1:2:0s", "ramp"),
        ("diurnal:1:2:0h", "diurnal"),
    ],
)
def test_bad_part_names_the_expected_syntax(text: str, kind: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_rate_profile(text)
    message = str(caught.value)
    assert message.startswith("rate-profile: ")
    assert USAGE[kind] in message, message


@pytest.mark.parametrize("text", ["constant:nan", "constant:inf", "ramp:0:inf:10s", "steps:1,nan:5s"])
def test_non_finite_rates_are_refused(text: str) -> None:
    # A nan or infinite rate can't be paced: the live loop turns rate × interval into an event count.
    with pytest.raises(ConfigError):
        parse_rate_profile(text)
