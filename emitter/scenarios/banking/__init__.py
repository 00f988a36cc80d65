"""The banking scenario: three databases with keys across them, true balances, a live transaction stream (seed 003)."""

from emitter.scenarios.banking.scenario import BankingScenario

__all__ = ["BankingScenario"]
