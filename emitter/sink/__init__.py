"""The sink: consume topics into a warehouse exactly once, and load backfill output into the same tables."""
