"""Streaming: a clock-driven pacing loop, rate profiles and targets (Kafka, Azure Event Hubs)."""
