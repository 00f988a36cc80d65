"""Avro: the schemas in schemas/ are the contract for every table."""
