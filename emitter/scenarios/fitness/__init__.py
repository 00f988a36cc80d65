"""The fitness scenario: a gym chain's master data, memberships, payments, classes and door log (seed 000)."""

from emitter.scenarios.fitness.scenario import FitnessScenario

__all__ = ["FitnessScenario"]
