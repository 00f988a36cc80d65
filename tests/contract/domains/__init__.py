"""Test-only scenarios: each folder is a whole domain, registered by the contract suite."""
