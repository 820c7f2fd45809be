"""Benchmark commands; each writes its figures to benchmarks/results/."""
