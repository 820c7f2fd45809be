"""Data-quality gates: Great Expectations suites (expectations/*.json) run on every raw delivery."""
