"""What ``emitter demo --scenario banking`` asks the warehouse after a payday morning."""

from __future__ import annotations

TX = "accounts_db.transactions"
DEMO_QUERIES = {
    "Card spending by category": (
        "SELECT merchant_category, count(*) AS purchases, round(-sum(amount), 2) AS spent "
        f"FROM {TX} WHERE transaction_type = 'card_purchase' AND status = 'posted' "
        "GROUP BY 1 ORDER BY 3 DESC LIMIT 8",
        frozenset({TX}),
    ),
    "Balances by segment (latest balance of each account)": (
        "WITH latest AS (SELECT account_id, customer_id, balance_after, row_number() OVER "
        f"(PARTITION BY account_id ORDER BY transaction_at DESC, transaction_id DESC) AS n FROM {TX}) "
        "SELECT p.segment, count(*) AS accounts, round(avg(l.balance_after), 2) AS avg_balance "
        "FROM latest l JOIN customer_db.customer_profiles p ON p.customer_id = l.customer_id "
        "WHERE l.n = 1 GROUP BY 1 ORDER BY 3 DESC",
        frozenset({TX, "customer_db.customer_profiles"}),
    ),
    "Flagged fraud by pattern": (
        "SELECT f.pattern, count(DISTINCT f.incident_id) AS incidents, count(*) AS transactions, "
        "sum(CASE WHEN t.status = 'posted' THEN 1 ELSE 0 END) AS got_through "
        f"FROM accounts_db.fraud_labels f JOIN {TX} t ON t.transaction_id = f.transaction_id GROUP BY 1 ORDER BY 1",
        frozenset({TX, "accounts_db.fraud_labels"}),
    ),
    "Salaries landed, by hour": (
        "SELECT extract(hour FROM transaction_at) AS hour, count(*) AS salaries, round(sum(amount), 2) AS paid "
        f"FROM {TX} WHERE transaction_type = 'direct_deposit' GROUP BY 1 ORDER BY 1",
        frozenset({TX}),
    ),
}

# The seed's three verification queries, with each table named by its namespace (its database in the seed).
SEED_QUERIES = {
    "employees and their departments": (
        "SELECT e.first_name, e.role, d.department_name FROM employees_db.employees e "
        "JOIN employees_db.departments d ON e.department = d.department_name LIMIT 5",
        frozenset({"employees_db.employees", "employees_db.departments"}),
    ),
    "customers and their accounts": (
        "SELECT c.first_name, a.account_type, a.balance FROM accounts_db.customers c "
        "JOIN accounts_db.accounts a ON c.customer_id = a.customer_id LIMIT 5",
        frozenset({"accounts_db.customers", "accounts_db.accounts"}),
    ),
    "assigned agents": (
        "SELECT customer_id, full_name, assigned_agent_id FROM customer_db.customer_profiles "
        "WHERE assigned_agent_id IS NOT NULL LIMIT 5",
        frozenset({"customer_db.customer_profiles"}),
    ),
}
