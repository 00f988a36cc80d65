"""emitter: realistic synthetic business data from one deterministic, vectorized model."""

__version__ = "0.1.0"
