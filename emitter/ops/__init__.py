"""Operating a running stream, sink or demo: Prometheus metrics, health checks and live control over HTTP."""
