"""Question sets, metrics, reports and benchmarks: how far to trust the service, measured."""
