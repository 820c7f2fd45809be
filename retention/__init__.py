"""Retention warehouse: the Python code that is not SQL (data generation, model math, gates)."""
