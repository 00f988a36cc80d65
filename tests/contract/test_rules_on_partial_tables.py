"""Every scenario's rules judge partial or tampered tables (a stream cut short, rows deleted) without raising.

``emitter validate --warehouse`` runs the rules over whatever a warehouse holds. Each table in turn is cut
(emptied, its first row only, its first half, its last half) while the others stay whole: every rule must
still give a result, and a declared foreign key into the cut table fails exactly when a child row lost its
parent.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pytest

from emitter.scenarios.rules import RuleResult

from .conftest import Generated

CUTS: dict[str, Callable[[pa.Table], pa.Table]] = {
    "empty": lambda t: t.slice(0, 0),
    "first row": lambda t: t.slice(0, 1),
    "first half": lambda t: t.slice(0, t.num_rows // 2),
    "last half": lambda t: t.slice(t.num_rows // 2),
}


def _fk_name(child: str, column: str, parent: str, references: str) -> str:
    return f"fk {child}.{column} -> {parent}.{references}"


def _resolves(values: pa.ChunkedArray, pool: pa.ChunkedArray) -> bool:
    """Whether every non-null value is in the pool, by plain set membership."""
    kept = set(pool.to_pylist())
    return all(v in kept for v in values.to_pylist() if v is not None)


@pytest.mark.parametrize("cut", list(CUTS))
def test_rules_give_results_when_one_table_is_cut(generated: Generated, cut: str) -> None:
    whole = generated.tables()
    full = {r.rule: r.ok for r in generated.scenario.rules(whole)}
    broken_by_cut: list[str] = []
    problems: list[str] = []
    for spec in generated.catalog.tables:
        tables = {**whole, spec.id: CUTS[cut](whole[spec.id])}
        try:
            results = generated.scenario.rules(tables)
        except Exception as exc:  # every table is tried, and each failure named
            problems.append(f"{spec.id} cut to {cut}: {type(exc).__name__}: {exc}")
            continue
        assert all(isinstance(r, RuleResult) and isinstance(r.ok, bool) for r in results), spec.id
        found = {r.rule: r.ok for r in results}
        for child in generated.catalog.tables:
            for fk in child.foreign_keys:
                name = _fk_name(child.id, fk.column, fk.table, fk.references)
                if fk.table == spec.id:
                    expected = _resolves(tables[child.id].column(fk.column), tables[spec.id].column(fk.references))
                else:  # cutting children never strands a reference, and other pairs are untouched
                    expected = full[name]
                if found.get(name) != expected:
                    problems.append(f"{spec.id} cut to {cut}: {name} is {found.get(name)}, expected {expected}")
                if fk.table == spec.id and not expected:
                    broken_by_cut.append(name)
    assert not problems, "\n".join(problems)
    if cut == "empty":
        # every parent emptied strands the rows of each child that refers to it (a table referring to
        # itself, a manager tree, is emptied with them)
        expected_broken = {
            _fk_name(child.id, fk.column, fk.table, fk.references)
            for child in generated.catalog.tables
            for fk in child.foreign_keys
            if whole[child.id].column(fk.column).null_count < whole[child.id].num_rows and fk.table != child.id
        }
        assert set(broken_by_cut) == expected_broken


def test_every_rule_holds_when_every_table_is_empty(generated: Generated) -> None:
    """Nothing to judge breaks nothing: each rule over empty tables gives a result, and it holds."""
    empty = {name: table.slice(0, 0) for name, table in generated.tables().items()}
    results = generated.scenario.rules(empty)
    assert results
    assert [r for r in results if not r.ok] == []
