"""The seed's scale table: rows per table at --scale 0.05 … 10, and the sizes that never scale."""

from __future__ import annotations

from datetime import date

import pytest

from emitter.config import load_config
from emitter.scenarios import open_scenario

from .bank_data import ACCOUNTS, CUSTOMERS, EMPLOYEES, TRANSACTIONS, span

# The seed's base row (scale 1.0); its other rows are this row times the factor, rounded ("~100" accounts at
# 0.1 is its "~1,100" times 0.1 rounded down), so each factor is compared with the base row scaled.
BASE = {"employees": 150, "customers": 1_200, "accounts": 1_100, "relationships": 275, "transactions": 14_000}
FACTORS = (0.05, 0.1, 0.5, 1.0, 5.0, 10.0)
FEW_PERCENT = 0.06
# the seed's horizon for transactions: a month of the grown bank (every customer has joined by `until`)
MONTH = span(date(2025, 11, 1), 30)


def _rows(factor: float) -> dict[str, int]:
    sc = open_scenario(load_config(None, {"scenario": "banking", "scale": factor}, {}))
    ref = sc.reference()
    month = sum(t[TRANSACTIONS].num_rows for _, t in sc.days(MONTH, [TRANSACTIONS]))
    return {
        "employees": ref[EMPLOYEES].num_rows,
        "customers": ref[CUSTOMERS].num_rows,
        "accounts": ref[ACCOUNTS].num_rows,
        "relationships": ref["accounts_db.account_relationships"].num_rows,
        "transactions": month,
        "departments": ref["employees_db.departments"].num_rows,
        "training_programs": ref["employees_db.training_programs"].num_rows,
    }


@pytest.mark.parametrize("factor", FACTORS)
def test_rows_at_each_scale_match_the_seeds_table(factor: float) -> None:
    rows = _rows(factor)
    for table, base in BASE.items():
        expected = base * factor
        # a few percent, or one row where a few percent is less than one (7.5 employees at 0.05)
        assert abs(rows[table] - expected) <= max(FEW_PERCENT * expected, 1), (table, rows[table], expected)
    assert rows["departments"] == 12
    assert 16 <= rows["training_programs"] <= 20


def test_customers_and_employees_flags_override_the_scale() -> None:
    overrides = {"scenario": "banking", "scale": 5.0, "banking": {"volume": {"customers": 500}}}
    ref = open_scenario(load_config(None, overrides, {})).reference()
    assert ref[CUSTOMERS].num_rows == 500
    assert ref[EMPLOYEES].num_rows == 5 * BASE["employees"]
