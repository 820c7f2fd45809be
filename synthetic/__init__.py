"""Synthetic raw deliveries shaped like the raw data contract, for the sample, tests and benchmarks."""
