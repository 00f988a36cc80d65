"""Column builders: fixed-width ids, decimals from integer units, money rounding, deferred columns."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emitter.core.columns import (
    Decimals,
    FixedIds,
    Pooled,
    concat,
    decimal_from_units,
    fixed_width_ids,
    pooled,
    round_half_up_div,
    timestamps,
    to_arrow,
)

prefixes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ_-", max_size=5)


@st.composite
def id_specs(draw: st.DrawFn) -> tuple[str, list[tuple[object, int]], int]:
    """A prefix, a mix of constant and array parts (at least one array), and the row count."""
    n = draw(st.integers(0, 40))
    n_parts = draw(st.integers(1, 4))
    array_at = draw(st.integers(0, n_parts - 1))
    parts: list[tuple[object, int]] = []
    for i in range(n_parts):
        width = draw(st.integers(1, 15))
        values = st.integers(0, 10**width - 1)
        if i == array_at or draw(st.booleans()):
            parts.append((np.array(draw(st.lists(values, min_size=n, max_size=n)), dtype=np.int64), width))
        else:
            parts.append((draw(values), width))
    return draw(prefixes), parts, n


def expected_ids(prefix: str, parts: list[tuple[object, int]], n: int) -> list[str]:
    rows = []
    for i in range(n):
        text = prefix
        for value, width in parts:
            v = int(value[i]) if isinstance(value, np.ndarray) else int(value)  # type: ignore[index, call-overload]
            text += f"{v:0{width}d}"
        rows.append(text)
    return rows


@settings(max_examples=200, deadline=None)
@given(id_specs())
def test_fixed_width_ids_match_python_formatting(spec: tuple[str, list[tuple[object, int]], int]) -> None:
    prefix, parts, n = spec
    ids = fixed_width_ids(prefix, parts)  # type: ignore[arg-type]
    assert len(ids) == n
    assert ids.to_arrow().to_pylist() == expected_ids(prefix, parts, n)


def test_fixed_width_ids_edge_values_and_numpy_constants() -> None:
    values = np.array([0, 9, 10, 9_999, 10_000, 12_345_678, 99_999_999])
    ids = fixed_width_ids("RCP", [(np.int64(20240101), 8), (values, 8), (7, 2)])
    assert ids.to_arrow().to_pylist() == [f"RCP20240101{v:08d}07" for v in values]


def test_fixed_width_ids_take_keeps_rows() -> None:
    ids = fixed_width_ids("X", [(np.arange(5), 3)])
    assert ids.take([4, 0, 4]).to_arrow().to_pylist() == ["X004", "X000", "X004"]


@pytest.mark.parametrize(
    "parts",
    [
        [(np.array([0, 100]), 2)],  # array value too wide
        [(np.array([-1, 5]), 3)],  # negative array value
        [(100, 2), (np.array([1]), 2)],  # constant too wide
        [(-1, 2), (np.array([1]), 2)],  # negative constant
    ],
)
def test_fixed_width_ids_reject_values_that_do_not_fit(parts: list[tuple[object, int]]) -> None:
    with pytest.raises(ValueError, match="digit"):
        fixed_width_ids("ID", parts)  # type: ignore[arg-type]


def test_fixed_width_ids_need_an_array_part() -> None:
    with pytest.raises(ValueError):
        fixed_width_ids("ID", [(1, 2), (3, 4)])


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from([(12, 2), (10, 4), (5, 4), (18, 0), (38, 6)]).flatmap(
        lambda ps: st.tuples(
            st.just(ps),
            st.lists(st.integers(-(10 ** min(ps[0], 18)) + 1, 10 ** min(ps[0], 18) - 1), max_size=30),
        )
    )
)
def test_decimal_from_units_equals_python_decimals(spec: tuple[tuple[int, int], list[int]]) -> None:
    (precision, scale), units = spec
    arr = decimal_from_units(np.array(units, dtype=np.int64), precision, scale)
    assert arr.type == pa.decimal128(precision, scale)
    assert arr.to_pylist() == [Decimal(u).scaleb(-scale) for u in units]
    # the buffers are valid Arrow, so compute kernels agree with the values too
    arr.validate(full=True)
    if units:
        assert arr.cast(pa.float64()).to_pylist() == pytest.approx([u / 10**scale for u in units])


def test_decimal_scale_two_keeps_cents() -> None:
    arr = decimal_from_units(np.array([1999, -5, 0]), 12, 2)
    assert arr.to_pylist() == [Decimal("19.99"), Decimal("-0.05"), Decimal("0.00")]
    assert all(d.as_tuple().exponent == -2 for d in arr.to_pylist())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-(10**12), 10**12), min_size=1, max_size=50), st.sampled_from([2, 100, 10_000, 7]))
def test_round_half_up_div_rounds_half_away_from_zero(numerators: list[int], denominator: int) -> None:
    got = round_half_up_div(np.array(numerators, dtype=np.int64), denominator)
    want = [int((Decimal(x) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP)) for x in numerators]
    assert got.tolist() == want


def test_round_half_up_div_halves() -> None:
    # 0.5 → 1, 1.5 → 2, 2.5 → 3 (not banker's rounding), -0.5 → -1
    assert round_half_up_div(np.array([50, 150, 250, -50, 49]), 100).tolist() == [1, 2, 3, -1, 0]


def test_timestamps_are_utc_micros() -> None:
    arr = timestamps(np.array([0, 1_700_000_000_123_456]))
    assert arr.type == pa.timestamp("us", tz="UTC")
    assert arr.cast(pa.int64()).to_pylist() == [0, 1_700_000_000_123_456]


def test_pooled_and_decimals_defer_until_arrow() -> None:
    col = pooled(["A", "B", None], [2, 0, 1, 0])
    assert isinstance(col, Pooled)
    assert col.take([1, 2]).to_arrow().to_pylist() == ["A", "B"]
    assert to_arrow(col).to_pylist() == [None, "A", "B", "A"]
    money = Decimals(np.array([100, 250]), 12, 2)
    assert money.take([1]).to_arrow().to_pylist() == [Decimal("2.50")]


def test_concat_keeps_kinds_and_values() -> None:
    a = fixed_width_ids("A", [(np.array([1, 2]), 2)])
    b = fixed_width_ids("A", [(np.array([3]), 2)])
    both = concat([a, b])
    assert isinstance(both, FixedIds)
    assert both.to_arrow().to_pylist() == ["A01", "A02", "A03"]
    # different widths fall back to Arrow concatenation, values unchanged
    c = fixed_width_ids("LONG", [(np.array([7]), 4)])
    assert to_arrow(concat([a, c])).to_pylist() == ["A01", "A02", "LONG0007"]
    pool = pa.array(["X", "Y"])
    assert to_arrow(concat([pooled(pool, [0]), pooled(pool, [1, 1])])).to_pylist() == ["X", "Y", "Y"]


@pytest.mark.parametrize("n", [0, 1, 9, 10, 9_999, 10_000, 10_001, 123_457])
def test_numbered_ids_match_fstrings(n: int) -> None:
    from emitter.core.columns import numbered_ids

    assert numbered_ids("TRC0120240101", n, 10).to_arrow().to_pylist() == [f"TRC0120240101{i:010d}" for i in range(n)]


def test_numbered_ids_refuse_too_many_rows() -> None:
    from emitter.core.columns import numbered_ids

    with pytest.raises(ValueError):
        numbered_ids("X", 101, 2)
